"""First-order labels (用户N级新老客标签): each buyer's first paid order at the platform,
industry, operating category and store level as known on dt, the basis of DNB, 用券拉新 and
the new buyers of a store; with the paid-line rules every trade-user table shares
(``paid_lines``, ``net_lines``, ``days_before``) and the two levels other tables read (``PLATFORM_FIRSTS``,
``store_first_orders``)."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.trade.ods import GOODS, ORDER_LINES, REFUNDS, USERS
from marketing_assets.metrics import LOOKBACK_DAYS
from marketing_assets.table import TableModel

LEVELS = ["platform", "industry", "category", "store"]


class UserNitemLabel(TableModel):
    """Each buyer's first paid order at each level."""

    user_id: pl.String = pa.Field(description="buyer")
    level: pl.String = pa.Field(isin=LEVELS, description="platform, industry, operating category or store")
    level_id: pl.String = pa.Field(description="'all' for platform; the industry, category or seller_id")
    first_pay_time: pl.Datetime("us") = pa.Field(description="first paid order at this level")
    first_pay_date: pl.Date = pa.Field(description="day of the first paid order")
    first_order_id: pl.String = pa.Field(
        nullable=True, description="order of the first purchase (null: before the look-back)"
    )
    first_package_id: pl.String = pa.Field(
        nullable=True, description="store level: package of the first purchase in the store"
    )
    last_pay_time: pl.Datetime("us") = pa.Field(nullable=True, description="latest paid order in the look-back")
    customer_type: pl.String = pa.Field(isin=["new", "old"], description="new: first paid order on dt")
    dt: pl.Date = pa.Field(description="snapshot day")


def paid_lines(lines: pl.DataFrame, refunds: pl.DataFrame) -> pl.DataFrame:
    """Order lines that count as paid: a line refunded on its pay day never does."""
    same_day = refunds.filter(pl.col("refund_time").dt.date() == pl.col("pay_time").dt.date()).select(
        "package_id", "goods_id"
    )
    return lines.join(same_day, on=["package_id", "goods_id"], how="anti")


def net_lines(lines: pl.DataFrame, refunds: pl.DataFrame) -> pl.DataFrame:
    """Paid lines net of every refund known (same day or later)."""
    return lines.join(refunds.select("package_id", "goods_id"), on=["package_id", "goods_id"], how="anti")


def days_before(day: dt.date, n: int) -> dt.date:
    return day - dt.timedelta(days=n)


def nitem_labels(
    day: dt.date,
    lines: pl.DataFrame,
    refunds: pl.DataFrame,
    goods: pl.DataFrame,
    users: pl.DataFrame,
) -> pl.DataFrame:
    """Each buyer's first paid order at the platform, industry, operating category and
    store level, as known on ``day``.

    Platform level: the user centre's ``first_order_time`` (it holds the history before the
    warehouse's first day). Other levels: the first paid line in the look-back window of
    ``lines`` (600 days): new to a store = no paid order in that store in the look-back.
    """
    paid = paid_lines(lines, refunds).join(
        goods.select("goods_id", "industry", "category"), on="goods_id", how="left"
    )
    frames = []
    for level, column in (("industry", "industry"), ("category", "category"), ("store", "seller_id")):
        first = (
            paid.filter(pl.col(column).is_not_null())
            .sort("pay_time", "order_id", "package_id", "goods_id")
            .group_by("user_id", column, maintain_order=True)
            .agg(
                first_pay_time=pl.col("pay_time").first(),
                first_order_id=pl.col("order_id").first(),
                first_package_id=pl.col("package_id").first(),
                last_pay_time=pl.col("pay_time").last(),
            )
        )
        frames.append(first.select(
            "user_id", pl.lit(level).alias("level"), pl.col(column).cast(pl.String).alias("level_id"),
            "first_pay_time", "first_order_id",
            (pl.col("first_package_id") if level == "store" else pl.lit(None, pl.String)).alias("first_package_id"),
            "last_pay_time",
        ))
    orders = paid.group_by("user_id").agg(
        pl.col("pay_time").max().alias("last_pay_time"),
    )
    first_orders = (
        paid.select("user_id", "pay_time", "order_id")
        .sort("user_id", "pay_time", "order_id")
        .unique(["user_id", "pay_time"], keep="first", maintain_order=True)
    )
    platform = (
        users.filter(pl.col("first_order_time").is_not_null())
        .select("user_id", pl.col("first_order_time").alias("first_pay_time"))
        .join(orders, on="user_id", how="left")
        .join(first_orders.rename({"pay_time": "first_pay_time", "order_id": "first_order_id"}),
              on=["user_id", "first_pay_time"], how="left")
        .select(
            "user_id", pl.lit("platform").alias("level"), pl.lit("all").alias("level_id"),
            "first_pay_time", "first_order_id", pl.lit(None, pl.String).alias("first_package_id"),
            "last_pay_time",
        )
    )
    return pl.concat([platform, *frames]).with_columns(
        first_pay_date=pl.col("first_pay_time").dt.date(),
    ).with_columns(
        customer_type=pl.when(pl.col("first_pay_date") == day).then(pl.lit("new")).otherwise(pl.lit("old"))
    )


def store_first_orders(labels: pl.DataFrame) -> pl.DataFrame:
    """The store level of the first-order labels as the seller tables read it: user_id,
    seller_id, first_pay_date, first_package_id."""
    return labels.filter(pl.col("level") == "store").select(
        "user_id", pl.col("level_id").alias("seller_id"), "first_pay_date", "first_package_id"
    )


LINE_COLUMNS = ("user_id", "seller_id", "goods_id", "order_id", "package_id", "pay_time")

USER_NITEM_LABEL = DerivedTable(
    "redcdm", "dim_ecm_user_nitem_label_extend_df",
    model=UserNitemLabel,
    grain=("user_id", "level", "level_id"),
    group="user",
    layer="dim",
    what=(
        "New or old customer of each buyer at platform, industry, operating category and "
        "store level: the first paid order at each level as known on dt (the basis of "
        "DNB, 用券拉新 and new buyers of a store)"
    ),
    chinese_name="用户N级新老客标签",
    inputs={
        "lines": Upstream(ORDER_LINES, LOOKBACK_DAYS, LINE_COLUMNS),
        "refunds": Upstream(REFUNDS, LOOKBACK_DAYS, ("package_id", "goods_id", "pay_time", "refund_time")),
        "goods": Upstream(GOODS, 1, ("goods_id", "industry", "category")),
        "users": Upstream(USERS, 1, ("user_id", "first_order_time")),
    },
    compute=nitem_labels,
    bounded=True,
)

#: the platform level of the first-order labels as the user tables read it
PLATFORM_FIRSTS = Upstream(
    USER_NITEM_LABEL, 1, ("user_id", "first_pay_time", "first_pay_date", "last_pay_time"),
    where="level = 'platform'",
)

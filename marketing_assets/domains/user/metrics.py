"""User metrics (用户交易行为宽表): each active user's e-commerce behaviour on dt, one wide
row per user who visited or paid."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.trade.ods import DISCOUNTS, ORDER_LINES, REFUNDS, VISITS
from marketing_assets.domains.coupon.uses import COUPON_USE
from marketing_assets.domains.user.first_orders import LINE_COLUMNS, PLATFORM_FIRSTS, net_lines, paid_lines
from marketing_assets.table import TableModel


class UserMetricsDay(TableModel):
    """Each active user's behaviour on dt."""

    user_id: pl.String = pa.Field(description="user active on dt (visited or paid)")
    visit_pv: pl.Int64 = pa.Field(ge=0, description="goods page views on dt")
    visit_goods_cnt: pl.Int64 = pa.Field(ge=0, description="distinct goods viewed on dt")
    order_cnt: pl.Int64 = pa.Field(ge=0, description="orders paid on dt (same-day refunds excluded)")
    pay_goods_cnt: pl.Int64 = pa.Field(ge=0, description="units paid on dt")
    pay_amt: pl.Int64 = pa.Field(ge=0, description="paid on dt, fen (same-day refunds excluded)")
    discount_amt: pl.Int64 = pa.Field(ge=0, description="all discounts on those lines, fen")
    coupon_use_cnt: pl.Int64 = pa.Field(ge=0, description="coupons used on those lines")
    coupon_discount_amt: pl.Int64 = pa.Field(ge=0, description="coupon discount on those lines, fen")
    allowance_use_amt: pl.Int64 = pa.Field(ge=0, description="allowance spent on those lines, fen")
    refund_amt: pl.Int64 = pa.Field(ge=0, description="refunds landed on dt (any pay day), fen")
    pay_amt_30d: pl.Int64 = pa.Field(ge=0, description="paid in the 30 days ending dt, net of refunds known on dt, fen")
    first_order_time: pl.Datetime("us") = pa.Field(nullable=True, description="first paid order on the platform")
    last_pay_time: pl.Datetime("us") = pa.Field(nullable=True, description="latest paid order (600-day look-back)")
    is_new_buyer: pl.Boolean = pa.Field(description="first paid order on the platform is on dt (DNB)")
    dt: pl.Date = pa.Field(description="day")


def user_metrics(
    day: dt.date,
    visits: pl.DataFrame,
    lines: pl.DataFrame,
    refunds: pl.DataFrame,
    discounts: pl.DataFrame,
    uses: pl.DataFrame,
    firsts: pl.DataFrame,
) -> pl.DataFrame:
    """One row per user who visited or paid on ``day``.
    ``lines``/``refunds``: the 30 days ending ``day``; ``discounts``: the day's discount
    detail; ``uses``: the coupon use fact as known on ``day``; ``firsts``: platform level of
    the first-order labels."""
    today = paid_lines(lines.filter(pl.col("dt") == day), refunds)
    keys = ["package_id", "goods_id"]
    detail = discounts.join(today.select(keys), on=keys, how="semi")
    detail = detail.join(today.select(*keys, "user_id"), on=keys)
    per_user = [
        visits.group_by("user_id").agg(
            visit_pv=pl.col("pv").sum(), visit_goods_cnt=pl.col("goods_id").n_unique()
        ),
        today.group_by("user_id").agg(
            order_cnt=pl.col("order_id").n_unique(), pay_goods_cnt=pl.col("quantity").sum(),
            pay_amt=pl.col("paid_amt").sum(), discount_amt=pl.col("discount_amt").sum(),
        ),
        detail.group_by("user_id").agg(
            allowance_use_amt=pl.col("discount_amt").filter(pl.col("discount_source") == "allowance").sum()
        ),
        uses.filter((pl.col("pay_date") == day) & ~pl.col("is_refunded")).group_by("user_id").agg(
            coupon_use_cnt=pl.col("use_key").n_unique(), coupon_discount_amt=pl.col("discount_amt").sum()
        ),
        refunds.filter(pl.col("dt") == day).group_by("user_id").agg(refund_amt=pl.col("refund_amt").sum()),
        net_lines(lines, refunds).group_by("user_id").agg(pay_amt_30d=pl.col("paid_amt").sum()),
    ]
    active = pl.concat([visits.select("user_id"), today.select("user_id")]).unique()
    out = active
    for part in per_user:
        out = out.join(part, on="user_id", how="left")
    counts = ["visit_pv", "visit_goods_cnt", "order_cnt", "pay_goods_cnt", "pay_amt", "discount_amt",
              "coupon_use_cnt", "coupon_discount_amt", "allowance_use_amt", "refund_amt", "pay_amt_30d"]
    return (
        out.with_columns([pl.col(c).fill_null(0).cast(pl.Int64) for c in counts])
        .join(firsts.select("user_id", pl.col("first_pay_time").alias("first_order_time"), "last_pay_time"),
              on="user_id", how="left")
        .with_columns(is_new_buyer=(pl.col("first_order_time").dt.date() == day).fill_null(False))
    )


_REFUND_COLUMNS = ("package_id", "goods_id", "user_id", "refund_amt", "pay_time", "refund_time")

USER_METRICS = DerivedTable(
    "reddm", "dm_trd_user_metrics_day",
    model=UserMetricsDay,
    grain=("user_id",),
    group="user",
    layer="dm",
    what=(
        "Wide table of each active user's e-commerce behaviour on dt: visits, orders, GMV, "
        "discounts, coupon and allowance use, refunds, 30-day spend, first and last order"
    ),
    chinese_name="用户交易行为宽表",
    inputs={
        "visits": Upstream(VISITS, 1, ("user_id", "goods_id", "pv")),
        "lines": Upstream(ORDER_LINES, 30, (*LINE_COLUMNS, "quantity", "paid_amt", "discount_amt")),
        "refunds": Upstream(REFUNDS, 30, _REFUND_COLUMNS),
        "discounts": Upstream(DISCOUNTS, 1, ("package_id", "goods_id", "discount_source", "discount_amt")),
        "uses": Upstream(
            COUPON_USE, 1, ("user_id", "use_key", "discount_amt", "pay_date", "is_refunded"),
            where="pay_date = dt",
        ),
        "firsts": PLATFORM_FIRSTS,
    },
    compute=user_metrics,
    lineage={
        "visit_pv": (("visits", "pv"),),
        "visit_goods_cnt": (("visits", "goods_id"),),
        "order_cnt": (("lines", "order_id"), ("refunds", "refund_time")),
        "pay_goods_cnt": (("lines", "quantity"), ("refunds", "refund_time")),
        "pay_amt": (("lines", "paid_amt"), ("refunds", "refund_time")),
        "coupon_use_cnt": (("uses", "use_key"),),
        "coupon_discount_amt": (("uses", "discount_amt"),),
        "allowance_use_amt": (("discounts", "discount_amt"), ("discounts", "discount_source")),
        "pay_amt_30d": (("lines", "paid_amt"), ("refunds", "package_id")),
        "first_order_time": (("firsts", "first_pay_time"),),
        "is_new_buyer": (("firsts", "first_pay_time"),),
    },
)

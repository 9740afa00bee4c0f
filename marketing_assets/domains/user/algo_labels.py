"""Algorithm base labels (B端算法用户基础标签): base tags of the month's active users
(visited or paid in dt's month up to dt), for merchant-side algorithms."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.trade.ods import GOODS, ORDER_LINES, REFUNDS, VISITS
from marketing_assets.domains.user.first_orders import paid_lines
from marketing_assets.domains.user.labels import USER_LABEL
from marketing_assets.domains.user.levels import TOC_USER_LEVEL
from marketing_assets.table import TableModel


class TobUserAlgoLabel(TableModel):
    """Base tags of each user active this month."""

    user_id: pl.String = pa.Field(description="user active (visited or paid) in dt's month up to dt")
    month: pl.String = pa.Field(description="calendar month, YYYY-MM")
    active_days_mtd: pl.Int64 = pa.Field(ge=1, description="days with a visit or a paid order this month")
    visit_pv_mtd: pl.Int64 = pa.Field(ge=0, description="goods page views this month")
    pay_amt_mtd: pl.Int64 = pa.Field(ge=0, description="paid this month, fen (same-day refunds excluded)")
    top_industry: pl.String = pa.Field(nullable=True, description="industry viewed most this month")
    gender: pl.String = pa.Field(nullable=True, description="gender")
    age_band: pl.String = pa.Field(nullable=True, description="age band")
    city_tier: pl.String = pa.Field(nullable=True, description="city tier")
    member_level: pl.Int32 = pa.Field(nullable=True, description="member level")
    user_level: pl.String = pa.Field(
        nullable=True, description=f"S/A/B/C tier of {TOC_USER_LEVEL.table}; null: no order in 90 days"
    )
    lifecycle: pl.String = pa.Field(nullable=True, description=f"lifecycle of {USER_LABEL.table}")
    dt: pl.Date = pa.Field(description="snapshot day")


def algo_base_labels(
    day: dt.date,
    visits: pl.DataFrame,
    lines: pl.DataFrame,
    refunds: pl.DataFrame,
    goods: pl.DataFrame,
    labels: pl.DataFrame,
    levels: pl.DataFrame,
) -> pl.DataFrame:
    """Base tags of the users active in ``day``'s calendar month up to ``day`` (inputs: the
    31 days ending ``day``)."""
    month_start = day.replace(day=1)
    visits = visits.filter(pl.col("dt") >= month_start)
    paid = paid_lines(lines.filter(pl.col("dt") >= month_start), refunds)
    days = pl.concat([visits.select("user_id", "dt"), paid.select("user_id", "dt")])
    top = (
        visits.join(goods.select("goods_id", "industry"), on="goods_id", how="left")
        .group_by("user_id", "industry").agg(pl.col("pv").sum())
        .sort(["user_id", "pv", "industry"], descending=[False, True, False], nulls_last=True)
        .group_by("user_id", maintain_order=True).agg(top_industry=pl.col("industry").first())
    )
    return (
        days.group_by("user_id").agg(active_days_mtd=pl.col("dt").n_unique().cast(pl.Int64))
        .join(visits.group_by("user_id").agg(visit_pv_mtd=pl.col("pv").sum()), on="user_id", how="left")
        .join(paid.group_by("user_id").agg(pay_amt_mtd=pl.col("paid_amt").sum()), on="user_id", how="left")
        .join(top, on="user_id", how="left")
        .join(labels.select("user_id", "gender", "age_band", "city_tier", "member_level", "lifecycle"),
              on="user_id", how="left")
        .join(levels.select("user_id", "user_level"), on="user_id", how="left")
        .with_columns(
            pl.col("visit_pv_mtd").fill_null(0), pl.col("pay_amt_mtd").fill_null(0),
            month=pl.lit(day.strftime("%Y-%m")),
        )
    )


USER_ALGO_LABEL = DerivedTable(
    "redapp", "app_ecm_tob_ou_user_algo_label_base_df",
    model=TobUserAlgoLabel,
    grain=("user_id",),
    group="user",
    layer="app",
    what="Base tags of the month's active users (visited or paid in dt's month up to dt), for merchant-side algorithms",
    chinese_name="B端算法用户基础标签",
    inputs={
        "visits": Upstream(VISITS, 31, ("user_id", "goods_id", "pv")),
        "lines": Upstream(ORDER_LINES, 31, ("user_id", "package_id", "goods_id", "paid_amt", "pay_time")),
        "refunds": Upstream(REFUNDS, 31, ("package_id", "goods_id", "pay_time", "refund_time")),
        "goods": Upstream(GOODS, 1, ("goods_id", "industry")),
        "labels": Upstream(USER_LABEL),
        "levels": Upstream(TOC_USER_LEVEL, 1, ("user_id", "user_level")),
    },
    compute=algo_base_labels,
    lineage={
        "active_days_mtd": (("visits", "user_id"), ("lines", "user_id")),
        "visit_pv_mtd": (("visits", "pv"),),
        "pay_amt_mtd": (("lines", "paid_amt"), ("refunds", "refund_time")),
        "top_industry": (("visits", "pv"), ("goods", "industry")),
    },
    bounded=True,
)

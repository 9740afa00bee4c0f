"""User level (C端用户分层): the S/A/B/C tier of the buyers of the last 90 days by what they
paid, net of refunds known on dt."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.trade.ods import ORDER_LINES, REFUNDS
from marketing_assets.domains.user.first_orders import days_before, net_lines
from marketing_assets.table import TableModel

USER_LEVELS = ["S", "A", "B", "C"]
#: 90-day spend thresholds of the toC user tiers, fen (S ≥ 3,000 yuan, A ≥ 1,000, B ≥ 200)
LEVEL_THRESHOLDS = (("S", 300_000), ("A", 100_000), ("B", 20_000))


class TocUserLevel(TableModel):
    """The tier of each buyer of the last 90 days."""

    user_id: pl.String = pa.Field(description="buyer with a paid order in the 90 days ending dt")
    pay_amt_30d: pl.Int64 = pa.Field(ge=0, description="paid in 30 days, net of refunds known on dt, fen")
    pay_amt_90d: pl.Int64 = pa.Field(ge=0, description="paid in 90 days, net of refunds known on dt, fen")
    order_cnt_90d: pl.Int64 = pa.Field(ge=0, description="orders in 90 days")
    user_level: pl.String = pa.Field(
        isin=USER_LEVELS, description="S ≥ 3,000 yuan in 90 days; A ≥ 1,000; B ≥ 200; C below"
    )
    dt: pl.Date = pa.Field(description="snapshot day")


def user_levels(day: dt.date, lines: pl.DataFrame, refunds: pl.DataFrame) -> pl.DataFrame:
    """Tiers of the buyers of the 90 days ending ``day`` by what they paid, net of every
    refund known on ``day``."""
    kept = net_lines(lines, refunds)
    level = pl.lit("C")
    for name, threshold in reversed(LEVEL_THRESHOLDS):
        level = pl.when(pl.col("pay_amt_90d") >= threshold).then(pl.lit(name)).otherwise(level)
    return kept.group_by("user_id").agg(
        pay_amt_30d=pl.col("paid_amt").filter(pl.col("dt") >= days_before(day, 29)).sum(),
        pay_amt_90d=pl.col("paid_amt").sum(),
        order_cnt_90d=pl.col("order_id").n_unique().cast(pl.Int64),
    ).with_columns(user_level=level)


TOC_USER_LEVEL = DerivedTable(
    "redapp", "app_ecm_toc_user_level_1d_df",
    model=TocUserLevel,
    grain=("user_id",),
    group="user",
    layer="app",
    what="User tier of the buyers of the last 90 days by what they paid (net of refunds known on dt)",
    chinese_name="C端用户分层",
    inputs={
        "lines": Upstream(ORDER_LINES, 90, ("user_id", "order_id", "package_id", "goods_id", "paid_amt")),
        "refunds": Upstream(REFUNDS, 90, ("package_id", "goods_id")),
    },
    compute=user_levels,
    lineage={
        "pay_amt_30d": (("lines", "paid_amt"), ("refunds", "package_id")),
        "pay_amt_90d": (("lines", "paid_amt"), ("refunds", "package_id")),
        "order_cnt_90d": (("lines", "order_id"),),
        "user_level": (("lines", "paid_amt"), ("refunds", "package_id")),
    },
    bounded=True,
)

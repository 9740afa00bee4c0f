"""The promotion use (核销) detail of the 500 days ending dt, as known on dt.

Definitions:
- a use is a promotion's share of the discount on a paid order line (the trade's discount
  detail, discount_source store_promotion or platform_promotion, source_id =
  promotion_id), counted by pay day. A line refunded on its pay day never counts; a line
  refunded on a later day counts until the refund is known (``is_refunded`` from the
  refund's landing day on), then drops out of every "as known on dt" result;
- ``use_cnt`` counts applications: distinct promotion × package. 满减 and M件N折 apply to the
  package's qualifying lines together, so a promotion whose discount is spread over three
  lines of one package is one use (its pay amount still adds each line once);
- single-item price promotions (单品 / 超级单品) lower the unit price and leave no discount
  row, gift and interest-free promotions give no discount: they are not uses.
"""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.trade.ods import DISCOUNTS, ORDER_LINES, REFUNDS
from marketing_assets.domains.promotion.groups import GROUP
from marketing_assets.domains.promotion.ods import PROMOTION_TYPES, RULES
from marketing_assets.domains.promotion.target_benefits import (
    PROMOTION_SOURCES, TARGET_BENEFIT_DAY, DIMENSION_COLUMNS, promotion_rows,
)
from marketing_assets.metrics import drop_same_day_refunds, in_period, use_fact_headline
from marketing_assets.table import TableModel, partition_day

#: days of pay the use fact keeps, ending on dt
USE_DAYS = 500
BEARERS = ["merchant", "platform"]
_SOURCES = ", ".join(f"'{s}'" for s in PROMOTION_SOURCES)
#: packages with a promotion discount in the window (the ``details`` input): the only trade
#: rows the use fact needs
_PROMOTION_PACKAGES = "package_id IN (SELECT package_id FROM details)"


class PromotionUse500d(TableModel):
    """The promotion use detail: one row per promotion × package × goods."""

    promotion_id: pl.Int64 = pa.Field(description="promotion applied")
    group_id: pl.Int64 = pa.Field(nullable=True, description="its group (null: promotion not in the dimension)")
    promotion_type: pl.String = pa.Field(nullable=True, isin=PROMOTION_TYPES, description="the group's promotion type")
    rule: pl.String = pa.Field(nullable=True, isin=RULES, description="tier-1 benefit rule")
    discount_source: pl.String = pa.Field(isin=PROMOTION_SOURCES, description="store or platform promotion")
    use_key: pl.String = pa.Field(
        description="what use_cnt counts: '<promotion_id>:<package_id>', one application per package"
    )
    package_id: pl.String = pa.Field(description="package")
    goods_id: pl.Int64 = pa.Field(description="goods of the line")
    order_id: pl.String = pa.Field(description="order")
    user_id: pl.String = pa.Field(description="buyer")
    seller_id: pl.String = pa.Field(description="seller of the line")
    pay_time: pl.Datetime("us") = pa.Field(description="paid")
    pay_date: pl.Date = pa.Field(description="pay day (uses count by pay day)")
    quantity: pl.Int64 = pa.Field(gt=0, description="units of the line")
    line_paid_amt: pl.Int64 = pa.Field(ge=0, description="the line's paid amount, fen")
    discount_amt: pl.Int64 = pa.Field(ge=0, description="this promotion's share on the line, fen")
    bearer: pl.String = pa.Field(isin=BEARERS, description="who pays the discount")
    is_refunded: pl.Boolean = pa.Field(description="line refunded on a later day, as known on dt")
    refund_time: pl.Datetime("us") = pa.Field(nullable=True, description="refunded at (later day)")
    dt: pl.Date = partition_day()


def _date(column: str) -> pl.Expr:
    return pl.col(column).dt.date()


def promotion_uses(
    day: dt.date,
    details: pl.DataFrame,
    lines: pl.DataFrame,
    refunds: pl.DataFrame,
    promotions: pl.DataFrame,
) -> pl.DataFrame:
    """Each promotion's share on a paid line paid in the ``USE_DAYS`` days ending ``day``,
    as known on ``day``. ``details``, ``lines`` and ``refunds`` are the trade tables'
    partitions of that window (what was known on ``day``); ``promotions``: the promotion
    dimension of ``day`` (group and type)."""
    discount = (
        details.filter(
            pl.col("discount_source").is_in(PROMOTION_SOURCES) & pl.col("source_id").is_not_null()
        )
        .sort("package_id", "goods_id", "discount_source", "dt")
        # a re-landed discount row counts once
        .unique(["package_id", "goods_id", "discount_source"], keep="first", maintain_order=True)
        .select(
            pl.col("source_id").alias("promotion_id"), "discount_source", "package_id", "goods_id",
            "discount_amt", "bearer",
        )
    )
    line = (
        lines.sort("package_id", "goods_id", "dt")
        .unique(["package_id", "goods_id"], keep="first", maintain_order=True)
        .select(
            "package_id", "goods_id", "order_id", "user_id", "seller_id", "pay_time", "quantity",
            pl.col("paid_amt").alias("line_paid_amt"),
        )
        .with_columns(pay_date=_date("pay_time"))
        .filter(in_period("pay_date", day, USE_DAYS))
    )
    attrs = promotion_rows(promotions).select("promotion_id", "group_id", "promotion_type", "rule")
    return (
        drop_same_day_refunds(
            discount.join(line, on=["package_id", "goods_id"], how="inner", maintain_order="left"), refunds
        )
        .join(attrs, on="promotion_id", how="left", maintain_order="left")
        .select(
            "promotion_id", "group_id", "promotion_type", "rule", "discount_source",
            pl.format("{}:{}", "promotion_id", "package_id").alias("use_key"),
            "package_id", "goods_id", "order_id", "user_id", "seller_id", "pay_time", "pay_date",
            "quantity", "line_paid_amt", "discount_amt", "bearer",
            pl.col("refund_time").is_not_null().alias("is_refunded"),
            "refund_time",
        )
    )


PROMOTION_USE = DerivedTable(
    "redcdm", "dm_ecm_trd_mkt_promotion_use_dtl_500d_nd_di",
    model=PromotionUse500d,
    grain=("promotion_id", "package_id", "goods_id"),
    group=GROUP,
    layer="dm",
    what=(
        "Promotion use detail: each store or platform promotion's apportioned discount on a "
        "paid order line, paid in the 500 days ending dt, as known on dt, with the "
        "promotion's group and type. Lines refunded on their pay day are not uses; later "
        "refunds are flagged from the refund's landing day on. use_key counts one use per "
        "promotion × package"
    ),
    chinese_name="促销核销明细500天",
    inputs={
        "details": Upstream(
            DISCOUNTS, USE_DAYS,
            ("package_id", "goods_id", "discount_source", "source_id", "discount_amt", "bearer"),
            where=f"discount_source IN ({_SOURCES})",
        ),
        "lines": Upstream(
            ORDER_LINES, USE_DAYS,
            ("package_id", "goods_id", "order_id", "user_id", "seller_id", "pay_time", "quantity", "paid_amt"),
            where=_PROMOTION_PACKAGES,
        ),
        "refunds": Upstream(
            REFUNDS, USE_DAYS, ("package_id", "goods_id", "refund_time"),
            where=_PROMOTION_PACKAGES,
        ),
        "promotions": Upstream(TARGET_BENEFIT_DAY, 1, DIMENSION_COLUMNS),
    },
    compute=promotion_uses,
    bounded=True,
    headline=use_fact_headline,
    lineage={
        "promotion_id": (("details", "source_id"),),
        "use_key": (("details", "source_id"), ("details", "package_id")),
        "line_paid_amt": (("lines", "paid_amt"),),
        "pay_date": (("lines", "pay_time"),),
        "is_refunded": (("refunds", "refund_time"), ("lines", "pay_time")),
    },
)

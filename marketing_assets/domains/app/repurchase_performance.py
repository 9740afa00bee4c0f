"""Repurchase performance (电商复购效果明细): every order line paid on dt with its full price
breakdown, the cost per bearer and whether it is a first or a repeat purchase; its blocking
check holds each line to the pricing identities."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.trade.ods import DISCOUNTS, ORDER_LINES, REFUNDS
from marketing_assets.domains.user.first_orders import USER_NITEM_LABEL, paid_lines
from marketing_assets.table import TableCheck, TableModel

#: the discount columns of an order line, in pricing order
DISCOUNT_COLUMNS = [
    "store_promo_amt", "platform_promo_amt", "auto_coupon_amt", "store_coupon_amt",
    "platform_coupon_amt", "allowance_amt", "presale_discount_amt",
]


class RepurchasePerformance(TableModel):
    """Each order line paid on dt with its price breakdown."""

    package_id: pl.String = pa.Field(description="package")
    goods_id: pl.Int64 = pa.Field(description="goods")
    order_id: pl.String = pa.Field(description="order")
    user_id: pl.String = pa.Field(description="buyer")
    seller_id: pl.String = pa.Field(description="seller")
    sku_id: pl.Int64 = pa.Field(description="sku")
    quantity: pl.Int64 = pa.Field(gt=0, description="units")
    unit_price: pl.Int64 = pa.Field(gt=0, description="single-item price per unit (single-item promotion included), fen")
    list_amt: pl.Int64 = pa.Field(ge=0, description="unit_price × quantity, fen")
    store_promo_amt: pl.Int64 = pa.Field(ge=0, description="store multi-item promotion, fen")
    platform_promo_amt: pl.Int64 = pa.Field(ge=0, description="platform multi-item promotion, fen")
    auto_coupon_amt: pl.Int64 = pa.Field(ge=0, description="auto-promoted store coupon (全网自动推广券), fen")
    shown_amt: pl.Int64 = pa.Field(
        ge=0, description="千人一面价 × quantity = list − store promo − platform promo − auto coupon, fen"
    )
    store_coupon_amt: pl.Int64 = pa.Field(ge=0, description="held store or item coupon, fen")
    platform_coupon_amt: pl.Int64 = pa.Field(ge=0, description="held platform coupon, fen")
    allowance_amt: pl.Int64 = pa.Field(ge=0, description="allowance (每满减), fen")
    presale_discount_amt: pl.Int64 = pa.Field(ge=0, description="presale deduction beyond the deposit (膨胀), fen")
    total_discount_amt: pl.Int64 = pa.Field(ge=0, description="all discounts, fen")
    paid_amt: pl.Int64 = pa.Field(ge=0, description="paid by the buyer in all, fen")
    merchant_cost_amt: pl.Int64 = pa.Field(ge=0, description="discounts the merchant pays, fen")
    platform_cost_amt: pl.Int64 = pa.Field(ge=0, description="discounts the platform pays, fen")
    store_promotion_id: pl.Int64 = pa.Field(nullable=True, description="store promotion applied")
    platform_promotion_id: pl.Int64 = pa.Field(nullable=True, description="platform promotion applied")
    auto_coupon_template_id: pl.Int64 = pa.Field(nullable=True, description="auto-promoted coupon template")
    store_coupon_id: pl.Int64 = pa.Field(nullable=True, description="store or item coupon used")
    platform_coupon_id: pl.Int64 = pa.Field(nullable=True, description="platform coupon used")
    is_presale: pl.Boolean = pa.Field(description="bought through a presale deposit")
    pay_time: pl.Datetime("us") = pa.Field(description="paid (presale: final payment)")
    is_platform_new_buyer: pl.Boolean = pa.Field(description="the buyer's first paid order on the platform")
    is_store_new_buyer: pl.Boolean = pa.Field(description="the buyer's first paid package in this store (600-day look-back)")
    is_store_repurchase: pl.Boolean = pa.Field(description="the buyer had paid in this store before this day")
    dt: pl.Date = pa.Field(description="pay day")


#: discount_source of the trade's discount detail → (amount column, id column, id source)
SOURCES = {
    "store_promotion": ("store_promo_amt", "store_promotion_id", "source_id"),
    "platform_promotion": ("platform_promo_amt", "platform_promotion_id", "source_id"),
    "auto_coupon": ("auto_coupon_amt", "auto_coupon_template_id", "coupon_template_id"),
    "store_coupon": ("store_coupon_amt", "store_coupon_id", "source_id"),
    "platform_coupon": ("platform_coupon_amt", "platform_coupon_id", "source_id"),
    "allowance": ("allowance_amt", None, None),
    "presale": ("presale_discount_amt", None, None),
}
KEYS = ["package_id", "goods_id"]


def line_breakdown(lines: pl.DataFrame, discounts: pl.DataFrame) -> pl.DataFrame:
    """Each line with one column per discount of the pricing steps, the ids of the tools
    applied and the cost per bearer (a line has at most one discount per source)."""
    src = pl.col("discount_source")
    amounts = [
        pl.col("discount_amt").filter(src == source).sum().alias(amount)
        for source, (amount, _, _) in SOURCES.items()
    ]
    ids = [
        pl.col(id_source).filter(src == source).first().alias(id_col)
        for source, (_, id_col, id_source) in SOURCES.items()
        if id_col
    ]
    per_line = discounts.group_by(KEYS).agg(
        *amounts,
        *ids,
        merchant_cost_amt=pl.col("discount_amt").filter(pl.col("bearer") == "merchant").sum(),
        platform_cost_amt=pl.col("discount_amt").filter(pl.col("bearer") == "platform").sum(),
    )
    zero = [*DISCOUNT_COLUMNS, "merchant_cost_amt", "platform_cost_amt"]
    return (
        lines.drop("discount_amt", "shown_amt", strict=False)
        .join(per_line, on=KEYS, how="left", maintain_order="left")
        .with_columns([pl.col(c).fill_null(0).cast(pl.Int64) for c in zero])
        .with_columns(
            shown_amt=pl.col("list_amt") - pl.col("store_promo_amt") - pl.col("platform_promo_amt")
            - pl.col("auto_coupon_amt"),
            total_discount_amt=pl.sum_horizontal(DISCOUNT_COLUMNS),
        )
    )


def repurchase_performance(
    day: dt.date,
    lines: pl.DataFrame,
    discounts: pl.DataFrame,
    refunds: pl.DataFrame,
    firsts: pl.DataFrame,
) -> pl.DataFrame:
    """Every line paid on ``day`` (a line refunded the same day never counts as paid) with
    its full price breakdown, cost per bearer and whether it is a first or a repeat
    purchase. The blocking check ``price_minus_discounts_is_paid`` (below) holds every line
    to price − discounts = paid, the 千人一面价 rule and cost per bearer = discounts."""
    paid = paid_lines(lines, refunds)
    platform = firsts.filter(pl.col("level") == "platform").select(
        "user_id", pl.col("first_order_id").alias("_first_order")
    )
    store = firsts.filter(pl.col("level") == "store").select(
        "user_id", pl.col("level_id").alias("seller_id"), pl.col("first_package_id").alias("_first_package"),
        pl.col("first_pay_date").alias("_first_store_day"),
    )
    return (
        line_breakdown(paid, discounts)
        .join(platform, on="user_id", how="left", maintain_order="left")
        .join(store, on=["user_id", "seller_id"], how="left", maintain_order="left")
        .with_columns(
            is_platform_new_buyer=(pl.col("order_id") == pl.col("_first_order")).fill_null(False),
            is_store_new_buyer=(pl.col("package_id") == pl.col("_first_package")).fill_null(False),
            is_store_repurchase=(pl.col("_first_store_day") < day).fill_null(False),
        )
    )


def _price_identity(wh, first, last):
    return wh.query(
        f"""
        SELECT dt, package_id, goods_id, list_amt, total_discount_amt, paid_amt, shown_amt,
               merchant_cost_amt, platform_cost_amt
        FROM {REPURCHASE_PERFORMANCE.sql}
        WHERE dt BETWEEN ? AND ? AND (
            list_amt - total_discount_amt <> paid_amt
            OR store_promo_amt + platform_promo_amt + auto_coupon_amt + store_coupon_amt
               + platform_coupon_amt + allowance_amt + presale_discount_amt <> total_discount_amt
            OR list_amt - store_promo_amt - platform_promo_amt - auto_coupon_amt <> shown_amt
            OR merchant_cost_amt + platform_cost_amt <> total_discount_amt)
        ORDER BY ALL
        """,
        [first, last],
    )


PRICE_MINUS_DISCOUNTS_IS_PAID = TableCheck(
    "price_minus_discounts_is_paid",
    "On every line: price − discounts = paid, discounts add up, 千人一面价 rule, cost per bearer = discounts",
    _price_identity,
    blocking=True,
)


LINE_COLUMNS = (
    "package_id", "goods_id", "order_id", "user_id", "seller_id", "sku_id", "quantity", "unit_price",
    "list_amt", "paid_amt", "is_presale", "pay_time",
)
DISCOUNT_DETAIL_COLUMNS = ("package_id", "goods_id", "discount_source", "source_id", "coupon_template_id",
                           "discount_amt", "bearer")
REFUND_COLUMNS = ("package_id", "goods_id", "pay_time", "refund_time")


def _performance_headline(frame: pl.DataFrame) -> dict:
    return {
        "lines": frame.height,
        "pay_amt_fen": int(frame["paid_amt"].sum()),
        "discount_amt_fen": int(frame["total_discount_amt"].sum()),
        "merchant_cost_fen": int(frame["merchant_cost_amt"].sum()),
        "platform_cost_fen": int(frame["platform_cost_amt"].sum()),
    }


REPURCHASE_PERFORMANCE = DerivedTable(
    "redapp", "app_ecm_mkt_ecom_repurchase_performance_df",
    model=RepurchasePerformance,
    grain=("package_id", "goods_id"),
    group="trade",
    layer="app",
    what=(
        "Every order line paid on dt with its full price breakdown (single-item price, store "
        "and platform multi-item promotions, auto-promoted coupon, 千人一面价, held coupons, "
        "allowance, presale deduction, paid amount), cost per bearer, and first or repeat purchase"
    ),
    chinese_name="电商复购效果明细",
    inputs={
        "lines": Upstream(ORDER_LINES, 1, LINE_COLUMNS),
        "discounts": Upstream(DISCOUNTS, 1, DISCOUNT_DETAIL_COLUMNS),
        "refunds": Upstream(REFUNDS, 1, REFUND_COLUMNS),
        "firsts": Upstream(
            USER_NITEM_LABEL, 1,
            ("user_id", "level", "level_id", "first_order_id", "first_package_id", "first_pay_date"),
            where="level IN ('platform', 'store')",
        ),
    },
    compute=repurchase_performance,
    headline=_performance_headline,
    checks=(PRICE_MINUS_DISCOUNTS_IS_PAID,),
    lineage={
        **{amount: (("discounts", "discount_amt"), ("discounts", "discount_source"))
           for amount, _, _ in SOURCES.values()},
        **{id_col: (("discounts", id_source), ("discounts", "discount_source"))
           for _, id_col, id_source in SOURCES.values() if id_col},
        "shown_amt": (("lines", "list_amt"), ("discounts", "discount_amt"), ("discounts", "discount_source")),
        "total_discount_amt": (("discounts", "discount_amt"),),
        "merchant_cost_amt": (("discounts", "discount_amt"), ("discounts", "bearer")),
        "platform_cost_amt": (("discounts", "discount_amt"), ("discounts", "bearer")),
        "is_platform_new_buyer": (("firsts", "first_order_id"), ("lines", "order_id")),
        "is_store_new_buyer": (("firsts", "first_package_id"), ("lines", "package_id")),
        "is_store_repurchase": (("firsts", "first_pay_date"),),
    },
)

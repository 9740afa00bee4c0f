"""Column contracts of the pricing engine: the input frames, their conforming, the outputs.

Money is integer fen (``pl.Int64``) in every frame. Datetimes are naive wall clock
(Asia/Shanghai), microseconds.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

Schema = Mapping[str, pl.DataType]

PLATFORM_COUPON = 1  # coupon_type of a platform coupon
STORE_COUPON = 4  # coupon_type of a store (or item) coupon

LINES: Schema = {
    "order_id": pl.String(),
    "package_id": pl.String(),
    "user_id": pl.String(),
    "seller_id": pl.String(),
    "goods_id": pl.Int64(),
    "sku_id": pl.Int64(),
    "quantity": pl.Int64(),
    "unit_price": pl.Int64(),  # fen per unit, single-item promotion already in
    "pay_time": pl.Datetime("us"),  # nullable: no coupon validity test
    "store_promotion_id": pl.Int64(),  # nullable
    "platform_promotion_id": pl.Int64(),  # nullable
    "deposit_amt": pl.Int64(),  # per unit, presale lines only
    "deduction_amt": pl.Int64(),  # per unit, presale lines only
}

PROMOTIONS: Schema = {
    "promotion_id": pl.Int64(),
    "scope": pl.String(),  # 'store' | 'platform'
    "rule": pl.String(),  # 'full_reduction' | 'm_n_discount'
    "threshold": pl.Int64(),  # fen (full_reduction) or item count M (m_n_discount)
    "value": pl.Int64(),  # fen off (full_reduction) or N tenths (m_n_discount)
}

AUTO_COUPONS: Schema = {
    "seller_id": pl.String(),
    "coupon_template_id": pl.Int64(),
    "threshold": pl.Int64(),
    "discount": pl.Int64(),
}

HELD_COUPONS: Schema = {
    "coupon_id": pl.Int64(),
    "coupon_template_id": pl.Int64(),
    "user_id": pl.String(),
    "coupon_type": pl.Int32(),  # 1 platform, 4 store
    "limit_type": pl.Int32(),  # 1 item-limited (scope in coupon_scope), 0 not
    "seller_id": pl.String(),  # null for platform coupons
    "threshold": pl.Int64(),
    "discount": pl.Int64(),
    "valid_start": pl.Datetime("us"),
    "valid_end": pl.Datetime("us"),
}

COUPON_SCOPE: Schema = {"coupon_template_id": pl.Int64(), "goods_id": pl.Int64()}

ALLOWANCES: Schema = {
    "user_id": pl.String(),
    "balance": pl.Int64(),
    "step_threshold": pl.Int64(),  # X of 每满 X 减 Y
    "step_discount": pl.Int64(),  # Y
}

#: Computed columns of the priced lines, after the input columns of ``LINES``.
PRICED_AMOUNTS: Schema = {
    "list_amt": pl.Int64(),
    "store_promo_amt": pl.Int64(),
    "platform_promo_amt": pl.Int64(),
    "auto_coupon_amt": pl.Int64(),
    "auto_coupon_template_id": pl.Int64(),
    "shown_amt": pl.Int64(),
    "store_coupon_amt": pl.Int64(),
    "store_coupon_id": pl.Int64(),
    "platform_coupon_amt": pl.Int64(),
    "platform_coupon_id": pl.Int64(),
    "allowance_amt": pl.Int64(),
    "presale_discount_amt": pl.Int64(),
    "total_discount_amt": pl.Int64(),
    "paid_amt": pl.Int64(),
    "deposit_paid_amt": pl.Int64(),
    "final_paid_amt": pl.Int64(),
    "merchant_cost_amt": pl.Int64(),
    "platform_cost_amt": pl.Int64(),
}
PRICED_LINES: Schema = {**LINES, **PRICED_AMOUNTS}

#: Discount columns of a priced line, each with who bears it.
DISCOUNT_BEARERS: Mapping[str, str] = {
    "store_promo_amt": "merchant",
    "platform_promo_amt": "platform",
    "auto_coupon_amt": "merchant",
    "store_coupon_amt": "merchant",
    "platform_coupon_amt": "platform",
    "allowance_amt": "platform",
    "presale_discount_amt": "merchant",
}

COUPON_USES: Schema = {
    "coupon_id": pl.Int64(),
    "coupon_template_id": pl.Int64(),
    "coupon_type": pl.Int32(),
    "user_id": pl.String(),
    "seller_id": pl.String(),  # seller of the line
    "order_id": pl.String(),
    "package_id": pl.String(),
    "goods_id": pl.Int64(),
    "discount_amt": pl.Int64(),
    "bearer": pl.String(),
}

AUTO_COUPON_USES: Schema = {
    "coupon_template_id": pl.Int64(),
    "seller_id": pl.String(),
    "user_id": pl.String(),
    "order_id": pl.String(),
    "package_id": pl.String(),
    "goods_id": pl.Int64(),
    "discount_amt": pl.Int64(),
    "bearer": pl.String(),
}

ALLOWANCE_USES: Schema = {
    "user_id": pl.String(),
    "order_id": pl.String(),
    "package_id": pl.String(),
    "goods_id": pl.Int64(),
    "allowance_amt": pl.Int64(),  # the line's share
    "order_allowance_amt": pl.Int64(),  # the order's total
    "balance_before": pl.Int64(),  # the user's balance before this order
    "balance_after": pl.Int64(),  # and after it
}

PROMOTION_USES: Schema = {
    "promotion_id": pl.Int64(),
    "scope": pl.String(),
    "rule": pl.String(),
    "user_id": pl.String(),
    "seller_id": pl.String(),
    "order_id": pl.String(),
    "package_id": pl.String(),
    "goods_id": pl.Int64(),
    "discount_amt": pl.Int64(),
    "bearer": pl.String(),
}


def empty(schema: Schema) -> pl.DataFrame:
    return pl.DataFrame(schema=dict(schema))


def conform(frame: pl.DataFrame | None, schema: Schema, name: str) -> pl.DataFrame:
    """The frame's columns of ``schema``, in its order, cast (strictly) to its dtypes.

    ``None`` is an empty frame. A missing column or a value that does not cast is a
    ``ValueError`` naming the frame; extra columns are left out.
    """
    if frame is None:
        return empty(schema)
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise ValueError(f"pricing input {name!r} lacks columns {missing}")
    try:
        return frame.select(pl.col(c).cast(t, strict=True) for c, t in schema.items())
    except pl.exceptions.PolarsError as exc:  # InvalidOperationError, ComputeError…
        raise ValueError(f"pricing input {name!r} has a column of the wrong type: {exc}") from exc


def assert_schema(frame: pl.DataFrame, schema: Schema, name: str) -> None:
    """Exact column names, order and dtypes (cheap; the pandera model checks values too)."""
    got = dict(frame.schema)
    if list(got) != list(schema) or any(got[c] != t for c, t in schema.items()):
        raise AssertionError(f"{name}: schema {got} is not {dict(schema)}")


# ---------------------------------------------------------------------------------------
# pandera model of the priced lines (value checks and the two identities)

_MONEY = {"ge": 0}


class PricedLine(pa.DataFrameModel):
    """One priced order line (package_id × goods_id) with its price and cost breakdown."""

    class Config:
        strict = True
        ordered = True
        coerce = False

    order_id: pl.String = pa.Field()
    package_id: pl.String = pa.Field()
    user_id: pl.String = pa.Field()
    seller_id: pl.String = pa.Field()
    goods_id: pl.Int64 = pa.Field()
    sku_id: pl.Int64 = pa.Field()
    quantity: pl.Int64 = pa.Field(ge=0)
    unit_price: pl.Int64 = pa.Field(**_MONEY)
    pay_time: pl.Datetime("us") = pa.Field(nullable=True)  # type: ignore[valid-type]
    store_promotion_id: pl.Int64 = pa.Field(nullable=True)
    platform_promotion_id: pl.Int64 = pa.Field(nullable=True)
    deposit_amt: pl.Int64 = pa.Field(nullable=True, ge=0)
    deduction_amt: pl.Int64 = pa.Field(nullable=True, ge=0)
    list_amt: pl.Int64 = pa.Field(**_MONEY)
    store_promo_amt: pl.Int64 = pa.Field(**_MONEY)
    platform_promo_amt: pl.Int64 = pa.Field(**_MONEY)
    auto_coupon_amt: pl.Int64 = pa.Field(**_MONEY)
    auto_coupon_template_id: pl.Int64 = pa.Field(nullable=True)
    shown_amt: pl.Int64 = pa.Field(**_MONEY)
    store_coupon_amt: pl.Int64 = pa.Field(**_MONEY)
    store_coupon_id: pl.Int64 = pa.Field(nullable=True)
    platform_coupon_amt: pl.Int64 = pa.Field(**_MONEY)
    platform_coupon_id: pl.Int64 = pa.Field(nullable=True)
    allowance_amt: pl.Int64 = pa.Field(**_MONEY)
    presale_discount_amt: pl.Int64 = pa.Field(**_MONEY)
    total_discount_amt: pl.Int64 = pa.Field(**_MONEY)
    paid_amt: pl.Int64 = pa.Field(**_MONEY)
    deposit_paid_amt: pl.Int64 = pa.Field(**_MONEY)
    final_paid_amt: pl.Int64 = pa.Field(**_MONEY)
    merchant_cost_amt: pl.Int64 = pa.Field(**_MONEY)
    platform_cost_amt: pl.Int64 = pa.Field(**_MONEY)

    @pa.dataframe_check
    def list_minus_discounts_is_paid(cls, data: PolarsData) -> pl.LazyFrame:
        discounts = pl.sum_horizontal(pl.col(list(DISCOUNT_BEARERS)))
        return data.lazyframe.select(
            (pl.col("list_amt") - discounts == pl.col("paid_amt"))
            & (discounts == pl.col("total_discount_amt"))
        )

    @pa.dataframe_check
    def costs_are_the_discounts(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("merchant_cost_amt") + pl.col("platform_cost_amt")
            == pl.col("total_discount_amt")
        )

    @pa.dataframe_check
    def shown_is_list_minus_promotions(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("shown_amt")
            == pl.col("list_amt")
            - pl.col("store_promo_amt")
            - pl.col("platform_promo_amt")
            - pl.col("auto_coupon_amt")
        )

    @pa.dataframe_check
    def payments_add_up(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("deposit_paid_amt") + pl.col("final_paid_amt") == pl.col("paid_amt")
        )

    @pa.dataframe_check
    def coupon_id_iff_discount(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("store_coupon_id").is_not_null() == (pl.col("store_coupon_amt") > 0))
            & (pl.col("platform_coupon_id").is_not_null() == (pl.col("platform_coupon_amt") > 0))
            & (
                pl.col("auto_coupon_template_id").is_not_null()
                == (pl.col("auto_coupon_amt") > 0)
            )
        )

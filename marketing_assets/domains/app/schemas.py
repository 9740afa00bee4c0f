"""Pandera models of the app layer (redapp): order-line performance and platform metrics."""

import pandera.polars as pa
import polars as pl

from marketing_assets.table import TableModel

#: the discount columns of an order line, in pricing order
DISCOUNT_COLUMNS = [
    "store_promo_amt", "platform_promo_amt", "auto_coupon_amt", "store_coupon_amt",
    "platform_coupon_amt", "allowance_amt", "presale_discount_amt",
]


class RepurchasePerformance(TableModel):
    """redapp.app_ecm_mkt_ecom_repurchase_performance_df"""

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


class PlatformMetrics(TableModel):
    """redapp.app_ecm_mkt_platform_metrics_1d_di"""

    visit_user_cnt: pl.Int64 = pa.Field(ge=0, description="users who viewed a goods page on dt")
    dab: pl.Int64 = pa.Field(ge=0, description="DAB: distinct paying buyers of dt (same-day refunds excluded)")
    order_cnt: pl.Int64 = pa.Field(ge=0, description="orders paid on dt")
    pay_amt: pl.Int64 = pa.Field(ge=0, description="GMV paid on dt, fen")
    aov: pl.Int64 = pa.Field(nullable=True, description="AOV 客单价 = pay_amt / dab, fen")
    pcvr: pl.Float64 = pa.Field(nullable=True, description="PCVR = paying users / visiting users")
    dnb: pl.Int64 = pa.Field(ge=0, description="DNB: buyers whose first paid order on the platform is on dt")
    coupon_new_buyer_cnt: pl.Int64 = pa.Field(ge=0, description="用券拉新: DNB buyers whose first order used a coupon")
    coupon_use_cnt: pl.Int64 = pa.Field(ge=0, description="coupons used on lines paid on dt")
    coupon_pay_amt: pl.Int64 = pa.Field(ge=0, description="paid amount of the lines using a coupon, fen")
    coupon_discount_amt: pl.Int64 = pa.Field(ge=0, description="coupon discount on those lines, fen")
    coupon_roi: pl.Float64 = pa.Field(nullable=True, description="ROI = coupon_pay_amt / coupon_discount_amt")
    growth_benefit_cost_amt: pl.Int64 = pa.Field(
        ge=0, description="platform benefit cost: growth-platform coupons and allowances used on dt, fen"
    )
    cac: pl.Int64 = pa.Field(nullable=True, description="CAC = growth_benefit_cost_amt / dnb, fen")
    triggered_cnt: pl.Int64 = pa.Field(ge=0, description="growth coupon offers landed on dt (non-blank groups)")
    claimed_cnt: pl.Int64 = pa.Field(ge=0, description="of those, claimed in the same session")
    claim_rate: pl.Float64 = pa.Field(nullable=True, description="claimed / triggered")
    treated_user_cnt: pl.Int64 = pa.Field(ge=0, description="users triggered on dt in an offer group")
    treated_pay_rate: pl.Float64 = pa.Field(nullable=True, description="share of them who paid on dt")
    blank_user_cnt: pl.Int64 = pa.Field(ge=0, description="users triggered on dt in a blank-control group only")
    blank_pay_rate: pl.Float64 = pa.Field(nullable=True, description="share of them who paid on dt")
    uplift: pl.Float64 = pa.Field(nullable=True, description="treated_pay_rate − blank_pay_rate")
    active_seller_cnt_30d: pl.Int64 = pa.Field(ge=0, description="sellers with a paid order in the 30 days ending dt")
    configured_seller_cnt: pl.Int64 = pa.Field(ge=0, description="of those, with a live store coupon or store promotion on dt")
    tool_config_rate: pl.Float64 = pa.Field(nullable=True, description="configured_seller_cnt / active_seller_cnt_30d")
    dt: pl.Date = pa.Field(description="day")

"""Pandera models of the promotion (促销) tables above ODS (DW, DWD, DM). Money in integer
fen; datetimes Asia/Shanghai wall clock; every table ends with its partition ``dt``."""

import pandera.polars as pa
import polars as pl

from marketing_assets.table import TableModel
from marketing_assets.domains.promotion.models import PROMOTION_TYPES, RULES

PROMOTION_SOURCES = ["store_promotion", "platform_promotion"]
BEARERS = ["merchant", "platform"]
SCOPE_SOURCES = ["sku", "item", "store_wide"]


def _dt() -> pa.Field:
    return pa.Field(description="partition day (Asia/Shanghai)")


class _GroupColumns(TableModel):
    group_id: pl.Int64 = pa.Field(description="promotion group (活动组)")
    group_name: pl.String = pa.Field(description="name shown in Ark / Hawkeye")
    owner_type: pl.String = pa.Field(isin=["seller", "platform"], description="who set it up")
    seller_id: pl.String = pa.Field(nullable=True, description="owning seller; null: platform group")
    promotion_type: pl.String = pa.Field(
        isin=PROMOTION_TYPES, description="super_single 超级单品, single 单品, multi 多件, interest_free 分期免息"
    )
    promotion_type_name: pl.String = pa.Field(description="promotion_type as text (unknown code: 'type <code>')")
    store_wide: pl.Boolean = pa.Field(description="covers the whole store minus its blacklist")
    start_time: pl.Datetime("us") = pa.Field(description="starts")
    end_time: pl.Datetime("us") = pa.Field(description="ends")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 online, 2 offline")
    is_live: pl.Boolean = pa.Field(description="online and running on dt (start_time .. end_time meets dt)")
    create_time: pl.Datetime("us") = pa.Field(description="created")
    update_time: pl.Datetime("us") = pa.Field(description="last updated (of the state shown)")


class PromotionGroupDay(_GroupColumns):
    """reddw.dw_trd_promotion_group_day"""

    dt: pl.Date = _dt()


class PromotionTargetBenefitDay(TableModel):
    """reddw.dw_trd_promotion_target_benefit_day"""

    promotion_id: pl.Int64 = pa.Field(description="promotion: a target added to a group")
    target_id: pl.String = pa.Field(description="sku id, goods id or seller id")
    tier: pl.Int32 = pa.Field(nullable=True, description="benefit tier (1 = first); null: no benefit row known")
    group_id: pl.Int64 = pa.Field(description="group the target belongs to")
    target_type: pl.String = pa.Field(isin=["sku", "item", "seller"], description="target kind")
    seller_id: pl.String = pa.Field(nullable=True, description="seller of the target")
    target_status: pl.Int32 = pa.Field(isin=[1, 2], description="1 valid, 2 removed from the group")
    target_create_time: pl.Datetime("us") = pa.Field(description="target added")
    target_update_time: pl.Datetime("us") = pa.Field(description="target last updated")
    group_name: pl.String = pa.Field(nullable=True, description="group name (null: group unknown)")
    owner_type: pl.String = pa.Field(nullable=True, isin=["seller", "platform"], description="who set the group up")
    discount_source: pl.String = pa.Field(
        nullable=True, isin=PROMOTION_SOURCES,
        description="discount_source of its discount rows: store_promotion (seller group), platform_promotion",
    )
    promotion_type: pl.String = pa.Field(nullable=True, isin=PROMOTION_TYPES, description="the group's promotion type")
    promotion_type_name: pl.String = pa.Field(nullable=True, description="promotion_type as text")
    store_wide: pl.Boolean = pa.Field(nullable=True, description="the group covers the whole store")
    start_time: pl.Datetime("us") = pa.Field(nullable=True, description="group starts")
    end_time: pl.Datetime("us") = pa.Field(nullable=True, description="group ends")
    group_status: pl.Int32 = pa.Field(nullable=True, description="1 online, 2 offline")
    rule: pl.String = pa.Field(nullable=True, isin=RULES, description="price, full_reduction 满减, m_n_discount M件N折, gift, interest_free")
    rule_name: pl.String = pa.Field(nullable=True, description="rule as text")
    threshold: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="fen for 满减 and gift, item count M for M件N折, instalments for interest-free"
    )
    value: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="fen off (满减), N tenths (M件N折: 8 = 20 % off), promo price in fen (price)"
    )
    benefit_update_time: pl.Datetime("us") = pa.Field(nullable=True, description="tier last updated")
    is_live: pl.Boolean = pa.Field(description="target valid and its group online and running on dt")
    dt: pl.Date = _dt()


class PromotionBlacklistTargetDay(TableModel):
    """reddw.dw_trd_promotion_blacklist_target_day"""

    blacklist_id: pl.Int64 = pa.Field(description="blacklist row")
    group_id: pl.Int64 = pa.Field(description="store-wide group")
    goods_id: pl.Int64 = pa.Field(description="goods excluded from the group")
    seller_id: pl.String = pa.Field(description="seller")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 valid, 2 removed")
    is_valid: pl.Boolean = pa.Field(description="status 1: the goods is excluded")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")
    group_name: pl.String = pa.Field(nullable=True, description="group name (null: group unknown)")
    owner_type: pl.String = pa.Field(nullable=True, description="who set the group up")
    store_wide: pl.Boolean = pa.Field(nullable=True, description="the group covers the whole store")
    group_is_live: pl.Boolean = pa.Field(nullable=True, description="the group is online and running on dt")
    dt: pl.Date = _dt()


class PromotionGiftDay(TableModel):
    """reddw.dw_trd_promotion_gift_day"""

    gift_id: pl.Int64 = pa.Field(description="gift row")
    promotion_id: pl.Int64 = pa.Field(description="gift-tier promotion (满赠)")
    group_id: pl.Int64 = pa.Field(nullable=True, description="its group (null: promotion unknown)")
    seller_id: pl.String = pa.Field(nullable=True, description="seller of the promotion's target")
    gift_goods_id: pl.Int64 = pa.Field(description="goods given")
    gift_count: pl.Int32 = pa.Field(gt=0, description="units given")
    threshold: pl.Int64 = pa.Field(nullable=True, ge=0, description="spend that earns the gift (tier 1), fen")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 valid, 2 removed")
    is_valid: pl.Boolean = pa.Field(description="status 1")
    promotion_is_live: pl.Boolean = pa.Field(nullable=True, description="the promotion is live on dt")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")
    dt: pl.Date = _dt()


class PromotionItem(TableModel):
    """redcdm.dwd_ecm_mkt_promotion_item_df"""

    promotion_id: pl.Int64 = pa.Field(description="live promotion")
    goods_id: pl.Int64 = pa.Field(description="goods it covers")
    group_id: pl.Int64 = pa.Field(description="its group")
    seller_id: pl.String = pa.Field(nullable=True, description="goods' seller (the target's when the goods is unknown)")
    target_type: pl.String = pa.Field(isin=["sku", "item", "seller"], description="target kind")
    sku_id: pl.Int64 = pa.Field(nullable=True, description="the sku of an sku target")
    owner_type: pl.String = pa.Field(isin=["seller", "platform"], description="who set the group up")
    promotion_type: pl.String = pa.Field(isin=PROMOTION_TYPES, description="the group's promotion type")
    rule: pl.String = pa.Field(nullable=True, isin=RULES, description="tier-1 benefit rule")
    scope_source: pl.String = pa.Field(
        isin=SCOPE_SOURCES,
        description="sku: the goods of the target sku; item: the target goods; store_wide: a goods of the seller not blacklisted",
    )
    dt: pl.Date = _dt()


class PromotionUse500d(TableModel):
    """redcdm.dm_ecm_trd_mkt_promotion_use_dtl_500d_nd_di"""

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
    dt: pl.Date = _dt()


class _SellerMetrics(TableModel):
    seller_id: pl.String = pa.Field(description="seller of the lines")
    stat_period: pl.Int32 = pa.Field(isin=[1, 7, 30], description="days of the window ending dt")
    use_cnt: pl.Int64 = pa.Field(
        ge=0, description="promotion applications (distinct promotion × package) on the seller's lines, by pay day, net of refunds known on dt"
    )
    use_user_cnt: pl.Int64 = pa.Field(ge=0, description="distinct buyers of those lines")
    pay_amt: pl.Int64 = pa.Field(ge=0, description="paid amount of the distinct lines with a promotion discount, fen")
    pay_goods_cnt: pl.Int64 = pa.Field(ge=0, description="quantity of those lines")
    discount_amt: pl.Int64 = pa.Field(ge=0, description="promotion discount on those lines, fen")
    merchant_cost_amt: pl.Int64 = pa.Field(ge=0, description="part the merchant pays, fen")
    platform_cost_amt: pl.Int64 = pa.Field(ge=0, description="part the platform pays, fen")
    roi: pl.Float64 = pa.Field(nullable=True, description="pay_amt / discount_amt; null when no discount")
    aov: pl.Int64 = pa.Field(nullable=True, description="pay_amt / use_user_cnt, fen (half up); null when no buyer")
    new_buyer_cnt: pl.Int64 = pa.Field(
        ge=0, description="buyers whose first paid order in the store (600-day look-back) had a promotion discount on its lines"
    )


class PromotionSeller(_SellerMetrics):
    """redcdm.dm_ecm_trd_mkt_promotion_sellerid_nd_di"""

    dt: pl.Date = _dt()


class PromotionSellerGroup(_SellerMetrics):
    """redcdm.dm_ecm_trd_mkt_promotion_sellerid_promotion_group_nd_di"""

    group_id: pl.Int64 = pa.Field(nullable=True, description="promotion group (null: promotion not in the dimension)")
    dt: pl.Date = _dt()


class PromotionSellerPromotion(_SellerMetrics):
    """redcdm.dm_ecm_trd_mkt_promotion_sellerid_promotionid_nd_di"""

    promotion_id: pl.Int64 = pa.Field(description="promotion")
    dt: pl.Date = _dt()

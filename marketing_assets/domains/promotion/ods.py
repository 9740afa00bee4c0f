"""The promotion system's sources (IPMS, Mongo 35001): their pandera models and their ODS
specs. Money in fen."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from marketing_assets.landing.spec import OdsSpec, SourceFormat
from marketing_assets.table import TableModel

PROMOTION_TYPES = ["super_single", "single", "multi", "interest_free"]
RULES = ["price", "full_reduction", "m_n_discount", "gift", "interest_free"]


class PromotionGroup(TableModel):
    """``promotion_group``: the group (name shown in Ark) promotions are created in."""

    group_id: pl.Int64 = pa.Field(metadata={"src": "_id"}, description="group id")
    group_name: pl.String = pa.Field(description="name shown in Ark / Hawkeye")
    owner_type: pl.String = pa.Field(isin=["seller", "platform"], description="who set it up")
    seller_id: pl.String = pa.Field(nullable=True, description="owning seller")
    promotion_type: pl.String = pa.Field(
        isin=PROMOTION_TYPES, description="super single-item, single-item, multi-item, interest-free"
    )
    store_wide: pl.Boolean = pa.Field(description="covers the whole store (minus its blacklist)")
    start_time: pl.Datetime("us") = pa.Field(description="starts")
    end_time: pl.Datetime("us") = pa.Field(description="ends")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 online, 2 offline")
    create_time: pl.Datetime("us") = pa.Field(description="created")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class PromotionTarget(TableModel):
    """``promotion_target``: a target (sku, item or seller) added to a group = a promotion."""

    promotion_id: pl.Int64 = pa.Field(metadata={"src": "_id"}, description="promotion id")
    group_id: pl.Int64 = pa.Field(description="group it belongs to")
    target_type: pl.String = pa.Field(isin=["sku", "item", "seller"], description="target kind")
    target_id: pl.String = pa.Field(description="sku id, goods id or seller id")
    seller_id: pl.String = pa.Field(nullable=True, description="seller of the target")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 valid, 2 removed")
    create_time: pl.Datetime("us") = pa.Field(description="created")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class PromotionBenefit(TableModel):
    """``promotion_benefit``: the benefit rule of a promotion, one row per tier."""

    promotion_id: pl.Int64 = pa.Field(description="promotion")
    tier: pl.Int32 = pa.Field(ge=1, description="benefit tier (1 = first)")
    rule: pl.String = pa.Field(isin=RULES, description="price, 满减, M件N折, gift, interest-free")
    threshold: pl.Int64 = pa.Field(
        ge=0, description="fen for 满减, item count M for M件N折, instalments for interest-free"
    )
    value: pl.Int64 = pa.Field(
        ge=0, description="fen off (满减), N tenths (M件N折: 8 = 20 % off), promo price in fen (price)"
    )
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class PromotionBlacklistTarget(TableModel):
    """``promotion_blacklist_target``: goods excluded from a store-wide group."""

    blacklist_id: pl.Int64 = pa.Field(metadata={"src": "_id"}, description="row id")
    group_id: pl.Int64 = pa.Field(description="store-wide group")
    goods_id: pl.Int64 = pa.Field(description="goods excluded")
    seller_id: pl.String = pa.Field(description="seller")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 valid, 2 removed")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class PromotionGift(TableModel):
    """``promotion_gift``: gifts given by a gift-tier promotion."""

    gift_id: pl.Int64 = pa.Field(metadata={"src": "_id"}, description="gift row id")
    promotion_id: pl.Int64 = pa.Field(description="promotion")
    gift_goods_id: pl.Int64 = pa.Field(description="goods given")
    gift_count: pl.Int32 = pa.Field(gt=0, description="units given")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 valid, 2 removed")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


DOMAIN = "promotion"
_MONGO = "promotion system IPMS Mongo 35001 ipms_31003 {}"

GROUP_ODS = OdsSpec(
    table="ods_mongo_35001_ipms_31003_promotion_group",
    domain=DOMAIN,
    fmt=SourceFormat.MONGO,
    model=PromotionGroup,
    key=("group_id",),
    description="Promotion groups, the whole collection every day",
    chinese_name="促销活动组表",
    source_system=_MONGO.format("promotion_group"),
)

TARGET_INC = OdsSpec(
    table="ods_mongo_35001_ipms_31003_promotion_target_day_inc",
    domain=DOMAIN,
    fmt=SourceFormat.MONGO,
    model=PromotionTarget,
    key=("promotion_id",),
    event_time="update_time",
    description="Promotion targets (a target added to a group = a promotion) inserted or updated that day",
    chinese_name="促销商品表",
    source_system=_MONGO.format("promotion_target"),
)

BENEFIT_INC = OdsSpec(
    table="ods_mongo_35001_ipms_31003_promotion_benefit_day_inc",
    domain=DOMAIN,
    fmt=SourceFormat.MONGO,
    model=PromotionBenefit,
    key=("promotion_id", "tier"),
    event_time="update_time",
    description="Promotion benefit rules inserted or updated that day",
    chinese_name="促销优惠表",
    source_system=_MONGO.format("promotion_benefit"),
)

BLACKLIST_ODS = OdsSpec(
    table="ods_mongo_35001_ipms_31003_promotion_blacklist_target",
    domain=DOMAIN,
    fmt=SourceFormat.MONGO,
    model=PromotionBlacklistTarget,
    key=("blacklist_id",),
    description="Goods excluded from store-wide promotions, the whole collection every day",
    chinese_name="全店促销黑名单表",
    source_system=_MONGO.format("promotion_blacklist_target"),
)

GIFT_ODS = OdsSpec(
    table="ods_mongo_35001_ipms_31003_promotion_gift",
    domain=DOMAIN,
    fmt=SourceFormat.MONGO,
    model=PromotionGift,
    key=("gift_id",),
    description="Gifts of gift-tier promotions, the whole collection every day",
    chinese_name="促销赠品",
    source_system=_MONGO.format("promotion_gift"),
)

SPECS = [GROUP_ODS, TARGET_INC, BENEFIT_INC, BLACKLIST_ODS, GIFT_ODS]

"""ODS tables of the promotion system (IPMS, Mongo 35001)."""

from __future__ import annotations

from marketing_assets.domains.promotion import models
from marketing_assets.landing.spec import OdsSpec, SourceFormat

DOMAIN = "promotion"
_MONGO = "promotion system IPMS Mongo 35001 ipms_31003 {}"
SPECS = [
    OdsSpec(
        table="ods_mongo_35001_ipms_31003_promotion_group",
        domain=DOMAIN,
        fmt=SourceFormat.MONGO,
        model=models.PromotionGroup,
        key=("group_id",),
        description="Promotion groups, the whole collection every day",
        chinese_name="促销活动组表",
        source_system=_MONGO.format("promotion_group"),
    ),
    OdsSpec(
        table="ods_mongo_35001_ipms_31003_promotion_target_day_inc",
        domain=DOMAIN,
        fmt=SourceFormat.MONGO,
        model=models.PromotionTarget,
        key=("promotion_id",),
        event_time="update_time",
        description="Promotion targets (a target added to a group = a promotion) inserted or updated that day",
        chinese_name="促销商品表",
        source_system=_MONGO.format("promotion_target"),
    ),
    OdsSpec(
        table="ods_mongo_35001_ipms_31003_promotion_benefit_day_inc",
        domain=DOMAIN,
        fmt=SourceFormat.MONGO,
        model=models.PromotionBenefit,
        key=("promotion_id", "tier"),
        event_time="update_time",
        description="Promotion benefit rules inserted or updated that day",
        chinese_name="促销优惠表",
        source_system=_MONGO.format("promotion_benefit"),
    ),
    OdsSpec(
        table="ods_mongo_35001_ipms_31003_promotion_blacklist_target",
        domain=DOMAIN,
        fmt=SourceFormat.MONGO,
        model=models.PromotionBlacklistTarget,
        key=("blacklist_id",),
        description="Goods excluded from store-wide promotions, the whole collection every day",
        chinese_name="全店促销黑名单表",
        source_system=_MONGO.format("promotion_blacklist_target"),
    ),
    OdsSpec(
        table="ods_mongo_35001_ipms_31003_promotion_gift",
        domain=DOMAIN,
        fmt=SourceFormat.MONGO,
        model=models.PromotionGift,
        key=("gift_id",),
        description="Gifts of gift-tier promotions, the whole collection every day",
        chinese_name="促销赠品",
        source_system=_MONGO.format("promotion_gift"),
    ),
]

"""ODS tables of the listings system: campaigns (大促活动) and sign-ups."""

from __future__ import annotations

from marketing_assets.domains.campaign import models
from marketing_assets.landing.spec import OdsSpec, SourceFormat

DOMAIN = "campaign"
_MONGO = "listings Mongo 35001 listings_31003 {}"
SPECS = [
    OdsSpec(
        table="ods_mongo_35001_listings_31003_activity",
        domain=DOMAIN,
        fmt=SourceFormat.MONGO,
        model=models.Activity,
        key=("activity_id",),
        description="Campaigns (618, 双11, monthly themes), the whole collection every day",
        chinese_name="活动信息维表",
        source_system=_MONGO.format("activity"),
    ),
    OdsSpec(
        table="ods_mongo_35001_listings_31003_sub_activity",
        domain=DOMAIN,
        fmt=SourceFormat.MONGO,
        model=models.SubActivity,
        key=("sub_activity_id",),
        description="Sub-activities of campaigns, the whole collection every day",
        chinese_name="子活动信息维表",
        source_system=_MONGO.format("sub_activity"),
    ),
    OdsSpec(
        table="ods_mongo_35001_listings_31003_campaign_item",
        domain=DOMAIN,
        fmt=SourceFormat.MONGO,
        model=models.CampaignItem,
        key=("signup_id",),
        event_time="update_time",
        description="Goods sign-ups to sub-activities and their audits, inserted or updated that day",
        chinese_name="商品报名大促子活动日志",
        source_system=_MONGO.format("campaign_item"),
    ),
]

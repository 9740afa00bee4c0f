"""The listings system's sources (campaigns 大促活动 and their sign-ups, Mongo 35001): their
pandera models and their ODS specs. Money in fen."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from marketing_assets.landing.spec import OdsSpec, SourceFormat
from marketing_assets.table import TableModel

ACTIVITY_TYPES = ["618", "1111", "monthly", "new_product"]
SUB_TYPES = ["discount", "presale", "coupon", "venue"]
AUDIT_STATUSES = ["pending", "approved", "rejected"]


class Activity(TableModel):
    """``activity``: a platform campaign (618, 双11, monthly themes)."""

    activity_id: pl.Int64 = pa.Field(metadata={"src": "_id"}, description="activity id")
    activity_name: pl.String = pa.Field(description="name")
    activity_type: pl.String = pa.Field(isin=ACTIVITY_TYPES, description="kind")
    signup_start: pl.Datetime("us") = pa.Field(description="merchant sign-up opens")
    signup_end: pl.Datetime("us") = pa.Field(description="merchant sign-up closes")
    start_time: pl.Datetime("us") = pa.Field(description="sale starts")
    end_time: pl.Datetime("us") = pa.Field(description="sale ends")
    gmv_target: pl.Int64 = pa.Field(ge=0, description="GMV target, fen")
    budget: pl.Int64 = pa.Field(ge=0, description="cost budget, fen")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 online, 2 offline")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class SubActivity(TableModel):
    """``sub_activity``: a sub-activity (venue, discount, presale…) of an activity."""

    sub_activity_id: pl.Int64 = pa.Field(metadata={"src": "_id"}, description="sub-activity id")
    activity_id: pl.Int64 = pa.Field(description="parent activity")
    sub_activity_name: pl.String = pa.Field(description="name")
    sub_type: pl.String = pa.Field(isin=SUB_TYPES, description="kind")
    start_time: pl.Datetime("us") = pa.Field(description="starts")
    end_time: pl.Datetime("us") = pa.Field(description="ends")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 online, 2 offline")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class CampaignItem(TableModel):
    """``campaign_item``: goods signed up to a sub-activity, with its audit."""

    signup_id: pl.Int64 = pa.Field(metadata={"src": "_id"}, description="sign-up id")
    sub_activity_id: pl.Int64 = pa.Field(description="sub-activity")
    activity_id: pl.Int64 = pa.Field(description="activity")
    goods_id: pl.Int64 = pa.Field(description="goods signed up")
    seller_id: pl.String = pa.Field(description="seller")
    audit_status: pl.String = pa.Field(isin=AUDIT_STATUSES, description="audit state")
    signup_time: pl.Datetime("us") = pa.Field(description="signed up")
    audit_time: pl.Datetime("us") = pa.Field(nullable=True, description="audited")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


DOMAIN = "campaign"
_MONGO = "listings Mongo 35001 listings_31003 {}"

ACTIVITY = OdsSpec(
    table="ods_mongo_35001_listings_31003_activity",
    domain=DOMAIN,
    fmt=SourceFormat.MONGO,
    model=Activity,
    key=("activity_id",),
    description="Campaigns (618, 双11, monthly themes), the whole collection every day",
    chinese_name="活动信息维表",
    source_system=_MONGO.format("activity"),
)

SUB_ACTIVITY = OdsSpec(
    table="ods_mongo_35001_listings_31003_sub_activity",
    domain=DOMAIN,
    fmt=SourceFormat.MONGO,
    model=SubActivity,
    key=("sub_activity_id",),
    description="Sub-activities of campaigns, the whole collection every day",
    chinese_name="子活动信息维表",
    source_system=_MONGO.format("sub_activity"),
)

CAMPAIGN_ITEM = OdsSpec(
    table="ods_mongo_35001_listings_31003_campaign_item",
    domain=DOMAIN,
    fmt=SourceFormat.MONGO,
    model=CampaignItem,
    key=("signup_id",),
    event_time="update_time",
    description="Goods sign-ups to sub-activities and their audits, inserted or updated that day",
    chinese_name="商品报名大促子活动日志",
    source_system=_MONGO.format("campaign_item"),
)

SPECS = [ACTIVITY, SUB_ACTIVITY, CAMPAIGN_ITEM]

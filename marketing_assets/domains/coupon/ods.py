"""ODS tables of the coupon centre (券中台) and the interactive-marketing log: their source
specs and the pandera models of their business columns.

Money is integer fen. Datetimes are Asia/Shanghai wall clock.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from marketing_assets.landing.spec import OdsKind, OdsSpec, SourceFormat
from marketing_assets.table import TableModel as _Model

DOMAIN = "coupon"

class CouponActivity(_Model):
    """Mongo 35003 ``coupon_31006_activity``: a coupon activity (batch of templates)."""

    activity_id: pl.Int64 = pa.Field(metadata={"src": "_id"}, description="coupon activity id")
    activity_name: pl.String = pa.Field(description="name")
    activity_type: pl.String = pa.Field(
        isin=["daily", "618", "1111", "member_day", "new_product", "store"],
        description="kind of activity the batch serves",
    )
    owner_type: pl.String = pa.Field(isin=["platform", "seller"], description="who runs it")
    seller_id: pl.String = pa.Field(nullable=True, description="owning seller (store batches)")
    budget_amount: pl.Int64 = pa.Field(ge=0, description="cost budget, fen")
    start_time: pl.Datetime("us") = pa.Field(description="activity starts")
    end_time: pl.Datetime("us") = pa.Field(description="activity ends")
    status: pl.Int32 = pa.Field(description="1 online, 2 offline")
    create_time: pl.Datetime("us") = pa.Field(description="created")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class CouponTemplate(_Model):
    """MySQL ``fls_coupon.coupon_template`` (system of record of template config)."""

    coupon_template_id: pl.Int64 = pa.Field(metadata={"src": "id"}, description="template id")
    activity_id: pl.Int64 = pa.Field(description="coupon activity (batch) the template belongs to")
    template_name: pl.String = pa.Field(description="name shown to buyers")
    coupon_type: pl.Int32 = pa.Field(isin=[1, 4], description="1 platform coupon, 4 store coupon")
    limit_type: pl.Int32 = pa.Field(isin=[0, 1], description="1 item-limited (商品券), 0 not")
    channel_type: pl.Int32 = pa.Field(description="promotion channel the template belongs to")
    seller_id: pl.String = pa.Field(nullable=True, description="owning seller; null for platform")
    threshold_amount: pl.Int64 = pa.Field(ge=0, description="threshold, fen (0: no threshold)")
    discount_amount: pl.Int64 = pa.Field(gt=0, description="face value, fen")
    claim_start_time: pl.Datetime("us") = pa.Field(description="claim window opens")
    claim_end_time: pl.Datetime("us") = pa.Field(description="claim window closes")
    validity_type: pl.Int32 = pa.Field(isin=[1, 2], description="1 fixed window, 2 days after claim")
    valid_start_time: pl.Datetime("us") = pa.Field(nullable=True, description="fixed window start")
    valid_end_time: pl.Datetime("us") = pa.Field(nullable=True, description="fixed window end")
    valid_days: pl.Int32 = pa.Field(nullable=True, ge=0, description="days valid after claim")
    cost_bearer: pl.Int32 = pa.Field(isin=[1, 2], description="1 platform, 2 merchant")
    total_count: pl.Int64 = pa.Field(ge=0, description="coupons that may be issued")
    status: pl.Int32 = pa.Field(description="1 online, 2 offline, 3 deleted")
    create_time: pl.Datetime("us") = pa.Field(description="created")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class MongoCouponTemplate(_Model):
    """Mongo 32004 ``coupon_template`` read copy, changes synced hourly."""

    coupon_template_id: pl.Int64 = pa.Field(metadata={"src": "_id"}, description="template id")
    template_name: pl.String = pa.Field(metadata={"src": "name"}, description="name")
    coupon_type: pl.Int32 = pa.Field(isin=[1, 4], description="1 platform, 4 store")
    seller_id: pl.String = pa.Field(nullable=True, description="owning seller")
    threshold_amount: pl.Int64 = pa.Field(
        ge=0, metadata={"src": "threshold", "unit": "yuan"}, description="threshold, fen"
    )
    discount_amount: pl.Int64 = pa.Field(
        gt=0, metadata={"src": "discount", "unit": "yuan"}, description="face value, fen"
    )
    status: pl.Int32 = pa.Field(description="1 online, 2 offline, 3 deleted")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class CouponTemplateLimit(_Model):
    """MySQL ``fls_coupon.coupon_template_limit``: scope limits of a template."""

    limit_id: pl.Int64 = pa.Field(metadata={"src": "id"}, description="limit row id")
    coupon_template_id: pl.Int64 = pa.Field(description="template limited")
    limit_type: pl.String = pa.Field(
        isin=["goods", "seller", "category", "user_level"], description="what the limit targets"
    )
    limit_target_id: pl.String = pa.Field(description="goods id, seller id, category or level")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 valid, 2 removed")
    create_time: pl.Datetime("us") = pa.Field(description="created")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class CouponSpuLimit(_Model):
    """Mongo 32004 ``coupon_spu_limit``: goods (SPU) an item-limited template covers."""

    coupon_template_id: pl.Int64 = pa.Field(description="template")
    spu_id: pl.Int64 = pa.Field(description="goods (SPU) the template may be used on")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 valid, 2 removed")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class _ClaimedCoupon(_Model):
    coupon_template_id: pl.Int64 = pa.Field(description="template the coupon was claimed from")
    user_id: pl.String = pa.Field(description="buyer who holds the coupon")
    seller_id: pl.String = pa.Field(nullable=True, description="seller of a store coupon")
    claim_channel: pl.String = pa.Field(description="page the coupon was claimed on")
    status: pl.Int32 = pa.Field(isin=[1, 2, 3, 4], description="1 unused, 2 used, 3 expired, 4 void")
    claim_time: pl.Datetime("us") = pa.Field(description="claimed")
    valid_start_time: pl.Datetime("us") = pa.Field(description="usable from")
    valid_end_time: pl.Datetime("us") = pa.Field(description="usable until")
    use_time: pl.Datetime("us") = pa.Field(nullable=True, description="used (paid) at")
    package_id: pl.String = pa.Field(nullable=True, description="order package it was used on")
    threshold_amount: pl.Int64 = pa.Field(ge=0, description="threshold, fen")
    discount_amount: pl.Int64 = pa.Field(ge=0, description="face value, fen")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class MongoGoodsCoupon(_ClaimedCoupon):
    """Mongo 35003 ``goods_coupon``: claimed coupons inserted or updated that day."""

    coupon_id: pl.Int64 = pa.Field(description="claimed coupon id")


class BinlogCoupon(_ClaimedCoupon):
    """MySQL ``fls_coupon.coupon`` row image (system of record of claimed coupons)."""

    coupon_id: pl.Int64 = pa.Field(metadata={"src": "id"}, description="claimed coupon id")
    create_time: pl.Datetime("us") = pa.Field(description="row created (claim)")


class PhoenixTaskComplete(_Model):
    """Interactive-marketing service log: one completed task (do a task, get a benefit)."""

    task_complete_id: pl.String = pa.Field(metadata={"src": "id"}, description="completion id")
    user_id: pl.String = pa.Field(description="user who completed the task")
    task_id: pl.Int64 = pa.Field(description="task")
    task_name: pl.String = pa.Field(description="task name")
    benefit_type: pl.String = pa.Field(isin=["coupon", "allowance", "surprise_box"], description="reward kind")
    coupon_template_id: pl.Int64 = pa.Field(nullable=True, description="coupon offered, if any")
    complete_time: pl.Datetime("us") = pa.Field(description="completed")


# ---- source specs --------------------------------------------------------------------------
COUPON_ACTIVITY = OdsSpec(
    table="ods_mongo_35003_coupon_31006_activity_day_inc",
    domain=DOMAIN,
    fmt=SourceFormat.MONGO,
    model=CouponActivity,
    key=("activity_id",),
    event_time="update_time",
    description="Coupon activities (batches of templates) inserted or updated that day",
    chinese_name="薯券活动表",
    source_system="coupon centre Mongo 35003 coupon_31006 activity",
)

COUPON_TEMPLATE_MYSQL = OdsSpec(
    table="ods_fls_coupon_template_df",
    domain=DOMAIN,
    fmt=SourceFormat.CSV,
    model=CouponTemplate,
    key=("coupon_template_id",),
    description="Coupon template configuration, full MySQL dump of the day",
    chinese_name="薯券模版表",
    source_system="coupon centre MySQL fls_coupon.coupon_template",
)

COUPON_TEMPLATE_MONGO = OdsSpec(
    table="ods_mongo_32004_coupon_template_hi",
    domain=DOMAIN,
    fmt=SourceFormat.MONGO,
    model=MongoCouponTemplate,
    key=("coupon_template_id",),
    hourly=True,
    event_time="update_time",
    description="Coupon template changes from the Mongo read copy, 24 hourly batches",
    chinese_name="薯券模版表",
    source_system="coupon centre Mongo 32004 coupon_template",
)

GOODS_COUPON_MONGO = OdsSpec(
    table="ods_mongo_35003_coupon_31006_goods_coupon",
    domain=DOMAIN,
    fmt=SourceFormat.MONGO,
    model=MongoGoodsCoupon,
    key=("coupon_id",),
    event_time="update_time",
    description="Claimed coupons inserted or updated that day (Mongo read copy)",
    chinese_name="薯券领取表",
    source_system="coupon centre Mongo 35003 goods_coupon",
)

CLAIMED_COUPON_MYSQL = OdsSpec(
    table="ods_binlog_fls_co_limitsalecart__fls_coupon_coupon_df",
    domain=DOMAIN,
    fmt=SourceFormat.BINLOG,
    kind=OdsKind.SNAPSHOT,
    model=BinlogCoupon,
    key=("coupon_id",),
    description="Claimed coupons (claim, use, expiry, refund-return updates)",
    chinese_name="薯券领取表",
    source_system="coupon centre MySQL fls_coupon.coupon binlog",
)

COUPON_SPU_LIMIT = OdsSpec(
    table="ods_mongo_32004_coupon_coupon_spu_limit_hourly",
    domain=DOMAIN,
    fmt=SourceFormat.MONGO,
    model=CouponSpuLimit,
    key=("coupon_template_id", "spu_id"),
    hourly=True,
    event_time="update_time",
    description="Goods (SPU) scope of item-limited templates, changes in hourly batches",
    chinese_name="薯券限制表",
    source_system="coupon centre Mongo 32004 coupon_spu_limit",
)

COUPON_LIMIT_HOURLY = OdsSpec(
    table="ods_fls_coupon_template_limit_hi",
    domain=DOMAIN,
    fmt=SourceFormat.CSV,
    model=CouponTemplateLimit,
    key=("limit_id",),
    hourly=True,
    event_time="update_time",
    description="Template scope limits changed in each hour (24 hourly dumps)",
    chinese_name="薯券限制表",
    source_system="coupon centre MySQL fls_coupon.coupon_template_limit",
)

COUPON_LIMIT_MYSQL = OdsSpec(
    table="ods_fls_coupon_template_limit_df",
    domain=DOMAIN,
    fmt=SourceFormat.CSV,
    model=CouponTemplateLimit,
    key=("limit_id",),
    description="Template scope limits, full MySQL dump of the day",
    chinese_name="薯券限制表",
    source_system="coupon centre MySQL fls_coupon.coupon_template_limit",
)

PHOENIX_LOG = OdsSpec(
    table="ods_marketing_interact_service_phoenix_task_complete_detail_df",
    domain=DOMAIN,
    fmt=SourceFormat.JSONL,
    model=PhoenixTaskComplete,
    key=("task_complete_id",),
    event_time="complete_time",
    description="Interactive-marketing task completions (do a task, get a benefit)",
    chinese_name="互动营销触发明细",
    source_system="phoenix interactive-marketing service log",
)

SPECS = [
    COUPON_ACTIVITY,
    COUPON_TEMPLATE_MYSQL,
    COUPON_TEMPLATE_MONGO,
    GOODS_COUPON_MONGO,
    CLAIMED_COUPON_MYSQL,
    COUPON_SPU_LIMIT,
    COUPON_LIMIT_HOURLY,
    COUPON_LIMIT_MYSQL,
    PHOENIX_LOG,
]

"""ODS tables of the coupon centre (券中台) and the interactive-marketing log."""

from __future__ import annotations

from marketing_assets.domains.coupon import models
from marketing_assets.landing.spec import OdsKind, OdsSpec, SourceFormat

DOMAIN = "coupon"
SPECS = [
    OdsSpec(
        table="ods_fls_coupon_template_df",
        domain=DOMAIN,
        fmt=SourceFormat.CSV,
        model=models.CouponTemplate,
        key=("coupon_template_id",),
        description="Coupon template configuration, full MySQL dump of the day",
        chinese_name="薯券模版表",
        source_system="coupon centre MySQL fls_coupon.coupon_template",
    ),
    OdsSpec(
        table="ods_mongo_32004_coupon_template_hi",
        domain=DOMAIN,
        fmt=SourceFormat.MONGO,
        model=models.MongoCouponTemplate,
        key=("coupon_template_id",),
        hourly=True,
        event_time="update_time",
        description="Coupon template changes from the Mongo read copy, 24 hourly batches",
        chinese_name="薯券模版表",
        source_system="coupon centre Mongo 32004 coupon_template",
    ),
    OdsSpec(
        table="ods_mongo_35003_coupon_31006_goods_coupon",
        domain=DOMAIN,
        fmt=SourceFormat.MONGO,
        model=models.MongoGoodsCoupon,
        key=("coupon_id",),
        event_time="update_time",
        description="Claimed coupons inserted or updated that day (Mongo read copy)",
        chinese_name="薯券领取表",
        source_system="coupon centre Mongo 35003 goods_coupon",
    ),
    OdsSpec(
        table="ods_binlog_fls_co_limitsalecart__fls_coupon_coupon_df",
        domain=DOMAIN,
        fmt=SourceFormat.BINLOG,
        kind=OdsKind.SNAPSHOT,
        model=models.BinlogCoupon,
        key=("coupon_id",),
        description="Claimed coupons (claim, use, expiry, refund-return updates)",
        chinese_name="薯券领取表",
        source_system="coupon centre MySQL fls_coupon.coupon binlog",
    ),
    OdsSpec(
        table="ods_marketing_interact_service_phoenix_task_complete_detail_df",
        domain=DOMAIN,
        fmt=SourceFormat.JSONL,
        model=models.PhoenixTaskComplete,
        key=("task_complete_id",),
        event_time="complete_time",
        description="Interactive-marketing task completions (do a task, get a benefit)",
        chinese_name="互动营销触发明细",
        source_system="phoenix interactive-marketing service log",
    ),
]

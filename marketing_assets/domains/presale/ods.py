"""ODS tables of the presale system (预售)."""

from __future__ import annotations

from marketing_assets.domains.presale import models
from marketing_assets.landing.spec import OdsSpec, SourceFormat

DOMAIN = "presale"
_MONGO = "presale Mongo 35001 presale_31006 {}"
SPECS = [
    OdsSpec(
        table="ods_mongo_35001_presale_31006_presale_activity",
        domain=DOMAIN,
        fmt=SourceFormat.MONGO,
        model=models.PresaleActivity,
        key=("presale_activity_id",),
        description="Presale periods (deposit and final-payment windows), the whole collection every day",
        chinese_name="预售活动配置表",
        source_system=_MONGO.format("presale_activity"),
    ),
    OdsSpec(
        table="ods_mongo_35001_presale_31006_presale_sales",
        domain=DOMAIN,
        fmt=SourceFormat.MONGO,
        model=models.PresaleSales,
        key=("presale_activity_id", "sku_id"),
        event_time="update_time",
        description="SKUs in presales with price, deposit and deduction, inserted or updated that day",
        chinese_name="商品预售信息",
        source_system=_MONGO.format("presale_sales"),
    ),
]

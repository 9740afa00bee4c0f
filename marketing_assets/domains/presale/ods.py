"""The presale system's sources (预售, Mongo 35001): their pandera models and their ODS
specs. Money in fen (landed as yuan)."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from marketing_assets.landing.spec import OdsSpec, SourceFormat
from marketing_assets.table import TableModel

PRESALE_TYPES = ["618", "1111", "new_product"]


class PresaleActivity(TableModel):
    """``presale_activity``: one presale period: deposit window, final-payment window."""

    presale_activity_id: pl.Int64 = pa.Field(metadata={"src": "_id"}, description="presale id")
    activity_name: pl.String = pa.Field(description="name")
    presale_type: pl.String = pa.Field(isin=PRESALE_TYPES, description="kind")
    deposit_start: pl.Datetime("us") = pa.Field(description="deposits open")
    deposit_end: pl.Datetime("us") = pa.Field(description="deposits close")
    final_start: pl.Datetime("us") = pa.Field(description="final payments open")
    final_end: pl.Datetime("us") = pa.Field(description="final payments close")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 online, 2 offline")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class PresaleSales(TableModel):
    """``presale_sales``: a SKU in a presale with its price, deposit and deduction."""

    presale_activity_id: pl.Int64 = pa.Field(description="presale")
    sku_id: pl.Int64 = pa.Field(description="sku")
    goods_id: pl.Int64 = pa.Field(description="goods")
    seller_id: pl.String = pa.Field(description="seller")
    presale_price: pl.Int64 = pa.Field(
        gt=0, metadata={"unit": "yuan"}, description="presale price, fen"
    )
    deposit_amt: pl.Int64 = pa.Field(gt=0, metadata={"unit": "yuan"}, description="定金, fen")
    deduction_amt: pl.Int64 = pa.Field(
        gt=0, metadata={"unit": "yuan"}, description="膨胀: what the deposit deducts, fen"
    )
    stock: pl.Int64 = pa.Field(ge=0, description="presale stock")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 valid, 2 removed")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


DOMAIN = "presale"
_MONGO = "presale Mongo 35001 presale_31006 {}"

PRESALE_ACTIVITY = OdsSpec(
    table="ods_mongo_35001_presale_31006_presale_activity",
    domain=DOMAIN,
    fmt=SourceFormat.MONGO,
    model=PresaleActivity,
    key=("presale_activity_id",),
    description="Presale periods (deposit and final-payment windows), the whole collection every day",
    chinese_name="预售活动配置表",
    source_system=_MONGO.format("presale_activity"),
)

PRESALE_SALES = OdsSpec(
    table="ods_mongo_35001_presale_31006_presale_sales",
    domain=DOMAIN,
    fmt=SourceFormat.MONGO,
    model=PresaleSales,
    key=("presale_activity_id", "sku_id"),
    event_time="update_time",
    description="SKUs in presales with price, deposit and deduction, inserted or updated that day",
    chinese_name="商品预售信息",
    source_system=_MONGO.format("presale_sales"),
)

SPECS = [PRESALE_ACTIVITY, PRESALE_SALES]

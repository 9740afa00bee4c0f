"""Sources of trade, users, goods and sellers (the trade system's MySQL dumps; not named
in the document, needed for uses, GMV and user labels): each table's pandera model and its
spec. Money in fen."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from marketing_assets.landing.spec import OdsSpec, SourceFormat
from marketing_assets.table import TableModel

DISCOUNT_SOURCES = [
    "store_promotion",
    "platform_promotion",
    "auto_coupon",
    "store_coupon",
    "platform_coupon",
    "allowance",
    "presale",
]


class OrderLine(TableModel):
    """``order_package_goods``: order lines paid that day (presale: the final payment)."""

    order_id: pl.String = pa.Field(description="checkout order (may span stores)")
    package_id: pl.String = pa.Field(description="package: the order's part of one store")
    goods_id: pl.Int64 = pa.Field(description="goods")
    sku_id: pl.Int64 = pa.Field(description="sku")
    user_id: pl.String = pa.Field(description="buyer")
    seller_id: pl.String = pa.Field(description="seller")
    quantity: pl.Int64 = pa.Field(gt=0, description="units")
    unit_price: pl.Int64 = pa.Field(gt=0, description="single-item price per unit, fen")
    list_amt: pl.Int64 = pa.Field(ge=0, description="unit_price × quantity, fen")
    shown_amt: pl.Int64 = pa.Field(ge=0, description="千人一面价 × quantity, fen")
    discount_amt: pl.Int64 = pa.Field(ge=0, description="all discounts of the line, fen")
    paid_amt: pl.Int64 = pa.Field(ge=0, description="paid by the buyer in all, fen")
    is_presale: pl.Boolean = pa.Field(description="bought through a presale deposit")
    order_time: pl.Datetime("us") = pa.Field(description="ordered (presale: deposit time)")
    pay_time: pl.Datetime("us") = pa.Field(description="paid (presale: final payment)")


class OrderDiscountDetail(TableModel):
    """``order_discount_detail``: every discount applied to a paid line, with its bearer."""

    package_id: pl.String = pa.Field(description="package")
    goods_id: pl.Int64 = pa.Field(description="goods")
    discount_source: pl.String = pa.Field(isin=DISCOUNT_SOURCES, description="which tool")
    source_id: pl.Int64 = pa.Field(
        nullable=True, description="promotion id, coupon id, or null (allowance, presale)"
    )
    coupon_template_id: pl.Int64 = pa.Field(nullable=True, description="template of a coupon")
    discount_amt: pl.Int64 = pa.Field(ge=0, description="the line's share, fen")
    bearer: pl.String = pa.Field(isin=["merchant", "platform"], description="who pays it")
    pay_time: pl.Datetime("us") = pa.Field(description="paid")


class PresaleDeposit(TableModel):
    """``presale_deposit``: presale deposits paid that day."""

    deposit_id: pl.String = pa.Field(description="deposit order")
    user_id: pl.String = pa.Field(description="buyer")
    seller_id: pl.String = pa.Field(description="seller")
    presale_activity_id: pl.Int64 = pa.Field(description="presale")
    sku_id: pl.Int64 = pa.Field(description="sku")
    goods_id: pl.Int64 = pa.Field(description="goods")
    quantity: pl.Int64 = pa.Field(gt=0, description="units")
    deposit_amt: pl.Int64 = pa.Field(gt=0, description="deposit paid, fen")
    deduction_amt: pl.Int64 = pa.Field(gt=0, description="what it deducts at final payment, fen")
    pay_time: pl.Datetime("us") = pa.Field(description="deposit paid")


class Refund(TableModel):
    """``refund``: whole order lines refunded that day."""

    refund_id: pl.String = pa.Field(description="refund id")
    order_id: pl.String = pa.Field(description="order")
    package_id: pl.String = pa.Field(description="package")
    goods_id: pl.Int64 = pa.Field(description="goods")
    user_id: pl.String = pa.Field(description="buyer")
    seller_id: pl.String = pa.Field(description="seller")
    refund_amt: pl.Int64 = pa.Field(ge=0, description="refunded, fen (the line's paid amount)")
    pay_time: pl.Datetime("us") = pa.Field(description="when the line was paid")
    refund_time: pl.Datetime("us") = pa.Field(description="refunded")


class GoodsVisit(TableModel):
    """``goods_visit``: goods page visits of the day, per user, goods and entry page."""

    user_id: pl.String = pa.Field(description="visitor")
    goods_id: pl.Int64 = pa.Field(description="goods")
    seller_id: pl.String = pa.Field(description="seller")
    page: pl.String = pa.Field(
        isin=["note", "search", "live", "shop", "cart", "venue"], description="entry page"
    )
    pv: pl.Int64 = pa.Field(gt=0, description="page views")
    first_visit_time: pl.Datetime("us") = pa.Field(description="first view of the day")


class UserInfo(TableModel):
    """``user_info``: the user centre's user table, full dump."""

    user_id: pl.String = pa.Field(description="user")
    register_time: pl.Datetime("us") = pa.Field(description="registered")
    gender: pl.String = pa.Field(description="gender")
    age_band: pl.String = pa.Field(description="age band")
    city_tier: pl.String = pa.Field(description="city tier")
    member_level: pl.Int32 = pa.Field(ge=0, description="member level (0 = none)")
    first_order_time: pl.Datetime("us") = pa.Field(nullable=True, description="first paid order")


class GoodsInfo(TableModel):
    """``goods``: listed goods (SPU), full dump."""

    goods_id: pl.Int64 = pa.Field(description="goods")
    seller_id: pl.String = pa.Field(description="seller")
    goods_name: pl.String = pa.Field(description="name")
    industry: pl.String = pa.Field(description="industry")
    category: pl.String = pa.Field(description="operating category")
    list_price: pl.Int64 = pa.Field(gt=0, description="list price, fen")
    is_new: pl.Boolean = pa.Field(description="new product")
    create_time: pl.Datetime("us") = pa.Field(description="listed")


class GoodsSku(TableModel):
    """``goods_sku``: SKUs, full dump."""

    sku_id: pl.Int64 = pa.Field(description="sku")
    goods_id: pl.Int64 = pa.Field(description="goods")
    price: pl.Int64 = pa.Field(gt=0, description="price, fen")
    stock: pl.Int64 = pa.Field(ge=0, description="stock")


class SellerInfo(TableModel):
    """``seller``: shops, full dump."""

    seller_id: pl.String = pa.Field(description="seller")
    shop_name: pl.String = pa.Field(description="shop name")
    industry: pl.String = pa.Field(description="main industry")
    is_self_operated: pl.Boolean = pa.Field(description="platform-run shop (福利社)")
    open_time: pl.Datetime("us") = pa.Field(description="shop opened")


def _dump(table, domain, model, key, description, source, event_time=None, campaign_driven=False):
    return OdsSpec(
        table=table,
        domain=domain,
        fmt=SourceFormat.CSV,
        model=model,
        key=key,
        event_time=event_time,
        description=description,
        source_system=f"trade MySQL {source}",
        campaign_driven=campaign_driven,
    )


ORDER_LINES = _dump(
    "ods_trd_order_package_goods_di", "trade", OrderLine, ("package_id", "goods_id"),
    "Order lines paid that day (presale lines on their final payment)", "order_package_goods",
    event_time="pay_time",
)
DISCOUNTS = _dump(
    "ods_trd_order_discount_detail_di", "trade", OrderDiscountDetail,
    ("package_id", "goods_id", "discount_source"),
    "Every discount applied to the lines paid that day, with who bears it",
    "order_discount_detail", event_time="pay_time",
)
PRESALE_DEPOSITS = _dump(
    "ods_trd_presale_deposit_di", "trade", PresaleDeposit, ("deposit_id",),
    "Presale deposits paid that day", "presale_deposit", event_time="pay_time",
    campaign_driven=True,
)
REFUNDS = _dump(
    "ods_trd_refund_di", "trade", Refund, ("refund_id",),
    "Whole order lines refunded that day", "refund", event_time="refund_time",
)
VISITS = _dump(
    "ods_trd_goods_visit_di", "trade", GoodsVisit, ("user_id", "goods_id", "page"),
    "Goods page visits of the day per user, goods and entry page", "goods_visit",
    event_time="first_visit_time",
)
USERS = _dump(
    "ods_trd_user_info_df", "user", UserInfo, ("user_id",),
    "Users, full dump", "user_info",
)
GOODS = _dump(
    "ods_trd_goods_info_df", "trade", GoodsInfo, ("goods_id",),
    "Goods (SPU), full dump", "goods",
)
GOODS_SKU = _dump(
    "ods_trd_goods_sku_df", "trade", GoodsSku, ("sku_id",), "SKUs, full dump",
    "goods_sku",
)
SELLERS = _dump(
    "ods_trd_seller_info_df", "trade", SellerInfo, ("seller_id",),
    "Sellers (shops), full dump", "seller",
)

SPECS = [ORDER_LINES, DISCOUNTS, PRESALE_DEPOSITS, REFUNDS, VISITS, USERS, GOODS, GOODS_SKU, SELLERS]

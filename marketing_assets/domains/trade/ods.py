"""ODS tables of trade, users, goods and sellers (MySQL dumps; not named in the document)."""

from __future__ import annotations

from marketing_assets.domains.trade import models
from marketing_assets.landing.spec import OdsSpec, SourceFormat


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


SPECS = [
    _dump("ods_trd_order_package_goods_di", "trade", models.OrderLine, ("package_id", "goods_id"),
          "Order lines paid that day (presale lines on their final payment)", "order_package_goods",
          event_time="pay_time"),
    _dump("ods_trd_order_discount_detail_di", "trade", models.OrderDiscountDetail,
          ("package_id", "goods_id", "discount_source"),
          "Every discount applied to the lines paid that day, with who bears it",
          "order_discount_detail", event_time="pay_time"),
    _dump("ods_trd_presale_deposit_di", "trade", models.PresaleDeposit, ("deposit_id",),
          "Presale deposits paid that day", "presale_deposit", event_time="pay_time",
          campaign_driven=True),
    _dump("ods_trd_refund_di", "trade", models.Refund, ("refund_id",),
          "Whole order lines refunded that day", "refund", event_time="refund_time"),
    _dump("ods_trd_goods_visit_di", "trade", models.GoodsVisit, ("user_id", "goods_id", "page"),
          "Goods page visits of the day per user, goods and entry page", "goods_visit",
          event_time="first_visit_time"),
    _dump("ods_trd_user_info_df", "user", models.UserInfo, ("user_id",),
          "Users, full dump", "user_info"),
    _dump("ods_trd_goods_info_df", "trade", models.GoodsInfo, ("goods_id",),
          "Goods (SPU), full dump", "goods"),
    _dump("ods_trd_goods_sku_df", "trade", models.GoodsSku, ("sku_id",), "SKUs, full dump",
          "goods_sku"),
    _dump("ods_trd_seller_info_df", "trade", models.SellerInfo, ("seller_id",),
          "Sellers (shops), full dump", "seller"),
]

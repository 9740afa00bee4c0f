"""Every table of the coupon domain above ODS, as it is built (the kind wrapper where it
has one), in dependency order."""

from marketing_assets.domains.coupon.claims import GOODS_COUPON_DAY_FACT
from marketing_assets.domains.coupon.phoenix import PHOENIX_DETAIL
from marketing_assets.domains.coupon.sellers import COUPON_SELLER, COUPON_SELLER_CHANNEL, COUPON_SELLER_TEMPLATE
from marketing_assets.domains.coupon.templates import COUPON_TEMPLATE_DAY, COUPON_TEMPLATE_ITEM
from marketing_assets.domains.coupon.triggers import COUPON_TRIGGER
from marketing_assets.domains.coupon.uses import GET_USE_600D_FACT, TOB_GET_USE_600D_FACT, USE_FACT
from marketing_assets.incremental import Table

TABLES: list[Table] = [
    COUPON_TEMPLATE_DAY,
    GOODS_COUPON_DAY_FACT,
    COUPON_TEMPLATE_ITEM,
    PHOENIX_DETAIL,
    COUPON_TRIGGER,
    USE_FACT,
    GET_USE_600D_FACT,
    TOB_GET_USE_600D_FACT,
    COUPON_SELLER,
    COUPON_SELLER_CHANNEL,
    COUPON_SELLER_TEMPLATE,
]

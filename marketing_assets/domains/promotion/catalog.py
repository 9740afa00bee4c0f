"""The promotion tables above ODS, in dependency order."""

from marketing_assets.domains.promotion.blacklist_gifts import BLACKLIST_DAY, GIFT_DAY
from marketing_assets.domains.promotion.groups import GROUP_DAY
from marketing_assets.domains.promotion.items import PROMOTION_ITEM
from marketing_assets.domains.promotion.sellers import (
    PROMOTION_SELLER, PROMOTION_SELLER_GROUP, PROMOTION_SELLER_PROMOTION,
)
from marketing_assets.domains.promotion.target_benefits import TARGET_BENEFIT_DAY
from marketing_assets.domains.promotion.uses import PROMOTION_USE
from marketing_assets.incremental import Table

TABLES: list[Table] = [
    GROUP_DAY,
    TARGET_BENEFIT_DAY,
    BLACKLIST_DAY,
    GIFT_DAY,
    PROMOTION_ITEM,
    PROMOTION_USE,
    PROMOTION_SELLER,
    PROMOTION_SELLER_GROUP,
    PROMOTION_SELLER_PROMOTION,
]

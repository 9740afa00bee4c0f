"""The campaign tables above ODS, in dependency order."""

from marketing_assets.domains.campaign.participate_goods import PARTICIPATE_GOODS
from marketing_assets.domains.campaign.relation import ACTIVITY_RELATION
from marketing_assets.domains.campaign.supply import ACTIVITY_SUPPLY
from marketing_assets.incremental import Table

TABLES: list[Table] = [ACTIVITY_RELATION, PARTICIPATE_GOODS, ACTIVITY_SUPPLY]

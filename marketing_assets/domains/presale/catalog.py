"""The presale tables above ODS, in dependency order."""

from marketing_assets.domains.presale.conversion import PRESALE_CONVERSION, PRESALE_GOODS
from marketing_assets.incremental import Table

TABLES: list[Table] = [PRESALE_GOODS, PRESALE_CONVERSION]

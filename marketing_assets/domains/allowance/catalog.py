"""Every allowance table above ODS, in dependency order."""

from marketing_assets.domains.allowance.allowances import ALLOWANCE_GET_USE, ALLOWANCE_TEMPLATE_DAY
from marketing_assets.incremental import Table

TABLES: list[Table] = [ALLOWANCE_TEMPLATE_DAY, ALLOWANCE_GET_USE]

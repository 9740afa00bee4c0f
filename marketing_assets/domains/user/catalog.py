"""Every trade-user table, in dependency order."""

from marketing_assets.domains.user.algo_labels import USER_ALGO_LABEL
from marketing_assets.domains.user.first_orders import USER_NITEM_LABEL
from marketing_assets.domains.user.labels import USER_LABEL
from marketing_assets.domains.user.levels import TOC_USER_LEVEL
from marketing_assets.domains.user.metrics import USER_METRICS
from marketing_assets.incremental import Table

TABLES: list[Table] = [USER_NITEM_LABEL, USER_LABEL, USER_METRICS, TOC_USER_LEVEL, USER_ALGO_LABEL]

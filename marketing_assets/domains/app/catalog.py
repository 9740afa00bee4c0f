"""Every table of the app layer (redapp: order-line performance and platform metrics), in dependency order."""

from marketing_assets.domains.app.platform_metrics import PLATFORM_METRICS
from marketing_assets.domains.app.repurchase_performance import REPURCHASE_PERFORMANCE
from marketing_assets.incremental import Table

TABLES: list[Table] = [REPURCHASE_PERFORMANCE, PLATFORM_METRICS]

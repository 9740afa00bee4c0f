"""Every table of the growth platform above ODS as it is built (the kind wrapper where it
has one), in dependency order."""

from marketing_assets.domains.growth.allowance_offers import EXECUTION_ALLOWANCE, EXECUTION_ALLOWANCE_FULL
from marketing_assets.domains.growth.benefits import EXECUTION_BENEFIT
from marketing_assets.domains.growth.coupon_offers import (
    EXECUTION_COUPON,
    EXECUTION_COUPON_FULL,
    EXECUTION_COUPON_GET_USE,
)
from marketing_assets.domains.growth.executions import EXECUTION
from marketing_assets.incremental import Table

TABLES: list[Table] = [
    EXECUTION,
    EXECUTION_BENEFIT,
    EXECUTION_COUPON,
    EXECUTION_ALLOWANCE,
    EXECUTION_COUPON_FULL,
    EXECUTION_ALLOWANCE_FULL,
    EXECUTION_COUPON_GET_USE,
]

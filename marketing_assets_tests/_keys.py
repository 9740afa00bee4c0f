"""(database, table) of the tables the tests build hand-made warehouses of, from the table
objects (the names are written once, in the package's declarations)."""

from marketing_assets.domains.coupon.claims import GOODS_COUPON_DAY as _GOODS_COUPON_DAY
from marketing_assets.domains.coupon.ods import CLAIMED_COUPON_MYSQL as _CLAIMED_COUPON_MYSQL
from marketing_assets.domains.coupon.ods import COUPON_TEMPLATE_MYSQL as _COUPON_TEMPLATE_MYSQL
from marketing_assets.domains.coupon.templates import COUPON_TEMPLATE_DAY as _COUPON_TEMPLATE_DAY
from marketing_assets.domains.coupon.uses import COUPON_USE as _COUPON_USE
from marketing_assets.domains.growth.coupon_offers import EXECUTION_COUPON as _EXECUTION_COUPON
from marketing_assets.domains.growth.coupon_offers import EXECUTION_COUPON_FULL as _EXECUTION_COUPON_FULL
from marketing_assets.domains.trade.ods import DISCOUNTS as _DISCOUNTS
from marketing_assets.domains.trade.ods import ORDER_LINES as _ORDER_LINES
from marketing_assets.domains.trade.ods import REFUNDS as _REFUNDS
from marketing_assets.incremental import declaration
from marketing_assets.table import table_key

GOODS_COUPON_DAY = table_key(_GOODS_COUPON_DAY)
CLAIMED_COUPON_MYSQL = table_key(_CLAIMED_COUPON_MYSQL)
#: the change events of the claimed-coupon snapshot
CLAIMED_COUPON_EVENTS = _CLAIMED_COUPON_MYSQL.events
COUPON_TEMPLATE_MYSQL = table_key(_COUPON_TEMPLATE_MYSQL)
COUPON_TEMPLATE_DAY = table_key(_COUPON_TEMPLATE_DAY)
COUPON_USE = table_key(_COUPON_USE)
EXECUTION_COUPON = table_key(_EXECUTION_COUPON)
EXECUTION_COUPON_FULL = table_key(_EXECUTION_COUPON_FULL)
DISCOUNTS = table_key(_DISCOUNTS)
ORDER_LINES = table_key(_ORDER_LINES)
REFUNDS = table_key(_REFUNDS)


def check_query(table, name: str):
    """The query of the check ``name`` that ``table`` declares (``TableCheck``)."""
    return next(c.query for c in declaration(table).checks if c.name == name)

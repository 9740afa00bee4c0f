"""Pricing engine: the price and cost breakdown of order lines (catalog, Pricing 2.5).

- ``engine``: ``price_orders`` (the entry point) and ``PricedOrders``;
- ``split``: ``apportion``, the split of one discount over the lines it covers;
- ``schemas``: the column contracts (inputs, outputs, the pandera model ``PricedLine``);
- ``validation``: the consistency checks of the inputs;
- ``synthetic``: seeded random inputs for tests and benchmarks.
"""

from .engine import PricedOrders, allowance_balances_after, price_orders
from .schemas import PLATFORM_COUPON, STORE_COUPON, PricedLine
from .split import apportion, split_columns

__all__ = [
    "PLATFORM_COUPON",
    "STORE_COUPON",
    "PricedLine",
    "PricedOrders",
    "allowance_balances_after",
    "apportion",
    "price_orders",
    "split_columns",
]

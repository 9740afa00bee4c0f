"""What the demand side carries from one day to the next, declared and pruned.

``DemandState`` holds the coupon centre's claimed coupons, the allowance centre's
allowances, users' first orders, pending presale deposits, paid lines awaiting a later
refund, what each such order took from each allowance, the goods scope of the templates
coupons are still held from, and the id counters. ``prune`` (end of every day) drops what
no later day can touch, so the state stays bounded by what is live, not by the days run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from marketing_assets.sim.demand.clock import end_of
from marketing_assets.sim.world import World

_DT = pl.Datetime("us")
#: a claimed coupon (the coupon centre's ``coupon`` row, plus the template's type and limit)
COUPON_SCHEMA = {
    "coupon_id": pl.Int64, "coupon_template_id": pl.Int64, "user_id": pl.String, "seller_id": pl.String,
    "claim_channel": pl.String, "status": pl.Int32, "claim_time": _DT, "valid_start_time": _DT,
    "valid_end_time": _DT, "use_time": _DT, "package_id": pl.String, "threshold_amount": pl.Int64,
    "discount_amount": pl.Int64, "update_time": _DT, "create_time": _DT, "coupon_type": pl.Int32,
    "limit_type": pl.Int32,
}
COUPON_COLUMNS = list(COUPON_SCHEMA)
#: an allowance (the allowance centre's ``allowance`` row, plus its template's step rule)
ALLOWANCE_SCHEMA = {
    "allowance_id": pl.Int64, "user_id": pl.String, "allowance_template_id": pl.Int64,
    "channel_type": pl.Int32, "amount": pl.Int64, "balance": pl.Int64, "status": pl.Int32,
    "claim_time": _DT, "expire_time": _DT, "update_time": _DT, "step_threshold": pl.Int64,
    "step_discount": pl.Int64,
}
ALLOWANCE_COLUMNS = list(ALLOWANCE_SCHEMA)
#: a presale deposit not yet converted: the deposit, its final window, its conversion day
DEPOSIT_SCHEMA = {
    "deposit_id": pl.String, "user_id": pl.String, "seller_id": pl.String, "presale_activity_id": pl.Int64,
    "sku_id": pl.Int64, "goods_id": pl.Int64, "quantity": pl.Int64, "deposit_amt": pl.Int64,
    "deduction_amt": pl.Int64, "pay_time": _DT, "presale_price": pl.Int64, "final_start": _DT,
    "final_end": _DT, "convert_day": pl.Date,
}
#: a paid line whose package is refunded on a later day (``refund_day``)
PAID_LINE_SCHEMA = {
    "order_id": pl.String, "package_id": pl.String, "goods_id": pl.Int64, "user_id": pl.String,
    "seller_id": pl.String, "paid_amt": pl.Int64, "pay_time": _DT, "store_coupon_id": pl.Int64,
    "allowance_amt": pl.Int64, "refund_day": pl.Date,
}
#: how much an order took from each allowance (returned on a refund)
ALLOWANCE_USE_SCHEMA = {"order_id": pl.String, "allowance_id": pl.Int64, "taken": pl.Int64}
SCOPE_SCHEMA = {"coupon_template_id": pl.Int64, "goods_id": pl.Int64}
# status codes are the sources' own: a coupon 1 unused, 2 used, 3 expired; an allowance
# 1 usable, 2 used up, 3 expired


@dataclass
class DemandState:
    coupons: pl.DataFrame
    allowances: pl.DataFrame
    #: user_id, first_order_time (null: never ordered)
    first_order: pl.DataFrame
    deposits: pl.DataFrame
    paid_lines: pl.DataFrame
    allowance_uses: pl.DataFrame
    #: goods of the item-limited templates whose coupons buyers may still hold
    scope: pl.DataFrame
    counters: dict[str, int] = field(default_factory=dict)

    @classmethod
    def new(cls, world: World) -> DemandState:
        def empty(schema: dict) -> pl.DataFrame:
            return pl.DataFrame(schema=schema)

        return cls(
            coupons=empty(COUPON_SCHEMA),
            allowances=empty(ALLOWANCE_SCHEMA),
            first_order=world.users.select("user_id", "first_order_time"),
            deposits=empty(DEPOSIT_SCHEMA),
            paid_lines=empty(PAID_LINE_SCHEMA),
            allowance_uses=empty(ALLOWANCE_USE_SCHEMA),
            scope=empty(SCOPE_SCHEMA),
        )

    def next_ids(self, name: str, n: int, start: int = 1) -> np.ndarray:
        first = self.counters.get(name, start)
        self.counters[name] = first + n
        return np.arange(first, first + n, dtype=np.int64)

    def prune(self, day: dt.date) -> None:
        """Drop, at the end of ``day``, what no later day reads or changes:

        - coupons expired (3), and used ones (2) whose validity ends by midnight (a refund
          returns a used coupon only while it is valid, and later refunds come later);
        - allowances expired (3), and used-up ones (2) expiring by midnight (a return
          goes only to an allowance that has not expired);
        - allowance uses of orders with no package left to refund on a later day;
        - the scope of templates no unused coupon is held from (today's live scope is
          added again each day).
        """
        end = end_of(day)
        status = pl.col("status")
        self.coupons = self.coupons.filter(~((status == 3) | ((status == 2) & (pl.col("valid_end_time") <= end))))
        self.allowances = self.allowances.filter(
            ~((status == 3) | ((status == 2) & (pl.col("expire_time") <= end)))
        )
        self.allowance_uses = self.allowance_uses.join(
            self.paid_lines.select("order_id").unique(), on="order_id", how="semi", maintain_order="left"
        )
        held = self.coupons.filter(status == 1).select("coupon_template_id").unique()
        self.scope = self.scope.join(held, on="coupon_template_id", how="semi", maintain_order="left")

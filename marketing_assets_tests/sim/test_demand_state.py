"""The demand side's state is pruned at the end of each day to what a later day can touch."""

from __future__ import annotations

import datetime as dt

import polars as pl

from marketing_assets.sim.demand.state import (
    ALLOWANCE_SCHEMA, ALLOWANCE_USE_SCHEMA, COUPON_SCHEMA, PAID_LINE_SCHEMA, SCOPE_SCHEMA, DemandState,
)

DAY = dt.date(2025, 6, 2)
MIDNIGHT = dt.datetime(2025, 6, 3)  # the end of DAY


def frame(schema: dict, **columns: list) -> pl.DataFrame:
    """Rows of ``schema`` with the given columns, the others null."""
    n = len(next(iter(columns.values())))
    return pl.DataFrame({c: columns.get(c, [None] * n) for c in schema}, schema=schema)


def state() -> DemandState:
    return DemandState(
        coupons=frame(
            COUPON_SCHEMA,
            coupon_id=[1, 2, 3, 4, 5],
            coupon_template_id=[101, 101, 102, 102, 102],
            status=[1, 3, 2, 2, 2],
            valid_end_time=[dt.datetime(2025, 6, 9), dt.datetime(2025, 6, 1), dt.datetime(2025, 6, 2, 23),
                            dt.datetime(2025, 6, 5), MIDNIGHT],
        ),
        allowances=frame(
            ALLOWANCE_SCHEMA,
            allowance_id=[11, 12, 13, 14],
            status=[1, 3, 2, 2],
            expire_time=[MIDNIGHT, dt.datetime(2025, 6, 1), dt.datetime(2025, 6, 2, 20), dt.datetime(2025, 6, 10)],
        ),
        first_order=pl.DataFrame(schema={"user_id": pl.String, "first_order_time": pl.Datetime("us")}),
        deposits=pl.DataFrame(),
        paid_lines=frame(PAID_LINE_SCHEMA, order_id=["o1"], refund_day=[dt.date(2025, 6, 4)]),
        allowance_uses=frame(ALLOWANCE_USE_SCHEMA, order_id=["o1", "o2", "o1"], allowance_id=[14, 14, 11],
                             taken=[100, 200, 300]),
        scope=frame(SCOPE_SCHEMA, coupon_template_id=[101, 102, 101], goods_id=[7, 8, 9]),
    )


def test_prune_keeps_only_what_a_later_day_can_touch():
    s = state()
    s.prune(DAY)
    # 1 unused; 4 used but valid after midnight (a later refund returns it). Dropped: 2
    # expired, 3 and 5 used and no longer valid after midnight
    assert s.coupons["coupon_id"].to_list() == [1, 4]
    # 11 usable, expiring exactly at midnight: tomorrow's expiry event still needs it;
    # 14 used up but alive (a refund gives back to it). Dropped: 12 expired, 13 used up, dead
    assert s.allowances["allowance_id"].to_list() == [11, 14]
    # o1 still has a package to refund on 06-04; o2 has none left
    assert s.allowance_uses.rows() == [("o1", 14, 100), ("o1", 11, 300)]
    # 101 is held unused (coupon 1); 102 only by used coupons
    assert s.scope.rows() == [(101, 7), (101, 9)]


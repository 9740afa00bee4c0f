"""The demand side of the simulated platform: what users do each day.

One day, in causal order, all vectorised (numpy draws, polars joins), one module per
source system the behaviour lands in:

1. ``traffic``: active users visit goods pages (traffic follows the calendar);
2. ``growth``: the growth platform fires strategies for active users (executions); users in
   the blank-control group get nothing, the others are offered a coupon or an allowance
   and claim it in the same session or not;
3. ``tasks``: interactive-marketing tasks are completed and rewarded with coupons;
4. ``coupons``: users claim store coupons organically from the pages they visit (live
   room, shop page, cart surprise, fans); claims become coupons, ``allowances`` grants;
5. ``orders``: visitors buy, lines priced by the shared pricing engine; ``presale``:
   deposits are paid in deposit windows and converted (or not) in final-payment windows;
6. ``refunds``: packages are refunded the same day or on a later day; refunds return the
   package's store coupon and allowance; coupons and allowances past their end expire;
7. ``dumps``: the day's full dumps of users, goods, SKUs and sellers.

Every change of a claimed coupon or an allowance is a binlog event of its own table. The
rates are ``sim.config.rates``; what is carried from day to day is ``state.DemandState``,
pruned at the end of each day; randomness is ``rng_for(seed, "demand", purpose, day)``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from marketing_assets.sim import exports
from marketing_assets.sim.calendar import plan
from marketing_assets.sim.demand import allowances, coupons, dumps, growth, orders, refunds, tasks, traffic
from marketing_assets.sim.demand.state import DemandState
from marketing_assets.sim.world import World, rng_for


class DemandSimulator:
    def __init__(self, world: World) -> None:
        self.world = world
        self.state = DemandState.new(world)

    def _rng(self, purpose: str, day: dt.date) -> np.random.Generator:
        return rng_for(self.world.seed, "demand", purpose, day.isoformat())

    def day(self, day: dt.date, live) -> dict[str, pl.DataFrame]:
        """Simulate ``day`` (consecutive days from the world's origin) against today's live
        configuration; returns the day's landed frames by table name."""
        world, state, traffic_level = self.world, self.state, plan(day).traffic
        visits = traffic.visits(world, self._rng("visits", day), day, traffic_level)
        actives = visits.select("user_id").unique().sort("user_id")
        n_executions = int(actives.height * world.scale.executions_per_active * traffic_level)
        ex, exec_claims, exec_allowances = growth.executions(
            state, self._rng("executions", day), day, n_executions, actives, live
        )
        completions, task_claims = tasks.completions(self._rng("tasks", day), day, actives, live)
        organic = coupons.organic_claims(self._rng("organic", day), visits, live)
        claims = pl.concat([exec_claims, task_claims, organic], how="diagonal_relaxed")
        new_coupons = coupons.issue(state, day, claims, live)
        grants = allowances.grant(state, day, exec_allowances, live)
        lines, deposits = orders.orders(world, state, self._rng("orders", day), day, visits, live)
        priced, meta = orders.price(state, day, lines, live)

        lines = priced.lines.join(meta, on=["package_id", "goods_id"], how="left")
        order_lines = orders.order_lines(lines)
        detail = orders.discount_detail(lines, priced.coupon_uses)
        coupon_events = [coupons.claim_events(new_coupons), coupons.use(state, priced.coupon_uses, lines)]
        refund_rows, refunded, same_day = refunds.refund(state, self._rng("settle", day), day, lines)
        coupon_events += coupons.return_and_expire(state, day, refunded)
        coupon_binlog, coupon_mongo = coupons.exports_of_day(state, coupon_events)
        allowance_tables = allowances.settle(state, day, lines, refunded, grants)
        dumps.record_first_orders(state, lines, same_day)
        out = {
            exports.VISITS: visits,
            exports.TASK_COMPLETIONS: completions,
            exports.ORDER_LINES: order_lines,
            exports.DISCOUNTS: detail,
            exports.DEPOSITS: deposits,
            exports.REFUNDS: refund_rows,
            exports.CLAIMED_COUPONS: coupon_binlog,
            exports.CLAIMED_COUPONS_MONGO: coupon_mongo,
            exports.EXECUTIONS: growth.execution_events(ex, new_coupons, grants),
            **allowance_tables,
            **dumps.dumps(world, state),
        }
        state.prune(day)
        return out


__all__ = ["DemandSimulator", "DemandState"]

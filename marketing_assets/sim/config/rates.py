"""How the simulated users behave: every rate of the demand side in one place.

Volumes scale with the world (``world.Scale``: active share, executions per active user)
and the calendar (``calendar.plan``: traffic multiplier); these are the per-visit,
per-offer, per-order and per-package probabilities and delays ``sim.demand`` draws with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np


def _frozen(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


@dataclass(frozen=True)
class DemandRates:
    # ---- traffic (trade goods-visit log)
    #: the page a visit starts on, and its share of visits
    page_shares: MappingProxyType = field(default_factory=lambda: _frozen(
        {"note": 0.35, "search": 0.2, "live": 0.15, "shop": 0.12, "cart": 0.12, "venue": 0.06}))
    #: relative traffic of each hour of the day (evening peak)
    hour_weights: tuple[float, ...] = (3, 2, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 6, 6, 6, 6, 6, 7, 8, 10, 11, 9, 5)
    #: goods an active user visits: 1 + Poisson(this)
    extra_visits_mean: float = 3.0
    #: page views of a visit: geometric with this success probability
    pv_success: float = 0.5

    # ---- growth platform (strategy executions)
    #: an offered coupon or allowance is claimed in the same session
    execution_claim: float = 0.55
    #: share of the non-blank offers in experiment group A (the rest: B)
    group_a: float = 0.5
    #: seconds from the execution to the claim: uniform in [low, high)
    claim_lag_s: tuple[int, int] = (1, 60)

    # ---- interactive-marketing tasks
    #: completed tasks per active user
    tasks_per_active: float = 0.04

    # ---- organic store-coupon claims
    #: page of a visit → channel a store coupon can be claimed on there
    organic_channels: MappingProxyType = field(default_factory=lambda: _frozen(
        {"live": "live_room", "shop": "shop_page", "cart": "cart", "note": "fans"}))
    #: a visit with a claimable store coupon claims it
    organic_claim: float = 0.3
    #: seconds after the first visit the coupon is claimed
    organic_claim_delay_s: int = 30

    # ---- orders
    #: a visit of the page buys the goods
    conversion: MappingProxyType = field(default_factory=lambda: _frozen(
        {"cart": 0.20, "live": 0.09, "venue": 0.08, "search": 0.07, "shop": 0.07, "note": 0.05}))
    #: conversion multiplier of goods in a presale deposit window (the 膨胀 deduction)
    presale_boost: float = 4.0
    #: quantity of a line: 1 + Poisson(this)
    extra_quantity_mean: float = 0.3
    #: seconds from the visit to the payment: uniform in [low, high)
    pay_lag_s: tuple[int, int] = (60, 3600)

    # ---- presale
    #: a deposit is converted (final payment) rather than forfeited
    deposit_conversion: float = 0.85
    #: final payment on one of the first days of the final window: uniform in [0, this)
    final_payment_days: int = 3
    #: final payments are made from this hour, over this many hours
    final_payment_hour: int = 10
    final_payment_hours: int = 13

    # ---- refunds (whole packages)
    #: a package is refunded at all, and the same day
    refund: float = 0.18
    refund_same_day: float = 0.07
    #: days after the payment of a later refund: uniform in [low, high)
    refund_later_days: tuple[int, int] = (1, 11)
    #: seconds after the payment of a same-day refund: uniform in [low, high)
    same_day_refund_lag_s: tuple[int, int] = (600, 4 * 3600)
    #: a later refund is made between these hours
    later_refund_hours: tuple[int, int] = (8, 23)

    @property
    def pages(self) -> np.ndarray:
        return np.array(list(self.page_shares))

    @property
    def page_p(self) -> np.ndarray:
        return np.array(list(self.page_shares.values()))

    @property
    def hour_p(self) -> np.ndarray:
        weights = np.array(self.hour_weights, float)
        return weights / weights.sum()


RATES = DemandRates()

"""Traffic: active users open goods pages (the trade system's goods-visit log)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from marketing_assets.sim.config.rates import RATES
from marketing_assets.sim.demand.clock import times
from marketing_assets.sim.world import World


def visits(world: World, rng: np.random.Generator, day: dt.date, traffic: float) -> pl.DataFrame:
    """One row per user, goods and page of the day: page views and the first visit's time.
    A user's chance to be active follows their activity and the calendar's ``traffic``."""
    users, goods = world.users, world.goods
    activity = users["activity"].to_numpy()
    p_active = np.clip(activity / activity.mean() * world.scale.active_share * traffic, 0, 0.95)
    active = np.flatnonzero(rng.random(len(activity)) < p_active)
    per_user = rng.poisson(RATES.extra_visits_mean, len(active)) + 1
    user_idx = np.repeat(active, per_user)
    weights = goods["popularity"].to_numpy()
    goods_idx = rng.choice(len(weights), len(user_idx), p=weights / weights.sum())
    pages = RATES.pages
    raw = pl.DataFrame(
        {
            "user_id": users["user_id"].gather(user_idx),
            "goods_id": goods["goods_id"].gather(goods_idx),
            "seller_id": goods["seller_id"].gather(goods_idx),
            "page": pages[rng.choice(len(pages), len(user_idx), p=RATES.page_p)],
            "pv": rng.geometric(RATES.pv_success, len(user_idx)).astype(np.int64),
            "first_visit_time": times(rng, day, len(user_idx)),
        }
    )
    return (
        raw.group_by("user_id", "goods_id", "seller_id", "page")
        .agg(pl.col("pv").sum(), pl.col("first_visit_time").min())
        .sort("user_id", "goods_id", "page")
    )

"""The growth platform: strategies fire for active users and log each execution (binlog).

Users in a strategy's blank-control group get nothing; the others are offered its coupon
or allowance and claim it in the same session or not (claims go to the coupon and
allowance centres, ``sim.demand.coupons`` / ``sim.demand.allowances``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from marketing_assets.sim.config.rates import RATES
from marketing_assets.sim.demand.clock import US, times
from marketing_assets.sim.demand.state import DemandState


def executions(
    state: DemandState, rng: np.random.Generator, day: dt.date, n: int, actives: pl.DataFrame, live
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """``n`` executions of today's live strategies for ``actives``: the executions, their
    coupon claims and their allowance claims."""
    strategies = live.strategies.sort("strategy_id")
    weights = strategies["weight"].to_numpy()
    s_idx = rng.choice(strategies.height, n, p=weights / weights.sum())
    chosen = strategies[s_idx]
    blank = rng.random(n) < chosen["blank_share"].to_numpy()
    claimed = ~blank & (rng.random(n) < RATES.execution_claim)
    execute_time = times(rng, day, n)
    ex = chosen.with_columns(
        user_id=actives["user_id"].gather(rng.integers(0, actives.height, n)),
        execute_time=execute_time,
        experiment_group=pl.Series(np.where(blank, "blank", np.where(rng.random(n) < RATES.group_a, "A", "B"))),
        _claimed=pl.Series(claimed),
        _claim_lag=pl.Series(rng.integers(*RATES.claim_lag_s, n) * US),
    ).sort("execute_time", "user_id", "strategy_id")
    ex = ex.with_columns(execution_id=pl.Series(state.next_ids("execution", n, 10**8)))
    claim_time = (pl.col("execute_time") + pl.duration(microseconds=pl.col("_claim_lag"))).alias("claim_time")
    coupon_claims = ex.filter(pl.col("_claimed") & (pl.col("benefit_type") == "coupon")).select(
        "user_id", "coupon_template_id", pl.lit("growth_platform").alias("claim_channel"),
        claim_time, "execution_id",
    )
    allowance_claims = ex.filter(pl.col("_claimed") & (pl.col("benefit_type") == "allowance")).select(
        "user_id", "allowance_template_id", claim_time, "execution_id",
    )
    return ex, coupon_claims, allowance_claims


def execution_events(ex: pl.DataFrame, coupons: pl.DataFrame, allowances: pl.DataFrame) -> pl.DataFrame:
    """The execution log's insert events, with the benefit offered and the instance claimed."""
    ex = ex.join(coupons.select("execution_id", "coupon_id"), on="execution_id", how="left")
    ex = ex.join(allowances.select("execution_id", "allowance_id"), on="execution_id", how="left")
    coupon = pl.col("benefit_type") == "coupon"
    entity = pl.when(coupon).then(pl.col("coupon_template_id")).otherwise(pl.col("allowance_template_id"))
    instance = pl.when(coupon).then(pl.col("coupon_id")).otherwise(pl.col("allowance_id"))
    benefit = pl.concat_str(
        pl.lit('[{"benefit_entity_type":"'), pl.col("benefit_type"),
        pl.lit('","benefit_entity_id":'), entity.cast(pl.String),
        pl.lit(',"benefit_id":'), pl.col("prize_pool_id").cast(pl.String),
        pl.lit(',"instance_id":'), instance.cast(pl.String).fill_null("null"),
        pl.lit("}]"),
    )
    return ex.select(
        "execution_id", "user_id", "trigger_id", "biz_scene_id", "strategy_id",
        "launch_plan_id", "trigger_point_id", "prize_pool_id", "strategy_name",
        "launch_plan_name", "trigger_point_name", "prize_rule_name", "crowd_id",
        "container_name", "experiment_group",
        pl.when(pl.col("experiment_group") == "blank").then(pl.lit("[]")).otherwise(benefit).alias("benefit_info"),
        "execute_time",
        pl.lit("c").alias("op"),
        pl.col("execute_time").alias("event_time"),
    ).sort("execution_id")

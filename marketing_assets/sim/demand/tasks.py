"""Interactive marketing (phoenix): users complete tasks and are rewarded (service log)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from marketing_assets.sim.config.rates import RATES
from marketing_assets.sim.demand.clock import times


def completions(
    rng: np.random.Generator, day: dt.date, actives: pl.DataFrame, live
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The day's task completions (the log) and the coupon claims they reward."""
    tasks = live.phoenix_tasks.sort("task_id")
    n = max(1, int(actives.height * RATES.tasks_per_active))
    t_idx = rng.integers(0, tasks.height, n)
    done = tasks[t_idx].with_columns(
        user_id=actives["user_id"].gather(rng.integers(0, actives.height, n)),
        complete_time=times(rng, day, n),
    ).sort("complete_time", "user_id", "task_id")
    done = done.with_columns(
        task_complete_id=pl.format("t{}-{}", pl.lit(day.strftime("%Y%m%d")), pl.int_range(n).cast(pl.String).str.zfill(8))
    )
    log = done.select(
        "task_complete_id", "user_id", "task_id", "task_name", "benefit_type",
        "coupon_template_id", "complete_time",
    )
    claims = done.filter(pl.col("benefit_type") == "coupon").select(
        "user_id", "coupon_template_id", pl.lit("task").alias("claim_channel"),
        pl.col("complete_time").alias("claim_time"),
    )
    return log, claims

"""Refunds: whole packages, refunded the same day or on a later day (trade refund rows)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from marketing_assets.sim.config.rates import RATES
from marketing_assets.sim.demand.clock import US, end_of
from marketing_assets.sim.demand.state import DemandState


def refund(
    state: DemandState, rng: np.random.Generator, day: dt.date, lines: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Draw which of today's packages are refunded (today, or scheduled for a later day)
    and refund what falls due today. Returns the refund rows, the refunded lines (with
    their store coupon and allowance amount, for returns) and today's same-day refunds."""
    end = end_of(day)
    packages = lines.group_by("package_id").agg(pl.col("pay_time").first()).sort("package_id")
    draw = rng.random(packages.height)
    later_days = pl.Series(rng.integers(*RATES.refund_later_days, packages.height))
    packages = packages.with_columns(
        _refund=pl.Series(draw < RATES.refund), _same=pl.Series(draw < RATES.refund_same_day), _later=later_days
    )
    scheduled = packages.filter(pl.col("_refund") & ~pl.col("_same")).select(
        "package_id", (pl.lit(day) + pl.duration(days=pl.col("_later"))).cast(pl.Date).alias("refund_day")
    )
    same = packages.filter("_same")
    lag = rng.integers(*RATES.same_day_refund_lag_s, same.height) * US
    same_day = same.select(
        "package_id",
        pl.min_horizontal(
            pl.col("pay_time") + pl.duration(microseconds=pl.Series(lag)),
            pl.lit(end - dt.timedelta(seconds=1)),
        ).alias("refund_time"),
    )
    refundable = lines.select(
        "order_id", "package_id", "goods_id", "user_id", "seller_id", "paid_amt", "pay_time",
        "store_coupon_id", "allowance_amt",
    )
    paid = state.paid_lines
    paid = pl.concat(
        [paid, refundable.join(scheduled, on="package_id").select(paid.columns)], how="vertical_relaxed"
    )
    due = paid.filter(pl.col("refund_day") == day)
    state.paid_lines = paid.filter(pl.col("refund_day") > day)
    due_packages = due.select("package_id").unique().sort("package_id")
    low, high = RATES.later_refund_hours
    due_times = due_packages.with_columns(
        refund_time=pl.lit(dt.datetime.combine(day, dt.time())) + pl.duration(
            microseconds=pl.Series(rng.integers(low * 3600, high * 3600, due_packages.height) * US)
        )
    )
    refunded = pl.concat([
        refundable.join(same_day, on="package_id"),
        due.drop("refund_day").join(due_times, on="package_id"),
    ], how="diagonal_relaxed").sort("package_id", "goods_id")
    refunds = refunded.select(
        pl.format("r{}", pl.concat_str("package_id", pl.col("goods_id").cast(pl.String), separator="-")).alias("refund_id"),
        "order_id", "package_id", "goods_id", "user_id", "seller_id",
        pl.col("paid_amt").alias("refund_amt"), "pay_time", "refund_time",
    )
    return refunds, refunded, same_day

"""Moments of a simulated day (naive Asia/Shanghai wall clock, microseconds)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from marketing_assets.sim.config.rates import RATES

US = 1_000_000


def times(rng: np.random.Generator, day: dt.date, n: int) -> pl.Series:
    """``n`` datetimes within ``day``, shaped like e-commerce traffic (``RATES.hour_weights``)."""
    hour = rng.choice(24, n, p=RATES.hour_p)
    micros = (hour.astype(np.int64) * 3600 + rng.integers(0, 3600, n)) * US
    base = np.datetime64(day.isoformat(), "us")
    return pl.Series(base + micros.astype("timedelta64[us]"), dtype=pl.Datetime("us"))


def end_of(day: dt.date) -> dt.datetime:
    """Midnight after ``day``."""
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(days=1)


def last_second(day: dt.date) -> dt.datetime:
    """23:59:59 of ``day``: the latest a change of the day is stamped."""
    return end_of(day) - dt.timedelta(seconds=1)

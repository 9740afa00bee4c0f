"""The metric definitions of the catalog's Metrics section, each written once.

Ratios are null (not infinite, not zero) when the denominator is zero. Money stays integer
fen; an average of money is rounded half up to the fen.
"""

import datetime as dt

import polars as pl

#: look-back windows of the ``_nd_di`` tables, in days, ending on ``dt``
STAT_PERIODS = (1, 7, 30)
#: the longest look-back of the warehouse: the 600-day claim tables
LOOKBACK_DAYS = 600


def ratio(numerator: str | pl.Expr, denominator: str | pl.Expr) -> pl.Expr:
    """``numerator / denominator`` as Float64, null when the denominator is 0 or null."""
    num = pl.col(numerator) if isinstance(numerator, str) else numerator
    den = pl.col(denominator) if isinstance(denominator, str) else denominator
    return pl.when(den > 0).then(num.cast(pl.Float64) / den.cast(pl.Float64)).otherwise(None)


def average_fen(amount: str | pl.Expr, count: str | pl.Expr) -> pl.Expr:
    """``amount / count`` in integer fen, rounded half up; null when ``count`` is 0."""
    a = pl.col(amount) if isinstance(amount, str) else amount
    n = pl.col(count) if isinstance(count, str) else count
    return (
        pl.when(n > 0)
        .then((2 * a.cast(pl.Int64) + n.cast(pl.Int64)) // (2 * n.cast(pl.Int64)))
        .otherwise(None)
    )


def roi() -> pl.Expr:
    """ROI = pay_amt / cost (the discount the tool cost)."""
    return ratio("pay_amt", "discount_amt").alias("roi")


def aov() -> pl.Expr:
    """AOV 客单价 = pay_amt / buyers (fen)."""
    return average_fen("pay_amt", "use_user_cnt").alias("aov")


def in_period(column: str, day: dt.date, period: int) -> pl.Expr:
    """``column`` (a date) falls in the ``period`` days ending on ``day``."""
    return pl.col(column).is_between(day - dt.timedelta(days=period - 1), day)

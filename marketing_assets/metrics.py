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


# ---- use facts (coupon and promotion): one definition of "used" and of seller results ----
def drop_same_day_refunds(uses: pl.DataFrame, refunds: pl.DataFrame) -> pl.DataFrame:
    """``uses`` (lines with ``pay_date``) with ``refund_time``, the line's first refund known
    (null: none); a line refunded on its pay day was never paid nor used and is dropped."""
    refund = refunds.group_by("package_id", "goods_id").agg(pl.col("refund_time").min())
    return uses.join(refund, on=["package_id", "goods_id"], how="left", maintain_order="left").filter(
        pl.col("refund_time").is_null() | (pl.col("refund_time").dt.date() > pl.col("pay_date"))
    )


def seller_use_metrics(
    day: dt.date, uses: pl.DataFrame, first_orders: pl.DataFrame, keys: list[str], period: int
) -> pl.DataFrame:
    """Use metrics per ``keys`` over the ``period`` days ending ``day``, from a use fact as
    known on ``day`` (by pay day, net of refunds known): use_cnt, use_user_cnt,
    discount_amt and its split by bearer, pay_amt and pay_goods_cnt of the distinct lines,
    new_buyer_cnt (buyers whose first paid package in the store, per ``first_orders``:
    user_id, seller_id, first_pay_date, first_package_id, is among the uses)."""
    used = uses.filter(~pl.col("is_refunded") & in_period("pay_date", day, period))
    use = used.group_by(keys).agg(
        use_cnt=pl.col("use_key").n_unique(),
        use_user_cnt=pl.col("user_id").n_unique(),
        discount_amt=pl.col("discount_amt").sum(),
        merchant_cost_amt=pl.col("discount_amt").filter(pl.col("bearer") == "merchant").sum(),
        platform_cost_amt=pl.col("discount_amt").filter(pl.col("bearer") == "platform").sum(),
    )
    lines = used.unique([*keys, "package_id", "goods_id"]).group_by(keys).agg(
        pay_amt=pl.col("line_paid_amt").sum(), pay_goods_cnt=pl.col("quantity").sum()
    )
    new = (
        first_orders.filter(in_period("first_pay_date", day, period))
        .select("user_id", "seller_id", pl.col("first_package_id").alias("package_id"))
        .join(used, on=["user_id", "seller_id", "package_id"], how="inner")
        .group_by(keys)
        .agg(new_buyer_cnt=pl.col("user_id").n_unique())
    )
    # lines and new buyers come from the same uses: every key of theirs is a key of ``use``
    return use.join(lines, on=keys, how="left", nulls_equal=True).join(
        new, on=keys, how="left", nulls_equal=True
    )


def use_fact_headline(frame: pl.DataFrame) -> dict:
    """Headline of a use fact's day: uses and discount of the lines paid on dt."""
    live = frame.filter(~pl.col("is_refunded") & (pl.col("pay_date") == pl.col("dt")))
    return {
        "uses_paid_on_dt": live["use_key"].n_unique(),
        "discount_amt_paid_on_dt_fen": int(live["discount_amt"].sum()),
    }

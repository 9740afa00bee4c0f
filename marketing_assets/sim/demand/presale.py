"""Presales: deposits paid in deposit windows, converted (final payment) or forfeited."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from marketing_assets.sim.config.rates import RATES
from marketing_assets.sim.demand.clock import US, end_of
from marketing_assets.sim.demand.state import DemandState


def new_deposits(state: DemandState, rng: np.random.Generator, day: dt.date, rows: pl.DataFrame) -> pl.DataFrame:
    """The day's deposits (the trade system's deposit rows); each is kept pending with the
    day it will be converted on, or none if it will be forfeited."""
    n = rows.height
    rows = rows.sort("pay_time", "user_id", "sku_id").with_columns(
        deposit_id=pl.format("d{}-{}", pl.lit(day.strftime("%Y%m%d")), pl.int_range(n).cast(pl.String).str.zfill(7)),
        deposit_amt=pl.col("deposit_amt") * pl.col("quantity"),
        deduction_amt=pl.col("deduction_amt") * pl.col("quantity"),
    )
    converts = pl.Series(rng.random(n) < RATES.deposit_conversion)
    offset = pl.Series(rng.integers(0, RATES.final_payment_days, n))
    final_day = (pl.col("final_start").dt.date() + pl.duration(days=offset)).clip(
        upper_bound=pl.col("final_end").dt.date()
    )
    kept = rows.with_columns(convert_day=pl.when(converts).then(final_day))
    state.deposits = pl.concat([state.deposits, kept.select(state.deposits.columns)], how="vertical_relaxed")
    return rows.select(
        "deposit_id", "user_id", "seller_id", "presale_activity_id", "sku_id", "goods_id",
        "quantity", "deposit_amt", "deduction_amt", "pay_time",
    )


def final_payments(state: DemandState, rng: np.random.Generator, day: dt.date) -> pl.DataFrame:
    """The order lines of the deposits converted today (before pricing); forfeited deposits
    whose final window has closed are dropped from the state."""
    pending = state.deposits
    due = pending.filter(pl.col("convert_day") == day).sort("deposit_id")
    state.deposits = pending.filter(
        (pl.col("convert_day") > day) | (pl.col("convert_day").is_null() & (pl.col("final_end") >= end_of(day)))
    )
    start = dt.datetime.combine(day, dt.time(RATES.final_payment_hour))
    span = rng.integers(0, RATES.final_payment_hours * 3600, due.height) * US
    return due.select(
        "user_id", "goods_id", "seller_id", "sku_id", "quantity",
        pl.col("presale_price").alias("unit_price"),
        (pl.lit(start) + pl.duration(microseconds=pl.Series(span))).alias("pay_time"),
        pl.col("pay_time").alias("order_time"),
        pl.col("deposit_id").alias("_order_key"),
        (pl.col("deposit_amt") // pl.col("quantity")).alias("deposit_amt"),
        (pl.col("deduction_amt") // pl.col("quantity")).alias("deduction_amt"),
        pl.lit(True).alias("is_presale"),
    )

"""The allowance centre: allowances granted, spent by orders, returned by refunds, expired.

Three binlog streams: ``allowance`` (every change of an allowance), ``allowance_record``
(one row per action: claim, use, return, expiry) and ``allowance_record_detail`` (how much
an action took from or gave to each allowance). An order's allowance amount is taken from
the buyer's allowances earliest expiry first; a refunded package gives its share back to
the allowances its order was paid with, unless they have expired.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from marketing_assets.sim import exports
from marketing_assets.sim.demand.clock import end_of, last_second
from marketing_assets.sim.demand.state import ALLOWANCE_COLUMNS, DemandState

RECORD_IDS = 7 * 10**8


def grant(state: DemandState, day: dt.date, claims: pl.DataFrame, live) -> pl.DataFrame:
    """The allowances the day's claims of live templates become (added to the state), with
    the execution that offered each."""
    last = last_second(day)
    grants = (
        claims.with_columns(pl.min_horizontal("claim_time", pl.lit(last)).alias("claim_time"))
        .join(live.allowance_templates, on="allowance_template_id", how="inner")
        .sort("claim_time", "user_id", "allowance_template_id", "execution_id")
    )
    grants = grants.with_columns(
        allowance_id=pl.Series(state.next_ids("allowance", grants.height, 5 * 10**8), dtype=pl.Int64),
    )
    rows = grants.select(
        "allowance_id", "user_id", "allowance_template_id", "channel_type", "amount",
        pl.col("amount").alias("balance"), pl.lit(1, pl.Int32).alias("status"), "claim_time",
        (pl.col("claim_time") + pl.duration(days=pl.col("valid_days"))).alias("expire_time"),
        pl.col("claim_time").alias("update_time"), "step_threshold", "step_discount",
    )
    state.allowances = pl.concat([state.allowances, rows])
    return rows.with_columns(grants["execution_id"])


def balances(state: DemandState, day: dt.date, buyers: pl.DataFrame) -> pl.DataFrame:
    """Per buyer the usable balance and the step rule of the allowance expiring first, as
    the pricing engine takes them."""
    usable = state.allowances.filter(
        (pl.col("status") == 1) & (pl.col("balance") > 0) & (pl.col("expire_time") > end_of(day))
    ).join(buyers, on="user_id")
    return usable.sort("expire_time", "allowance_id").group_by("user_id").agg(
        pl.col("balance").sum(), pl.col("step_threshold").first(), pl.col("step_discount").first()
    )


def settle(
    state: DemandState, day: dt.date, lines: pl.DataFrame, refunded: pl.DataFrame, grants: pl.DataFrame
) -> dict[str, pl.DataFrame]:
    """Claims, uses, returns and expiries of the day on the allowances; the three binlog
    streams by table."""
    end = end_of(day)
    records, details, changed = [], [], []
    # claims
    claim_ids = pl.Series(state.next_ids("allowance_record", grants.height, RECORD_IDS), dtype=pl.Int64)
    claims = grants.with_columns(record_id=claim_ids)
    records.append(claims.select("record_id", "user_id", pl.lit("claim").alias("record_type"), "amount",
                                 pl.lit(None, pl.String).alias("order_id"), pl.col("claim_time").alias("create_time")))
    details.append(claims.select("record_id", "allowance_id", "amount", pl.col("claim_time").alias("create_time")))
    # uses: each order's allowance amount taken from the user's allowances, earliest expiry first
    orders = lines.filter(pl.col("allowance_amt") > 0).group_by("order_id", "user_id").agg(
        pl.col("allowance_amt").sum().alias("amount"), pl.col("pay_time").min()
    ).sort("user_id", "order_id")
    orders = orders.with_columns(_hi=pl.col("amount").cum_sum().over("user_id")).with_columns(
        _lo=pl.col("_hi") - pl.col("amount")
    )
    usable = state.allowances.filter(
        (pl.col("status") == 1) & (pl.col("balance") > 0) & (pl.col("expire_time") > end)
    ).sort("user_id", "expire_time", "allowance_id")
    usable = usable.with_columns(_ahi=pl.col("balance").cum_sum().over("user_id")).with_columns(
        _alo=pl.col("_ahi") - pl.col("balance")
    )
    use_ids = pl.Series(state.next_ids("allowance_record", orders.height, RECORD_IDS), dtype=pl.Int64)
    orders = orders.with_columns(record_id=use_ids)
    overlap = orders.join(usable.select("user_id", "allowance_id", "_alo", "_ahi"), on="user_id").with_columns(
        taken=(pl.min_horizontal("_hi", "_ahi") - pl.max_horizontal("_lo", "_alo")).clip(lower_bound=0)
    ).filter(pl.col("taken") > 0)
    records.append(orders.select("record_id", "user_id", pl.lit("use").alias("record_type"), "amount",
                                 "order_id", pl.col("pay_time").alias("create_time")))
    details.append(overlap.select("record_id", "allowance_id", pl.col("taken").alias("amount"),
                                  pl.col("pay_time").alias("create_time")))
    taken = overlap.group_by("allowance_id").agg(pl.col("taken").sum(), pl.col("pay_time").max().alias("_at"))
    changed.append(_change(state, taken, sign=-1))
    # returns of refunded packages: back to the allowances their order was paid with
    # (their share of the order, in allowance order), unless those have expired
    state.allowance_uses = pl.concat([state.allowance_uses, overlap.select("order_id", "allowance_id", "taken")])
    back = refunded.filter(pl.col("allowance_amt") > 0).group_by("order_id", "package_id", "user_id").agg(
        pl.col("allowance_amt").sum().alias("amount"), pl.col("refund_time").min()
    ).sort("order_id", "package_id")
    back = back.with_columns(_hi=pl.col("amount").cum_sum().over("order_id")).with_columns(
        _lo=pl.col("_hi") - pl.col("amount")
    )
    paid_with = state.allowance_uses.join(back.select("order_id").unique(), on="order_id").sort(
        "order_id", "allowance_id"
    ).with_columns(_ahi=pl.col("taken").cum_sum().over("order_id")).with_columns(
        _alo=pl.col("_ahi") - pl.col("taken")
    )
    alive = state.allowances.filter(pl.col("expire_time") > end).select("allowance_id")
    shares = back.join(paid_with.select("order_id", "allowance_id", "_alo", "_ahi"), on="order_id").with_columns(
        amount=(pl.min_horizontal("_hi", "_ahi") - pl.max_horizontal("_lo", "_alo")).clip(lower_bound=0)
    ).filter(pl.col("amount") > 0).join(alive, on="allowance_id", how="semi")
    returns = shares.group_by("order_id", "package_id", "user_id").agg(
        pl.col("amount").sum(), pl.col("refund_time").min()
    ).sort("order_id", "package_id")
    returns = returns.with_columns(
        record_id=pl.Series(state.next_ids("allowance_record", returns.height, RECORD_IDS), dtype=pl.Int64)
    )
    records.append(returns.select("record_id", "user_id", pl.lit("return").alias("record_type"), "amount",
                                  "order_id", pl.col("refund_time").alias("create_time")))
    shares = shares.join(returns.select("order_id", "package_id", "record_id"), on=["order_id", "package_id"])
    details.append(shares.select("record_id", "allowance_id", "amount", pl.col("refund_time").alias("create_time")))
    given = shares.group_by("allowance_id").agg(pl.col("amount").sum().alias("taken"), pl.col("refund_time").max().alias("_at"))
    changed.append(_change(state, given, sign=1))
    # expiry of what is left
    expiring = state.allowances.filter((pl.col("status") == 1) & (pl.col("expire_time") < end))
    expiring = expiring.with_columns(
        record_id=pl.Series(state.next_ids("allowance_record", expiring.height, RECORD_IDS), dtype=pl.Int64)
    )
    records.append(expiring.select("record_id", "user_id", pl.lit("expire").alias("record_type"),
                                   pl.col("balance").alias("amount"), pl.lit(None, pl.String).alias("order_id"),
                                   pl.col("expire_time").alias("create_time")))
    details.append(expiring.select("record_id", "allowance_id", pl.col("balance").alias("amount"),
                                   pl.col("expire_time").alias("create_time")))
    changed.append(_change(
        state,
        expiring.select("allowance_id", pl.col("balance").alias("taken"), pl.col("expire_time").alias("_at")),
        sign=-1, status=3,
    ))
    new = grants.select(ALLOWANCE_COLUMNS).with_columns(op=pl.lit("c"), event_time=pl.col("claim_time"))
    allowance_events = (
        pl.concat([new, *changed])
        .sort("event_time", "allowance_id", "op", "balance", maintain_order=True)
        .drop("step_threshold", "step_discount")  # the template's rule, not a column here
    )
    rec = pl.concat(records).sort("create_time", "record_id")
    det = pl.concat(details).sort("create_time", "record_id", "allowance_id")
    return {
        exports.ALLOWANCES: allowance_events,
        exports.ALLOWANCE_RECORDS: rec.with_columns(op=pl.lit("c"), event_time=pl.col("create_time")),
        exports.ALLOWANCE_RECORD_DETAILS: det.with_columns(op=pl.lit("c"), event_time=pl.col("create_time")),
    }


def _change(state: DemandState, changes: pl.DataFrame, *, sign: int, status: int | None = None) -> pl.DataFrame:
    """Add ``sign`` × ``taken`` to the balances changed at ``_at``; return the events."""
    joined = state.allowances.join(changes, on="allowance_id", how="left", maintain_order="left")
    hit = pl.col("_at").is_not_null()
    balance = (pl.col("balance") + sign * pl.col("taken")).clip(lower_bound=0)
    new_status = (
        pl.lit(status, pl.Int32) if status is not None
        else pl.when(balance == 0).then(pl.lit(2, pl.Int32)).otherwise(pl.lit(1, pl.Int32))
    )
    updated = joined.with_columns(
        balance=pl.when(hit).then(balance).otherwise("balance"),
        status=pl.when(hit).then(new_status).otherwise("status"),
        update_time=pl.when(hit).then("_at").otherwise("update_time"),
    )
    state.allowances = updated.select(ALLOWANCE_COLUMNS)
    return updated.filter(hit).select(ALLOWANCE_COLUMNS).with_columns(
        op=pl.lit("u"), event_time=pl.col("update_time")
    )

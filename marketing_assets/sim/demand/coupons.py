"""The coupon centre: organic claims, claimed coupons and every change of them.

A claim (from the growth platform, a task or a page) becomes a coupon of a live template;
the coupon is used by an order, returned by the refund of its package while still valid,
or expires. Each change is a binlog event of the ``coupon`` table; the coupons changed on a
day are also that day's export of the Mongo read copy.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from marketing_assets.sim.config.rates import RATES
from marketing_assets.sim.demand.clock import end_of, last_second
from marketing_assets.sim.demand.state import COUPON_COLUMNS, DemandState


def organic_claims(rng: np.random.Generator, visits: pl.DataFrame, live) -> pl.DataFrame:
    """Store coupons claimed from the pages users visit (live room, shop page, cart, fans):
    per visit one of the seller's claimable coupons of the page's channel, claimed or not;
    a user claims a template once."""
    channel = pl.col("page").replace_strict(dict(RATES.organic_channels), default=None)
    candidates = (
        visits.with_columns(claim_channel=channel)
        .drop_nulls("claim_channel")
        .join(
            live.coupon_templates.filter(~pl.col("is_auto") & (pl.col("coupon_type") == 4)).select(
                "seller_id", "claim_channel", "coupon_template_id"
            ),
            on=["seller_id", "claim_channel"],
        )
        .sort("user_id", "goods_id", "page", "coupon_template_id")
    )
    candidates = candidates.with_columns(_r=pl.Series(rng.random(candidates.height)))
    picked = candidates.filter(pl.col("_r") == pl.col("_r").min().over("user_id", "goods_id", "page"))
    picked = picked.with_columns(_claim=pl.Series(rng.random(picked.height) < RATES.organic_claim)).filter("_claim")
    return (
        picked.select(
            "user_id", "coupon_template_id", "claim_channel",
            (pl.col("first_visit_time") + pl.duration(seconds=RATES.organic_claim_delay_s)).alias("claim_time"),
        )
        .sort("claim_time", "user_id", "coupon_template_id")
        .unique(["user_id", "coupon_template_id"], keep="first", maintain_order=True)
    )


def issue(state: DemandState, day: dt.date, claims: pl.DataFrame, live) -> pl.DataFrame:
    """The coupons the day's claims of live templates become (added to the state), with the
    execution that offered each (null for tasks and pages)."""
    last = last_second(day)
    templates = live.coupon_templates.select(
        "coupon_template_id", "coupon_type", "limit_type", "seller_id", "threshold",
        "discount", "validity_type", "valid_start", "valid_end", "valid_days",
    )
    if "execution_id" not in claims.columns:
        claims = claims.with_columns(execution_id=pl.lit(None, pl.Int64))
    new = (
        claims.with_columns(pl.min_horizontal("claim_time", pl.lit(last)).alias("claim_time"))
        .join(templates, on="coupon_template_id", how="inner")
        .sort("claim_time", "user_id", "coupon_template_id", "claim_channel", "execution_id")
    )
    ids = state.next_ids("coupon", new.height, 10**9)
    fixed = pl.col("validity_type") == 1
    new = new.with_columns(
        coupon_id=pl.Series(ids, dtype=pl.Int64),
        valid_start_time=pl.when(fixed).then("valid_start").otherwise("claim_time"),
        valid_end_time=pl.when(fixed)
        .then("valid_end")
        .otherwise(pl.col("claim_time") + pl.duration(days=pl.col("valid_days"))),
    ).filter(pl.col("valid_end_time") > pl.col("claim_time"))
    coupons = new.select(
        "coupon_id", "coupon_template_id", "user_id", "seller_id", "claim_channel",
        pl.lit(1, pl.Int32).alias("status"), "claim_time", "valid_start_time",
        "valid_end_time", pl.lit(None, pl.Datetime("us")).alias("use_time"),
        pl.lit(None, pl.String).alias("package_id"),
        pl.col("threshold").alias("threshold_amount"),
        pl.col("discount").alias("discount_amount"),
        pl.col("claim_time").alias("update_time"), pl.col("claim_time").alias("create_time"),
        "coupon_type", "limit_type",
    )
    state.coupons = pl.concat([state.coupons, coupons])
    return coupons.with_columns(new["execution_id"])


def held(state: DemandState, buyers: pl.DataFrame) -> pl.DataFrame:
    """The unused coupons of ``buyers``, as the pricing engine takes them."""
    return state.coupons.filter(pl.col("status") == 1).join(buyers, on="user_id").select(
        "coupon_id", "coupon_template_id", "user_id", "coupon_type", "limit_type", "seller_id",
        pl.col("threshold_amount").alias("threshold"), pl.col("discount_amount").alias("discount"),
        pl.max_horizontal("valid_start_time", "claim_time").alias("valid_start"),
        pl.col("valid_end_time").alias("valid_end"),
    )


def claim_events(new: pl.DataFrame) -> pl.DataFrame:
    """The insert events of newly claimed coupons."""
    return new.select(COUPON_COLUMNS).with_columns(op=pl.lit("c"), event_time=pl.col("claim_time"))


def use(state: DemandState, coupon_uses: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """Mark the coupons the priced orders used (at the package's payment); their events."""
    used = coupon_uses.group_by("coupon_id").agg(
        pl.col("package_id").min(), pl.col("order_id").first()
    ).join(lines.select("package_id", "pay_time").unique("package_id"), on="package_id")
    return _update(state, used, status=2, at="pay_time", package=True)


def return_and_expire(state: DemandState, day: dt.date, refunded: pl.DataFrame) -> list[pl.DataFrame]:
    """Refunds return the store coupon of their package while it is valid; unused coupons
    past their validity expire at its end. The events of both."""
    returned = refunded.filter(pl.col("store_coupon_id").is_not_null()).group_by("store_coupon_id").agg(
        pl.col("refund_time").min()
    ).rename({"store_coupon_id": "coupon_id"})
    returned = returned.join(
        state.coupons.select("coupon_id", "valid_end_time", "status"), on="coupon_id"
    ).filter((pl.col("status") == 2) & (pl.col("valid_end_time") > pl.col("refund_time")))
    events = [_update(state, returned, status=1, at="refund_time", package=False)]
    expiring = state.coupons.filter(
        (pl.col("status") == 1) & (pl.col("valid_end_time") < end_of(day))
    ).select("coupon_id", "valid_end_time")
    events.append(_update(state, expiring, status=3, at="valid_end_time", package=False))
    return events


def exports_of_day(state: DemandState, events: list[pl.DataFrame]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The day's binlog events of the ``coupon`` table and the Mongo copy's export (the
    coupons changed that day, as they are at its end)."""
    # a tie in time keeps the order the changes happened in (a use before its return by a
    # refund in the same second): binlog readers apply events by time, then file order
    binlog = pl.concat(events).sort("event_time", "coupon_id", maintain_order=True)
    touched = binlog.select("coupon_id").unique()
    mongo = state.coupons.join(touched, on="coupon_id").sort("coupon_id")
    return (
        binlog.drop("coupon_type", "limit_type"),
        mongo.drop("coupon_type", "limit_type", "create_time"),
    )


def _update(state: DemandState, changes: pl.DataFrame, *, status: int, at: str, package: bool) -> pl.DataFrame:
    """Apply one kind of change to the coupons; return its binlog events."""
    when = pl.col(at)
    changes = changes.select("coupon_id", when.alias("_at"), *(["package_id"] if package else []))
    coupons = state.coupons.join(changes, on="coupon_id", how="left", maintain_order="left")
    hit = pl.col("_at").is_not_null()
    updated = coupons.with_columns(
        status=pl.when(hit).then(pl.lit(status, pl.Int32)).otherwise("status"),
        update_time=pl.when(hit).then("_at").otherwise("update_time"),
        use_time=pl.when(hit).then(pl.col("_at") if status == 2 else pl.lit(None, pl.Datetime("us"))).otherwise("use_time")
        if status in (1, 2) else pl.col("use_time"),
        package_id=pl.when(hit).then(pl.col("package_id_right") if package else pl.lit(None, pl.String)).otherwise("package_id")
        if status in (1, 2) else pl.col("package_id"),
    )
    events = updated.filter(hit).select(COUPON_COLUMNS).with_columns(
        op=pl.lit("u"), event_time=pl.col("update_time")
    )
    state.coupons = updated.select(COUPON_COLUMNS)
    return events

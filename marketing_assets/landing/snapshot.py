"""Full snapshots from binlog change events (pure polars).

The snapshot of ``dt`` = the snapshot of ``dt − 1`` with the events landed on ``dt``
applied, or, when that snapshot is not stored (first day, pruned), all events landed up
to ``dt`` applied to nothing. Events are applied in landing order — landing day, then
``ts_ms``, then file and line — so both paths give the same table: for every key the
last event in that order wins, a delete removes the row. A late event (an old ``ts_ms``
landing today) is applied when it lands, as a replica would, and stays flagged
``is_late`` in the events table.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from marketing_assets.landing.spec import OdsSpec

EVENT_ORDER = ["dt", "event_time", "_src_file", "_src_line"]


def apply_events(
    spec: OdsSpec, base: pl.DataFrame | None, events: pl.DataFrame, day: dt.date
) -> pl.DataFrame:
    """The snapshot as of the end of ``day``: ``base`` (a snapshot or None) + ``events``."""
    schema = spec.snapshot_schema()
    columns = list(schema.columns)
    business = list(spec.business_columns)
    key = list(spec.key)
    last = events.sort(EVENT_ORDER).group_by(key, maintain_order=True).last()
    upserts = last.filter(pl.col("op") != "d").select(
        *business, pl.col("event_time").alias("last_event_time")
    )
    parts = [upserts.with_columns(dt=pl.lit(day, pl.Date))]
    if base is not None:
        kept = base.join(last.select(key), on=key, how="anti")
        parts.insert(0, kept.with_columns(dt=pl.lit(day, pl.Date)))
    snapshot = pl.concat([p.select(columns) for p in parts], how="vertical_relaxed")
    return schema.validate(snapshot.sort(key))


def snapshots_for_days(
    spec: OdsSpec,
    base: pl.DataFrame | None,
    events: pl.DataFrame,
    days: list[dt.date],
) -> pl.DataFrame:
    """Snapshots of consecutive ``days``; ``events`` holds every event not yet in ``base``
    (landed up to the last day; those before the first day are applied to the first)."""
    frames = []
    pending = events.filter(pl.col("dt") < days[0])
    for day in days:
        todays = pl.concat([pending, events.filter(pl.col("dt") == day)])
        base = apply_events(spec, base, todays, day)
        pending = events.clear()
        frames.append(base)
    return pl.concat(frames)

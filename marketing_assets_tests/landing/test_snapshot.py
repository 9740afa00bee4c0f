"""Binlog snapshots: previous snapshot + the day's events == all events up to the day."""

from __future__ import annotations

import datetime as dt

import polars as pl

from marketing_assets.landing.ingest import ingest_day
from marketing_assets.landing.snapshot import apply_events, snapshot_sql, snapshots_for_days
from marketing_assets_tests.landing.conftest import BINLOG, account, event, land

D1, D2, D3 = dt.date(2025, 6, 1), dt.date(2025, 6, 2), dt.date(2025, 6, 3)


def _ms(day: dt.date, hour: int) -> int:
    """Epoch ms of ``hour`` o'clock Shanghai time on ``day``."""
    return int(dt.datetime(day.year, day.month, day.day, hour - 8, tzinfo=dt.UTC).timestamp() * 1000)


M = 1748736000000  # `modified` of every row image: 2025-06-01 00:00 wall clock


def _land_three_days(root):
    land(root, BINLOG, D1, "\n".join([
        event("c", _ms(D1, 9), None, account(1, 500, M)),
        event("c", _ms(D1, 10), None, account(2, 700, M)),
    ]) + "\n")
    land(root, BINLOG, D2, "\n".join([
        event("u", _ms(D2, 9), account(1, 500, M), account(1, 450, M)),
        event("d", _ms(D2, 11), account(2, 700, M), None),
        event("c", _ms(D2, 12), None, account(3, 300, M)),
    ]) + "\n")
    land(root, BINLOG, D3, "\n".join([
        event("u", _ms(D2, 23), account(3, 300, M), account(3, 250, M)),  # late
        event("c", _ms(D3, 8), None, account(2, 100, M)),  # re-created after the delete
    ]) + "\n")
    return pl.concat([ingest_day(BINLOG, root, d).frame for d in (D1, D2, D3)])


def _balances(snapshot: pl.DataFrame, day: dt.date) -> dict[int, int]:
    rows = snapshot.filter(pl.col("dt") == day).select("account_id", "balance").rows()
    return dict(rows)


def test_snapshots_of_three_days_by_hand(root):
    events = _land_three_days(root)
    snaps = snapshots_for_days(BINLOG, None, events, [D1, D2, D3])
    assert _balances(snaps, D1) == {1: 500, 2: 700}
    assert _balances(snaps, D2) == {1: 450, 3: 300}
    assert _balances(snaps, D3) == {1: 450, 2: 100, 3: 250}
    d3 = snaps.filter(pl.col("dt") == D3).sort("account_id")
    assert d3["last_event_time"].to_list() == [
        dt.datetime(2025, 6, 2, 9),
        dt.datetime(2025, 6, 3, 8),
        dt.datetime(2025, 6, 2, 23),
    ]
    assert events.filter(pl.col("dt") == D3)["is_late"].to_list() == [True, False]


def test_previous_snapshot_path_equals_all_events_path(root):
    events = _land_three_days(root)
    from_all = snapshots_for_days(BINLOG, None, events, [D3])
    base_d2 = snapshots_for_days(BINLOG, None, events.filter(pl.col("dt") <= D2), [D2])
    incremental = apply_events(BINLOG, base_d2, events.filter(pl.col("dt") == D3), D3)
    assert incremental.equals(from_all)
    assert from_all.height == 3


def test_a_range_equals_day_by_day(root):
    events = _land_three_days(root)
    ranged = snapshots_for_days(BINLOG, None, events, [D2, D3])
    base = None
    days = []
    for day in (D1, D2, D3):
        base = apply_events(BINLOG, base, events.filter(pl.col("dt") == day), day)
        days.append(base)
    assert ranged.equals(pl.concat(days[1:]))


def test_the_sql_snapshot_equals_the_frames_from_either_base(root):
    """``snapshot_sql`` (what the asset runs) gives the rows ``snapshots_for_days`` gives:
    from the stored snapshot of the day before, and from all events before the day."""
    import duckdb

    events = _land_three_days(root)
    frames = snapshots_for_days(BINLOG, None, events, [D1, D2, D3])
    con = duckdb.connect()
    con.register("ev", events)
    con.register("snap", frames.filter(pl.col("dt") <= D2))
    columns = frames.columns
    for day in (D2, D3):
        expected = frames.filter(pl.col("dt") == day)
        for base in ("table", "events"):
            got = con.sql(snapshot_sql(BINLOG, "ev", "snap", day, base)).pl()
            assert got.select(columns).cast(dict(expected.schema)).equals(expected), (day, base)
    assert _balances(con.sql(snapshot_sql(BINLOG, "ev", "snap", D3, "events")).pl(), D3) == {
        1: 450, 2: 100, 3: 250
    }

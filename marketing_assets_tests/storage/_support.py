"""Shared bits of the storage tests: both managers, tiny assets, reading the file back."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
from dagster import AssetIn, BackfillPolicy, asset
from dagster_duckdb_polars import DuckDBPolarsIOManager

from marketing_assets.partitions import DAILY
from marketing_assets.storage import WarehouseIOManager

D1, D2, D3, D4 = (dt.date(2025, 6, day) for day in (1, 2, 3, 4))
KEY = ["mkt", "clicks"]  # schema mkt, table clicks
MANAGERS = ["stock", "ours"]


def manager(kind: str, db: Path):
    if kind == "stock":
        return DuckDBPolarsIOManager(database=str(db))
    return WarehouseIOManager(database=str(db))


def daily_asset(make: Callable, key=KEY):
    """A daily asset whose output is ``make(context)``: a hand-made frame."""

    @asset(
        key=key,
        partitions_def=DAILY,
        metadata={"partition_expr": "dt"},
        backfill_policy=BackfillPolicy.single_run(),
    )
    def _asset(context) -> pl.DataFrame:
        return make(context)

    return _asset


def reader_asset(seen: dict, upstream=KEY):
    """A daily asset that loads ``upstream`` for its partition and keeps what it got."""

    @asset(
        key=["mkt", "reader"],
        partitions_def=DAILY,
        ins={"up": AssetIn(key=upstream)},
        metadata={"partition_expr": "dt"},
        backfill_policy=BackfillPolicy.single_run(),
    )
    def _reader(up: pl.DataFrame) -> pl.DataFrame:
        seen["up"] = up
        return up

    return _reader


def query(db: Path, sql: str) -> pl.DataFrame:
    """Read the file back directly (not through the code under test)."""
    # A stock write that failed leaks its connection (trap 5) until garbage-collected, and
    # DuckDB refuses a second connection with another config while it is open.
    gc.collect()
    conn = duckdb.connect(str(db))
    try:
        return conn.sql(sql).pl()
    finally:
        conn.close()


def failures(result) -> list[tuple[str, str]]:
    """(exception class, message) of every failed step, following causes and contexts."""
    found = []
    for event in result.get_step_failure_events():
        pending = [event.step_failure_data.error]
        while pending:
            error = pending.pop()
            if error is None:
                continue
            found.append((error.cls_name, error.message))
            pending += [error.cause, error.context]
    return found


def failed_with(result, cls_name: str, text: str) -> bool:
    return any(name == cls_name and text in message for name, message in failures(result))


def materializations(result, key=KEY) -> list:
    """The AssetMaterializations of ``key`` in a run, one per partition."""
    return [
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.asset_key.path == list(key)
    ]


def materialization(result, key=KEY):
    (only,) = materializations(result, key)
    return only

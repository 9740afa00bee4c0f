"""`WarehouseIOManager`: the dagster-duckdb I/O manager for polars, with its traps fixed.

Compared with the stock ``dagster_duckdb_polars.DuckDBPolarsIOManager`` (0.29.27):

* reads use ``connection.sql(query).pl()`` (an ``execute`` result has no ``.arrow()`` in
  duckdb 2.x); a missing table is a ``MissingTableError`` naming it;
* the frame is registered explicitly and inserted ``BY NAME``: column order is irrelevant, a
  new column is added to the table, a table column missing from the frame is an error;
* an empty frame still creates the table with the frame's schema and empties the slice;
* create, evolve, delete and insert run in one transaction: a failed write keeps old rows;
* an asset with ``bounded_retention`` metadata keeps ``config.snapshot_retention_days()``
  partitions ending on the last day written: older rows are deleted in the same
  transaction (never before the write) and the pruned partitions are wiped from the Dagster
  instance after the commit, so the UI does not show them as materialised;
* a range run reports its rows as ``range_rows``: ``dagster/row_count`` would go to every
  partition of the range, so per-day row counts come from the asset body;
* every connection is opened under ``warehouse_lock`` and closed in ``finally``.

``write_days`` is the same write for code that writes through the warehouse resource
rather than as a step's output (the derived layer writes each chunk of a range run in its
own transaction): the one place a later storage backend has to implement.

Time-window partitions slice the ``partition_expr`` column (a ``DATE``) with DATE literals
of the window in the partitions' own timezone, and every row written must lie inside the
window being written. Unpartitioned assets replace the whole table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import polars as pl
from dagster import (
    AssetKey,
    DagsterInstance,
    InputContext,
    OutputContext,
    TimeWindowPartitionsDefinition,
)
from dagster._core.definitions.partitions.utils import TimeWindow
from dagster._core.storage.db_io_manager import (
    DbIOManager,
    DbTypeHandler,
    TableSlice,
    TablePartitionDimension,
    static_where_clause,
)
from dagster_duckdb import DuckDBIOManager
from dagster_duckdb.io_manager import DuckDbClient
from pydantic import Field

from marketing_assets.config import snapshot_retention_days
from marketing_assets.storage.connection import resolve_database, warehouse_connection
from marketing_assets.storage.instance import wipe_partitions

FRAME = "_dagster_output"  # the name the output frame is registered under


class MissingTableError(LookupError):
    """An input's table does not exist: its upstream asset was never materialised."""


def _qualified(table_slice: TableSlice) -> str:
    return f"{table_slice.schema}.{table_slice.table}"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _window_dates(window: TimeWindow) -> tuple[dt.date, dt.date]:
    """First day and day after the last of a window (its datetimes are in the partitions' tz)."""
    start, end = window
    if start.time() != dt.time(0) or end.time() != dt.time(0):
        raise ValueError(f"Partition window {start} .. {end} does not fall on whole days")
    return start.date(), end.date()


def _where_clause(table_slice: TableSlice) -> str:
    clauses = []
    for dim in table_slice.partition_dimensions or ():
        if isinstance(dim.partitions, TimeWindow):
            start, end = _window_dates(dim.partitions)
            expr = dim.partition_expr
            clauses.append(f"{expr} >= DATE '{start}' AND {expr} < DATE '{end}'")
        else:
            clauses.append(static_where_clause(dim))
    return " AND ".join(clauses)


def _check_rows_inside_slice(obj: pl.DataFrame, table_slice: TableSlice) -> None:
    """Refuse rows outside the window being replaced: no later run would ever replace them."""
    for dim in table_slice.partition_dimensions or ():
        if not isinstance(dim.partitions, TimeWindow):
            continue
        start, end = _window_dates(dim.partitions)
        column = dim.partition_expr
        if obj.schema.get(column) != pl.Date:
            raise TypeError(
                f"Output for {_qualified(table_slice)} needs a pl.Date column {column!r} "
                f"(its partition_expr); got {obj.schema.get(column, 'no such column')}"
            )
        inside = pl.col(column).is_between(start, end, closed="left").fill_null(False)
        outside = obj.filter(~inside)[column].unique().sort(nulls_last=True)
        if len(outside):
            values = ", ".join(str(value) for value in outside.head(5))
            raise ValueError(
                f"Output for {_qualified(table_slice)} has {column} values {values} outside"
                f" the partition window [{start}, {end}) being written; rows outside the slice"
                " would never be replaced"
            )


def _add_new_columns(connection: duckdb.DuckDBPyConnection, table_slice: TableSlice) -> None:
    """Additive schema evolution: add the frame's new columns, refuse dropped ones."""
    table = _qualified(table_slice)
    table_columns = connection.sql(f"SELECT * FROM {table} LIMIT 0").columns
    frame = connection.sql(f"SELECT * FROM {FRAME}")
    frame_names = {name.lower() for name in frame.columns}
    missing = [name for name in table_columns if name.lower() not in frame_names]
    if missing:
        raise ValueError(
            f"Output for {table} lacks column(s) {missing} of the existing table; refusing to"
            " write NULLs there (produce the column(s), or migrate the table)"
        )
    known = {name.lower() for name in table_columns}
    for name, type_ in zip(frame.columns, frame.types):
        if name.lower() not in known:
            connection.execute(f"ALTER TABLE {table} ADD COLUMN {_quote(name)} {type_}")


@contextmanager
def _transaction(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    connection.execute("BEGIN")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def retention_cutoff(last: dt.date) -> dt.date:
    """The first day a bounded table keeps once ``last`` is written:
    ``config.snapshot_retention_days()`` partitions end on ``last``."""
    return last - dt.timedelta(days=snapshot_retention_days() - 1)


def _retention_cutoff(context: OutputContext, table_slice: TableSlice) -> tuple[str, dt.date] | None:
    """(partition column, first day kept) when the asset keeps a bounded number of daily
    partitions (metadata ``bounded_retention``); None otherwise."""
    if not context.definition_metadata.get("bounded_retention"):
        return None
    windows = [
        d for d in table_slice.partition_dimensions or () if isinstance(d.partitions, TimeWindow)
    ]
    if len(windows) != 1:
        raise ValueError(
            f"{_qualified(table_slice)} has bounded_retention but is not partitioned by one"
            " time window"
        )
    _, end = _window_dates(windows[0].partitions)
    return windows[0].partition_expr, retention_cutoff(end - dt.timedelta(days=1))


def _prune(connection: duckdb.DuckDBPyConnection, table: str, column: str, cutoff: dt.date) -> int:
    """Delete the rows of partitions before ``cutoff``; the number of rows deleted."""
    gone = connection.execute(
        f"SELECT count(*) FROM {table} WHERE {column} < ?", [cutoff]
    ).fetchall()[0][0]
    if gone:
        connection.execute(f"DELETE FROM {table} WHERE {column} < ?", [cutoff])
    return gone


def wipe_pruned_partitions(
    instance: DagsterInstance, asset_key: AssetKey, partitions_def: TimeWindowPartitionsDefinition,
    cutoff: dt.date,
) -> list[str]:
    """Wipe the asset's materialised partitions before ``cutoff`` from the instance (call it
    after the prune's commit, so the UI does not show pruned days as materialised)."""
    stale = sorted(
        key
        for key in instance.get_materialized_partitions(asset_key)
        if partitions_def.has_partition_key(key)
        and partitions_def.time_window_for_partition_key(key).start.date() < cutoff
    )
    if stale:
        wipe_partitions(instance, asset_key, stale)
    return stale


def wipe_pruned_after_run(
    instance: DagsterInstance, asset_graph, materialised: Mapping[AssetKey, Sequence[str]]
) -> dict[AssetKey, list[str]]:
    """After a run: wipe from the instance the partitions of bounded assets (metadata
    ``bounded_retention``) that fall before the retention of the last day the run wrote.

    A step prunes and wipes before Dagster stores its own materialisations, so a range
    longer than the retention (a 365-day backfill keeping 90 days) would otherwise leave the
    run's own early days shown as materialised while their rows are gone. ``materialised``:
    the partitions the run recorded, by asset (only assets whose write succeeded, so a failed
    step, which pruned nothing, loses nothing). Returns the wiped partitions by asset."""
    wiped = {}
    for key, partitions in materialised.items():
        days = [p for p in partitions if p]
        if not days or not asset_graph.has(key):
            continue
        node = asset_graph.get(key)
        partitions_def = node.partitions_def
        if not node.metadata.get("bounded_retention") or not isinstance(partitions_def, TimeWindowPartitionsDefinition):
            continue
        last = max(partitions_def.time_window_for_partition_key(p).start.date() for p in days)
        stale = wipe_pruned_partitions(instance, key, partitions_def, retention_cutoff(last))
        if stale:
            wiped[key] = stale
    return wiped


def _wipe_pruned_partitions(context: OutputContext, cutoff: dt.date) -> list[str]:
    return wipe_pruned_partitions(
        context.step_context.instance, context.asset_key, context.asset_partitions_def, cutoff
    )


def replace_slice(connection: duckdb.DuckDBPyConnection, table_slice: TableSlice) -> None:
    """Replace a partitioned slice by the frame registered as ``FRAME``, inside the caller's
    transaction: create the table if missing, add the frame's new columns, delete the
    slice's window, insert by name. The one write path of partitioned tables (the ODS
    assets use it to write their table and the quarantine in one transaction)."""
    table = _qualified(table_slice)
    connection.execute(f"CREATE SCHEMA IF NOT EXISTS {table_slice.schema}")
    connection.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM {FRAME} LIMIT 0")
    _add_new_columns(connection, table_slice)
    connection.execute(f"DELETE FROM {table} WHERE {_where_clause(table_slice)}")
    connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {FRAME}")


def day_slice(schema: str, table: str, first: dt.date, last: dt.date, column: str = "dt") -> TableSlice:
    """The slice of the daily partitions ``first`` .. ``last`` of ``schema.table``."""
    start = dt.datetime.combine(first, dt.time(0))
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0))
    return TableSlice(
        table=table, schema=schema,
        partition_dimensions=[TablePartitionDimension(column, TimeWindow(start, end))],
    )


def _write_slice(
    connection: duckdb.DuckDBPyConnection, table_slice: TableSlice, obj: pl.DataFrame,
    retention: tuple[str, dt.date] | None,
) -> int:
    """Write ``obj`` into ``table_slice`` in one transaction (replace a partitioned slice and
    prune before the retention's first day, or replace an unpartitioned table); the rows
    pruned. The frame is unregistered afterwards: a connection kept for a whole run must
    not keep the last frame alive."""
    table = _qualified(table_slice)
    pruned = 0
    connection.register(FRAME, obj)  # explicit: no replacement scan of a local variable
    try:
        with _transaction(connection):
            if table_slice.partition_dimensions:
                replace_slice(connection, table_slice)
                if retention is not None:
                    pruned = _prune(connection, table, *retention)
            else:
                connection.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {FRAME}")
    finally:
        connection.unregister(FRAME)
    return pruned


def write_days(
    connection: duckdb.DuckDBPyConnection, schema: str, table: str, frame: pl.DataFrame,
    first: dt.date, last: dt.date, *, bounded: bool = False,
) -> int:
    """Replace the daily partitions ``first`` .. ``last`` of ``schema.table`` (column
    ``dt``) by ``frame`` in ONE transaction, as the I/O manager writes an output: every row
    must lie in those days, the table is created or evolved by name, a failure keeps the
    old rows. ``bounded``: also delete the partitions before ``retention_cutoff(last)`` in
    that transaction. Returns the rows pruned; wiping the pruned partitions from the
    Dagster instance (``wipe_pruned_partitions``) is the caller's, after this returns."""
    if first > last:
        raise ValueError(f"{schema}.{table}: no day to write ({first} .. {last})")
    table_slice = day_slice(schema, table, first, last)
    _check_rows_inside_slice(frame, table_slice)
    retention = ("dt", retention_cutoff(last)) if bounded else None
    return _write_slice(connection, table_slice, frame, retention)


class PolarsWarehouseTypeHandler(DbTypeHandler[pl.DataFrame]):
    """Stores and loads ``polars.DataFrame`` (see the module docstring)."""

    supported_types = [pl.DataFrame]

    def handle_output(
        self, context: OutputContext, table_slice: TableSlice, obj: pl.DataFrame, connection
    ) -> Mapping[str, Any]:
        _check_rows_inside_slice(obj, table_slice)
        retention = _retention_cutoff(context, table_slice)
        pruned = _write_slice(connection, table_slice, obj, retention)
        metadata: dict[str, Any] = (
            {"range_rows": obj.height}
            if context.has_asset_partitions and len(context.asset_partition_keys) > 1
            else {"dagster/row_count": obj.height}
        )
        if retention is not None:
            wiped = _wipe_pruned_partitions(context, retention[1])
            metadata.update(
                rows_pruned=pruned,
                partitions_kept_days=snapshot_retention_days(),
                partitions_pruned=len(wiped),
            )
        return metadata

    def load_input(
        self, context: InputContext, table_slice: TableSlice, connection
    ) -> pl.DataFrame:
        exists = connection.sql(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema = ? AND table_name = ?",
            params=[table_slice.schema, table_slice.table],
        ).fetchall()[0][0]
        if not exists:
            upstream = context.upstream_output
            asset = upstream.asset_key.to_user_string() if upstream and upstream.has_asset_key else "?"
            keys = context.asset_partition_keys if context.has_asset_partitions else []
            window = f" (partitions {keys[0]} .. {keys[-1]})" if keys else ""
            raise MissingTableError(
                f"Table {_qualified(table_slice)} does not exist in {table_slice.database}: the"
                f" upstream asset {asset}{window} was never materialised"
            )
        if table_slice.partition_dimensions and not context.asset_partition_keys:
            # no upstream partition maps to this run: no rows, but the table's columns
            unsliced = table_slice._replace(partition_dimensions=[])
            return connection.sql(f"{WarehouseClient.get_select_statement(unsliced)} LIMIT 0").pl()
        return connection.sql(WarehouseClient.get_select_statement(table_slice)).pl()


class WarehouseClient(DuckDbClient):
    """Locked, always-closed connections; DATE-literal slices; deletes left to the handler."""

    def __init__(self, database: str, connection_config: Mapping[str, Any]):
        self.database = database
        self.connection_config = connection_config

    @contextmanager
    def connect(self, context, table_slice) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse_connection(self.database, config=self.connection_config) as conn:
            yield conn

    @staticmethod
    def delete_table_slice(context, table_slice, connection) -> None:
        """Nothing here: DbIOManager calls this before the type handler, outside its
        transaction; the handler deletes the slice inside it, once the table surely exists."""

    @staticmethod
    def get_select_statement(table_slice: TableSlice) -> str:
        columns = ", ".join(table_slice.columns) if table_slice.columns else "*"
        query = f"SELECT {columns} FROM {_qualified(table_slice)}"
        where = _where_clause(table_slice)
        return f"{query} WHERE {where}" if where else query

    @staticmethod
    def get_table_name(table_slice: TableSlice) -> str:
        return _qualified(table_slice)  # the name to query it by, not prefixed with the file path


class WarehouseIOManager(DuckDBIOManager):
    """Stores and loads polars frames in the DuckDB warehouse (schema = asset key prefix)."""

    database: str = Field(
        default="",
        description="Path of the DuckDB file; empty: marketing_assets.config.duckdb_path() at run time.",
    )

    @staticmethod
    def type_handlers() -> Sequence[DbTypeHandler]:
        return [PolarsWarehouseTypeHandler()]

    @staticmethod
    def default_load_type() -> type | None:
        return pl.DataFrame

    def create_io_manager(self, context) -> DbIOManager:
        database = resolve_database(self.database)
        return DbIOManager(
            db_client=WarehouseClient(database, self.connection_config),
            database=database,
            schema=self.schema_,
            type_handlers=self.type_handlers(),
            default_load_type=self.default_load_type(),
            io_manager_name="WarehouseIOManager",
        )

"""The warehouse's one write path (``replace_days``) and ``WarehouseIOManager``, the I/O
manager for polars frames built on it (public Dagster API only).

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

``replace_days`` is that write for code that writes through the warehouse resource rather
than as a step's output: a frame or a SQL query (the derived layer's SQL days, the landed
ODS tables staged in DuckDB, the interval facts), optionally judged before the commit and
inside a caller's ``transaction`` (several tables in one commit). ``write_days`` is its
frame form. Together with the I/O manager they are the one place a later storage backend
has to implement.

Time-window partitions slice the ``partition_expr`` column (a ``DATE``) with DATE literals
of the window in the partitions' own timezone, and every row written must lie inside the
window being written. Unpartitioned assets replace the whole table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import duckdb
import polars as pl
from dagster import (
    AssetKey,
    ConfigurableIOManager,
    DagsterInstance,
    DagsterInvariantViolationError,
    InputContext,
    MultiPartitionsDefinition,
    OutputContext,
    PartitionKeyRange,
    TimeWindow,
    TimeWindowPartitionsDefinition,
)
from pydantic import Field

from marketing_assets.config import snapshot_retention_days
from marketing_assets.storage.connection import resolve_database, table_exists, warehouse_connection
from marketing_assets.storage.instance import wipe_partitions

#: the name the rows being written are registered (a frame) or viewed (a query) under
ROWS = "_warehouse_rows"

#: a frame, or a SELECT over the connection (a query, a view or table read)
Rows = pl.DataFrame | str


class MissingTableError(LookupError):
    """An input's table does not exist: its upstream asset was never materialised."""


class Part(NamedTuple):
    """One partition dimension of a slice: the column, and the days ``[start, end)`` of a
    time window or the keys of static partitions."""

    column: str
    window: tuple[dt.date, dt.date] | None = None
    keys: tuple[str, ...] = ()

    def where(self) -> str:
        if self.window is not None:
            start, end = self.window
            return f"{self.column} >= DATE '{start}' AND {self.column} < DATE '{end}'"
        if not self.keys:
            return "false"  # no partition: no row
        keys = ", ".join("'" + key.replace("'", "''") + "'" for key in self.keys)
        return f"{self.column} in ({keys})"


class Slice(NamedTuple):
    """The rows of ``schema.table`` a write replaces or a read returns: those of the parts
    (none: the whole table)."""

    schema: str
    table: str
    parts: tuple[Part, ...] = ()
    columns: Sequence[str] | None = None

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"

    def where(self) -> str:
        return " AND ".join(part.where() for part in self.parts)

    def select(self) -> str:
        columns = ", ".join(self.columns) if self.columns else "*"
        where = self.where()
        return f"SELECT {columns} FROM {self.name}" + (f" WHERE {where}" if where else "")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _window_dates(window: TimeWindow) -> tuple[dt.date, dt.date]:
    """First day and day after the last of a window (its datetimes are in the partitions' tz)."""
    start, end = window
    if start.time() != dt.time(0) or end.time() != dt.time(0):
        raise ValueError(f"Partition window {start} .. {end} does not fall on whole days")
    return start.date(), end.date()


def day_slice(schema: str, table: str, first: dt.date, last: dt.date, column: str = "dt") -> Slice:
    """The slice of the daily partitions ``first`` .. ``last`` of ``schema.table``."""
    return Slice(schema, table, (Part(column, (first, last + dt.timedelta(days=1))),))


def _check_rows_inside_slice(obj: pl.DataFrame, target: Slice) -> None:
    """Refuse rows outside the window being replaced: no later run would ever replace them."""
    for part in target.parts:
        if part.window is None:
            continue
        start, end = part.window
        column = part.column
        if obj.schema.get(column) != pl.Date:
            raise TypeError(
                f"Output for {target.name} needs a pl.Date column {column!r} "
                f"(its partition_expr); got {obj.schema.get(column, 'no such column')}"
            )
        inside = pl.col(column).is_between(start, end, closed="left").fill_null(False)
        outside = obj.filter(~inside)[column].unique().sort(nulls_last=True)
        if len(outside):
            values = ", ".join(str(value) for value in outside.head(5))
            raise ValueError(
                f"Output for {target.name} has {column} values {values} outside"
                f" the partition window [{start}, {end}) being written; rows outside the slice"
                " would never be replaced"
            )


def _check_inserted_inside_slice(
    connection: duckdb.DuckDBPyConnection, target: Slice, inserted: int
) -> None:
    """The same refusal for rows a query inserted (before the commit): the slice was emptied,
    so every inserted row not in it now lies outside."""
    inside = connection.execute(f"SELECT count(*) FROM {target.name} WHERE {target.where()}").fetchall()[0][0]
    if inserted != inside:
        raise ValueError(
            f"Rows for {target.name}: {inserted - inside} of the {inserted} rows of the query lie"
            f" outside the slice being written ({target.where()}); rows outside the slice"
            " would never be replaced"
        )


def _add_new_columns(connection: duckdb.DuckDBPyConnection, target: Slice) -> None:
    """Additive schema evolution: add the rows' new columns, refuse dropped ones."""
    table = target.name
    table_columns = connection.sql(f"SELECT * FROM {table} LIMIT 0").columns
    rows = connection.sql(f"SELECT * FROM {ROWS} LIMIT 0")
    names = {name.lower() for name in rows.columns}
    missing = [name for name in table_columns if name.lower() not in names]
    if missing:
        raise ValueError(
            f"Output for {table} lacks column(s) {missing} of the existing table; refusing to"
            " write NULLs there (produce the column(s), or migrate the table)"
        )
    known = {name.lower() for name in table_columns}
    for name, type_ in zip(rows.columns, rows.types):
        if name.lower() not in known:
            connection.execute(f"ALTER TABLE {table} ADD COLUMN {_quote(name)} {type_}")


_open_transactions: set[int] = set()  # id() of the connections inside a ``transaction``


@contextmanager
def transaction(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """ONE transaction on ``connection``: committed when the block ends, rolled back if it
    raises. Re-entrant: a ``transaction`` (or a ``replace_days``) inside the block joins it,
    so several writes commit together or not at all."""
    key = id(connection)
    if key in _open_transactions:
        yield
        return
    connection.execute("BEGIN")
    _open_transactions.add(key)
    try:
        yield
    except BaseException:
        _open_transactions.discard(key)
        connection.execute("ROLLBACK")
        raise
    _open_transactions.discard(key)
    connection.execute("COMMIT")


@contextmanager
def _registered(connection: duckdb.DuckDBPyConnection, rows: Rows) -> Iterator[None]:
    """``rows`` readable as ``ROWS`` for the block: a frame registered explicitly (no
    replacement scan of a local variable), a query as a temporary view. Dropped afterwards:
    a connection kept for a whole run must not keep the last frame alive."""
    if isinstance(rows, pl.DataFrame):
        connection.register(ROWS, rows)
        try:
            yield
        finally:
            connection.unregister(ROWS)
        return
    connection.execute(f"CREATE OR REPLACE TEMP VIEW {ROWS} AS {rows}")
    try:
        yield
    finally:
        connection.execute(f"DROP VIEW IF EXISTS {ROWS}")


def replace_slice(connection: duckdb.DuckDBPyConnection, target: Slice) -> int:
    """Replace a partitioned slice by the rows readable as ``ROWS``, inside the caller's
    transaction: create the table if missing, add the rows' new columns, delete the
    slice, insert by name. The rows inserted."""
    table = target.name
    connection.execute(f"CREATE SCHEMA IF NOT EXISTS {target.schema}")
    connection.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM {ROWS} LIMIT 0")
    _add_new_columns(connection, target)
    connection.execute(f"DELETE FROM {table} WHERE {target.where()}")
    return connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {ROWS}").fetchall()[0][0]


def retention_cutoff(last: dt.date, run_first: dt.date | None = None) -> dt.date:
    """The first day a bounded table keeps once ``last`` is written:
    ``config.snapshot_retention_days()`` partitions end on ``last``, but never a day after
    ``run_first``, the first day of the run that writes it. A range run longer than the
    retention keeps every day of its range: the steps after this one read those days (a
    day's aggregate reads that day's snapshot), so pruning them would leave the range's
    early days of every downstream table computed from nothing. The next run's write
    drops the days before its own retention."""
    cutoff = last - dt.timedelta(days=snapshot_retention_days() - 1)
    return cutoff if run_first is None else min(cutoff, run_first)


def _prune(connection: duckdb.DuckDBPyConnection, table: str, column: str, cutoff: dt.date) -> int:
    """Delete the rows of partitions before ``cutoff``; the number of rows deleted."""
    gone = connection.execute(
        f"SELECT count(*) FROM {table} WHERE {column} < ?", [cutoff]
    ).fetchall()[0][0]
    if gone:
        connection.execute(f"DELETE FROM {table} WHERE {column} < ?", [cutoff])
    return gone


class Replaced(NamedTuple):
    """What a write did."""

    #: rows written
    rows: int
    #: rows deleted by the retention (a bounded table)
    pruned: int = 0
    #: what the ``judge`` returned (None without one)
    judged: Any = None


def _replace(
    connection: duckdb.DuckDBPyConnection, target: Slice, rows: Rows,
    retention: tuple[str, dt.date] | None = None,
    judge: Callable[[duckdb.DuckDBPyConnection], Any] | None = None,
) -> Replaced:
    """THE write, in one transaction (or the caller's): replace a partitioned slice (every
    row inside it) or an unpartitioned table by ``rows``, judge the result, delete the rows
    before the retention's first day."""
    frame = isinstance(rows, pl.DataFrame)
    if frame:
        _check_rows_inside_slice(rows, target)
    with _registered(connection, rows), transaction(connection):
        if target.parts:
            inserted = replace_slice(connection, target)
            if not frame:
                _check_inserted_inside_slice(connection, target, inserted)
        else:
            connection.execute(f"CREATE SCHEMA IF NOT EXISTS {target.schema}")
            inserted = connection.execute(
                f"CREATE OR REPLACE TABLE {target.name} AS SELECT * FROM {ROWS}").fetchall()[0][0]
        judged = judge(connection) if judge is not None else None
        pruned = _prune(connection, target.name, *retention) if retention is not None else 0
    return Replaced(rows.height if frame else inserted, pruned, judged)


def replace_days(
    connection: duckdb.DuckDBPyConnection, schema: str, table: str, first: dt.date, last: dt.date,
    rows: Rows, *, bounded: bool = False, run_first: dt.date | None = None,
    judge: Callable[[duckdb.DuckDBPyConnection], Any] | None = None,
) -> Replaced:
    """Replace the daily partitions ``first`` .. ``last`` of ``schema.table`` (column ``dt``)
    by ``rows`` (a frame, or a SELECT run in DuckDB) in ONE transaction, as the I/O manager
    writes an output: the table is created or evolved, the days deleted, the rows inserted
    by name; every row must lie in those days (a frame is checked before, a query's rows
    before the commit). ``judge(connection)``: runs next, inside the transaction (its
    result is returned; raising rolls the write back). ``bounded``: then delete the
    partitions before ``retention_cutoff(last, run_first)`` (``run_first``: the first
    day of the writing run's range, kept with every later one). A failure keeps the old
    rows. Inside a ``transaction`` the write joins it. Wiping the pruned partitions from the Dagster
    instance (``wipe_pruned_partitions``) is the caller's, after the commit."""
    if first > last:
        raise ValueError(f"{schema}.{table}: no day to write ({first} .. {last})")
    retention = ("dt", retention_cutoff(last, run_first)) if bounded else None
    return _replace(connection, day_slice(schema, table, first, last), rows, retention, judge)


def write_days(
    connection: duckdb.DuckDBPyConnection, schema: str, table: str, frame: pl.DataFrame,
    first: dt.date, last: dt.date, *, bounded: bool = False, run_first: dt.date | None = None,
) -> int:
    """``replace_days`` of a frame; the rows pruned."""
    return replace_days(connection, schema, table, first, last, frame, bounded=bounded,
                        run_first=run_first).pruned


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


def _retention(context: OutputContext, target: Slice) -> tuple[str, dt.date] | None:
    """(partition column, first day kept) when the asset keeps a bounded number of daily
    partitions (metadata ``bounded_retention``); None otherwise."""
    if not context.definition_metadata.get("bounded_retention"):
        return None
    windows = [part for part in target.parts if part.window is not None]
    if len(windows) != 1:
        raise ValueError(f"{target.name} has bounded_retention but is not partitioned by one time window")
    start, end = windows[0].window  # the run's range: its days are kept (``retention_cutoff``)
    return windows[0].column, retention_cutoff(end - dt.timedelta(days=1), start)


def _time_part(column: str, window: TimeWindow) -> Part:
    return Part(column, _window_dates(window))


def _parts(context: OutputContext | InputContext, partition_expr: Any) -> tuple[Part, ...]:
    """The partition dimensions of the context's partitions (as the stock I/O manager
    slices them: a time window, static keys, or both of a multi-partition)."""
    if partition_expr is None:
        raise ValueError(
            f"Asset '{context.asset_key}' has partitions, but no 'partition_expr'"
            " metadata value, so we don't know what column it's partitioned on. To"
            " specify a column, set this metadata value. E.g."
            ' @asset(metadata={"partition_expr": "your_partition_column"}).'
        )
    partitions_def = context.asset_partitions_def
    if isinstance(partitions_def, MultiPartitionsDefinition):
        key_range = context.asset_partition_key_range
        parts = []
        for dimension in partitions_def.partitions_defs:
            first = key_range.start.keys_by_dimension[dimension.name]
            last = key_range.end.keys_by_dimension[dimension.name]
            column = partition_expr.get(dimension.name)
            if column is None:
                raise ValueError(
                    f"Asset '{context.asset_key}' has partition {dimension.name}, but the"
                    f" 'partition_expr' metadata does not contain a {dimension.name} entry,"
                    " so we don't know what column to filter it on."
                )
            if isinstance(dimension.partitions_def, TimeWindowPartitionsDefinition):
                window = TimeWindow(
                    dimension.partitions_def.time_window_for_partition_key(first).start,
                    dimension.partitions_def.time_window_for_partition_key(last).end,
                )
                parts.append(_time_part(column, window))
            else:
                keys = dimension.partitions_def.get_partition_keys_in_range(PartitionKeyRange(first, last))
                parts.append(Part(column, keys=tuple(keys)))
        return tuple(parts)
    if isinstance(partitions_def, TimeWindowPartitionsDefinition) and context.asset_partition_keys:
        return (_time_part(partition_expr, context.asset_partitions_time_window),)
    return (Part(partition_expr, keys=tuple(context.asset_partition_keys)),)


class WarehouseIOManager(ConfigurableIOManager):
    """Stores and loads polars frames in the DuckDB warehouse (schema = asset key prefix)."""

    database: str = Field(
        default="",
        description="Path of the DuckDB file; empty: marketing_assets.config.duckdb_path() at run time.",
    )
    connection_config: dict[str, Any] = Field(
        default={}, description="DuckDB configuration options of the I/O manager's connections."
    )
    schema_: str | None = Field(
        default=None, alias="schema",
        description="Schema of every table; none: the asset key's prefix (metadata 'schema' first).",
    )

    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse_connection(resolve_database(self.database), config=self.connection_config) as conn:
            yield conn

    def _slice(self, context: OutputContext | InputContext, output: OutputContext) -> Slice:
        """The table (schema: metadata ``schema``, the ``schema`` setting, the key's prefix,
        ``public``) and the context's partitions of it."""
        metadata = output.definition_metadata or {}
        parts: tuple[Part, ...] = ()
        if context.has_asset_key:
            path = context.asset_key.path
            table = path[-1]
            schema = metadata.get("schema") or self.schema_ or (path[-2] if len(path) > 1 else "public")
            if context.has_asset_partitions:
                parts = _parts(context, metadata.get("partition_expr"))
        else:
            table = metadata["table"] if "table" in metadata else output.name
            schema = metadata.get("schema") or self.schema_ or "public"
        return Slice(schema, table, parts, (context.definition_metadata or {}).get("columns"))

    def handle_output(self, context: OutputContext, obj: pl.DataFrame) -> None:
        if obj is None:
            raise DagsterInvariantViolationError(
                "Unexpected 'None' output value. If a 'None' value is intentional, set the output"
                " type to None by adding return type annotation '-> None'.",
            )
        if not isinstance(obj, pl.DataFrame):
            raise TypeError(f"WarehouseIOManager stores polars.DataFrame outputs, not {type(obj)}")
        target = self._slice(context, context)
        retention = _retention(context, target)
        with self._connect() as conn:
            written = _replace(conn, target, obj, retention)
        metadata: dict[str, Any] = (
            {"range_rows": obj.height}
            if context.has_asset_partitions and len(context.asset_partition_keys) > 1
            else {"dagster/row_count": obj.height}
        )
        if retention is not None:
            wiped = wipe_pruned_partitions(
                context.step_context.instance, context.asset_key, context.asset_partitions_def,
                retention[1],
            )
            metadata.update(
                rows_pruned=written.pruned,
                partitions_kept_days=snapshot_retention_days(),
                partitions_pruned=len(wiped),
            )
        context.add_output_metadata(
            {**metadata, "Query": target.select(), "dagster/table_name": target.name}
        )

    def load_input(self, context: InputContext) -> pl.DataFrame:
        load_type = context.dagster_type.typing_type
        if load_type is not Any and not (isinstance(load_type, type) and issubclass(load_type, pl.DataFrame)):
            raise TypeError(f"WarehouseIOManager loads polars.DataFrame inputs, not {load_type}")
        target = self._slice(context, context.upstream_output)
        with self._connect() as conn:
            if not table_exists(conn, target.schema, target.table):
                upstream = context.upstream_output
                asset = upstream.asset_key.to_user_string() if upstream and upstream.has_asset_key else "?"
                keys = context.asset_partition_keys if context.has_asset_partitions else []
                window = f" (partitions {keys[0]} .. {keys[-1]})" if keys else ""
                raise MissingTableError(
                    f"Table {target.name} does not exist in {resolve_database(self.database)}: the"
                    f" upstream asset {asset}{window} was never materialised"
                )
            if context.has_asset_partitions and not context.asset_partition_keys:
                # no upstream partition maps to this run: no rows, but the table's columns
                return conn.sql(f"{target.select()} LIMIT 0").pl()
            return conn.sql(target.select()).pl()

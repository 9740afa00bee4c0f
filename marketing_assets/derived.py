"""Dagster wiring of the tables above ODS (DW, DIM, DWD, DM): a ``DerivedTable`` becomes a
daily-partitioned asset plus its checks: the blocking grain check and the ones it declares
beside itself (``TableCheck``).

A table is declared as
- a pandera model of its columns (the single source of its schema, validation and the
  ``dagster/column_schema`` metadata), every model ending with ``dt``;
- its grain, layer, group, English meaning and the document's Chinese name;
- its upstream tables, each with the window of days one partition reads (1: the same day;
  600: the 600 days ending on the partition day), the columns it needs and an optional
  SQL filter pushed down into DuckDB, over the upstream's own columns; it may name a
  sibling input (``package_id IN (SELECT package_id FROM details)``), which is that input's
  window, never the whole table (``check_filters`` binds every filter when the
  definitions load);
- ``compute(day, **frames)``: a pure polars function returning the table's rows for one
  day (without ``dt``). The frames it gets hold exactly its inputs' windows for that day.
  Or ``compute=Sql(query)``: the same contract in DuckDB SQL, for a table whose day is too
  large for memory: ``query`` selects one day's rows (without ``dt``) from relations named
  like the inputs, each holding the input's window of the day (its columns and filter).
  It runs on the run's warehouse connection (DuckDB's memory limit bounds it and spills),
  one day per transaction (``write_sql_day``): the day's rows, cast to the model's types
  and sorted by the grain, replace the partition as ``write_days`` writes a frame, and are
  judged against the model and the grain in SQL (``model_violations``) before the commit.
  Only the headline's columns come into polars.

Upstreams are declared as ``AssetDep`` with a ``TimeWindowPartitionMapping``, so the graph
shows the real lineage and a re-run of a day reaches every window that contains it; they
are read through the warehouse resource so a window's filter and projection run in DuckDB
(a 600-day window of order lines never comes into memory whole).

A range of days is one run, processed in chunks of consecutive days so that its memory
does not grow with the range: each chunk reads its inputs' windows for its days, computes
them and writes them in ONE transaction through the storage module (``write_days``, which
also prunes a bounded table), then lets its frames go. The chunk size comes from the
memory budget (``config.run_memory_budget``) and an estimate of each input's bytes per day
(``estimate_input_bytes``, ``plan_chunks``); a chunk is at least one day, so a 600-day
window still runs, one day at a time. The asset writes nothing through the I/O manager (it
returns a ``MaterializeResult``). A run that fails half-way loses nothing already stored:
the failing chunk rolls back (its days keep their old rows), the chunks before it are
committed as whole days (computed, validated and grain-checked like any run's days; the
failed run records no materialisation, the next run of the range replaces them). Each
day's materialisation carries its own row count and headline numbers, and the grain check
records one result per day (``check_results``), so a range run reads in the UI like single
days.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, NamedTuple

import duckdb
import pandera.polars as pa
import polars as pl
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckSeverity,
    AssetChecksDefinition,
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    AssetRecordsFilter,
    AssetsDefinition,
    BackfillPolicy,
    DagsterEventType,
    MaterializeResult,
    MetadataValue,
    Output,
    TableColumnDep,
    TableColumnLineage,
    TimeWindowPartitionMapping,
    asset,
    asset_check,
)
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluation,
    AssetCheckEvaluationTargetMaterializationData,
)

from marketing_assets.config import run_chunk_max_days, run_memory_budget, snapshot_retention_days
from marketing_assets.metadata import column_lineage_markdown, column_schema
from marketing_assets.partitions import DAILY, partition_days
from marketing_assets.table import (
    KINDS,
    OWNER,
    Named,
    TableCheck,
    TableModel,
    code_references,
    declared_at,
    sql_name,
    table_key,
)
from marketing_assets.storage import (
    MissingTableError,
    WarehouseResource,
    replace_days,
    retention_cutoff,
    table_exists,
    wipe_pruned_partitions,
    write_days,
)


class GrainError(ValueError):
    """A transform produced two rows for one grain key."""


class EmptyWindowError(ValueError):
    """An asset was asked to compute or read no day at all (nothing may be written)."""


@dataclass(frozen=True)
class Upstream:
    """One upstream table as a partition reads it."""

    #: the upstream table object (``DerivedTable``, ``OdsSpec`` or a kind of table)
    source: Named | tuple[str, str] = field(repr=False)
    #: days of the window ending on the partition day (1 = the same day)
    days: int = 1
    #: columns to read (``dt`` is always read); None: all
    columns: tuple[str, ...] | None = None
    #: SQL condition pushed down into the read (the table's own columns; may use subqueries)
    where: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return table_key(self.source)

    @property
    def asset_key(self) -> AssetKey:
        return AssetKey(list(self.key))

    def __repr__(self) -> str:
        return f"Upstream({sql_name(self.source)}, days={self.days})"


@dataclass(frozen=True)
class Sql:
    """``compute`` of a table computed in DuckDB (see the module docstring)."""

    #: a SELECT of one day's rows (without ``dt``) over relations named like the inputs
    query: str
    #: the columns ``headline`` reads (only they are fetched into polars)
    headline_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class DerivedTable:
    database: str
    table: str
    model: type[TableModel]
    grain: tuple[str, ...]
    group: str
    layer: str
    what: str
    chinese_name: str
    inputs: Mapping[str, Upstream]
    compute: Callable[..., pl.DataFrame] | Sql
    #: snapshots and rolling windows keep a bounded number of partitions (config)
    bounded: bool = False
    #: planned (待建设) in the source document: built here
    planned: bool = False
    #: headline numbers of one day for the materialisation's metadata
    headline: Callable[[pl.DataFrame], dict] | None = None
    #: column lineage of computed or renamed columns: output column → (input name, column)…;
    #: a column not listed comes from the same-named columns of the inputs that carry it
    lineage: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict, compare=False)
    extra_metadata: dict = field(default_factory=dict, compare=False)
    #: data-quality checks beside the grain check (``TableCheck``)
    checks: tuple[TableCheck, ...] = ()
    #: (file, line) of the declaration: the asset's code reference (set when declared)
    declared_at: tuple[str, int] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.declared_at is None:
            object.__setattr__(self, "declared_at", declared_at())

    @property
    def key(self) -> AssetKey:
        return AssetKey([self.database, self.table])

    @property
    def sql(self) -> str:
        """``database.table`` for SQL."""
        return f"{self.database}.{self.table}"

    @property
    def schema(self) -> pa.DataFrameSchema:
        return self.model.to_schema()

    def description(self) -> str:
        planned = " Planned (待建设) in the source document." if self.planned else ""
        grain = " × ".join(self.grain) or "one row"
        return (
            f"{self.what} ({self.chinese_name}). Grain per dt: {grain}."
            f"{planned}"
        )


def latest_by_key(frame: pl.DataFrame, key: list[str], time: str) -> pl.DataFrame:
    """The current state of a source that lands only its changed rows: the latest row of
    each ``key`` by ``time`` (ties: the later ``dt``, then file, then line)."""
    order = [time, *[c for c in ("dt", "_src_file", "_src_line") if c in frame.columns]]
    return frame.sort([*key, *order], nulls_last=False).unique(key, keep="last", maintain_order=True)


def _window(day: dt.date, days: int) -> tuple[dt.date, dt.date]:
    return day - dt.timedelta(days=days - 1), day


# ---- reading an input: its window, its columns, its filter --------------------------------
#: string literals and quoted names of a filter, left out when looking for the inputs it names
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")


def filter_inputs(up: Upstream, siblings: Mapping[str, Upstream]) -> list[str]:
    """The other inputs of the table that ``up``'s filter names (``where`` may read a sibling
    input by its name, e.g. ``package_id IN (SELECT package_id FROM details)``: the
    sibling's own window, columns and filter, never the whole table)."""
    if not up.where:
        return []
    text = _QUOTED.sub("", up.where)
    return [n for n, s in siblings.items() if s is not up and re.search(rf"\b{re.escape(n)}\b", text)]


def _select(up: Upstream, start: dt.date, last: dt.date) -> str:
    """The rows of ``up`` from ``start`` to ``last``, its columns, its filter."""
    columns = "*" if up.columns is None else ", ".join(dict.fromkeys([*up.columns, "dt"]))
    where = f" AND ({up.where})" if up.where else ""
    return (f"SELECT {columns} FROM {up.key[0]}.{up.key[1]}"
            f" WHERE dt BETWEEN DATE '{start}' AND DATE '{last}'{where}")


def input_query(
    up: Upstream, first: dt.date, last: dt.date, siblings: Mapping[str, Upstream] | None = None
) -> str:
    """The query of ``up``'s rows for the windows of the days ``first`` .. ``last``; the
    sibling inputs its filter names are relations of their own windows of those days."""
    siblings = siblings or {}
    names = filter_inputs(up, siblings)
    query = _select(up, _window(first, up.days)[0], last)
    if not names:
        return query
    relations = [f"{n} AS ({input_query(siblings[n], first, last, siblings)})" for n in names]
    return f"WITH {', '.join(relations)} {query}"


def read_upstream(
    conn: duckdb.DuckDBPyConnection, up: Upstream, first: dt.date, last: dt.date,
    siblings: Mapping[str, Upstream] | None = None,
) -> pl.DataFrame:
    """Rows of ``up`` for the windows of the days ``first`` .. ``last`` (``siblings``: the
    table's other inputs, which its filter may name)."""
    schema, table = up.key
    if first > last:
        raise EmptyWindowError(
            f"{schema}.{table}: empty window {first} .. {last}: no day to read, nothing written"
        )
    if not table_exists(conn, schema, table):
        raise MissingTableError(
            f"{schema}.{table} does not exist: materialise it for these days first"
        )
    return conn.sql(input_query(up, first, last, siblings)).pl()


def check_filters(
    tables: list[DerivedTable], schemas: Mapping[tuple[str, str], pa.DataFrameSchema]
) -> None:
    """Bind every input filter (``where``) against its upstream's columns, with the sibling
    inputs it names as relations of their columns, when the tables are declared: a filter
    that names a column the upstream does not have, or reads any other table (which would
    read outside the input's window), raises here, not in a run."""
    conn = duckdb.connect(":memory:")
    try:
        def relation(up: Upstream, projected: bool = True) -> str:
            schema = schemas[up.key]
            names = list(schema.columns) if up.columns is None or not projected else list(
                dict.fromkeys([*up.columns, "dt"]))
            columns = {n: schema.columns[n] for n in names if n in schema.columns}
            missing = [n for n in names if n not in columns]
            if missing:
                raise ValueError(f"{'.'.join(up.key)} has no column {missing}")
            return "SELECT " + ", ".join(
                f'CAST(NULL AS {_sql_type(c.dtype.type)}) AS "{n}"' for n, c in columns.items()
            ) + " WHERE false"

        for table in tables:
            for name, up in table.inputs.items():
                if not up.where:
                    continue
                names = filter_inputs(up, table.inputs)
                reached, todo = set(), list(names)
                while todo:
                    other = todo.pop()
                    if other == name:
                        raise ValueError(f"{table.sql}: the filters of its inputs name each other in a cycle ({name!r})")
                    if other not in reached:
                        reached.add(other)
                        todo.extend(filter_inputs(table.inputs[other], table.inputs))
                # a column a sibling has but does not read would bind to the outer table
                # (a correlated subquery that filters nothing): name it in its columns
                words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", _QUOTED.sub("", up.where)))
                for n in names:
                    sib = table.inputs[n]
                    unread = sorted(w for w in words if w in schemas[sib.key].columns
                                    and sib.columns is not None and w not in (*sib.columns, "dt"))
                    if unread:
                        raise ValueError(f"{table.sql}: the filter of input {name!r} uses {unread}, which "
                                         f"its sibling input {n!r} does not read: add them to its columns")
                ctes = ", ".join(f"{n} AS ({relation(table.inputs[n])})" for n in names)
                query = (f"{'WITH ' + ctes + ' ' if ctes else ''}SELECT * FROM "
                         f"({relation(up, projected=False)}) WHERE ({up.where})")
                try:
                    conn.execute(f"EXPLAIN {query}")
                except duckdb.Error as err:
                    raise ValueError(
                        f"{table.sql}: the filter of input {name!r} ({'.'.join(up.key)}) does not bind "
                        f"to that table's columns and the inputs it names ({', '.join(names) or 'none'}): "
                        f"{up.where!r}: {str(err).splitlines()[0]}"
                    ) from err
    finally:
        conn.close()


# ---- chunks of a range run: bounded memory ---------------------------------------------------
#: in-memory bytes of a value of each DuckDB type once in polars; a string is a 16-byte
#: view plus its bytes (typical ids and names: ~16)
TYPE_BYTES = {
    "BOOLEAN": 1, "TINYINT": 1, "UTINYINT": 1, "SMALLINT": 2, "USMALLINT": 2,
    "INTEGER": 4, "UINTEGER": 4, "DATE": 4, "FLOAT": 4,
    "BIGINT": 8, "UBIGINT": 8, "DOUBLE": 8, "TIME": 8, "TIMESTAMP": 8,
    "TIMESTAMP WITH TIME ZONE": 8, "HUGEINT": 16, "INTERVAL": 16, "VARCHAR": 32,
}
#: any other type (DECIMAL, lists, structs): a generous guess
OTHER_TYPE_BYTES = 64
#: copies of a chunk's input rows alive at its peak: the read (DuckDB's Arrow result and
#: the polars frame), one day's window cut from it, and what ``compute`` builds from it
FRAME_COPIES = 3


def _type_bytes(data_type: str) -> int:
    return TYPE_BYTES.get(data_type.upper(), OTHER_TYPE_BYTES)


def estimate_input_bytes(
    conn: duckdb.DuckDBPyConnection, up: Upstream, first: dt.date, last: dt.date,
    siblings: Mapping[str, Upstream] | None = None,
) -> dict[dt.date, int]:
    """Estimated in-memory bytes (``FRAME_COPIES`` included) of each stored day of ``up``
    that the windows of ``first`` .. ``last`` read: the day's rows (counted in DuckDB with
    the read's own filter) × the width of the columns read. Days with no row are absent."""
    schema, table = up.key
    if not table_exists(conn, schema, table):
        raise MissingTableError(
            f"{schema}.{table} does not exist: materialise it for these days first"
        )
    types = dict(conn.sql(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = ? AND table_name = ?",
        params=[schema, table],
    ).fetchall())
    read = types if up.columns is None else dict.fromkeys([*up.columns, "dt"])
    width = sum(_type_bytes(types.get(c, "")) for c in read) * FRAME_COPIES
    rows = conn.sql(
        f"SELECT dt, count(*) FROM ({input_query(up, first, last, siblings)}) GROUP BY dt"
    ).fetchall()
    return {day: n * width for day, n in rows}


class Chunk(NamedTuple):
    """Consecutive days of a range run computed and written together."""

    days: list[dt.date]
    #: the estimated bytes ``plan_chunks`` weighed for it
    estimated_bytes: int


def plan_chunks(
    days: list[dt.date],
    inputs: Mapping[str, tuple[int, Mapping[dt.date, int]]],
    budget: int,
    output_day_bytes: int = 0,
    max_days: int | None = None,
) -> list[Chunk]:
    """Cut consecutive ``days`` into chunks of consecutive days, each as long as its
    estimated bytes stay within ``budget`` and it has at most ``max_days`` days (and at
    least one day, whatever it costs).

    ``inputs``: per input, (its window in days, estimated bytes of each of its stored days);
    a chunk ``first .. last`` reads the input's days ``first - window + 1 .. last``.
    ``output_day_bytes``: estimated bytes of one day of the table's own rows."""
    if not days:
        return []
    origin = days[0] - dt.timedelta(days=max((w for w, _ in inputs.values()), default=1) - 1)
    span = (days[-1] - origin).days + 1
    # prefix sums over the span: bytes of the input's days origin .. origin + i - 1
    prefix = {
        name: [0, *accumulate(sizes.get(origin + dt.timedelta(days=i), 0) for i in range(span))]
        for name, (_, sizes) in inputs.items()
    }

    def cost(first: dt.date, last: dt.date) -> int:
        end = (last - origin).days + 1
        reads = sum(
            prefix[name][end] - prefix[name][(first - origin).days - window + 1]
            for name, (window, _) in inputs.items()
        )
        return reads + output_day_bytes * ((last - first).days + 1)

    chunks: list[Chunk] = []
    start = 0
    while start < len(days):
        end = start + 1
        while (
            end < len(days)
            and (max_days is None or end - start < max_days)
            and cost(days[start], days[end]) <= budget
        ):
            end += 1
        chunks.append(Chunk(days[start:end], cost(days[start], days[end - 1])))
        start = end
    return chunks


def _stored_day_bytes(conn: duckdb.DuckDBPyConnection, table: DerivedTable, days: list[dt.date]) -> int | None:
    """Estimated bytes of one day of the table's own rows from its stored days of the
    range (a re-run), or None when none is stored yet."""
    up = Upstream((table.database, table.table), 1, tuple(c for c in table.schema.columns if c != "dt"))
    if not table_exists(conn, table.database, table.table):
        return None
    sizes = estimate_input_bytes(conn, up, days[0], days[-1])
    return max(sizes.values()) if sizes else None


def compute_days(
    table: DerivedTable, days: list[dt.date], frames: Mapping[str, pl.DataFrame]
) -> pl.DataFrame:
    """The table's rows for ``days``: ``compute`` per day on each input's window, validated
    against the model, grain checked, sorted by ``dt`` and the grain."""
    if not days:
        raise EmptyWindowError(f"{table.database}.{table.table}: no day to compute, nothing written")
    parts = []
    for day in days:
        window = {
            name: frames[name].filter(
                pl.col("dt").is_between(*_window(day, up.days))
            )
            for name, up in table.inputs.items()
        }
        out = table.compute(day, **window)
        parts.append(out.with_columns(dt=pl.lit(day, pl.Date)))
    frame = pl.concat(parts, how="vertical_relaxed")
    columns = list(table.schema.columns)
    frame = table.model.validate(frame.select(columns))
    duplicated = frame.select("dt", *table.grain).is_duplicated()
    if duplicated.any():
        example = frame.filter(duplicated).head(3).to_dicts()
        raise GrainError(f"{table.table}: rows repeat the grain {table.grain}: {example}")
    return frame.sort(["dt", *table.grain], nulls_last=True, maintain_order=True)


# ---- tables computed in DuckDB: one day per transaction ------------------------------------
#: DuckDB types of the model dtypes of SQL tables (as the polars write path stores them)
SQL_TYPES = {
    pl.Boolean: "BOOLEAN", pl.Int8: "TINYINT", pl.Int16: "SMALLINT", pl.Int32: "INTEGER",
    pl.Int64: "BIGINT", pl.Float32: "FLOAT", pl.Float64: "DOUBLE", pl.String: "VARCHAR",
    pl.Date: "DATE", pl.Datetime("us"): "TIMESTAMP",
}


def _sql_type(dtype: Any) -> str:
    """The DuckDB type of a model dtype (a zoned timestamp is TIMESTAMPTZ; others VARCHAR)."""
    if isinstance(dtype, pl.Datetime) and dtype.time_zone:
        return "TIMESTAMPTZ"
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP"
    return SQL_TYPES.get(dtype, "VARCHAR")


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bool | int | float):
        return repr(value).upper() if isinstance(value, bool) else repr(value)
    raise TypeError(f"no SQL literal for {value!r}")


def _check_sql(column: str, name: str, stats: Mapping[str, Any]) -> str:
    """The SQL condition a value of ``column`` passing the pandera check ``name`` meets."""
    col = f'"{column}"'
    bounds = {"greater_than_or_equal_to": ">=", "greater_than": ">", "less_than": "<",
              "less_than_or_equal_to": "<=", "equal_to": "=", "not_equal_to": "<>"}
    if name in bounds:
        (value,) = stats.values()
        return f"{col} {bounds[name]} {_literal(value)}"
    if name == "in_range":
        low = ">=" if stats["include_min"] else ">"
        high = "<=" if stats["include_max"] else "<"
        return f"{col} {low} {_literal(stats['min_value'])} AND {col} {high} {_literal(stats['max_value'])}"
    if name in ("isin", "notin"):
        values = ", ".join(_literal(v) for v in next(iter(stats.values())))
        return f"{col} {'IN' if name == 'isin' else 'NOT IN'} ({values})"
    raise NotImplementedError(f"column {column}: pandera check {name!r} has no SQL form")


def model_violations(table: DerivedTable) -> list[tuple[str, str]]:
    """(what, SQL condition of a violating row) for each rule of the table's model that
    pandera would judge on a frame: non-null columns and column checks (a null passes a
    check, as in pandera). Rules with no SQL form raise, so a SQL table cannot silently
    skip them."""
    schema = table.schema
    if schema.checks or schema.unique:
        raise NotImplementedError(f"{table.table}: dataframe-level checks have no SQL form")
    rules = []
    for name, column in schema.columns.items():
        if column.unique:
            raise NotImplementedError(f"{table.table}.{name}: unique columns have no SQL form")
        if not column.nullable:
            rules.append((f"{name} is null", f'"{name}" IS NULL'))
        for check in column.checks:
            rules.append((f"{name} fails {check.name} {check.statistics}",
                          f'NOT ({_check_sql(name, check.name, check.statistics)})'))
    return rules


def sql_columns(table: DerivedTable, day: dt.date) -> str:
    """The model's columns cast to their DuckDB types (pandera's coerce), ``dt`` = ``day``."""
    casts = []
    for name, column in table.schema.columns.items():
        dtype = column.dtype.type
        if dtype not in SQL_TYPES:
            raise NotImplementedError(f"{table.table}.{name}: dtype {dtype} has no SQL type here")
        value = f"DATE '{day}'" if name == "dt" else f'"{name}"'
        casts.append(f'CAST({value} AS {SQL_TYPES[dtype]}) AS "{name}"')
    return ", ".join(casts)


def sql_day_query(table: DerivedTable, day: dt.date) -> str:
    """The query of the table's rows of ``day``: the inputs' windows of the day as
    relations named like the inputs, the table's query over them, ``dt``, the model's
    types, sorted by the grain (as ``compute_days`` sorts)."""
    assert isinstance(table.compute, Sql)
    # an input whose filter names a sibling input comes after it (a CTE reads earlier ones)
    relations: dict[str, str] = {}

    def add(name: str) -> None:
        if name not in relations:
            for sibling in filter_inputs(table.inputs[name], table.inputs):
                add(sibling)
            up = table.inputs[name]
            relations[name] = f"{name} AS ({_select(up, _window(day, up.days)[0], day)})"

    for name in table.inputs:
        add(name)
    order = ", ".join(f'"{c}" NULLS LAST' for c in table.grain)
    return (
        f"SELECT {sql_columns(table, day)} FROM (WITH {', '.join(relations.values())} SELECT * FROM ({table.compute.query}))"
        + (f" ORDER BY {order}" if order else "")
    )


def _validate_written_day(conn: duckdb.DuckDBPyConnection, table: DerivedTable, day: dt.date) -> int:
    """Judge the rows just written to the partition ``day`` (inside the write's transaction)
    as ``compute_days`` judges a frame: the model's rules, then the grain; the rows."""
    rows = f"(SELECT * FROM {table.database}.{table.table} WHERE dt = DATE '{day}')"
    rules = model_violations(table)
    counts = conn.execute(
        "SELECT count(*)" + "".join(f", count(*) FILTER (WHERE {cond})" for _, cond in rules) + f" FROM {rows}"
    ).fetchall()[0]
    failed = [f"{what}: {n} rows" for (what, _), n in zip(rules, counts[1:]) if n]
    if failed:
        raise pa.errors.SchemaError(table.schema, None, f"{table.table} on {day}: " + "; ".join(failed))
    if table.grain:
        key = ", ".join(f'"{c}"' for c in table.grain)
        dup = conn.execute(f"SELECT {key} FROM {rows} GROUP BY ALL HAVING count(*) > 1 LIMIT 3").fetchall()
        if dup:
            raise GrainError(f"{table.table}: rows repeat the grain {table.grain}: {dup}")
    return counts[0]


def write_sql_day(
    conn: duckdb.DuckDBPyConnection, table: DerivedTable, day: dt.date, run_first: dt.date | None = None,
) -> tuple[int, int, dict]:
    """Compute the table's partition ``day`` in DuckDB and replace it by ``replace_days``
    (ONE transaction: create, evolve, delete the day, insert the query's rows by name;
    ``bounded``: prune before the retention, keeping the run's days from ``run_first``),
    judged before the commit: a day that breaks the model or the grain rolls back and keeps
    its old rows. Returns the rows written,
    the rows pruned and the day's headline figures."""
    assert isinstance(table.compute, Sql)
    for up in table.inputs.values():
        if not table_exists(conn, *up.key):
            raise MissingTableError(f"{up.key[0]}.{up.key[1]} does not exist: materialise it for these days first")

    def judge(conn: duckdb.DuckDBPyConnection) -> tuple[int, dict]:
        rows = _validate_written_day(conn, table, day)
        figures = {}
        if table.headline:
            columns = ", ".join(f'"{c}"' for c in table.compute.headline_columns) or "1"
            figures = table.headline(conn.sql(
                f"SELECT {columns} FROM {table.database}.{table.table} WHERE dt = ?", params=[day]).pl())
        return rows, figures

    written = replace_days(conn, table.database, table.table, day, day, sql_day_query(table, day),
                           bounded=table.bounded, run_first=run_first, judge=judge)
    (rows, figures), pruned = written.judged, written.pruned
    return rows, pruned, figures


def run_sql_days(
    context: AssetExecutionContext, warehouse: WarehouseResource, table: DerivedTable,
    days: list[dt.date],
) -> dict[str, Any]:
    """Compute and write ``days`` of a SQL table one day per transaction: a failing day
    keeps its old rows, the days before it stay written."""
    pruned = wiped = 0
    with warehouse.get_connection() as conn:
        for day in days:
            rows, day_pruned, figures = write_sql_day(conn, table, day, days[0])
            pruned += day_pruned
            if table.bounded:
                wiped += len(wipe_pruned_partitions(context.instance, table.key, DAILY, retention_cutoff(day, days[0])))
            context.add_asset_metadata({"dagster/row_count": rows, **figures}, partition_key=day.isoformat())
    metadata: dict[str, Any] = {
        "run_days": MetadataValue.json([days[0].isoformat(), days[-1].isoformat()]),
        "computed_in": "DuckDB SQL, one day per transaction",
    }
    if table.bounded:
        metadata.update(
            rows_pruned=pruned, partitions_kept_days=snapshot_retention_days(), partitions_pruned=wiped
        )
    return metadata


def column_lineage(
    table: DerivedTable, upstream_columns: Mapping[tuple[str, str], list[str]]
) -> TableColumnLineage:
    """``dagster/column_lineage`` from the table's declarations (the inputs' column lists,
    or their models' columns) and its ``lineage`` overrides: nothing written twice."""
    available = {
        name: list(up.columns) if up.columns is not None else upstream_columns.get(up.key, [])
        for name, up in table.inputs.items()
    }
    deps = {}
    for column in table.schema.columns:
        if column == "dt":
            continue
        sources = table.lineage.get(column) or tuple(
            (name, column) for name, cols in available.items() if column in cols
        )
        if sources:
            deps[column] = [
                TableColumnDep(asset_key=table.inputs[name].asset_key, column_name=col)
                for name, col in sources
            ]
    return TableColumnLineage(deps_by_column=deps)


def _mapping(up: Upstream) -> TimeWindowPartitionMapping | None:
    if up.days == 1:
        return None
    return TimeWindowPartitionMapping(
        start_offset=-(up.days - 1), allow_nonexistent_upstream_partitions=True
    )


def build_asset(
    table: DerivedTable, upstream_columns: Mapping[tuple[str, str], list[str]] | None = None
) -> AssetsDefinition:
    deps = [
        AssetDep(up.asset_key, partition_mapping=_mapping(up)) for up in table.inputs.values()
    ]
    windows = {name: up.days for name, up in table.inputs.items() if up.days > 1}
    lineage = column_lineage(table, upstream_columns or {})

    @asset(
        key=table.key,
        deps=deps,
        partitions_def=DAILY,
        backfill_policy=BackfillPolicy.single_run(),
        group_name=table.group,
        kinds=KINDS,
        owners=[OWNER],
        tags={"layer": table.layer, **({"planned": "true"} if table.planned else {})},
        # the open-source UI does not render dagster/column_lineage; the description is
        # rendered as markdown on the asset page
        description=table.description() + column_lineage_markdown(lineage),
        metadata={
            "partition_expr": "dt",
            "dagster/column_schema": column_schema(table.schema),
            "dagster/column_lineage": lineage,
            "grain": ", ".join(table.grain),
            "upstream_windows_days": MetadataValue.json(
                {".".join(up.key): up.days for up in table.inputs.values()}
            ),
            "bounded_retention": table.bounded,
            **code_references(table.declared_at),
            **table.extra_metadata,
        },
    )
    def _derived(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        days = partition_days(context)
        if not days:
            raise EmptyWindowError(f"{table.database}.{table.table}: the run covers no day")
        run = run_sql_days if isinstance(table.compute, Sql) else run_in_chunks
        metadata = run(context, warehouse, table, days)
        if windows:
            metadata["windows_days"] = MetadataValue.json(windows)
        return MaterializeResult(metadata=metadata)

    return _derived


def run_in_chunks(
    context: AssetExecutionContext, warehouse: WarehouseResource, table: DerivedTable,
    days: list[dt.date],
) -> dict[str, Any]:
    """Compute and write ``days`` of ``table`` chunk by chunk (see the module docstring);
    each day's own metadata goes to its partition, the run's figures are returned.

    The plan weighs the inputs' estimated bytes and the table's own bytes per day: those
    of its stored days of the range (a re-run), else as much as one day's reads (an
    aggregate is smaller than its inputs, a fact that copies a window about as large);
    after each chunk the rest of the range is planned again with the bytes per day the
    chunk's output really took."""
    budget, max_days = run_memory_budget(), run_chunk_max_days()
    rows_read = dict.fromkeys(table.inputs, 0)
    chunk_days: list[int] = []
    estimated_peak = frames_peak = pruned = wiped = 0
    with warehouse.get_connection() as conn:  # one connection for every chunk
        if len(days) == 1:  # a day is one chunk whatever it costs: nothing to estimate
            sizes, output_day, plan = {}, 0, [Chunk(days, 0)]
        else:
            sizes = {
                name: (up.days, estimate_input_bytes(conn, up, days[0], days[-1], table.inputs))
                for name, up in table.inputs.items()
            }
            output_day = _stored_day_bytes(conn, table, days)
            if output_day is None:
                output_day = plan_chunks(days[:1], sizes, budget)[0].estimated_bytes
            plan = plan_chunks(days, sizes, budget, output_day, max_days)
        while plan:
            chunk, estimated = plan.pop(0)
            first, last = chunk[0], chunk[-1]
            frames = {name: read_upstream(conn, up, first, last, table.inputs) for name, up in table.inputs.items()}
            frame = compute_days(table, chunk, frames)
            pruned += write_days(conn, table.database, table.table, frame, first, last,
                                 bounded=table.bounded, run_first=days[0])
            if table.bounded:
                cutoff = retention_cutoff(last, days[0])
                wiped += len(wipe_pruned_partitions(context.instance, table.key, DAILY, cutoff))
            for day, figures in day_metadata(table, frame, chunk).items():
                context.add_asset_metadata(figures, partition_key=day.isoformat())
            for name, f in frames.items():
                rows_read[name] += f.height
            chunk_days.append(len(chunk))
            in_memory = sum(f.estimated_size() for f in frames.values()) + frame.estimated_size()
            frames_peak = max(frames_peak, in_memory)
            estimated_peak = max(estimated_peak, estimated)
            day_bytes = frame.estimated_size() * FRAME_COPIES // len(chunk)
            if plan and day_bytes != output_day:
                output_day = day_bytes
                rest = [day for c in plan for day in c.days]
                plan = plan_chunks(rest, sizes, budget, output_day, max_days)
            del frames, frame  # before the next chunk reads: one chunk's frames at a time
    metadata: dict[str, Any] = {
        "rows_read": MetadataValue.json(rows_read),
        "run_days": MetadataValue.json([days[0].isoformat(), days[-1].isoformat()]),
        "chunks": len(chunk_days),
        "chunk_days": MetadataValue.json(chunk_days),
        "run_memory_budget_bytes": budget,
        "chunk_frames_bytes_max": frames_peak,
    }
    if sizes:
        metadata["chunk_estimated_bytes_max"] = estimated_peak
    if table.bounded:
        metadata.update(
            rows_pruned=pruned, partitions_kept_days=snapshot_retention_days(), partitions_pruned=wiped
        )
    return metadata


def day_metadata(
    table: DerivedTable, frame: pl.DataFrame, days: list[dt.date]
) -> dict[dt.date, dict]:
    """Each day's own materialisation metadata: its row count and headline numbers."""
    out = {}
    for day in days:
        one = frame.filter(pl.col("dt") == day)
        out[day] = {"dagster/row_count": one.height, **(table.headline(one) if table.headline else {})}
    return out


# ---- checks: one result per partition ------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """A check's judgement of one day. ``judged`` false: it could not judge yet (too little
    history, a first landing) and passes."""

    passed: bool
    metadata: Mapping[str, Any] = field(default_factory=dict)
    judged: bool = True


def day_verdicts(
    days: list[dt.date], bad: pl.DataFrame, day_column: str = "dt", counted: str = "failing_rows"
) -> dict[dt.date, Verdict]:
    """Verdicts of a check whose query returns its offending rows with their day: a day
    passes when it has none; its count and first examples go to its metadata."""
    verdicts = {}
    for day in days:
        rows = bad.filter(pl.col(day_column) == day)
        examples = [{k: str(v) for k, v in r.items()} for r in rows.head(5).to_dicts()]
        verdicts[day] = Verdict(rows.is_empty(), {counted: rows.height, "examples": MetadataValue.json(examples)})
    return verdicts


def _targets(context, key: AssetKey, partitions: set[str]) -> dict[str, AssetCheckEvaluationTargetMaterializationData]:
    """The latest materialisation of each partition: a check result is "current" in the UI
    only when it points at it."""
    ids = context.instance.event_log_storage.get_latest_storage_id_by_partition(
        key, DagsterEventType.ASSET_MATERIALIZATION, partitions
    )
    if not ids:
        return {}
    records = context.instance.fetch_materializations(
        AssetRecordsFilter(asset_key=key, storage_ids=list(ids.values())), limit=len(ids)
    ).records
    return {
        r.partition_key: AssetCheckEvaluationTargetMaterializationData(
            storage_id=r.storage_id, run_id=r.run_id, timestamp=r.timestamp
        )
        for r in records
    }


#: run id → (asset key, partitions) → the partitions' latest materialisations
_TARGETS: dict[str, dict] = {}


def check_results(
    context: AssetCheckExecutionContext, key: AssetKey, name: str,
    verdicts: Mapping[dt.date, Verdict], severity: AssetCheckSeverity,
) -> Iterator[AssetCheckEvaluation | Output]:
    """One stored check result per day, then the check's output.

    ``AssetCheckResult`` has no partition: in a range step Dagster stores it with none, so
    the UI shows every planned day as skipped. An ``AssetCheckEvaluation`` with
    ``partition`` set replaces the planned row of that day (Passed or Failed), and one that
    fails with ERROR severity and ``blocking`` fails the step, which keeps downstream from
    running. The ``Output`` is what downstream steps of a blocking check wait for.
    """
    check_key = AssetCheckKey(key, name)
    spec = next(s for s in context.check_specs if s.key == check_key)
    # several checks of one asset in one step (ods_quality: four per source) look the
    # materialisations up once
    memo = _TARGETS.setdefault(context.op_execution_context.run_id, {})
    if len(_TARGETS) > 4:  # earlier runs of a long-lived process
        for run_id in list(_TARGETS)[:-4]:
            del _TARGETS[run_id]
    lookup = (key, frozenset(d.isoformat() for d in verdicts))
    if lookup not in memo:
        memo[lookup] = _targets(context, key, set(lookup[1]))
    targets = memo[lookup]
    for day, verdict in sorted(verdicts.items()):
        partition = day.isoformat()
        yield AssetCheckEvaluation(
            asset_key=key,
            check_name=name,
            passed=bool(verdict.passed),
            metadata={"day": partition, "judged": verdict.judged, **verdict.metadata},
            target_materialization_data=targets.get(partition),
            severity=severity,
            description=None if verdict.passed else f"{name} failed on {partition}",
            blocking=spec.blocking,
            partition=partition,
        )
    yield Output(None, output_name=context.job_def.asset_layer.get_op_output_name(check_key))


def grain_duplicates(
    warehouse: WarehouseResource, table: DerivedTable, first: dt.date, last: dt.date
) -> pl.DataFrame:
    """Grain keys stored more than once in the partitions ``first`` .. ``last``, most
    repeated first."""
    key = ", ".join(["dt", *table.grain])
    return warehouse.query(
        f"SELECT {key}, count(*) AS n FROM {table.database}.{table.table} "
        f"WHERE dt BETWEEN ? AND ? GROUP BY ALL HAVING count(*) > 1 "
        f"ORDER BY dt, n DESC, {key}",
        [first, last],
    )


def build_grain_check(table: DerivedTable) -> AssetChecksDefinition:
    """Blocking check: the grain is unique in the partitions just written."""

    @asset_check(
        asset=table.key,
        name="grain_unique",
        blocking=True,
        partitions_def=DAILY,
        description=f"One row per {' × '.join(['dt', *table.grain])} (nulls compare equal).",
    )
    def _check(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
        days = partition_days(context)
        dup = grain_duplicates(warehouse, table, days[0], days[-1])
        verdicts = day_verdicts(days, dup, counted="duplicated_keys")
        yield from check_results(context, table.key, "grain_unique", verdicts, AssetCheckSeverity.ERROR)

    return _check


def build_table_check(table: DerivedTable, check: TableCheck) -> AssetChecksDefinition:
    """A check the table declares (``TableCheck``): one result per judged day."""
    reads = [table_key(t) for t in check.reads]

    @asset_check(
        asset=table.key, name=check.name, description=check.description, blocking=check.blocking,
        partitions_def=DAILY, additional_deps=[AssetKey(list(k)) for k in reads],
    )
    def _check(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
        days = partition_days(context)
        missing = [".".join(k) for k in [(table.database, table.table), *reads] if not warehouse.table_exists(*k)]
        if missing:
            verdicts = {d: Verdict(True, {"missing_tables": MetadataValue.json(missing)}, judged=False)
                        for d in days}
        else:
            verdicts = day_verdicts(days, check.query(warehouse, days[0], days[-1]))
        severity = AssetCheckSeverity.ERROR if check.blocking else AssetCheckSeverity.WARN
        yield from check_results(context, table.key, check.name, verdicts, severity)

    return _check


def table_checks(table: DerivedTable) -> list[AssetChecksDefinition]:
    """The table's checks: its grain, then the checks it declares."""
    return [build_grain_check(table), *(build_table_check(table, c) for c in table.checks)]


def build(
    tables: list[DerivedTable], upstream_columns: Mapping[tuple[str, str], list[str]] | None = None
) -> tuple[list[AssetsDefinition], list[AssetChecksDefinition]]:
    """Assets and checks; ``upstream_columns`` (key → columns) resolves the lineage of
    inputs read whole. The tables' own models are added to it."""
    columns = {**(upstream_columns or {}), **{(t.database, t.table): list(t.schema.columns) for t in tables}}
    return [build_asset(t, columns) for t in tables], [c for t in tables for c in table_checks(t)]

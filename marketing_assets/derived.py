"""Dagster wiring of the tables above ODS (DW, DIM, DWD, DM): a ``DerivedTable`` becomes a
daily-partitioned asset plus a blocking grain check.

A table is declared as
- a pandera model of its columns (the single source of its schema, validation and the
  ``dagster/column_schema`` metadata), every model ending with ``dt``;
- its grain, layer, group, English meaning and the document's Chinese name;
- its upstream tables, each with the window of days one partition reads (1: the same day;
  600: the 600 days ending on the partition day), the columns it needs and an optional
  SQL filter pushed down into DuckDB;
- ``compute(day, **frames)``: a pure polars function returning the table's rows for one
  day (without ``dt``). The frames it gets hold exactly its inputs' windows for that day.

Upstreams are declared as ``AssetDep`` with a ``TimeWindowPartitionMapping``, so the graph
shows the real lineage and a re-run of a day reaches every window that contains it; they
are read through the warehouse resource so a window's filter and projection run in DuckDB
(a 600-day window of order lines never comes into memory whole). A range of days is one
run: each input is read once for the whole range and cut per day.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import duckdb
import pandera.polars as pa
import polars as pl
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetChecksDefinition,
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    MetadataValue,
    TableColumnDep,
    TableColumnLineage,
    TimeWindowPartitionMapping,
    asset,
    asset_check,
)

from marketing_assets import config
from marketing_assets.metadata import column_schema
from marketing_assets.partitions import DAILY, partition_days
from marketing_assets.storage import MissingTableError, WarehouseResource

KINDS = {"polars", "duckdb"}
OWNER = "team:marketing-data"


class WarehouseModel(pa.DataFrameModel):
    """Base of every model above ODS: strict columns, values coerced to the model's dtypes."""

    class Config:
        strict = True
        coerce = True


class GrainError(ValueError):
    """A transform produced two rows for one grain key."""


@dataclass(frozen=True)
class Upstream:
    """One upstream table as a partition reads it."""

    key: tuple[str, str]
    #: days of the window ending on the partition day (1 = the same day)
    days: int = 1
    #: columns to read (``dt`` is always read); None: all
    columns: tuple[str, ...] | None = None
    #: SQL condition pushed down into the read (the table's own columns; may use subqueries)
    where: str | None = None

    @property
    def asset_key(self) -> AssetKey:
        return AssetKey(list(self.key))


@dataclass(frozen=True)
class DerivedTable:
    database: str
    table: str
    model: type[WarehouseModel]
    grain: tuple[str, ...]
    group: str
    layer: str
    what: str
    chinese_name: str
    inputs: Mapping[str, Upstream]
    compute: Callable[..., pl.DataFrame]
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

    @property
    def key(self) -> AssetKey:
        return AssetKey([self.database, self.table])

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


def _exists(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = conn.sql(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        params=[schema, table],
    ).fetchall()
    return bool(found[0][0])


def read_upstream(
    conn: duckdb.DuckDBPyConnection, up: Upstream, first: dt.date, last: dt.date
) -> pl.DataFrame:
    """Rows of ``up`` for the windows of the days ``first`` .. ``last``."""
    schema, table = up.key
    if not _exists(conn, schema, table):
        raise MissingTableError(
            f"{schema}.{table} does not exist: materialise it for these days first"
        )
    columns = "*" if up.columns is None else ", ".join(dict.fromkeys([*up.columns, "dt"]))
    where = f" AND ({up.where})" if up.where else ""
    start, _ = _window(first, up.days)
    return conn.sql(
        f"SELECT {columns} FROM {schema}.{table} WHERE dt BETWEEN ? AND ?{where}",
        params=[start, last],
    ).pl()


def compute_days(
    table: DerivedTable, days: list[dt.date], frames: Mapping[str, pl.DataFrame]
) -> pl.DataFrame:
    """The table's rows for ``days``: ``compute`` per day on each input's window, validated
    against the model, grain checked, sorted by ``dt`` and the grain."""
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
    frame = pl.concat(parts, how="vertical_relaxed") if parts else pl.DataFrame()
    columns = list(table.schema.columns)
    frame = table.model.validate(frame.select(columns))
    duplicated = frame.select("dt", *table.grain).is_duplicated()
    if duplicated.any():
        example = frame.filter(duplicated).head(3).to_dicts()
        raise GrainError(f"{table.table}: rows repeat the grain {table.grain}: {example}")
    return frame.sort(["dt", *table.grain], nulls_last=True, maintain_order=True)


def _prune(conn: duckdb.DuckDBPyConnection, table: DerivedTable, last: dt.date) -> int:
    """Drop partitions older than the retention (bounded tables only); rows dropped."""
    if not table.bounded or not _exists(conn, table.database, table.table):
        return 0
    cutoff = last - dt.timedelta(days=config.snapshot_retention_days() - 1)
    name = f"{table.database}.{table.table}"
    gone = conn.sql(f"SELECT count(*) FROM {name} WHERE dt < ?", params=[cutoff]).fetchall()[0][0]
    if gone:
        conn.execute(f"DELETE FROM {name} WHERE dt < ?", [cutoff])
    return gone


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

    @asset(
        key=table.key,
        deps=deps,
        partitions_def=DAILY,
        backfill_policy=BackfillPolicy.single_run(),
        group_name=table.group,
        kinds=KINDS,
        owners=[OWNER],
        tags={"layer": table.layer, **({"planned": "true"} if table.planned else {})},
        description=table.description(),
        metadata={
            "partition_expr": "dt",
            "dagster/column_schema": column_schema(table.schema),
            "dagster/column_lineage": column_lineage(table, upstream_columns or {}),
            "grain": ", ".join(table.grain),
            "upstream_windows_days": MetadataValue.json(
                {".".join(up.key): up.days for up in table.inputs.values()}
            ),
            "bounded_retention": table.bounded,
            **table.extra_metadata,
        },
    )
    def _derived(context: AssetExecutionContext, warehouse: WarehouseResource) -> pl.DataFrame:
        days = partition_days(context)
        with warehouse.get_connection() as conn:  # one connection for every input
            frames = {
                name: read_upstream(conn, up, days[0], days[-1])
                for name, up in table.inputs.items()
            }
        frame = compute_days(table, days, frames)
        with warehouse.get_connection() as conn:
            pruned = _prune(conn, table, days[-1])
        per_day = frame.group_by("dt").len().sort("dt")
        metadata = {
            "dagster/row_count": frame.height,
            "rows_per_day": MetadataValue.json(
                {d.isoformat(): n for d, n in per_day.iter_rows()}
            ),
            "rows_read": MetadataValue.json({k: v.height for k, v in frames.items()}),
        }
        if windows:
            metadata["windows_days"] = MetadataValue.json(windows)
        if table.bounded:
            metadata["partitions_kept_days"] = config.snapshot_retention_days()
            metadata["rows_pruned"] = pruned
        if table.headline is not None:
            last = frame.filter(pl.col("dt") == days[-1])
            metadata.update({k: v for k, v in table.headline(last).items()})
        context.add_output_metadata(metadata)
        return frame

    return _derived


def grain_duplicates(
    warehouse: WarehouseResource, table: DerivedTable, first: dt.date, last: dt.date
) -> pl.DataFrame:
    """Grain keys stored more than once in the partitions ``first`` .. ``last`` (top 5)."""
    key = ", ".join(["dt", *table.grain])
    return warehouse.query(
        f"SELECT {key}, count(*) AS n FROM {table.database}.{table.table} "
        f"WHERE dt BETWEEN ? AND ? GROUP BY ALL HAVING count(*) > 1 "
        f"ORDER BY n DESC, {key} LIMIT 5",
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
    def _check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> AssetCheckResult:
        window = context.partition_time_window
        first, end = window.start.date(), window.end.date()
        dup = grain_duplicates(warehouse, table, first, end - dt.timedelta(days=1))
        return AssetCheckResult(
            passed=dup.is_empty(),
            severity=AssetCheckSeverity.ERROR,
            metadata={
                "duplicated_keys": dup.height,
                "examples": MetadataValue.json(
                    [{k: str(v) for k, v in r.items()} for r in dup.to_dicts()]
                ),
            },
        )

    return _check


def build(
    tables: list[DerivedTable], upstream_columns: Mapping[tuple[str, str], list[str]] | None = None
) -> tuple[list[AssetsDefinition], list[AssetChecksDefinition]]:
    """Assets and grain checks; ``upstream_columns`` (key → columns) resolves the lineage of
    inputs read whole. The tables' own models are added to it."""
    columns = {**(upstream_columns or {}), **{(t.database, t.table): list(t.schema.columns) for t in tables}}
    return [build_asset(t, columns) for t in tables], [build_grain_check(t) for t in tables]

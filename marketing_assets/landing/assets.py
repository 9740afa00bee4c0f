"""Dagster wiring: an ``OdsSpec`` becomes its daily-partitioned ODS asset(s).

- landed records (Mongo, CSV, service log) and binlog ``_di`` events: one asset;
- binlog ``_df``: the day's events as their own append-only asset (``…_event_di``) and
  the snapshot asset built from it (see ``landing.snapshot``).
Each asset handles a range of days in one run (``BackfillPolicy.single_run()``), and each
partition's materialisation carries that day's own figures (``add_asset_metadata`` with its
partition key). A landed asset writes its table rows and its quarantine rows of the run's
days itself, in one transaction (not through the I/O manager, which would commit them
apart); the snapshot asset writes its days in DuckDB, one transaction each.
"""


import datetime as dt
import inspect

import polars as pl
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from marketing_assets.config import snapshot_retention_days
from marketing_assets.landing import quarantine
from marketing_assets.landing.ingest import IngestResult, stage_days
from marketing_assets.landing.resource import LandingResource
from marketing_assets.landing.snapshot import snapshot_sql
from marketing_assets.landing.spec import OdsKind, OdsSpec
from marketing_assets.metadata import column_schema
from marketing_assets.partitions import DAILY, partition_days
from marketing_assets.storage import (
    WarehouseResource,
    replace_days,
    retention_cutoff,
    table_exists,
    transaction,
    wipe_pruned_partitions,
)
from marketing_assets.table import KINDS, OWNER, code_references

ODS = "redods"
QUARANTINE_KEY = AssetKey([quarantine.SCHEMA, quarantine.TABLE])


def _description(spec: OdsSpec, what: str, grain: tuple[str, ...]) -> str:
    name = f" ({spec.chinese_name})" if spec.chinese_name else ""
    return (
        f"{what}{name}. Source: {spec.source_system or spec.domain}, landed as "
        f"{spec.fmt.value}. Grain per dt: {' × '.join(grain)}."
    )


def _asset_metadata(spec: OdsSpec, schema, grain) -> dict:
    return {
        "partition_expr": "dt",
        "dagster/column_schema": column_schema(schema),
        "grain": ", ".join(grain),
        "landing_table": spec.table,
        "source_format": spec.fmt.value,
        **code_references(spec.declared_at),
        **spec.extra_metadata,
    }


def _day_summary(r: IngestResult) -> dict:
    """The materialisation metadata of one landed day (its own partition's event)."""
    return {
        "dagster/row_count": r.rows,
        "rows": r.rows,
        "landed_lines": r.lines,
        "quarantined": r.quarantine.height,
        "quarantine_share": round(r.quarantine.height / r.lines, 6) if r.lines else 0.0,
        "quarantine_reasons": MetadataValue.json(r.reasons),
        "late_rows": r.late,
        "schema_drift": MetadataValue.json(r.drift),
        "files": MetadataValue.json(r.files),
        "empty_files": MetadataValue.json(r.empty_files),
        "ignored_files": MetadataValue.json(r.ignored_files),
        "empty_days": MetadataValue.json([r.day.isoformat()] if r.empty_marker else []),
        "blank_lines": r.blank_lines,
    }


#: the temporary table of the run's connection the landed days are staged in
STAGED = "ods_staged_days"


def _write_days(connection, spec: OdsSpec, days: list[dt.date], rejected: pl.DataFrame) -> None:
    """The table rows staged in ``STAGED`` and the quarantine rows of the run's days, in
    one transaction: a failure (or a kill) between them leaves both as they were. The table
    is written by ``replace_days`` from the staged rows, as ``WarehouseIOManager`` writes a
    partitioned output (create, evolve, delete the days, insert by name, refuse rows
    outside the days)."""
    with transaction(connection):
        quarantine.replace_rows(connection, spec.table, days, rejected)
        replace_days(connection, ODS, spec.events_table, days[0], days[-1], f"SELECT * FROM {STAGED}")


def _landed_asset(spec: OdsSpec) -> AssetsDefinition:
    schema = spec.landed_schema()
    what = (
        f"Change events of {spec.table.removesuffix('_df')} landed that day (append-only)"
        if spec.kind is OdsKind.SNAPSHOT
        else spec.description
    )

    @asset(
        key=AssetKey([ODS, spec.events_table]),
        partitions_def=DAILY,
        backfill_policy=BackfillPolicy.single_run(),
        group_name=spec.domain,
        kinds=KINDS,
        owners=[OWNER],
        tags={"layer": "ods"},
        description=_description(spec, what, spec.grain),
        metadata=_asset_metadata(spec, schema, spec.grain),
    )
    def _ods(
        context: AssetExecutionContext, landing: LandingResource, warehouse: WarehouseResource
    ) -> MaterializeResult:
        days = partition_days(context)
        # the days are read together and staged in a temporary table of the run's
        # connection as they are read (the memory follows a batch, not the range), then
        # all are written in one transaction; the staged rows go with the connection
        with warehouse.get_connection() as conn:
            try:
                results = stage_days(spec, landing.path(), days, conn, STAGED)
                rejected = pl.concat([r.quarantine for r in results])
                _write_days(conn, spec, days, rejected)
            finally:
                conn.execute(f"DROP TABLE IF EXISTS {STAGED}")
        for day, result in zip(context.partition_keys, results, strict=True):
            summary = _day_summary(result)
            context.add_asset_metadata(summary, partition_key=day)
            if result.quarantine.height:
                context.log.warning(
                    f"{result.quarantine.height} records of {spec.table} {day} quarantined: "
                    f"{result.reasons}"
                )
            if result.drift:
                context.log.warning(
                    f"schema drift in {spec.table} {day}: unknown fields {result.drift}"
                )
            if result.ignored_files:
                context.log.warning(
                    f"{spec.table} {day}: files not read (not named part-*.jsonl|json|csv"
                    f"[.gz]): {result.ignored_files}"
                )
        return MaterializeResult()

    return _ods


def _snapshot_asset(spec: OdsSpec) -> AssetsDefinition:
    schema = spec.snapshot_schema()
    events_key = AssetKey([ODS, spec.events_table])
    events, table = f"{ODS}.{spec.events_table}", f"{ODS}.{spec.table}"

    @asset(
        key=AssetKey([ODS, spec.table]),
        deps=[events_key],
        partitions_def=DAILY,
        backfill_policy=BackfillPolicy.single_run(),
        group_name=spec.domain,
        kinds=KINDS,
        owners=[OWNER],
        tags={"layer": "ods"},
        description=_description(
            spec,
            spec.description + "; full snapshot as of dt, merged from the change events",
            spec.key,
        ),
        # a snapshot can be rebuilt from its events: keep the retention's days, like every
        # snapshot above ODS (pruned in the write's transaction)
        metadata={**_asset_metadata(spec, schema, spec.key), "bounded_retention": True},
    )
    def _snapshot(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        # The previous day's snapshot is read through SQL, not declared as a self-dependency:
        # a self-dependent asset would force one run per day in backfills. Each day is
        # written in its own transaction, in DuckDB (``snapshot_sql``): the previous day's
        # stored snapshot + the day's events, or, when it is not stored, all events up to
        # the day; both give the same table. Every day of the range is written and kept
        # (``retention_cutoff``): the tables after it in the run read each day.
        days = partition_days(context)
        first = days[0]
        wiped = 0
        with warehouse.get_connection() as conn:
            previous = first - dt.timedelta(days=1)
            stored = table_exists(conn, ODS, spec.table) and conn.execute(
                f"SELECT count(*) > 0 FROM {table} WHERE dt = ?", [previous]
            ).fetchone()[0]
            for day, key in zip(days, context.partition_keys, strict=True):
                base = "table" if day > first or stored else "events"
                written = replace_days(
                    conn, ODS, spec.table, day, day,
                    snapshot_sql(spec, events, table, day, base), bounded=True, run_first=first,
                    judge=lambda c, d=day: c.execute(
                        f"SELECT count(*) FROM {table} WHERE dt = ?", [d]).fetchone()[0],
                )
                wiped += len(wipe_pruned_partitions(
                    context.instance, context.asset_key, DAILY, retention_cutoff(day, first)))
                applied = conn.execute(
                    f"SELECT count(*) FROM {events} WHERE dt = ?", [day]).fetchone()[0]
                context.add_asset_metadata(
                    {
                        "dagster/row_count": written.judged,
                        "rows": written.judged,
                        "events_applied": applied,
                        "built_from": "previous snapshot + the day's events" if base == "table"
                        else "all events up to dt",
                    },
                    partition_key=key,
                )
        return MaterializeResult(metadata={
            "computed_in": "DuckDB SQL, one day per transaction",
            "partitions_kept_days": snapshot_retention_days(),
            "partitions_pruned": wiped,
        })

    return _snapshot


def quarantine_asset(specs: list[OdsSpec]) -> AssetsDefinition:
    """``redods.quarantine`` in the graph. The landed ODS assets write it as a side table
    (delete by source and day, insert, in the transaction of their own rows); this asset
    runs after them, checks the days' rows against the schema and reports them per day,
    source and reason."""

    @asset(
        key=QUARANTINE_KEY,
        deps=[AssetKey([ODS, s.events_table]) for s in specs],
        partitions_def=DAILY,
        backfill_policy=BackfillPolicy.single_run(),
        group_name="quality",
        kinds={"duckdb"},
        owners=[OWNER],
        tags={"layer": "ods"},
        description=(
            "Landed records that could not be loaded, with their reason (隔离区). Written by "
            "every landed ODS asset for its own source and days. Grain per dt: source_table "
            "× file × line."
        ),
        metadata={
            "partition_expr": "dt",
            "dagster/column_schema": column_schema(quarantine.Quarantine.to_schema()),
            # "view code": the quarantine's model and its reads
            **code_references((quarantine.__file__, inspect.getsourcelines(quarantine.Quarantine)[1])),
        },
    )
    def _quarantine(context: AssetExecutionContext, warehouse: WarehouseResource):
        days = partition_days(context)
        rows = quarantine.read_days(warehouse, days)
        kind = pl.col("reason").str.extract(r"^([^:'(]+)").str.strip_chars()
        for day, key in zip(days, context.partition_keys, strict=True):
            of_day = rows.filter(pl.col("dt") == day)
            by_source = of_day.group_by("source_table").len().sort("source_table")
            by_reason = of_day.group_by(kind.alias("kind")).len().sort("kind")
            context.add_asset_metadata(
                {
                    "dagster/row_count": of_day.height,
                    "quarantined": of_day.height,
                    "by_source": MetadataValue.json(dict(by_source.rows())),
                    "by_reason": MetadataValue.json(dict(by_reason.rows())),
                },
                partition_key=key,
            )
        return MaterializeResult()

    return _quarantine


def build_ods_assets(spec: OdsSpec) -> list[AssetsDefinition]:
    landed = _landed_asset(spec)
    return [landed, _snapshot_asset(spec)] if spec.kind is OdsKind.SNAPSHOT else [landed]

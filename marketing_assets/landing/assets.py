"""Dagster wiring: an ``OdsSpec`` becomes its daily-partitioned ODS asset(s).

- landed records (Mongo, CSV, service log) and binlog ``_di`` events: one asset;
- binlog ``_df``: the day's events as their own append-only asset (``…_event_di``) and
  the snapshot asset built from it (see ``landing.snapshot``).
Each asset handles a range of days in one run (``BackfillPolicy.single_run()``).
"""


import datetime as dt

import polars as pl
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from marketing_assets.landing import quarantine
from marketing_assets.landing.ingest import IngestResult, ingest_day
from marketing_assets.landing.resource import LandingResource
from marketing_assets.landing.snapshot import snapshots_for_days
from marketing_assets.landing.spec import OdsKind, OdsSpec
from marketing_assets.metadata import column_schema
from marketing_assets.partitions import DAILY, partition_days
from marketing_assets.storage import WarehouseResource

ODS = "redods"
KINDS = {"polars", "duckdb"}
OWNER = "team:marketing-data"
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
        **spec.extra_metadata,
    }


def _summary(results: list[IngestResult], frame: pl.DataFrame, q: pl.DataFrame) -> dict:
    drift: dict[str, int] = {}
    reasons: dict[str, int] = {}
    for r in results:
        for k, v in r.drift.items():
            drift[k] = drift.get(k, 0) + v
        for k, v in r.reasons.items():
            reasons[k] = reasons.get(k, 0) + v
    lines = sum(r.lines for r in results)
    return {
        "rows": frame.height,
        "landed_lines": lines,
        "quarantined": q.height,
        "quarantine_share": round(q.height / lines, 6) if lines else 0.0,
        "quarantine_reasons": MetadataValue.json(reasons),
        "late_rows": sum(r.late for r in results),
        "schema_drift": MetadataValue.json(drift),
        "files": MetadataValue.json([f for r in results for f in r.files]),
        "empty_files": MetadataValue.json([f for r in results for f in r.empty_files]),
        "empty_days": MetadataValue.json(
            [r.day.isoformat() for r in results if r.empty_marker]
        ),
        "blank_lines": sum(r.blank_lines for r in results),
    }


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
    ) -> pl.DataFrame:
        days = partition_days(context)
        results = [ingest_day(spec, landing.path(), day) for day in days]
        frame = pl.concat([r.frame for r in results])
        rejected = pl.concat([r.quarantine for r in results])
        with warehouse.get_connection() as conn:
            quarantine.replace_source_days(conn, spec.table, days, rejected)
        summary = _summary(results, frame, rejected)
        if rejected.height:
            context.log.warning(
                f"{rejected.height} records of {spec.table} quarantined: "
                f"{summary['quarantine_reasons'].data}"
            )
        drift = summary["schema_drift"].data
        if drift:
            context.log.warning(f"schema drift in {spec.table}: unknown fields {drift}")
        context.add_output_metadata(summary)
        return frame

    return _ods


def _previous_snapshot(
    warehouse: WarehouseResource, table: str, day: dt.date
) -> pl.DataFrame | None:
    """The stored snapshot of ``day`` if it has rows (else recompute from all events)."""
    if not warehouse.table_exists(ODS, table):
        return None
    base = warehouse.query(f"SELECT * FROM {ODS}.{table} WHERE dt = ?", [day])
    return base if base.height else None


def _snapshot_asset(spec: OdsSpec) -> AssetsDefinition:
    schema = spec.snapshot_schema()
    events_key = AssetKey([ODS, spec.events_table])

    @asset(
        key=AssetKey([ODS, spec.table]),
        ins={"events": AssetIn(events_key)},
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
        metadata=_asset_metadata(spec, schema, spec.key),
    )
    def _snapshot(
        context: AssetExecutionContext, warehouse: WarehouseResource, events: pl.DataFrame
    ) -> pl.DataFrame:
        # The previous day's snapshot is read through SQL, not declared as a self-dependency:
        # a self-dependent asset would force one run per day in backfills. When it is not
        # stored, all events up to the range are replayed instead; both give the same table.
        days = partition_days(context)
        base = _previous_snapshot(warehouse, spec.table, days[0] - dt.timedelta(days=1))
        if base is None:
            older = warehouse.query(
                f"SELECT * FROM {ODS}.{spec.events_table} WHERE dt < ?", [days[0]]
            )
            events = pl.concat([older.select(events.columns), events], how="vertical_relaxed")
        frame = snapshots_for_days(spec, base, events, days)
        context.add_output_metadata(
            {
                "rows": frame.height,
                "built_from": "previous snapshot + the day's events"
                if base is not None
                else "all events up to dt",
                "events_applied": events.height,
            }
        )
        return frame

    return _snapshot


def quarantine_asset(specs: list[OdsSpec]) -> AssetsDefinition:
    """``redods.quarantine`` in the graph. The landed ODS assets write it as a side table
    (delete by source and day, insert, in one transaction); this asset runs after them,
    checks the days' rows against the schema and reports them per source and reason."""

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
        },
    )
    def _quarantine(context: AssetExecutionContext, warehouse: WarehouseResource):
        days = partition_days(context)
        rows = quarantine.read_days(warehouse, days)
        kind = pl.col("reason").str.extract(r"^([^:'(]+)").str.strip_chars()
        by_source = rows.group_by("source_table").len().sort("source_table")
        by_reason = rows.group_by(kind.alias("kind")).len().sort("kind")
        return MaterializeResult(
            metadata={
                "dagster/row_count": rows.height,
                "quarantined": rows.height,
                "by_source": MetadataValue.json(dict(by_source.rows())),
                "by_reason": MetadataValue.json(dict(by_reason.rows())),
            }
        )

    return _quarantine


def build_ods_assets(spec: OdsSpec) -> list[AssetsDefinition]:
    landed = _landed_asset(spec)
    return [landed, _snapshot_asset(spec)] if spec.kind is OdsKind.SNAPSHOT else [landed]

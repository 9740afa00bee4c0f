"""Publishing the serving copy (``marketing_assets.serving``) of what a run wrote.

One publisher at a time: it runs at the end of a run, under the run lock (the run-locked
executor, or the caller of an in-process run). For every table the run materialised it
writes the run's partitions as new Parquet files, and the partitions the manifest lacks
(the first publish of an existing warehouse); it drops the partitions whose rows are gone
(pruned by retention). Then it swaps the manifest (temp file + ``os.replace``) and removes
every file the new manifest does not name (the replaced ones, and leftovers of a publish
that was killed before its swap).

A table stored as validity intervals (``storage.read``) is a view in the warehouse: the
publisher writes its stored parts (``<table>__facts``, ``__changes``, ``__days``) like any
table and puts the view's SQL in the manifest (``views``), which the serving copy recreates
over the parts' files: users read the same rows "as known on dt" as the pipeline does.

``python -m marketing_assets.storage.publish`` publishes every table of the warehouse.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from dagster import AssetKey, DagsterEventType, DagsterInstance, MetadataValue

from marketing_assets.serving import MANIFEST, WHOLE_TABLE, read_manifest, serving_dir
from marketing_assets.storage.connection import resolve_database, table_exists, warehouse_connection
from marketing_assets.storage.read import stored_views

#: the partition column of every partitioned table (each model ends with ``dt``)
PARTITION_COLUMN = "dt"

Written = Mapping[tuple[str, str], Iterable[str | None]]


@dataclass
class Published:
    """What one publish did."""

    manifest: dict[str, Any]
    written: dict[str, list[str]] = field(default_factory=dict)  # table → partitions
    dropped: dict[str, list[str]] = field(default_factory=dict)  # table → partitions
    files_removed: int = 0

    def summary(self) -> str:
        files = sum(map(len, self.written.values()))
        dropped = sum(map(len, self.dropped.values()))
        return (
            f"{files} partition file(s) of {len(self.written)} table(s) written, {dropped}"
            f" partition(s) dropped, {self.files_removed} old file(s) removed"
        )

    def metadata(self) -> dict[str, MetadataValue]:
        return {
            "serving_root": MetadataValue.path(self.manifest["root"]),
            "tables_written": MetadataValue.json(self.written),
            "partitions_dropped": MetadataValue.json(self.dropped),
            "files_removed": MetadataValue.int(self.files_removed),
        }


def run_materializations(instance: DagsterInstance, run_id: str) -> dict[tuple[str, str], set[str | None]]:
    """(schema, table) → partitions materialised by the run (None: unpartitioned)."""
    records = instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION
    ).records
    written: dict[tuple[str, str], set[str | None]] = {}
    for record in records:
        event = record.event_log_entry.dagster_event
        key: AssetKey = event.asset_key
        if len(key.path) == 2:
            written.setdefault((key.path[0], key.path[1]), set()).add(event.partition)
    return written


def _stored_tables(conn: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """Every stored table (not a view): (schema, table)."""
    return set(
        conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_type = 'BASE TABLE'"
        ).fetchall()
    )


def _stored_partitions(conn: duckdb.DuckDBPyConnection, table: str) -> dict[str, int]:
    """Partition key → rows stored."""
    rows = conn.execute(
        f"SELECT strftime({PARTITION_COLUMN}, '%Y-%m-%d'), count(*) FROM {table} GROUP BY 1"
    ).fetchall()
    return dict(rows)


def _with_view_parts(
    written: Written, views: Mapping[str, str], stored_tables: set[tuple[str, str]]
) -> dict[tuple[str, str], set[str | None]]:
    """``written`` with each view replaced by the stored parts of its interval table
    (``<view>__…``), for the same partitions."""
    out: dict[tuple[str, str], set[str | None]] = {}
    for (schema, table), partitions in written.items():
        if f"{schema}.{table}" in views:
            for part_schema, part in stored_tables:
                if part_schema == schema and part.startswith(f"{table}__"):
                    out.setdefault((schema, part), set()).update(partitions)
        else:
            out.setdefault((schema, table), set()).update(partitions)
    return out


def _has_partition_column(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = conn.execute(
        "SELECT count(*) FROM information_schema.columns"
        " WHERE table_schema = ? AND table_name = ? AND column_name = ?",
        [schema, table, PARTITION_COLUMN],
    ).fetchall()
    return bool(found[0][0])


def _export(
    conn: duckdb.DuckDBPyConnection,
    root: Path,
    schema: str,
    table: str,
    partition: str,
    name: str,
    rows: int,
) -> dict[str, Any]:
    """Write one partition (or the whole table) of ``rows`` rows to a new file; its
    manifest entry."""
    relative = Path(schema, table, partition, f"{name}.parquet")
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    relation = conn.table(f"{schema}.{table}")
    if partition != WHOLE_TABLE:  # the day as a constant expression, not SQL text
        day = duckdb.ConstantExpression(dt.date.fromisoformat(partition))
        relation = relation.filter(duckdb.ColumnExpression(PARTITION_COLUMN) == day)
    relation.write_parquet(str(target))
    return {"file": relative.as_posix(), "rows": rows}


def _swap_manifest(root: Path, manifest: dict[str, Any]) -> None:
    temporary = root / f".{MANIFEST}.{uuid.uuid4().hex}.tmp"
    with open(temporary, "w", encoding="utf-8") as out:
        json.dump(manifest, out, indent=1, sort_keys=True)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, root / MANIFEST)


def _remove_unlisted(root: Path, manifest: dict[str, Any]) -> int:
    """Delete the Parquet files (and empty folders) the manifest does not name."""
    listed = {
        (root / entry["file"]).resolve()
        for table in manifest["tables"].values()
        for entry in table["partitions"].values()
    }
    removed = 0
    for path in sorted(root.rglob("*.parquet")):
        if path.resolve() not in listed:
            path.unlink()
            removed += 1
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return removed


def publish(
    written: Written,
    run_id: str,
    database: str = "",
    root: str | os.PathLike[str] | None = None,
) -> Published:
    """Publish the partitions ``written`` ((schema, table) → partition keys, None for an
    unpartitioned table) of the warehouse ``database`` (empty: the configured one). Tables
    the warehouse does not hold (reports, say) are skipped."""
    base = Path(root or serving_dir()).resolve()
    old = read_manifest(base)
    if not written:  # nothing to publish: leave the copy as it is
        return Published(manifest={**old, "root": str(base)})
    base.mkdir(parents=True, exist_ok=True)
    tables: dict[str, Any] = {name: dict(entry) for name, entry in old["tables"].items()}
    result = Published(manifest={})
    name = f"{run_id}-{uuid.uuid4().hex[:8]}"
    with warehouse_connection(resolve_database(database)) as conn:
        stored_tables = _stored_tables(conn)
        views = stored_views(conn)
        for view in views:  # a table now a view: its old files go
            tables.pop(view, None)
        written = _with_view_parts(written, views, stored_tables)
        for (schema, table), partitions in sorted(written.items()):
            if not table_exists(conn, schema, table, views=False):
                continue
            qualified = f"{schema}.{table}"
            entries = dict(tables.get(qualified, {}).get("partitions", {}))
            if not _has_partition_column(conn, schema, table) or None in set(partitions):
                to_write, gone = {WHOLE_TABLE}, set(entries) - {WHOLE_TABLE}
                stored = {WHOLE_TABLE: conn.table(qualified).count("*").fetchall()[0][0]}
            else:
                stored = _stored_partitions(conn, qualified)
                to_write = set(partitions) | (stored.keys() - entries.keys())
                # rows that were there and are no longer (pruned); an empty partition stays
                gone = {
                    p for p, e in entries.items()
                    if e.get("rows") and p not in stored and p not in to_write
                }
            for partition in gone:
                del entries[partition]
            for partition in sorted(to_write):
                rows = stored.get(partition, 0)
                entries[partition] = _export(conn, base, schema, table, partition, name, rows)
            if to_write:
                result.written[qualified] = sorted(to_write)
            if gone:
                result.dropped[qualified] = sorted(gone)
            if entries:
                tables[qualified] = {"partitions": entries}
            else:
                tables.pop(qualified, None)
    result.manifest = {
        "format": 1,
        "root": str(base),
        "run_id": run_id,
        "published_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "tables": tables,
        # a view is served once its stored parts are
        "views": {
            view: sql for view, sql in views.items()
            if any(table.startswith(f"{view}__") for table in tables)
        },
    }
    _swap_manifest(base, result.manifest)
    result.files_removed = _remove_unlisted(base, result.manifest)
    return result


def publish_run(
    instance: DagsterInstance,
    run_id: str,
    database: str = "",
    root: str | os.PathLike[str] | None = None,
) -> Published:
    """Publish what the run ``run_id`` materialised (call it under the run lock)."""
    return publish(run_materializations(instance, run_id), run_id, database, root)


def publish_everything(database: str = "", root: str | os.PathLike[str] | None = None) -> Published:
    """Publish every table of the warehouse, every partition (a first serving copy)."""
    from marketing_assets.storage.lock import run_lock

    with run_lock(database):
        with warehouse_connection(resolve_database(database)) as conn:
            every = {
                (schema, table): list(_stored_partitions(conn, f"{schema}.{table}"))
                if _has_partition_column(conn, schema, table)
                else [None]
                for schema, table in _stored_tables(conn)
            }
        return publish(every, f"publish-{uuid.uuid4().hex[:8]}", database, root)


if __name__ == "__main__":
    print(publish_everything().summary())

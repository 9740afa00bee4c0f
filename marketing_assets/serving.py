"""The serving copy of the warehouse: what users, notebooks and dashboards query.

Only the pipeline opens the DuckDB warehouse file (DuckDB lets one process hold it, and a
reader holding it open makes running steps fail). At the end of every run that wrote it, the
run publishes what it wrote as Parquet, one file per table and partition, under the serving
root (``MARKETING_SERVING_DIR``, default ``data/serving``), readable by any engine and DuckDB
version::

    <root>/manifest.json                              # swapped atomically by the publisher
    <root>/<schema>/<table>/<partition>/<run>-<token>.parquet

The manifest maps ``schema.table`` → partition key → file (relative to the root), with the
run id and time of the publish, and ``views``: ``schema.table`` → the SQL of a table read
"as known on dt" from its stored parts (``marketing_assets.storage.read``), recreated here
as a view over the parts' views, so the serving copy shows the same rows as the warehouse. Files are written under new names and the manifest is
replaced in one ``os.replace``: a reader sees the old copy or the new one, never a mix; the
files the new manifest no longer names are removed after the swap.

``connect()`` returns an in-memory DuckDB connection with one view per table
(``schema.table``) over the manifest's files; ``refresh(conn)`` points the views at the
latest manifest (a connection opened before a publish reads removed files until refreshed).
This module needs only duckdb: a notebook does not import Dagster to read.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import duckdb

SERVING_DIR_ENV = "MARKETING_SERVING_DIR"
MANIFEST = "manifest.json"
#: the partition key of an unpartitioned table in the manifest
WHOLE_TABLE = "__all__"

_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def serving_dir() -> Path:
    """Root of the serving copy (read when called, like ``marketing_assets.config``)."""
    return Path(os.environ.get(SERVING_DIR_ENV) or _DATA_DIR / "serving")


def read_manifest(root: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The current manifest (``{"tables": {}}`` before the first publish)."""
    path = Path(root or serving_dir()) / MANIFEST
    if not path.is_file():
        return {"tables": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def table_files(manifest: dict[str, Any], root: str | os.PathLike[str]) -> dict[str, list[str]]:
    """``schema.table`` → absolute paths of its files, in partition order."""
    base = Path(root)
    return {
        name: [str(base / entry["file"]) for _, entry in sorted(entry["partitions"].items())]
        for name, entry in sorted(manifest["tables"].items())
    }


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _variable(name: str) -> str:
    return "serving_files:" + name


def refresh(
    conn: duckdb.DuckDBPyConnection, root: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    """Point ``conn``'s views at the current manifest (create new tables' views, drop gone
    ones); returns the manifest. File paths reach DuckDB as variables, never as SQL text."""
    base = Path(root or serving_dir())
    manifest = read_manifest(base)
    files = table_files(manifest, base)
    existing = {
        f"{schema}.{view}"
        for schema, view in conn.execute(
            "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
    }
    views = manifest.get("views", {})
    for name in sorted(existing - files.keys() - views.keys()):
        schema, table = name.split(".", 1)
        conn.execute(f"DROP VIEW {_quote(schema)}.{_quote(table)}")
    for name, paths in files.items():
        schema, table = name.split(".", 1)
        variable = _variable(name).replace("'", "''")
        conn.execute(f"SET VARIABLE {_quote(_variable(name))} = ?", [paths])
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
        conn.execute(
            f"CREATE OR REPLACE VIEW {_quote(schema)}.{_quote(table)} AS SELECT * FROM "
            f"read_parquet(getvariable('{variable}'), union_by_name = true)"
        )
    # the warehouse's own CREATE VIEW statements, over the same schema.table names; a view
    # over another view waits for it
    pending = dict(sorted(views.items()))
    while pending:
        failed = {}
        for name, sql in pending.items():
            try:
                conn.execute(re.sub(r"^\s*CREATE\s+VIEW", "CREATE OR REPLACE VIEW", sql, flags=re.IGNORECASE))
            except duckdb.CatalogException:
                failed[name] = sql
        if len(failed) == len(pending):
            raise duckdb.CatalogException(f"views of the manifest that read missing tables: {sorted(failed)}")
        pending = failed
    return manifest


def connect(root: str | os.PathLike[str] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view ``schema.table`` per published table."""
    conn = duckdb.connect()
    refresh(conn, root)
    return conn

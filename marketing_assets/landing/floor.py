"""The read floor of the ODS load: DuckDB reading a day's landed files into tables once.

``read_floor`` is what the benchmark compares the ODS load of a day with: every landed data
file of that day of every ODS source read by DuckDB's ``read_json`` / ``read_csv`` with an
explicit schema into a table (``CREATE TABLE … AS SELECT * FROM read_…(files)``), one table
per source (per CSV header when a source's files differ), in a fresh DuckDB file. Nothing
is checked, typed or quarantined: it is the cost no loader of these files can go under.

The schema is the one the files can be read with as they are: a CSV file's header columns
as ``VARCHAR``; a JSON record's top-level fields that the model reads (Extended JSON
wrappers such as ``{"$numberLong": "5"}`` and decimal yuan are not DuckDB types) as
``JSON``; a binlog event's ``op`` (``VARCHAR``), ``ts_ms`` (``BIGINT``) and row images
(``JSON``).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from marketing_assets.config import duckdb_memory_limit
from marketing_assets.domains.registry import ODS_SPECS
from marketing_assets.landing import files as landing_files
from marketing_assets.landing.parse import csv_header
from marketing_assets.landing.spec import OdsSpec, SourceFormat


@dataclass(frozen=True)
class FloorResult:
    seconds: float  # wall time of the reads (connect to close)
    rows: int  # records read
    bytes: int  # bytes of the files read (as landed: compressed if .gz)
    files: int
    tables: int


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _json_columns(spec: OdsSpec) -> dict[str, str]:
    if spec.fmt is SourceFormat.BINLOG:
        return {"op": "VARCHAR", "ts_ms": "BIGINT", "before": "JSON", "after": "JSON"}
    tops = dict.fromkeys(spec.source_field(c).split(".")[0] for c in spec.business_columns)
    return {top: "JSON" for top in tops}


def _selects(spec: OdsSpec, paths: list[Path]) -> list[str]:
    """The ``read_json`` / ``read_csv`` of one source-day's files (one per CSV header)."""
    if spec.fmt is not SourceFormat.CSV:
        columns = ", ".join(f"{_lit(k)}: '{v}'" for k, v in _json_columns(spec).items())
        files = ", ".join(_lit(str(p)) for p in paths)
        return [
            f"SELECT * FROM read_json([{files}], format='newline_delimited', "
            f"columns={{{columns}}}, auto_detect=false)"
        ]
    by_header: dict[tuple[str, ...], list[Path]] = {}
    for path in paths:
        first = landing_files.read_bytes(path).split(b"\n", 1)[0]
        if first.strip():
            by_header.setdefault(csv_header(first), []).append(path)
    selects = []
    for header, group in by_header.items():
        columns = ", ".join(f"{_lit(h)}: 'VARCHAR'" for h in header)
        files = ", ".join(_lit(str(p)) for p in group)
        selects.append(
            f"SELECT * FROM read_csv([{files}], header=true, columns={{{columns}}}, "
            f"delim=',', quote='\"', escape='\"', nullstr=['\\N', ''], auto_detect=false)"
        )
    return selects


def read_floor(
    root: Path, day: dt.date, database: str, specs: list[OdsSpec] | None = None
) -> FloorResult:
    """DuckDB reading every landed data file of ``day`` of every ODS source (or of
    ``specs``) into one table per source, in the fresh DuckDB file ``database`` (which must
    not exist yet). A source without data files that day (an ``_EMPTY`` marker) reads
    nothing."""
    if Path(database).exists():
        raise FileExistsError(f"{database}: the floor is measured in a fresh DuckDB file")
    plan = []
    for spec in specs or ODS_SPECS:
        landed = landing_files.locate(root, spec.table, day)
        paths = [p for p in landed.files if p.stat().st_size]
        if paths:
            plan.append((spec, paths))
    n_bytes = sum(p.stat().st_size for _, paths in plan for p in paths)
    n_files = sum(len(paths) for _, paths in plan)
    start = time.perf_counter()
    con = duckdb.connect(database, config={"memory_limit": duckdb_memory_limit()})
    rows = tables = 0
    try:
        for spec, paths in plan:
            for i, select in enumerate(_selects(spec, paths)):
                table = f'"{spec.table}_{i}"' if i else f'"{spec.table}"'
                con.execute(f"CREATE TABLE {table} AS {select}")
                rows += con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                tables += 1
    finally:
        con.close()
    return FloorResult(time.perf_counter() - start, rows, n_bytes, n_files, tables)

"""``redods.quarantine``: every landed record that could not be loaded, with its reason.

Many ODS assets feed it; re-running one source's day replaces only that source's rows of
that day (delete by ``source_table`` and ``dt`` and insert), in the same transaction as the
source's own table rows of that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandera.polars as pa
import polars as pl

from marketing_assets.table import TableModel

SCHEMA = "redods"
TABLE = "quarantine"


class Quarantine(TableModel):
    source_table: pl.String = pa.Field(description="ODS table the record was landed for")
    dt: pl.Date = pa.Field(description="landing day (Asia/Shanghai)")
    file: pl.String = pa.Field(description="landed file, relative to the landing root")
    line: pl.Int64 = pa.Field(nullable=True, description="1-based line in the file")
    raw: pl.String = pa.Field(description="the record as landed (hex:… when not UTF-8)")
    reason: pl.String = pa.Field(description="why it was not loaded")


COLUMNS = list(Quarantine.to_schema().columns)


def quarantine_rows(table: str, day: dt.date, rejected: pl.DataFrame) -> pl.DataFrame:
    """Quarantine rows from records carrying ``_src_file``, ``_src_line``, ``_raw_text``,
    ``_reject``."""
    frame = rejected.select(
        pl.lit(table).alias("source_table"),
        pl.lit(day, pl.Date).alias("dt"),
        pl.col("_src_file").alias("file"),
        pl.col("_src_line").cast(pl.Int64).alias("line"),
        pl.col("_raw_text").alias("raw"),
        pl.col("_reject").alias("reason"),
    )
    if frame.is_empty():  # most source-days: nothing to check
        return empty()
    return Quarantine.validate(frame.sort("file", "line"))


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema={n: c.dtype.type for n, c in Quarantine.to_schema().columns.items()})


def read_days(warehouse, days: Sequence[dt.date]) -> pl.DataFrame:
    """The quarantine rows of ``days`` (of every source), checked against the schema."""
    if not warehouse.table_exists(SCHEMA, TABLE):
        return empty()
    rows = warehouse.query(
        f"SELECT * FROM {SCHEMA}.{TABLE} WHERE dt IN (SELECT UNNEST(?::DATE[])) "
        "ORDER BY source_table, dt, file, line",
        [list(days)],
    )
    return Quarantine.validate(rows)


def replace_rows(
    connection, table: str, days: Sequence[dt.date], rows: pl.DataFrame
) -> None:
    """Replace the quarantine rows of one source for ``days``, inside the caller's
    transaction (the landed ODS asset writes them with the table rows of those days)."""
    rows = Quarantine.validate(rows)
    connection.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    connection.register("quarantine_rows", rows)
    try:
        connection.execute(
            f"CREATE TABLE IF NOT EXISTS {SCHEMA}.{TABLE} AS "
            "SELECT * FROM quarantine_rows LIMIT 0"
        )
        connection.execute(
            f"DELETE FROM {SCHEMA}.{TABLE} WHERE source_table = ? AND dt IN "
            f"(SELECT UNNEST(?::DATE[]))",
            [table, list(days)],
        )
        connection.execute(f"INSERT INTO {SCHEMA}.{TABLE} BY NAME SELECT * FROM quarantine_rows")
    finally:
        connection.unregister("quarantine_rows")


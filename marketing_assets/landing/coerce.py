"""Typing the text values of parsed records into a model's dtypes, with a reason per failure.

Pure polars: ``parsed`` (see ``landing.parse``) in, the typed business columns plus
``_reject`` out. A field that is required and absent (or null) gives ``missing required
field``; a value that does not convert gives ``wrong type`` with the value shown; a date
or datetime after ``LATEST`` in Shanghai gives ``out of range``. The reasons of one record
are joined with ``; ``.

Datetimes become Asia/Shanghai wall-clock ``Datetime("us")``: ISO strings with ``Z`` or an
offset are converted, naive strings are taken as Shanghai time, epoch milliseconds are UTC
(Mongo ``$date``) unless ``epoch_wall_clock`` (Debezium encodes MySQL DATETIME as the wall
clock read as if it were UTC); epoch milliseconds may have any number of digits (a
DATETIME of 1970-01-05 is 345600000).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from pandera.api.polars.components import Column

from marketing_assets.partitions import TIMEZONE

_YUAN = r"^-?\d+(\.\d{1,2})?$"
_INT = r"^-?\d+$"
#: the latest wall clock a datetime (and date) field may hold
LATEST = dt.datetime(9999, 12, 31, 23, 59, 59, 999999)
_TRUE = ("true", "1")
_FALSE = ("false", "0")


def parse_datetime(text: pl.Expr, epoch_wall_clock: bool = False) -> pl.Expr:
    """Text → Asia/Shanghai wall-clock datetime (null where it does not parse; not bounded
    by ``LATEST``, see ``coerce``)."""
    s = text.str.strip_chars()
    iso = s.str.replace("T", " ").str.replace(r"Z$", "+00:00")
    aware = (
        iso.str.to_datetime("%Y-%m-%d %H:%M:%S%.f%z", strict=False, time_zone="UTC")
        .dt.convert_time_zone(TIMEZONE)
        .dt.replace_time_zone(None)
    )
    naive = iso.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False)
    millis = pl.when(s.str.contains(_INT)).then(s.str.to_integer(strict=False))
    epoch = pl.from_epoch(millis, time_unit="ms").cast(pl.Datetime("us"))
    if not epoch_wall_clock:
        epoch = (
            epoch.dt.replace_time_zone("UTC")
            .dt.convert_time_zone(TIMEZONE)
            .dt.replace_time_zone(None)
        )
    return pl.coalesce(epoch, aware, naive).cast(pl.Datetime("us"))


def _convert(text: pl.Expr, col: Column, epoch_wall_clock: bool) -> pl.Expr:
    dtype = col.dtype.type
    meta = col.metadata or {}
    if dtype == pl.String:
        return text
    if dtype.is_integer():
        if meta.get("unit") == "yuan":
            ok = text.str.contains(_YUAN)
            value = (text.cast(pl.Decimal(38, 2), strict=False) * 100).cast(pl.Int64)
        else:
            ok = text.str.contains(_INT)
            value = text.str.to_integer(strict=False)
        return pl.when(ok).then(value).cast(dtype, strict=False)
    if dtype.is_float():
        return text.cast(dtype, strict=False)
    if dtype == pl.Boolean:
        low = text.str.to_lowercase()
        return pl.when(low.is_in(_TRUE)).then(True).when(low.is_in(_FALSE)).then(False)
    if dtype == pl.Date:
        # "YYYY-MM-DD" as written, or an instant (Mongo $date) read as its Shanghai day
        plain = text.str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
        return pl.coalesce(plain, parse_datetime(text, epoch_wall_clock).dt.date())
    if dtype == pl.Datetime:
        return parse_datetime(text, epoch_wall_clock)
    raise TypeError(f"no conversion from text to {col.dtype} (column {col.name})")


def _after_latest(value: pl.Expr, col: Column) -> pl.Expr | None:
    """A converted date or datetime past ``LATEST`` (an instant late on 9999-12-31 UTC is in
    the year 10000 in Shanghai, which no date type outside polars holds); None for a column
    of another type."""
    dtype = col.dtype.type
    if dtype == pl.Datetime:
        return (value > LATEST).fill_null(False)
    if dtype == pl.Date:
        return (value > LATEST.date()).fill_null(False)
    return None


def coerce(
    parsed: pl.DataFrame,
    columns: dict[str, Column],
    sources: dict[str, str],
    epoch_wall_clock: bool = False,
) -> pl.DataFrame:
    """Typed columns named as the model, plus ``_reject`` (null when the record is good)."""

    def text(prefix: str, name: str) -> pl.Expr:
        column = f"{prefix}__{name}"
        return pl.col(column) if column in parsed.columns else pl.lit(None, pl.String)

    # converted once (datetimes are costly), then judged by column reference
    parsed = parsed.with_columns(
        _convert(text("v", name), col, epoch_wall_clock).alias(f"c__{name}")
        for name, col in columns.items()
    )
    typed, reasons = [], []
    for name, col in columns.items():
        src = sources[name]
        v, t, converted = text("v", name), text("t", name), pl.col(f"c__{name}")
        beyond = _after_latest(converted, col)
        value = converted if beyond is None else pl.when(~beyond).then(converted)
        typed.append(value.alias(name))
        structured = t.is_in(["OBJECT", "ARRAY"]) & v.is_null()
        failed = (v.is_not_null() & value.is_null()) | structured
        shown = pl.when(structured).then(t).otherwise(pl.format('"{}"', v.str.slice(0, 60)))
        reason = (
            pl.when(failed)
            .then(pl.format(f"wrong type for field '{src}': expected {col.dtype}, got {{}}", shown))
            .when(v.is_null() & pl.lit(not col.nullable))
            .then(pl.lit(f"missing required field '{src}'"))
        )
        if beyond is not None:
            out_of_range = f"out of range for field '{src}': {{}} is after {LATEST} in {TIMEZONE}"
            reason = pl.when(beyond).then(pl.format(out_of_range, shown)).otherwise(reason)
        reasons.append(reason)
    line_reason = pl.col("_reject") if "_reject" in parsed.columns else pl.lit(None, pl.String)
    record_reason = pl.concat_str(reasons, separator="; ", ignore_nulls=True)
    return parsed.select(
        "_src_file",
        "_src_line",
        "_raw_text",
        *typed,
        pl.coalesce(line_reason, pl.when(record_reason != "").then(record_reason)).alias(
            "_reject"
        ),
    )

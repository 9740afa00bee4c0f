"""Landed table-days → their typed ODS rows and their quarantine rows.

``stage_days`` reads the files of a range of days and writes what it typed into a temporary
table of the DuckDB connection it is given (the ODS asset's warehouse connection, which
then writes the days in one transaction); ``ingest_day`` (``ingest_days``) does it in the
private scratch database and returns the rows as a frame per day. Every record of the
landed files ends in exactly one of the two outputs:

- line-level faults (a line over ``files.max_line_bytes()``, not UTF-8, unparseable or
  truncated JSON, a key repeated in one object, unknown binlog op, wrong number of CSV
  fields, a NUL in a CSV line) and field faults (missing required field, wrong type, a date
  past 9999-12-31 in Shanghai) → quarantine;
- a data file linked outside the landing root → one quarantine row without contents;
- value checks of the pandera model (a negative amount…) → quarantine with the check named;
- a second record with the same key on the same day (binlog: the same event twice) →
  quarantine as a duplicate, naming the record that was kept (the latest by event time,
  then by file and line);
- records whose event time is before the landing day stay, with ``is_late = true``;
- fields the model does not know are left out and counted per field (schema drift);
- files of the day folder that are not data files are not read, and listed (``ignored_files``).

Two read paths give the same records: a well-formed file is read by DuckDB's ``read_json``
/ ``read_csv`` (``landing.fast``: such files of every day of the range in reads of about
``fast.UNIT_BYTES``, the 24 parts of an hourly source included); a file that fails one of
its checks is split into lines and parsed line by line (``landing.parse``), which finds and
quarantines the bad lines. Both feed the same typing, checks and duplicate rule;
``MARKETING_ODS_FAST=0`` forces the line path.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from marketing_assets.landing import fast
from marketing_assets.landing import files as landing_files
from marketing_assets.landing import quarantine
from marketing_assets.landing.coerce import coerce
from marketing_assets.landing.parse import parse_csv, parse_json, scratch
from marketing_assets.landing.spec import OdsSpec, SourceFormat
from marketing_assets.partitions import TIMEZONE

#: JSON lines parsed at a time: bounds the memory of a large file's parse
CHUNK_LINES = 250_000


@dataclass
class IngestResult:
    day: dt.date
    #: the typed rows (``ingest_day``; ``stage_days`` leaves them in its table: None)
    frame: pl.DataFrame | None
    quarantine: pl.DataFrame
    rows: int = 0  # typed rows of the day
    files: list[str] = field(default_factory=list)
    empty_files: list[str] = field(default_factory=list)
    #: files of the day folder that were not read (relative to the landing root)
    ignored_files: list[str] = field(default_factory=list)
    empty_marker: bool = False
    lines: int = 0
    blank_lines: int = 0
    late: int = 0
    drift: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)


def _parse_file(spec: OdsSpec, lines: pl.DataFrame) -> pl.DataFrame:
    return parse_csv(spec, lines) if spec.fmt is SourceFormat.CSV else parse_json(spec, lines)


def _known_top_level(spec: OdsSpec) -> set[str]:
    # JSON documents nest dotted source fields; a CSV header names them whole
    nested = spec.fmt is not SourceFormat.CSV
    known = {
        spec.source_field(c).split(".")[0] if nested else spec.source_field(c)
        for c in spec.business_columns
    }
    # every Mongo document has an _id; a model that does not use it has not drifted
    return known | {"_id"} if spec.fmt is SourceFormat.MONGO else known


def _drift(spec: OdsSpec, parsed: pl.DataFrame) -> dict[tuple[dt.date, str], int]:
    """(day, unknown field) → records of ``parsed`` (a ``_day`` column) carrying it."""
    if "_keys" not in parsed.columns or parsed.is_empty():
        return {}
    known = _known_top_level(spec)
    keys = parsed.select("_day", pl.col("_keys").alias("k")).explode("k").drop_nulls()
    counts = keys.filter(~pl.col("k").is_in(list(known))).group_by("_day", "k").len()
    return {(d, k): n for d, k, n in counts.iter_rows()}


def _binlog_columns(parsed: pl.DataFrame) -> list[pl.Expr]:
    ts = pl.col("_ts_ms")
    millis = pl.when(ts.str.contains(r"^\d+$")).then(ts.str.to_integer(strict=False))
    event_time = (
        pl.from_epoch(millis, time_unit="ms")
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone(TIMEZONE)
        .dt.replace_time_zone(None)
        .cast(pl.Datetime("us"))
    )
    # duplicates are the same event twice: compared by the hash of the line's text (the
    # fast path hashed it when it scanned the file, and keeps no text)
    text_hash = pl.col("_raw_text").hash(seed=0)
    if "_raw_hash" in parsed.columns:
        text_hash = pl.coalesce("_raw_hash", text_hash)
    return [pl.col("_op").alias("op"), event_time.alias("event_time"), text_hash.alias("_raw_hash")]


@functools.lru_cache(maxsize=256)
def _value_check_schema(spec: OdsSpec, names: tuple[str, ...]) -> pa.DataFrameSchema:
    full = spec.landed_schema()
    columns = {name: full.columns[name] for name in names}
    return pa.DataFrameSchema(columns, strict=False, coerce=True, name=full.name)


def _check_failures(spec: OdsSpec, frame: pl.DataFrame) -> pl.DataFrame:
    """Row positions failing a value check of the model, with a reason: (_pos, reason)."""
    full = spec.landed_schema()
    # only what can fail: the columns with a value check, and a required column holding a
    # null (coerce already refused a missing required field and gave every column its
    # dtype, which ``ingest_day`` asserts): validating every column cost most of the time
    nulls = frame.select(*full.columns).null_count().row(0, named=True)
    columns = {
        name: col
        for name, col in full.columns.items()
        if col.checks or (not col.nullable and nulls[name])
    }
    if not columns:
        return pl.DataFrame(schema={"_pos": pl.Int64, "reason": pl.String})
    schema = _value_check_schema(spec, tuple(columns))
    try:
        schema.validate(frame.select(*schema.columns), lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        if cases["index"].null_count():
            raise  # a table-level failure (columns, dtypes): a bug, not bad data
        return (
            cases.select(
                pl.col("index").cast(pl.Int64).alias("_pos"),
                pl.format(
                    "check failed: {} {} (value {})",
                    pl.col("column"),
                    pl.col("check"),
                    pl.col("failure_case"),
                ).alias("reason"),
            )
            .group_by("_pos", maintain_order=True)
            .agg(pl.col("reason").str.join("; "))
        )
    return pl.DataFrame(schema={"_pos": pl.Int64, "reason": pl.String})


def _duplicates_sql(spec: OdsSpec, table: str) -> str:
    """(_src_file, _src_line, _reject) of every record of ``table`` superseded by another
    with the same key on the same day: the latest by event time, then by file and line, is
    kept (a null time first); binlog: the same event twice (the same text hash), the first
    is kept."""
    if spec.fmt is SourceFormat.BINLOG:
        group, order = ["_raw_hash"], '"_src_file", "_src_line"'
        label = "duplicate event: the same change event as"
    else:
        group = list(spec.grain)
        # the last of (event time nulls first, file, line) first
        time = [f"{_ident(spec.event_time)} DESC NULLS LAST"] if spec.event_time else []
        order = ", ".join([*time, '"_src_file" DESC', '"_src_line" DESC'])
        label = "duplicate key (" + ", ".join(group) + "): superseded by"
    window = f"PARTITION BY dt, {', '.join(_ident(c) for c in group)} ORDER BY {order}"
    kept = "first_value(_src_file || ':' || CAST(_src_line AS VARCHAR)) OVER w"
    return (
        f"SELECT _src_file, _src_line, {fast._lit(label + ' ')} || _kept AS _reject "
        f"FROM (SELECT _src_file, _src_line, row_number() OVER w AS _rank, {kept} AS _kept "
        f"FROM {table} WINDOW w AS ({window})) WHERE _rank > 1"
    )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _type_file(spec: OdsSpec, parsed: pl.DataFrame) -> pl.DataFrame:
    """Parsed records (of the days in their ``_day`` column) → typed columns, system
    columns, ``_reject``, ``_raw_text``."""
    sources = {c: spec.source_field(c) for c in spec.business_columns}
    binlog = spec.fmt is SourceFormat.BINLOG
    typed = coerce(parsed, spec.business_columns, sources, epoch_wall_clock=binlog)
    extra = _binlog_columns(parsed) if binlog else []
    if spec.hourly:
        extra.append(pl.col("sync_hour"))
    typed = pl.concat([typed, parsed.select(extra)], how="horizontal") if extra else typed
    if binlog:
        typed = typed.with_columns(
            _reject=pl.coalesce(
                "_reject",
                pl.when(pl.col("event_time").is_null()).then(
                    pl.lit("binlog event without a readable ts_ms")
                ),
            )
        )
    time_col = "event_time" if binlog else spec.event_time
    day = parsed["_day"]
    day_start = day.cast(pl.Datetime("us"))
    return typed.with_columns(
        dt=day,
        is_late=(pl.col(time_col) < day_start).fill_null(False) if time_col else pl.lit(False),
    )


def _days_of(day_of: dict[str, dt.date]) -> pl.Expr:
    """The day of each record, by its ``_src_file`` (``replace_strict`` with no mapping
    would give back the file's name)."""
    if not day_of:
        return pl.lit(None, pl.Date)
    return pl.col("_src_file").replace_strict(day_of, return_dtype=pl.Date)


def _compact(frame: pl.DataFrame) -> pl.DataFrame:
    """A copy whose strings own their bytes: polars string views of a filtered chunk keep
    the whole parsed chunk's buffers alive (measured: +1.7 GB held per 1M-line file), so
    the few bad records of every batch, held for the day, are copied out."""
    return pl.from_arrow(frame.to_arrow(compat_level=pl.CompatLevel.oldest()))


def _raw_texts(root: Path, rows: pl.DataFrame) -> pl.DataFrame:
    """The landed text of (``_src_file``, ``_src_line``) rows, read again from their files
    (only for records found bad after typing: the typed rows do not carry their text)."""
    if rows.is_empty():
        return rows.with_columns(_raw_text=pl.lit(None, pl.String))
    texts = []
    for file in rows["_src_file"].unique().sort().to_list():
        lines, _ = landing_files.split_lines(landing_files.read_bytes(root / file), file)
        wanted = rows.filter(pl.col("_src_file") == file).select("_src_file", "_src_line")
        picked = lines.join(wanted, on=["_src_file", "_src_line"], how="semi")
        texts.append(
            picked.select(
                "_src_file",
                "_src_line",
                pl.col("raw").cast(pl.String, strict=False).alias("_raw_text"),
            )
        )
    return rows.join(pl.concat(texts), on=["_src_file", "_src_line"], how="left")


def _outside_root(landed: landing_files.LandedDay, root: Path) -> pl.DataFrame:
    """One quarantine record per data file linked outside the landing root: never read, so
    no line and an empty ``raw``."""
    n = len(landed.outside_root)
    return pl.DataFrame(
        {
            "_src_file": [landed.relative(p, root) for p in landed.outside_root],
            "_src_line": [None] * n,
            "_raw_text": [""] * n,
            "_reject": [landing_files.OUTSIDE_ROOT] * n,
        },
        schema={"_src_file": pl.String, "_src_line": pl.Int64, "_raw_text": pl.String,
                "_reject": pl.String},
    )


def _set_quarantine(result: IngestResult, spec: OdsSpec, bad: pl.DataFrame) -> None:
    result.quarantine = quarantine.quarantine_rows(spec.table, result.day, bad)
    reason_kind = pl.col("reason").str.extract(r"^([^:'(]+)").str.strip_chars()
    counts = result.quarantine.group_by(reason_kind.alias("kind")).len().sort("kind")
    result.reasons = dict(zip(counts["kind"].to_list(), counts["len"].to_list(), strict=True))


def ingest_day(spec: OdsSpec, root: Path, day: dt.date) -> IngestResult:
    """Read, type and check one landed table-day (see the module doc for where records go);
    the typed rows in ``frame``, in the table's order (``stage_days``)."""
    return ingest_days(spec, root, [day])[0]


def ingest_days(spec: OdsSpec, root: Path, days: Sequence[dt.date]) -> list[IngestResult]:
    """``ingest_day`` of each of ``days``, read together (``stage_days``)."""
    con = scratch()
    try:
        results = stage_days(spec, root, days, con, "ods_day")
        frame = con.sql("SELECT * FROM ods_day").pl() if results else None
    finally:
        con.close()  # its temporary tables go with it
    expected = {n: c.dtype.type for n, c in spec.landed_schema().columns.items()}
    for result in results:
        # DuckDB gives back the dtypes it was given
        result.frame = frame.filter(pl.col("dt") == result.day).cast(expected)
    return results


def stage_days(
    spec: OdsSpec, root: Path, days: Sequence[dt.date], con: duckdb.DuckDBPyConnection,
    into: str,
) -> list[IngestResult]:
    """Read, type and check the landed table-days ``days`` and append their typed rows to
    the temporary table ``into`` of ``con`` (created if missing), ordered by day, grain,
    file and line; one result per day, in the order of ``days``.

    The days are read together: the fast path reads the well-formed files of every day in
    reads of about ``fast.UNIT_BYTES`` (a read costs some 30 ms to plan whatever its size:
    a 365-day backfill read day by day paid it 14,600 times), and records are parsed, typed
    and checked in batches of about ``CHUNK_LINES`` lines whatever their day (small files
    together, a large file in slices), each record knowing its day. Each batch is written
    to a staging table of ``con`` as it comes, so the memory follows the batch, not the
    range: duplicates (within a day) and the order are judged in SQL over the staged rows
    (DuckDB spills them to disk past its memory limit). Only the quarantined records are
    held, with their text.
    """
    if len(set(days)) != len(days):
        raise ValueError(f"{spec.table}: days repeated in {list(days)}")
    landed = {day: landing_files.locate(root, spec.table, day) for day in days}
    results = {
        day: IngestResult(day=day, frame=None, quarantine=quarantine.empty()) for day in days
    }
    for day, found in landed.items():
        results[day].empty_marker = found.empty_marker
        folder = found.relative(found.folder, root)
        results[day].ignored_files = [f"{folder}/{name}" for name in found.ignored]
    schema = spec.landed_schema()
    expected = {n: c.dtype.type for n, c in schema.columns.items()}
    binlog = spec.fmt is SourceFormat.BINLOG
    staged_columns = [*schema.columns, *(["_raw_hash"] if binlog else [])]
    staging = f"{into}_staging"
    hashed = {"_raw_hash": pl.UInt64} if binlog else {}
    con.register("ods_batch", pl.DataFrame(schema={**expected, **hashed}))
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {staging} AS SELECT * FROM ods_batch")
    finally:
        con.unregister("ods_batch")
    bads, drift = [], Counter()
    day_of: dict[str, dt.date] = {}  # file (relative to the root) -> its day
    hours: dict[str, int] = {}
    raw_batch: list[pl.DataFrame] = []  # JSON lines waiting to be parsed together
    parsed_batch: list[pl.DataFrame] = []  # parsed records waiting to be typed together
    pending = 0

    def stage(good: pl.DataFrame) -> None:
        typed = good.select(*schema.columns)
        if dict(typed.schema) != expected:
            raise TypeError(f"{spec.table}: typed frame {dict(typed.schema)} != {expected}")
        con.register("ods_batch", good.select(*staged_columns))
        try:
            con.execute(f"INSERT INTO {staging} SELECT * FROM ods_batch")
        finally:
            con.unregister("ods_batch")

    def flush() -> None:
        """Parse, type, check and stage what is pending as one batch: small files (24
        hourly parts, one-line config dumps, the days of a range) cost one parse and one
        validation, not one each."""
        nonlocal pending
        if raw_batch:
            parsed_batch.append(parse_json(spec, pl.concat(raw_batch)))
            raw_batch.clear()
        if not parsed_batch:
            return
        parsed = pl.concat(parsed_batch, how="diagonal_relaxed")
        parsed_batch.clear()
        pending = 0
        parsed = parsed.with_columns(_day=_days_of(day_of))
        if spec.hourly:
            parsed = parsed.with_columns(
                pl.col("_src_file").replace_strict(hours, return_dtype=pl.Int32).alias("sync_hour")
            )
        drift.update(_drift(spec, parsed))
        typed = _type_file(spec, parsed)
        del parsed
        bads.append(_compact(typed.filter(pl.col("_reject").is_not_null())))
        good = typed.filter(pl.col("_reject").is_null()).with_row_index("_pos")
        good = good.with_columns(pl.col("_pos").cast(pl.Int64))
        failures = _check_failures(spec, good)
        if not failures.is_empty():  # value checks of the model, judged batch by batch
            good = good.drop("_reject").join(failures, on="_pos", how="left", maintain_order="left")
            good = good.rename({"reason": "_reject"})
            bads.append(_compact(good.filter(pl.col("_reject").is_not_null())))
            good = good.filter(pl.col("_reject").is_null())
        stage(good)

    def read_lines(path: Path, rel: str) -> None:
        """The line path: every line of the file parsed on its own (bad lines found)."""
        nonlocal pending
        lines, blank = landing_files.split_lines(landing_files.read_bytes(path), rel)
        results[day_of[rel]].lines += lines.height
        results[day_of[rel]].blank_lines += blank
        if spec.fmt is SourceFormat.CSV:
            # a CSV file is parsed whole, with its own header (dumps are small)
            parsed_batch.append(parse_csv(spec, lines))
            pending += lines.height
        else:
            for offset in range(0, lines.height, CHUNK_LINES):
                raw_batch.append(lines.slice(offset, CHUNK_LINES))
                pending += min(CHUNK_LINES, lines.height - offset)
                if pending >= CHUNK_LINES:
                    flush()
        if pending >= CHUNK_LINES:
            flush()

    use_fast = fast.enabled()
    fast_files: list[fast.FastFile] = []
    for day, found in landed.items():
        for path in found.files:
            rel = found.relative(path, root)
            day_of[rel] = day
            results[day].files.append(rel)
            if spec.hourly:
                hour = landing_files.hour_of(path.name)
                if hour is None or not 0 <= hour <= 23:
                    raise ValueError(f"{path}: hourly source files must be named part-HH.*")
                hours[rel] = hour
            data = landing_files.read_bytes(path)
            if not data or data.isspace():
                results[day].empty_files.append(rel)
            scan = fast.scan(spec.fmt, data) if use_fast else None
            del data
            if scan is not None and scan.refused is None:
                fast_files.append(fast.FastFile(path, rel, scan))
            else:
                read_lines(path, rel)
    for item in fast.read_fast(spec, fast_files, CHUNK_LINES, con) if fast_files else ():
        if isinstance(item, fast.Unit):
            for f in item.files:
                if f.rel in item.refused:
                    read_lines(f.path, f.rel)
                else:
                    results[day_of[f.rel]].lines += f.scan.lines
                    results[day_of[f.rel]].blank_lines += f.scan.blank
            continue
        parsed_batch.append(item)
        pending += item.height
        if pending >= CHUNK_LINES:
            flush()
    flush()
    for day, found in landed.items():
        if found.empty_marker and results[day].lines:
            raise ValueError(
                f"{found.folder} holds the {landing_files.EMPTY_MARKER} marker and "
                f"{results[day].lines} records: one of them is wrong"
            )
    for (day, name), n in sorted(drift.items()):
        results[day].drift[name] = n

    # duplicates are judged among the records that passed every check, day by day
    duplicates = con.sql(_duplicates_sql(spec, staging)).pl()
    outside = []
    for day, found in landed.items():
        rows = _outside_root(found, root)
        day_of.update({rel: day for rel in rows["_src_file"]})
        outside.append(rows)
    bad = pl.concat([*bads, duplicates, *outside], how="diagonal_relaxed")
    # the fast path and the duplicates carry no text: read again for the few bad records
    textless = pl.col("_raw_text").is_null()
    bad = pl.concat(
        [
            bad.filter(~textless),
            _raw_texts(root, bad.filter(textless).select("_src_file", "_src_line", "_reject")),
        ],
        how="diagonal_relaxed",
    )
    bad = bad.with_columns(_day=_days_of(day_of))
    sort_by = list(dict.fromkeys(["dt", *spec.grain, "_src_file", "_src_line"]))
    columns = ", ".join(_ident(c) for c in schema.columns)
    order = ", ".join(f"{_ident(c)} NULLS FIRST" for c in sort_by)
    con.register("ods_duplicates", duplicates.select("_src_file", "_src_line"))
    try:
        con.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {into} AS SELECT {columns} FROM {staging} LIMIT 0"
        )
        con.execute(
            f"INSERT INTO {into} SELECT {columns} FROM {staging} "
            f"ANTI JOIN ods_duplicates USING (_src_file, _src_line) ORDER BY {order}"
        )
        counts = con.execute(
            f"SELECT dt, count(*), count_if(is_late) FROM {into} "
            f"WHERE dt IN (SELECT UNNEST(?::DATE[])) GROUP BY dt",
            [list(days)],
        ).fetchall()
    finally:
        con.unregister("ods_duplicates")
        con.execute(f"DROP TABLE {staging}")
    for day, rows, late in counts:
        results[day].rows, results[day].late = rows, late
    for day in days:
        _set_quarantine(results[day], spec, bad.filter(pl.col("_day") == day).drop("_day"))
    return [results[day] for day in days]

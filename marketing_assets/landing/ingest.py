"""One landed table-day → its typed ODS rows and its quarantine rows.

``ingest_day`` reads files and nothing else; it never touches the warehouse. Every record
of the landed files ends in exactly one of the two outputs:

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
/ ``read_csv`` (``landing.fast``: every such file of a source-day in one read, the 24 parts
of an hourly source included); a file that fails one of its checks is split into lines and
parsed line by line (``landing.parse``), which finds and quarantines the bad lines. Both feed
the same typing, checks and duplicate rule; ``MARKETING_ODS_FAST=0`` forces the line path.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from marketing_assets.landing import fast
from marketing_assets.landing import files as landing_files
from marketing_assets.landing import quarantine
from marketing_assets.landing.coerce import coerce
from marketing_assets.landing.parse import parse_csv, parse_json
from marketing_assets.landing.spec import OdsSpec, SourceFormat
from marketing_assets.partitions import TIMEZONE

#: JSON lines parsed at a time: bounds the memory of a large file's parse
CHUNK_LINES = 250_000


@dataclass
class IngestResult:
    day: dt.date
    frame: pl.DataFrame
    quarantine: pl.DataFrame
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


def _drift(spec: OdsSpec, parsed: pl.DataFrame) -> dict[str, int]:
    if "_keys" not in parsed.columns or parsed.is_empty():
        return {}
    known = _known_top_level(spec)
    keys = parsed.select(pl.col("_keys").explode().alias("k")).drop_nulls()
    counts = keys.filter(~pl.col("k").is_in(list(known))).group_by("k").len().sort("k")
    return dict(zip(counts["k"].to_list(), counts["len"].to_list(), strict=True))


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
    return [pl.col("_op").alias("op"), event_time.alias("event_time")]


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


def _duplicates(spec: OdsSpec, frame: pl.DataFrame) -> pl.Series:
    """Reason for every record superseded by another with the same key (else null).

    ``frame`` carries ``_pos`` (its row order); the reasons come back in that order.
    """
    if spec.fmt is SourceFormat.BINLOG:
        group, order = ["_raw_hash"], ["_src_file", "_src_line"]
        keep = pl.col("_order") == 0
        label = "duplicate event: the same change event as"
    else:
        group = list(spec.grain)
        order = [c for c in (spec.event_time,) if c] + ["_src_file", "_src_line"]
        keep = pl.col("_order") == pl.len().over(group) - 1
        label = "duplicate key (" + ", ".join(group) + "): superseded by"
    ranked = (
        frame.select("_pos", *group, *[c for c in order if c not in group])
        .sort(order, nulls_last=False)
        .with_columns(pl.int_range(pl.len()).over(group).alias("_order"))
    )
    kept_at = pl.format("{}:{}", pl.col("_src_file"), pl.col("_src_line"))
    kept = ranked.filter(keep).select(*group, kept_at.alias("_kept"))
    return (
        ranked.join(kept, on=group, how="left", nulls_equal=True)
        .sort("_pos")
        .select(pl.when(~keep).then(pl.format(f"{label} {{}}", pl.col("_kept"))))
        .to_series()
    )


def _type_file(spec: OdsSpec, parsed: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """Parsed records of one file → typed columns, system columns, ``_reject``, ``_raw_text``."""
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
    day_start = dt.datetime.combine(day, dt.time())
    return typed.with_columns(
        dt=pl.lit(day, pl.Date),
        is_late=(pl.col(time_col) < day_start).fill_null(False) if time_col else pl.lit(False),
    )


def _compact(frame: pl.DataFrame) -> pl.DataFrame:
    """A copy whose strings own their bytes: polars string views of a filtered chunk keep
    the whole parsed chunk's buffers alive (measured: +1.7 GB held per 1M-line file)."""
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
    """Read, type and check one landed table-day (see the module doc for where records go).

    Records are parsed and typed in batches of about ``CHUNK_LINES`` lines (small files
    together, a large file in slices; the fast path streams its read in such batches), so
    the typing's memory follows the batch, not the day.
    """
    landed = landing_files.locate(root, spec.table, day)
    result = IngestResult(day=day, frame=pl.DataFrame(), quarantine=quarantine.empty())
    result.empty_marker = landed.empty_marker
    folder = landed.relative(landed.folder, root)
    result.ignored_files = [f"{folder}/{name}" for name in landed.ignored]
    schema = spec.landed_schema()
    binlog = spec.fmt is SourceFormat.BINLOG
    goods, bads, drift = [], [], Counter()
    hours: dict[str, int] = {}
    raw_batch: list[pl.DataFrame] = []  # JSON lines waiting to be parsed together
    parsed_batch: list[pl.DataFrame] = []  # parsed records waiting to be typed together
    pending = 0

    def flush() -> None:
        """Parse, type and check what is pending as one batch: small files (24 hourly
        parts, one-line config dumps) cost one parse and one validation, not one each."""
        nonlocal pending
        if raw_batch:
            parsed_batch.append(parse_json(spec, pl.concat(raw_batch)))
            raw_batch.clear()
        if not parsed_batch:
            return
        parsed = pl.concat(parsed_batch, how="diagonal_relaxed")
        parsed_batch.clear()
        pending = 0
        if spec.hourly:
            parsed = parsed.with_columns(
                pl.col("_src_file").replace_strict(hours, return_dtype=pl.Int32).alias("sync_hour")
            )
        drift.update(_drift(spec, parsed))
        typed = _type_file(spec, parsed, day)
        del parsed
        bads.append(typed.filter(pl.col("_reject").is_not_null()))
        good = typed.filter(pl.col("_reject").is_null()).with_row_index("_pos")
        good = good.with_columns(pl.col("_pos").cast(pl.Int64))
        failures = _check_failures(spec, good)
        if not failures.is_empty():  # value checks of the model, judged batch by batch
            good = good.drop("_reject").join(failures, on="_pos", how="left", maintain_order="left")
            good = good.rename({"reason": "_reject"})
            bads.append(good.filter(pl.col("_reject").is_not_null()))
            good = good.filter(pl.col("_reject").is_null())
        if binlog:  # binlog duplicates are the same event twice: compared by a hash
            good = good.with_columns(_raw_hash=pl.col("_raw_text").hash(seed=0))
        goods.append(_compact(good.select(*schema.columns, *(["_raw_hash"] if binlog else []))))

    def read_lines(path: Path, rel: str) -> None:
        """The line path: every line of the file parsed on its own (bad lines found)."""
        nonlocal pending
        lines, blank = landing_files.split_lines(landing_files.read_bytes(path), rel)
        result.lines += lines.height
        result.blank_lines += blank
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
    for path in landed.files:
        rel = landed.relative(path, root)
        result.files.append(rel)
        if spec.hourly:
            hour = landing_files.hour_of(path.name)
            if hour is None or not 0 <= hour <= 23:
                raise ValueError(f"{path}: hourly source files must be named part-HH.*")
            hours[rel] = hour
        data = landing_files.read_bytes(path)
        if not data.strip():
            result.empty_files.append(rel)
        scan = fast.scan(spec.fmt, data) if use_fast else None
        del data
        if scan is not None and scan.refused is None:
            fast_files.append(fast.FastFile(path, rel, scan))
        else:
            read_lines(path, rel)
    if fast_files:
        batches = fast.read_fast(spec, fast_files, CHUNK_LINES)
        refused = set(next(batches))
        for f in fast_files:
            if f.rel in refused:
                read_lines(f.path, f.rel)
            else:
                result.lines += f.scan.lines
                result.blank_lines += f.scan.blank
        for parsed in batches:
            parsed_batch.append(parsed)
            pending += parsed.height
            if pending >= CHUNK_LINES:
                flush()
    flush()
    if landed.empty_marker and result.lines:
        raise ValueError(
            f"{landed.folder} holds the {landing_files.EMPTY_MARKER} marker and "
            f"{result.lines} records: one of them is wrong"
        )
    result.drift = dict(sorted(drift.items()))
    if not goods:
        result.frame = pl.DataFrame(schema={n: c.dtype.type for n, c in schema.columns.items()})
        _set_quarantine(result, spec, _outside_root(landed, root))
        return result

    good = pl.concat(goods, rechunk=False)
    del goods
    # duplicates are judged among the records that passed every check
    good = good.with_row_index("_pos").with_columns(pl.col("_pos").cast(pl.Int64))
    good = good.with_columns(_reject=_duplicates(spec, good))
    duplicates = good.filter(pl.col("_reject").is_not_null())
    bad = pl.concat(
        [
            *bads,
            duplicates.select("_src_file", "_src_line", "_reject"),
            _outside_root(landed, root),
        ],
        how="diagonal_relaxed",
    )
    # the fast path and the duplicates carry no text: read again for the few bad records
    textless = pl.col("_raw_text").is_null()
    bad = pl.concat(
        [
            bad.filter(~textless),
            _raw_texts(root, bad.filter(textless).select("_src_file", "_src_line", "_reject")),
        ],
        how="diagonal_relaxed",
    )
    if not duplicates.is_empty():
        good = good.filter(pl.col("_reject").is_null())

    sort_by = list(dict.fromkeys([*spec.grain, "_src_file", "_src_line"]))
    good = good.select(*schema.columns)
    # already validated above (value checks) and typed by coerce: only the order is left
    # the line path reads files in order; the fast path's files come after the refused ones
    in_order = sort_by == ["_src_file", "_src_line"] and not fast_files
    result.frame = good if in_order else good.sort(sort_by)
    expected = {n: c.dtype.type for n, c in schema.columns.items()}
    if dict(result.frame.schema) != expected:
        raise TypeError(f"{spec.table}: typed frame {dict(result.frame.schema)} != {expected}")
    _set_quarantine(result, spec, bad)
    result.late = int(result.frame["is_late"].sum())
    return result

"""Landing files as the source systems export them, in the shapes ``sim.exports`` declares.

``write_table_day(export, frame, root, day)`` writes one table-day under
``<root>/<export.table>/dt=YYYY-MM-DD/`` in the shape of ``export.fmt`` (see the README
section "Landing"). The warehouse's reader is written separately against its own specs;
the hand-written landing files of ``marketing_assets_tests/handwritten`` pin both.

``frame`` holds the export's fields under their column names and dtypes (money in
integer fen, datetimes as naive Asia/Shanghai wall clock), in the order the rows are to be
written, plus per shape:

- binlog: ``op`` (c/u/d/r), ``event_time`` (naive Shanghai time of the change, written as
  ``ts_ms``) and optionally ``before__<column>`` (the before image of ``u`` events; a column
  without one is taken as unchanged, i.e. equal to the after image; without any
  ``before__`` column ``before`` is null). The business columns are the row image: ``after``
  of c/u/r, ``before`` of d;
- hourly exports: ``sync_hour`` (0-23), the hourly file ``part-HH`` a row lands in.

Encodings (fields named by their ``source``, dotted names as nested objects; keys in
field order; JSON as UTF-8 with Chinese unescaped):

- mongo (mongoexport canonical Extended JSON): Int8-Int32/UInt8-16 ``{"$numberInt":"4"}``,
  other integers ``{"$numberLong":"4"}``, ``yuan`` ``{"$numberDecimal":"12.50"}``,
  floats ``{"$numberDouble":"1.5"}`` (``"Infinity"``, ``"NaN"``), datetimes
  ``{"$date":{"$numberLong":"<UTC epoch ms>"}}``, dates the same at Shanghai midnight,
  ``json`` fields embedded as JSON values, strings/booleans/null plain;
- binlog (Debezium): ``{"op","ts_ms","before","after","source":{"db","table"}}``; in the
  images integers and floats are JSON numbers, yuan the string ``"12.50"`` (decimal string
  mode), DATETIME the epoch ms of the wall clock read as UTC, dates ``"2025-06-02"``, JSON
  columns a string (MySQL JSON arrives as text);
- csv: a header of source field names, ``\\N`` for NULL, ``12.50``, ``1``/``0``,
  ``2025-06-02``, ``2025-06-02 20:15:00[.ffffff]``, RFC 4180 quotes around a field with
  ``,`` or ``"`` (and around the empty string, which unquoted would read as NULL);
- jsonl (service log): plain JSON, yuan ``"12.50"``, dates ``"2025-06-02"``, datetimes
  ``"2025-06-02T20:15:00[.ffffff]+08:00"``, JSON columns embedded as JSON values.

Every line is built by polars expressions over whole columns (``struct.json_encode`` does
the JSON escaping; JSON-valued columns are spliced in as text), never a Python loop per
row. A day is written into a hidden sibling folder and swapped in with two renames, so an
interrupted write leaves either the previous day or no day folder (which the reader
reports as never landed), never a partial day that looks complete. Output is
deterministic: the same frame gives byte-identical files (gzip with ``mtime=0``).
"""

from __future__ import annotations

import datetime
import gzip as gzip_module
import json
import re
import shutil
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl

from marketing_assets.sim.exports import BINLOG_OPS, EMPTY_MARKER, TIMEZONE, Export, Format, day_folder


#: Extra (non-business) columns of the input frame.
OP, EVENT_TIME, SYNC_HOUR, BEFORE = "op", "event_time", "sync_hour", "before__"
#: gzip level of ``.gz`` files: zlib's default (gzip.compress's 9 is much slower).
GZIP_LEVEL = 6
#: Lines are built and written this many rows at a time (bounds the memory of a big day).
BATCH_ROWS = 500_000

_ISO = "%Y-%m-%dT%H:%M:%S"
#: Asia/Shanghai has been UTC+08:00 all year since its last summer time ended in 1991.
_FIXED_SINCE = datetime.datetime(1992, 1, 1)
_OFFSET_MS = 8 * 3600 * 1000
_SQL = "%Y-%m-%d %H:%M:%S"

__all__ = ["write_day", "write_table_day"]


# ---- public API ---------------------------------------------------------------------------
def write_table_day(
    export: Export,
    frame: pl.DataFrame,
    root: Path,
    day: datetime.date,
    *,
    gzip: bool = False,
    rows_per_file: int | None = None,
) -> list[Path]:
    """Land one table-day, replacing whatever its folder held; returns the files written.

    An empty frame lands only the ``_EMPTY`` marker (hourly exports: 24 empty files).
    ``rows_per_file`` splits a non-hourly day into ``part-00000``, ``part-00001``…;
    ``gzip`` writes ``.jsonl.gz`` / ``.csv.gz``. Raises ``ValueError`` for a frame the
    format cannot carry exactly (a newline in a CSV value, sub-millisecond times in Mongo or
    binlog, NaN in plain JSON, invalid JSON in a ``json`` column, a bad op or hour…).
    """
    if rows_per_file is not None and rows_per_file < 1:
        raise ValueError(f"rows_per_file must be positive, got {rows_per_file}")
    if rows_per_file is not None and export.hourly:
        raise ValueError(
            f"{export.table}: an hourly day is 24 files part-HH; rows_per_file is not supported"
        )
    frame = _prepare(export, frame)
    line = _line_expr(export, frame)  # checks the whole frame before anything is written
    header = _csv_header(export) if export.fmt is Format.CSV else None
    ext = export.fmt.ext + (".gz" if gzip else "")

    files: dict[str, pl.DataFrame | None] = {}  # name -> its rows (None: the marker)
    if export.hourly:
        by_hour = frame.partition_by(SYNC_HOUR, as_dict=True, maintain_order=True)
        for hour in range(24):
            files[f"part-{hour:02d}.{ext}"] = by_hour.get((hour,), frame.clear())
    elif frame.is_empty():
        files[EMPTY_MARKER] = None
    else:
        size = rows_per_file or frame.height
        n = -(-frame.height // size)
        width = max(5, len(str(n - 1)))
        for i in range(n):
            files[f"part-{i:0{width}d}.{ext}"] = frame.slice(i * size, size)

    folder = day_folder(Path(root), export.table, day)
    _replace_folder(folder, files, line, header, gzip)
    return [folder / name for name in files]


def write_day(
    exports_and_frames: Mapping[Export, pl.DataFrame] | Iterable[tuple[Export, pl.DataFrame]],
    root: Path,
    day: datetime.date,
    **kw,
) -> dict[str, list[Path]]:
    """``write_table_day`` for several tables of one day; files written by table.

    Takes a mapping or ``(export, frame)`` pairs.
    """
    items = exports_and_frames.items() if isinstance(exports_and_frames, Mapping) else exports_and_frames
    return {export.table: write_table_day(export, frame, root, day, **kw) for export, frame in items}


# ---- input checks and dtypes ------------------------------------------------------------
def _fail(export: Export, message: str) -> ValueError:
    return ValueError(f"{export.table}: {message}")


def _to_export_dtype(expr: pl.Expr, dtype: pl.DataType, actual: pl.DataType) -> pl.Expr:
    if dtype == pl.Datetime and isinstance(actual, pl.Datetime) and actual.time_zone:
        expr = expr.dt.convert_time_zone(TIMEZONE).dt.replace_time_zone(None)
    return expr.cast(dtype)


def _prepare(export: Export, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with its columns checked and cast to the export's dtypes."""
    business = export.schema
    missing = [c for c in business if c not in frame.columns]
    if missing:
        raise _fail(export, f"frame lacks business columns {missing}")
    binlog = export.fmt is Format.BINLOG
    allowed = set(business)
    if binlog:
        allowed |= {OP, EVENT_TIME} | {BEFORE + c for c in business}
    if export.hourly:
        allowed.add(SYNC_HOUR)
    unknown = [c for c in frame.columns if c not in allowed]
    if unknown:
        raise _fail(export, f"frame has columns the {export.fmt.name} writer does not know: "
                          f"{unknown}")
    required = ([OP, EVENT_TIME] if binlog else []) + ([SYNC_HOUR] if export.hourly else [])
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise _fail(export, f"frame lacks columns {missing}")

    schema = frame.schema
    casts = []
    for name in frame.columns:
        field_name = name.removeprefix(BEFORE) if name.startswith(BEFORE) else name
        if field_name in business:
            dtype = business[field_name]
        elif name == EVENT_TIME:
            dtype = pl.Datetime("us")
        elif name == SYNC_HOUR:
            dtype = pl.Int32
        else:
            dtype = pl.String
        casts.append(_to_export_dtype(pl.col(name), dtype, schema[name]).alias(name))
    try:
        frame = frame.select(casts)
    except pl.exceptions.PolarsError as exc:
        raise _fail(export, f"frame does not cast to the export dtypes: {exc}") from exc

    if binlog:
        bad_op = frame.filter(~pl.col(OP).is_in(BINLOG_OPS) | pl.col(OP).is_null())
        if bad_op.height:
            raise _fail(export, f"op must be one of {BINLOG_OPS}, got {bad_op[OP][0]!r}")
        if frame[EVENT_TIME].null_count():
            raise _fail(export, "event_time is null")
        if frame.height and frame[EVENT_TIME].min() < datetime.datetime(1970, 1, 1, 8):
            raise _fail(export, "event_time before the epoch: ts_ms would be negative")
    if export.hourly:
        hour = pl.col(SYNC_HOUR)
        bad = frame.filter(hour.is_null() | (hour < 0) | (hour > 23))
        if bad.height:
            raise _fail(export, f"sync_hour must be 0-23, got {bad[SYNC_HOUR][0]}")
    return frame


def _check(export: Export, frame: pl.DataFrame, name: str, bad: pl.Expr, why: str) -> None:
    hits = frame.select(pl.col(name).filter(bad.fill_null(False)).head(1)).to_series()
    if hits.len():
        raise _fail(export, f"column {name}: {why} (value {hits[0]!r})")


# ---- value encodings ----------------------------------------------------------------------
def _yuan(fen: pl.Expr) -> pl.Expr:
    """Integer fen → decimal yuan text with exactly two decimals (1250 → "12.50",
    -5 → "-0.05"), exact over the whole Int64 range."""
    return (fen.cast(pl.Decimal(38, 0)) * pl.lit(Decimal("0.01"))).cast(pl.String)


def _subsecond(ts: pl.Expr) -> pl.Expr:
    return (ts.dt.epoch("us") % 1_000_000) != 0


def _wall_text(ts: pl.Expr, fmt: str, suffix: str = "") -> pl.Expr:
    """Datetime text with ``.ffffff`` only where there are sub-seconds."""
    return (
        pl.when(_subsecond(ts))
        .then(ts.dt.strftime(fmt + "%.6f" + suffix))
        .otherwise(ts.dt.strftime(fmt + suffix))
    )


def _fixed_offset(frame: pl.DataFrame, name: str) -> bool:
    """Every time of the column is after 1991, when Shanghai's offset became a fixed +08:00
    (no more summer time): the offset is then plain arithmetic, not a time-zone lookup."""
    first = frame.get_column(name).min()
    if first is None:
        return True
    if not isinstance(first, datetime.datetime):
        first = datetime.datetime.combine(first, datetime.time())
    return first >= _FIXED_SINCE


def _utc_millis(ts: pl.Expr, fixed: bool) -> pl.Expr:
    """Naive Shanghai wall clock → true epoch milliseconds (UTC)."""
    if fixed:
        return ts.dt.epoch("ms") - _OFFSET_MS
    return ts.dt.replace_time_zone(TIMEZONE).dt.epoch("ms")


def _iso_text(ts: pl.Expr, fixed: bool) -> pl.Expr:
    """ISO 8601 with the Shanghai offset: ``2025-06-02T20:15:00[.ffffff]+08:00``."""
    if fixed:
        return _wall_text(ts, _ISO, "+08:00")
    return _wall_text(ts.dt.replace_time_zone(TIMEZONE), _ISO, "%:z")


def _wrap(value: pl.Expr, key: str, text: pl.Expr) -> pl.Expr:
    """``{"<key>": "<text>"}``, null where ``value`` is null."""
    return pl.when(value.is_not_null()).then(pl.struct(text.alias(key)))


@dataclass(frozen=True)
class _Leaf:
    """One field's value: ``expr`` typed for ``struct.json_encode`` or, when ``raw``, the
    JSON text to splice in as is (never null: ``null``)."""

    expr: pl.Expr
    raw: bool = False


def _json_leaf(export: Export, frame: pl.DataFrame, column: str, name: str) -> _Leaf:
    """Field ``column`` of the export, values from frame column ``name``, for JSON formats."""
    f = export.field[column]
    dtype = f.dtype
    c = pl.col(name)
    fmt = export.fmt
    mongo, binlog = fmt is Format.MONGO, fmt is Format.BINLOG
    if dtype == pl.String:
        if f.json and not binlog:
            _check_json(export, frame, name)
            # raw CR/LF can only be whitespace between tokens of valid JSON text
            return _Leaf(c.str.replace_all(r"[\r\n]", " ").fill_null("null"), raw=True)
        return _Leaf(c)
    if dtype.is_integer():
        if f.yuan:
            return _Leaf(_wrap(c, "$numberDecimal", _yuan(c)) if mongo else _yuan(c))
        if mongo:
            small = dtype in (pl.Int8, pl.Int16, pl.Int32, pl.UInt8, pl.UInt16)
            return _Leaf(_wrap(c, "$numberInt" if small else "$numberLong", c.cast(pl.String)))
        return _Leaf(c)
    if dtype.is_float():
        if mongo:
            text = c.cast(pl.String).replace({"inf": "Infinity", "-inf": "-Infinity"})
            return _Leaf(_wrap(c, "$numberDouble", text))
        _check(export, frame, name, ~c.is_finite(), "NaN or infinity has no plain JSON form")
        return _Leaf(c)
    if dtype == pl.Boolean:
        return _Leaf(c)
    if dtype == pl.Date:
        if mongo:
            midnight = c.cast(pl.Datetime("us"))
            millis = _utc_millis(midnight, _fixed_offset(frame, name))
            date = pl.struct(millis.cast(pl.String).alias("$numberLong"))
            return _Leaf(pl.when(c.is_not_null()).then(pl.struct(date.alias("$date"))))
        return _Leaf(c.dt.strftime("%Y-%m-%d"))
    if dtype == pl.Datetime:
        if mongo or binlog:
            why = "Mongo dates" if mongo else "Debezium Timestamp"
            _check(export, frame, name, c.dt.epoch("us") % 1000 != 0,
                   f"sub-millisecond time: {why} hold milliseconds")
        if mongo:
            millis = _utc_millis(c, _fixed_offset(frame, name))
            date = pl.struct(millis.cast(pl.String).alias("$numberLong"))
            return _Leaf(pl.when(c.is_not_null()).then(pl.struct(date.alias("$date"))))
        if binlog:
            return _Leaf(c.dt.epoch("ms"))  # the wall clock read as UTC (Debezium)
        return _Leaf(_iso_text(c, _fixed_offset(frame, name)))
    raise TypeError(f"{export.table}: no {fmt.name} encoding for {dtype} (column {column})")


def _check_json(export: Export, frame: pl.DataFrame, name: str) -> None:
    values = frame.select(pl.col(name).alias("v")).filter(pl.col("v").is_not_null())
    if values.is_empty():
        return
    con = duckdb.connect(":memory:")
    try:
        con.register("json_values", values)
        bad = con.execute("SELECT v FROM json_values WHERE NOT json_valid(v) LIMIT 1").fetchone()
    finally:
        con.close()
    if bad:
        raise _fail(export, f"column {name} (json) holds text that is not JSON: {bad[0][:60]!r}")


# ---- JSON documents -----------------------------------------------------------------------
def _tree(export: Export, leaves: dict[str, _Leaf]) -> dict:
    """Nested ``{key: _Leaf | dict}`` of the documents, keys in field order."""
    tree: dict = {}
    for column, leaf in leaves.items():
        *parents, last = export.field[column].source.split(".")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise _fail(export, f"source field of {column} nests inside a value field")
        if last in node:
            raise _fail(export, f"two columns write source field {export.field[column].source!r}")
        node[last] = leaf
    return tree


def _encodable(node: dict | _Leaf) -> bool:
    if isinstance(node, _Leaf):
        return not node.raw
    return all(_encodable(child) for child in node.values())


def _struct(node: dict | _Leaf) -> pl.Expr:
    if isinstance(node, _Leaf):
        return node.expr
    return pl.struct([_struct(child).alias(key) for key, child in node.items()])


def _object_text(node: dict) -> pl.Expr:
    """JSON text of a (nested) object; raw leaves are spliced between encoded runs."""
    if _encodable(node):
        return _struct(node).struct.json_encode()
    pieces, run = [], []

    def flush() -> None:
        if run:
            encoded = pl.struct(list(run)).struct.json_encode()
            pieces.append(encoded.str.strip_prefix("{").str.strip_suffix("}"))
            run.clear()

    for key, child in node.items():
        if _encodable(child):
            run.append(_struct(child).alias(key))
            continue
        flush()
        value = child.expr if isinstance(child, _Leaf) else _object_text(child)
        pieces.append(pl.concat_str([pl.lit(json.dumps(key, ensure_ascii=False) + ":"), value]))
    flush()
    return pl.concat_str([pl.lit("{"), pl.concat_str(pieces, separator=","), pl.lit("}")])


def _image(export: Export, frame: pl.DataFrame, prefix: str = "") -> pl.Expr:
    leaves = {}
    for column in export.schema:
        name = prefix + column if prefix + column in frame.columns else column
        leaves[column] = _json_leaf(export, frame, column, name)
    return _struct(_tree(export, leaves))


def _json_lines(export: Export, frame: pl.DataFrame) -> pl.Expr:
    if export.fmt is not Format.BINLOG:
        leaves = {c: _json_leaf(export, frame, c, c) for c in export.schema}
        return _object_text(_tree(export, leaves))
    op = pl.col(OP)
    image = _image(export, frame)
    has_before = any(c.startswith(BEFORE) for c in frame.columns)
    before = pl.when(op == "d").then(image)
    if has_before:
        before = before.when(op == "u").then(_image(export, frame, BEFORE))
    db, table = export.binlog_source
    source = {"db": db, "table": table}
    event = pl.struct(
        op.alias("op"),
        _utc_millis(pl.col(EVENT_TIME), _fixed_offset(frame, EVENT_TIME)).alias("ts_ms"),
        before.alias("before"),
        pl.when(op != "d").then(image).alias("after"),
        pl.struct([pl.lit(v, pl.String).alias(k) for k, v in source.items()]).alias("source"),
    )
    _check(export, frame, EVENT_TIME, pl.col(EVENT_TIME).dt.epoch("us") % 1000 != 0,
           "sub-millisecond time: ts_ms holds milliseconds")
    return event.struct.json_encode()


# ---- CSV ---------------------------------------------------------------------------------
def _csv_quote(text: pl.Expr) -> pl.Expr:
    """RFC 4180: quote a field holding ``,`` or ``"`` (and the empty string, which
    unquoted would read as NULL)."""
    doubled = text.str.replace_all('"', '""', literal=True)
    quoted = pl.concat_str([pl.lit('"'), doubled, pl.lit('"')])
    return pl.when(text.str.contains('[,"]') | (text == "")).then(quoted).otherwise(text)


def _csv_field(export: Export, frame: pl.DataFrame, column: str) -> pl.Expr:
    f = export.field[column]
    dtype = f.dtype
    c = pl.col(column)
    if dtype == pl.String:
        _check(export, frame, column, c.str.contains(r"[\r\n]"),
               "a newline in a CSV value (the dump is one record per line)")
        _check(export, frame, column, c == r"\N", r"the text \N reads back as NULL")
        text = _csv_quote(c)
    elif dtype.is_integer():
        text = _yuan(c) if f.yuan else c.cast(pl.String)
    elif dtype.is_float():
        text = c.cast(pl.String)
    elif dtype == pl.Boolean:
        text = pl.when(c).then(pl.lit("1")).otherwise(pl.lit("0"))
    elif dtype == pl.Date:
        text = c.dt.strftime("%Y-%m-%d")
    elif dtype == pl.Datetime:
        text = _wall_text(c, _SQL)
    else:
        raise TypeError(f"{export.table}: no CSV encoding for {dtype} (column {column})")
    return pl.when(c.is_null()).then(pl.lit(r"\N")).otherwise(text)


def _csv_header(export: Export) -> str:
    names = []
    for column in export.schema:
        name = export.field[column].source
        if any(ch in name for ch in "\r\n"):
            raise _fail(export, f"a newline in CSV header field {name!r}")
        quote = re.search('[,"]', name) or not name
        names.append('"' + name.replace('"', '""') + '"' if quote else name)
    return ",".join(names)


def _csv_lines(export: Export, frame: pl.DataFrame) -> pl.Expr:
    fields = [_csv_field(export, frame, c) for c in export.schema]
    return pl.concat_str(fields, separator=",")


# ---- files -------------------------------------------------------------------------------
def _line_expr(export: Export, frame: pl.DataFrame) -> pl.Expr:
    """The text of a record, one per row (checks what the format cannot carry)."""
    build = _csv_lines if export.fmt is Format.CSV else _json_lines
    if frame.is_empty():
        return pl.lit("")
    return build(export, frame).alias("line")


def _write_file(
    path: Path, rows: pl.DataFrame, line: pl.Expr, header: str | None, gz: bool
) -> None:
    """The rows' lines, each ``\\n``-terminated (a header first if any), built and written
    ``BATCH_ROWS`` at a time; an empty file (a valid empty gzip stream if ``gz``) for none."""
    with open(path, "wb") as raw:
        out = (
            gzip_module.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                 compresslevel=GZIP_LEVEL)
            if gz
            else raw
        )
        try:
            if rows.is_empty():
                return
            if header is not None:
                out.write(header.encode() + b"\n")
            for start in range(0, rows.height, BATCH_ROWS):
                lines = rows.slice(start, BATCH_ROWS).select(line)
                # quote_style="never": the lines are written verbatim, one per row
                lines.write_csv(out, include_header=False, quote_style="never",
                                line_terminator="\n")
        finally:
            if gz:
                out.close()


def _replace_folder(
    folder: Path,
    files: dict[str, pl.DataFrame | None],
    line: pl.Expr,
    header: str | None,
    gz: bool,
) -> None:
    """Write ``files`` into a hidden sibling folder, then swap it for ``folder``."""
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    for stale in parent.glob(f".{folder.name}.*-*"):  # left by an interrupted write
        shutil.rmtree(stale, ignore_errors=True)
    tag = uuid.uuid4().hex
    tmp = parent / f".{folder.name}.tmp-{tag}"
    old = parent / f".{folder.name}.old-{tag}"
    tmp.mkdir()
    try:
        for name, rows in files.items():
            if rows is None:
                (tmp / name).write_bytes(b"")
            else:
                _write_file(tmp / name, rows, line, header, gz)
        if folder.exists():
            folder.rename(old)  # from here until the next rename the day is "never landed"
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)

"""The fast path of the ODS load: well-formed files read by DuckDB's ``read_json`` /
``read_csv`` in one pass per source-day, with an explicit schema.

The line path (``landing.parse``) splits every file into lines and parses each line with a
dozen DuckDB JSON functions per field; it finds and names every bad line. Most files have
none, so they are read here instead, straight into the frame ``landing.parse`` produces
(``_src_file``, ``_src_line``, ``_keys``, ``v__…``/``t__…``, binlog ``_op``/``_ts_ms``) and
typed and checked by the same code after it. A file takes the fast path only when nothing
the line path would reject a line for can hide in it:

- a cheap scan of its bytes (``scan``): no line over ``files.max_line_bytes()`` (DuckDB's
  ``maximum_object_size`` does not stop one), no NUL byte (``read_csv`` keeps a NUL as is),
  no UTF-8 byte order mark; CSV also: no quote, no carriage return, no blank line;
- DuckDB reads it without raising: not UTF-8, not JSON, truncated, a binlog envelope
  field repeated, a ragged CSV line (``strict_mode``) all raise;
- the records it holds are the file's non-blank lines, one each (a whitespace-only line,
  which DuckDB skips, and two objects on one line fail this);
- no record the line path would refuse whole: not an object, a key repeated in the record,
  in a binlog row image or in an object a dotted source field is nested in, a binlog
  event without a known ``op`` or its row image.

Any file failing one of these is read by the line path, which quarantines its bad lines.
``MARKETING_ODS_FAST=0`` sends every file there (the tests run the bad-input cases on both).
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

from marketing_assets.landing import files as landing_files
from marketing_assets.landing.parse import csv_header, field_sql, json_path, scratch
from marketing_assets.landing.spec import BINLOG_OPS, OdsSpec, SourceFormat

FAST_ENV = "MARKETING_ODS_FAST"

#: landed bytes read by one ``read_json`` / ``read_csv`` (a larger file is read alone): the
#: read's memory follows this, not the source-day (a large day lands 10 GiB in one source)
UNIT_BYTES = 256 * 1024 * 1024


def enabled() -> bool:
    """Whether well-formed files take the fast path (default yes; ``$MARKETING_ODS_FAST=0``
    forces the line path), read from the environment when called."""
    return os.environ.get(FAST_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


@dataclass(frozen=True)
class FileScan:
    """What a byte scan of one landed file found (counted as ``files.split_lines`` counts)."""

    lines: int  # non-blank lines
    blank: int
    #: 1-based numbers of the non-blank lines, when some line is blank (else 1..lines)
    numbers: np.ndarray | None
    #: why the file cannot take the fast path (None: it may)
    refused: str | None
    #: binlog: ``_raw_text.hash(seed=0)`` of each non-blank line, as the line path hashes a
    #: record's text for the duplicates rule (the text itself is not kept)
    hashes: np.ndarray | None = None
    size: int = 0  # bytes


def scan(fmt: SourceFormat, data: bytes) -> FileScan:
    """Count the lines of ``data`` and decide whether the file may take the fast path."""
    a = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(a == 10)
    ends = newlines if data.endswith(b"\n") or not data else np.append(newlines, len(a))
    starts = np.concatenate([[0], newlines + 1])[: len(ends)]
    lengths = ends - starts
    carriage = (lengths > 0) & (a[np.maximum(ends - 1, 0)] == 13) if len(a) else lengths > 0
    size = lengths - carriage
    blank = size == 0
    n_blank = int(blank.sum())
    numbers = np.flatnonzero(~blank) + 1 if n_blank else None
    refused = None
    if data.startswith(codecs.BOM_UTF8):
        refused = "byte order mark"
    elif len(size) and int(size.max()) > landing_files.max_line_bytes():
        refused = "a line over the limit"
    elif b"\x00" in data:
        refused = "NUL byte"
    elif fmt is SourceFormat.CSV and (b'"' in data or b"\r" in data or n_blank):
        refused = "CSV with quotes, carriage returns or blank lines"
    elif fmt is SourceFormat.CSV and len(size) and blank[0]:
        refused = "CSV without a header line"
    hashes = None
    if fmt is SourceFormat.BINLOG and refused is None:
        hashes = _line_hashes(data, starts[~blank], size[~blank])
    return FileScan(len(size) - n_blank, n_blank, numbers, refused, hashes, len(data))


def _line_hashes(data: bytes, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``pl.String.hash(seed=0)`` of the lines ``data[start : start + size]`` (a line not
    UTF-8 hashes as null: DuckDB refuses its file), a slice at a time: the lines are viewed
    in ``data`` (each spans to the next line's start, then is cut to its size)."""
    out = np.empty(len(starts), dtype=np.uint64)
    buffer = pa.py_buffer(data)
    step = 250_000
    for first in range(0, len(starts), step):
        s, n = starts[first : first + step], sizes[first : first + step]
        offsets = np.append(s, s[-1] + n[-1]).astype(np.int64)
        spans = pa.LargeBinaryArray.from_buffers(
            pa.large_binary(), len(s), [None, pa.py_buffer(offsets), buffer]
        )
        lines = pl.DataFrame({"raw": pl.from_arrow(spans), "n": n.astype(np.int64)})
        text = pl.col("raw").bin.slice(0, pl.col("n")).cast(pl.String, strict=False)
        out[first : first + len(s)] = lines.select(text.hash(seed=0)).to_series().to_numpy()
    return out


@dataclass(frozen=True)
class FastFile:
    path: Path
    rel: str
    scan: FileScan


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


#: a one-key Extended JSON wrapper as DuckDB writes it: ``{"$numberLong":"5"}`` (and $oid,
#: $numberInt, $numberDecimal, $numberDouble, a $date string), ``{"$date":86400000}`` (an
#: integer of at most 18 digits: a BIGINT for sure), ``{"$date":{"$numberLong":"-3600"}}``;
#: its value (no quote, backslash or brace in it) is what ``parse.field_sql`` unwraps
_WRAPPER = (
    r'^\{"\$(?:(?:oid|numberLong|numberInt|numberDecimal|numberDouble|date)":"[^"\\{}]*"'
    r'|date":-?[0-9]{1,18}|date":\{"\$numberLong":"[^"\\{}]*"\})\}$'
)
_DATE_LONG = '{"$date":{"$numberLong":'


def _top_level_sql(
    value: str, raw: str, first: str, wrapper: str, keep_json: bool
) -> tuple[str, str, str]:
    """``parse.field_sql`` for a record's top-level value ``value`` (a ``JSON`` of the
    record's map, as DuckDB writes it: a number or boolean as the line path's ``->>`` gives
    it, an object or array minified as ``json_extract`` gives it, a string quoted and
    escaped only where it must be), without parsing: a string without a backslash is its
    text between the quotes, an Extended JSON wrapper is read by a pattern. Also the SQL of
    a value the pattern does not know (an object in a scalar field, a wrapper of another
    shape): the file goes to the line path, which judges it. The type is named only for
    an object or an array (the line path names every kind; only ``OBJECT`` and ``ARRAY``
    matter to ``coerce``, and a column of nulls costs nothing to carry). ``raw``,
    ``first`` and ``wrapper`` name the value's text, its first character and whether it
    is a wrapper: computed once (``_json_select``)."""
    text = (
        f"CASE WHEN contains({raw}, '\\') THEN {value} ->> '$' "
        f"ELSE substr({raw}, 2, length({raw}) - 2) END"
    )
    # the value of a wrapper: after its (first) key, quotes and braces trimmed
    after = (
        f"CASE WHEN starts_with({raw}, '{_DATE_LONG}') THEN substr({raw}, {len(_DATE_LONG) + 1}) "
        f"ELSE substr({raw}, strpos({raw}, ':') + 1) END"
    )
    if keep_json:
        structured, unknown = raw, "false"
    else:
        structured = f"CASE WHEN {wrapper} THEN trim({after}, '\"}}') END"
        unknown = f"COALESCE({first} = '{{' AND NOT {wrapper}, false)"
    sql = (
        f"CASE WHEN {value} IS NULL OR {raw} = 'null' THEN NULL WHEN {first} = '\"' THEN {text} "
        f"WHEN {first} IN ('{{', '[') THEN {structured} ELSE {raw} END"
    )
    jtype = f"CASE {first} WHEN '{{' THEN 'OBJECT' WHEN '[' THEN 'ARRAY' END"
    return sql, jtype, unknown


def _repeated(keys: str) -> str:
    return f"COALESCE(len({keys}) <> len(list_distinct({keys})), false)"


def _struct_type(tops: Sequence[str]) -> str:
    """The ``from_json`` structure of a record: each top-level field the model reads as
    ``JSON``."""
    return _lit("{" + ", ".join(f'{_json_string(t)}: "JSON"' for t in tops) + "}")


def _json_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


#: the Debezium envelope's fields: read as columns, so a key repeated among them raises
_ENVELOPE = {"op": "VARCHAR", "ts_ms": "VARCHAR", "before": "JSON", "after": "JSON",
             "source": "JSON"}


def _json_select(spec: OdsSpec, files: Sequence[FastFile]) -> str:
    """One ``read_json`` of ``files``: each record (a binlog event's row image) parsed once
    into the top-level fields the model reads (``from_json`` into a ``STRUCT`` of ``JSON``,
    which keeps the first of a repeated key) and once into its keys (``json_keys``: the
    drift report and the repeated-key test), its fields extracted by the line path's SQL
    (``parse.field_sql``) from their top-level values, and ``_bad``: a record the line path
    refuses whole. ``_keys`` is null for a record holding only known fields, each once
    (most records: the drift report has nothing to count in them). A binlog event's
    envelope is read as columns (``_ENVELOPE``: one of them twice raises); a key outside it
    repeated at the top level of an event is the one refusal the line path makes and this
    read does not (no value read depends on it). A ``MAP(VARCHAR, JSON)`` per record did
    the same at 1.7 times the cost (measured: 15.7 s vs 9.4 s for 1M execution events)."""
    binlog = spec.fmt is SourceFormat.BINLOG
    limit = max(landing_files.max_line_bytes() + 1024, 16 * 1024 * 1024)
    paths = ", ".join(_lit(str(f.path)) for f in files)
    tops = list(dict.fromkeys(spec.source_field(c).split(".")[0] for c in spec.business_columns))
    bad = []
    if binlog:
        ops = ", ".join(_lit(op) for op in BINLOG_OPS)
        columns = ", ".join(f"{_lit(k)}: '{v}'" for k, v in _ENVELOPE.items())
        events = (
            f"read_json([{paths}], format='newline_delimited', columns={{{columns}}}, "
            f"filename=true, auto_detect=false, maximum_object_size={limit})"
        )
        # the image read, and the other one (its keys judged for a repeated key only)
        source = (
            f"(SELECT filename, op AS _op, ts_ms AS _ts_ms, "
            f"CASE WHEN op = 'd' THEN before ELSE after END AS rec, "
            f"CASE WHEN op = 'd' THEN after ELSE before END AS _other FROM {events})"
        )
        bad += [
            f"_op IS NULL OR _op NOT IN ({ops})",
            "rec IS NULL OR left(rec, 1) <> '{'",
            f"_other IS NOT NULL AND {_repeated('json_keys(_other)')}",
        ]
        extra = ["_op", "_ts_ms"]
    else:
        records = (
            f"read_json([{paths}], format='newline_delimited', records=false, "
            f"columns={{'json': 'JSON'}}, filename=true, auto_detect=false, "
            f"maximum_object_size={limit})"
        )
        source = f"(SELECT filename, json AS rec FROM {records})"
        bad.append("left(rec, 1) <> '{'")
        extra = []
    # a record whose keys are as many as its known fields holding a value has no other key
    # and none twice (each such field's key is among them): the common record skips the
    # cost of the exact test (``list_distinct``: 2 s of 1M events) and carries no keys
    bad.append(f"CASE WHEN _plain THEN false ELSE {_repeated('_keys')} END")
    parents = sorted(
        {
            tuple(parts[:i])
            for parts in (spec.source_field(c).split(".") for c in spec.business_columns)
            for i in range(1, len(parts))
        }
    )
    for parent in parents:
        bad.append(_repeated(f"json_keys(rec, {_lit(json_path('.'.join(parent)))})"))
    ref = {top: f'"j__{i}"' for i, top in enumerate(tops)}
    fields, unknown = [], ["_bad"]
    for column, col in spec.business_columns.items():
        parts = spec.source_field(column).split(".")
        keep_json = bool((col.metadata or {}).get("json"))
        if len(parts) > 1:
            value, jtype = field_sql(ref[parts[0]], json_path(".".join(parts[1:])), keep_json)
        else:
            i = tops.index(parts[0])
            value, jtype, odd = _top_level_sql(
                ref[parts[0]], f'"s__{i}"', f'"f__{i}"', f'"w__{i}"', keep_json
            )
            unknown.append(odd)
        fields.append(f'{value} AS "v__{column}", {jtype} AS "t__{column}"')
    keyed = (
        f"SELECT *, json_keys(rec) AS _keys, from_json(rec, {_struct_type(tops)}) AS _r "
        f"FROM {source}"
    )
    values = ", ".join(f"_r[{_lit(top)}] AS {ref[top]}" for top in tops)
    present = " + ".join(f"CAST({ref[top]} IS NOT NULL AS INTEGER)" for top in tops)
    keyed = f"SELECT *, len(_keys) = {present} AS _plain FROM (SELECT *, {values} FROM ({keyed}))"
    record = (
        f"SELECT filename, CASE WHEN NOT _plain THEN _keys END AS _keys, "
        f"{''.join(e + ', ' for e in extra)}"
        f"{' OR '.join(f'({b})' for b in bad)} AS _bad, "
        f"{', '.join(ref.values())} FROM ({keyed})"
    )
    # the text of each value, its first character and whether it is a wrapper, once each
    texts = ", ".join(f'CAST({ref[top]} AS VARCHAR) AS "s__{i}"' for i, top in enumerate(tops))
    firsts = ", ".join(f'left("s__{i}", 1) AS "f__{i}"' for i in range(len(tops)))
    wrappers = ", ".join(
        f"CASE WHEN \"f__{i}\" = '{{' THEN regexp_matches(\"s__{i}\", '{_WRAPPER}') ELSE false END "
        f'AS "w__{i}"'
        for i in range(len(tops))
    )
    record = f"SELECT *, {texts} FROM ({record})"
    record = f"SELECT *, {wrappers} FROM (SELECT *, {firsts} FROM ({record}))"
    return (
        f"SELECT filename, _keys, {', '.join([*extra, *fields])}, "
        f"{' OR '.join(unknown)} AS _bad FROM ({record})"
    )


def _csv_select(spec: OdsSpec, files: Sequence[FastFile], header: tuple[str, ...]) -> str:
    """One ``read_csv`` of ``files`` sharing ``header``: every column text, as the line path
    reads it (``\\N`` or empty is NULL), a ragged line raises (``strict_mode``)."""
    paths = ", ".join(_lit(str(f.path)) for f in files)
    columns = ", ".join(f"{_lit(h)}: 'VARCHAR'" for h in header)
    by_src = {spec.source_field(c): c for c in spec.business_columns}
    present = [h for h in header if h in by_src]
    keys = f"[{', '.join(_lit(h) for h in header)}]::VARCHAR[]"
    fields = [
        f'"{h}" AS "v__{by_src[h]}", CASE WHEN "{h}" IS NOT NULL THEN \'VARCHAR\' END '
        f'AS "t__{by_src[h]}"'
        for h in present
    ]
    return (
        f"SELECT filename, {keys} AS _keys{''.join(', ' + f for f in fields)}, false AS _bad "
        f"FROM read_csv([{paths}], header=true, columns={{{columns}}}, delim=',', quote='\"', "
        f"escape='\"', nullstr=['\\N', ''], strict_mode=true, null_padding=false, "
        f"auto_detect=false, filename=true)"
    )


def _units(
    spec: OdsSpec, files: Sequence[FastFile]
) -> list[tuple[list[FastFile], str | None]]:
    """The reads of a source-day, each of files holding about ``UNIT_BYTES`` together (in
    landing order): JSON files as they come; CSV files of one header together (None for a
    header naming a column twice: the line path reads those)."""
    if spec.fmt is not SourceFormat.CSV:
        return [(group, _json_select(spec, group)) for group in _by_bytes(files)]
    by_header: dict[tuple[str, ...], list[FastFile]] = {}
    for f in files:
        first = landing_files.read_bytes(f.path).split(b"\n", 1)[0]
        by_header.setdefault(csv_header(first), []).append(f)
    return [
        (group, _csv_select(spec, group, h) if len(set(h)) == len(h) else None)
        for h, same in by_header.items()
        for group in _by_bytes(same)
    ]


def _by_bytes(files: Sequence[FastFile]) -> list[list[FastFile]]:
    """``files`` in consecutive groups of at most ``UNIT_BYTES`` (a larger file alone)."""
    groups: list[list[FastFile]] = []
    held = UNIT_BYTES
    for f in files:
        if held + f.scan.size > UNIT_BYTES:
            groups.append([])
            held = 0
        groups[-1].append(f)
        held += f.scan.size
    return groups


def _load(
    con: duckdb.DuckDBPyConnection, table: str, sql: str, files: Sequence[FastFile], header: int
) -> list[FastFile]:
    """Create ``table`` from ``sql`` (raises if DuckDB cannot read ``files``); the files
    failing the per-file checks are removed from it and returned."""
    con.execute(f"CREATE TEMP TABLE {table} AS {sql}")
    found = {
        name: (rows, bad)
        for name, rows, bad in con.execute(
            f"SELECT filename, count(*), bool_or(_bad) FROM {table} GROUP BY filename"
        ).fetchall()
    }
    failed = [f for f in files if found.get(str(f.path)) != (f.scan.lines - header, False)]
    if failed:
        con.execute(
            f"DELETE FROM {table} WHERE filename IN (SELECT UNNEST(?::VARCHAR[]))",
            [[str(f.path) for f in failed]],
        )
    return failed


@dataclass(frozen=True)
class Unit:
    """One read of ``read_fast``: its files, and the relative names of those of them the
    line path must read instead."""

    files: list[FastFile]
    refused: list[str]


def read_fast(
    spec: OdsSpec, files: Sequence[FastFile], batch_rows: int,
    database: duckdb.DuckDBPyConnection | None = None,
) -> Iterator[Unit | pl.DataFrame]:
    """Parsed records of ``files`` (the frame ``landing.parse`` gives for good lines), one
    read of about ``UNIT_BYTES`` at a time (``_units``): for each, first its ``Unit``, then
    its records in batches of about ``batch_rows`` in file and line order. Only one read's
    rows are held at a time.

    Records carry a null ``_raw_text``, filled in for the few quarantined later
    (``ingest._raw_texts``); binlog records their text's hash, ``_raw_hash`` (their
    duplicates are judged on it).

    The reads run in a cursor of ``database`` (the connection the rows are staged in:
    one buffer pool and its spill directory for both), else of the scratch database.
    """
    files = [f for f in files if f.scan.lines]  # an empty file holds no record
    if not files:
        return
    con = database.cursor() if database is not None else scratch()
    try:
        header = 1 if spec.fmt is SourceFormat.CSV else 0
        for group, sql in _units(spec, files):
            yield from _read_unit(con, spec, group, sql, header, batch_rows)
    finally:
        con.close()


def _read_unit(
    con: duckdb.DuckDBPyConnection, spec: OdsSpec, group: list[FastFile], sql: str | None,
    header: int, batch_rows: int,
) -> Iterator[Unit | pl.DataFrame]:
    tables: list[str] = []
    fallback: list[FastFile] = []
    if sql is None:
        fallback += group
    else:
        # a read that raises is tried again file by file: one bad file costs only itself
        try:
            fallback += _load(con, "fast_0", sql, group, header)
            tables.append("fast_0")
        except duckdb.Error:
            con.execute("DROP TABLE IF EXISTS fast_0")
            for f in group:
                name = f"fast_{len(tables)}"
                try:
                    one = _units(spec, [f])[0][1]
                    fallback += _load(con, name, one, [f], header)
                    tables.append(name)
                except duckdb.Error:
                    con.execute(f"DROP TABLE IF EXISTS {name}")
                    fallback.append(f)
    refused = {f.rel for f in fallback}
    loaded = {str(f.path): f for f in group if f.rel not in refused}
    yield Unit(group, sorted(refused))
    binlog = spec.fmt is SourceFormat.BINLOG
    try:
        for table in tables:
            first = dict(
                con.execute(
                    f"SELECT filename, min(rowid) FROM {table} GROUP BY filename"
                ).fetchall()
            )
            place = _Positions.of(first, loaded, header, binlog)
            reader = con.sql(
                f"SELECT rowid AS _rowid, * EXCLUDE (filename, _bad) FROM {table}"
            ).to_arrow_reader(batch_rows)
            for batch in reader:
                chunk = pl.from_arrow(batch)
                if chunk.is_empty():
                    continue
                yield place.shape(chunk)
    finally:
        for table in tables:
            con.execute(f"DROP TABLE IF EXISTS {table}")


@dataclass(frozen=True)
class _Positions:
    """Where each row of a loaded table came from, indexed by its ``rowid``: a file's
    records hold the rowids from the file's first on, one per record in line order
    (``CREATE TABLE AS`` keeps the read's order; a file refused after the read is deleted
    whole), so a record's file, line number and (binlog) text hash are array lookups, not
    joins (measured: the joins took 3.8 s of a 1M-event file's 29 s)."""

    files: list[str]  # relative names, by file number
    file_of: np.ndarray  # rowid -> file number
    line_of: np.ndarray  # rowid -> 1-based line number
    hash_of: np.ndarray | None  # rowid -> the hash of the line's text (binlog)

    @staticmethod
    def of(
        first: dict[str, int], loaded: dict[str, FastFile], header: int, binlog: bool
    ) -> _Positions:
        size = max(
            (row + loaded[name].scan.lines - header for name, row in first.items()), default=0
        )
        file_of = np.zeros(size, dtype=np.int32)
        line_of = np.zeros(size, dtype=np.int64)
        hash_of = np.zeros(size, dtype=np.uint64) if binlog else None
        files: list[str] = []
        for name, row in first.items():
            scan = loaded[name].scan
            n = scan.lines - header
            file_of[row : row + n] = len(files)
            files.append(loaded[name].rel)
            line_of[row : row + n] = (
                scan.numbers[header:] if scan.numbers is not None
                else np.arange(1 + header, n + 1 + header)
            )
            if hash_of is not None:
                hash_of[row : row + n] = scan.hashes
        return _Positions(files, file_of, line_of, hash_of)

    def shape(self, chunk: pl.DataFrame) -> pl.DataFrame:
        """A chunk of a loaded table as ``landing.parse`` frames a record."""
        rows = chunk["_rowid"].to_numpy()
        names = pl.Series(self.files, dtype=pl.String)
        located = [
            names.gather(self.file_of[rows]).alias("_src_file"),
            pl.Series("_src_line", self.line_of[rows], dtype=pl.Int64),
            pl.lit(None, pl.String).alias("_raw_text"),
            pl.lit(None, pl.String).alias("_reject"),
        ]
        if self.hash_of is not None:
            located.append(pl.Series("_raw_hash", self.hash_of[rows], dtype=pl.UInt64))
        return chunk.select(*located, pl.all().exclude("_rowid"))

"""From numbered raw lines to one text value per model field, vectorised.

JSON shapes are parsed by DuckDB's JSON functions in a private in-memory database (not the
warehouse): ``json_valid`` / ``json_type`` / ``->>`` work on whole columns and give NULL
instead of raising, which per-line Python parsing would need a loop for. CSV dumps are
parsed by polars after a field-count check. The output of every format is the same:

- ``_src_file``, ``_src_line``, ``_raw_text`` (the line as text; ``hex:…`` if not UTF-8)
- ``_reject``: a line-level reason (over the size limit — ``_line_reject`` of
  ``files.split_lines`` —, not UTF-8, not JSON, truncated, a key repeated in one object,
  unknown op, a NUL in a CSV line…) or null
- ``v__<column>``: the field's value as text (Extended JSON wrappers unwrapped), null if absent
- ``t__<column>``: the JSON type of the field (null: absent), ``VARCHAR`` for CSV values
- ``_keys``: the field names the record carried (for the schema-drift report)
- binlog only: ``_op`` and ``_ts_ms``
"""

from __future__ import annotations

import threading

import duckdb
import polars as pl

from marketing_assets.config import duckdb_memory_limit
from marketing_assets.landing.spec import BINLOG_OPS, OdsSpec, SourceFormat

#: Extended JSON wrappers, in the order they are tried (``$date`` may wrap ``$numberLong``).
_EXT_WRAPPERS = ('"$oid"', '"$numberLong"', '"$numberInt"', '"$numberDecimal"', '"$numberDouble"')


_SCRATCH: dict[str, duckdb.DuckDBPyConnection] = {}
_SCRATCH_LOCK = threading.Lock()


def scratch() -> duckdb.DuckDBPyConnection:
    """A new connection (close it) to the process's private in-memory DuckDB that parses
    landed files: connecting a database costs 25-90 ms, a cursor of an open one nothing.
    One database per memory limit (``config.duckdb_memory_limit`` is read when called);
    temporary tables belong to the connection and go with it."""
    limit = duckdb_memory_limit()
    with _SCRATCH_LOCK:
        if limit not in _SCRATCH:
            _SCRATCH[limit] = duckdb.connect(":memory:", config={"memory_limit": limit})
        return _SCRATCH[limit].cursor()


def json_path(src: str) -> str:
    return "$." + ".".join(f'"{part}"' for part in src.split("."))


def field_sql(doc: str, p: str, keep_json: bool) -> tuple[str, str]:
    """SQL for the text value and the JSON type of the field at JSON path ``p`` of JSON
    column ``doc`` (the fast path gives a field's top-level value and the rest of its path)."""
    jtype = f"json_type({doc}, '{p}')"
    unwrap = ", ".join(f"{doc} ->> '{p}.{w}'" for w in _EXT_WRAPPERS)
    date_long = f"{doc} ->> '{p}.\"$date\".\"$numberLong\"'"
    date_number = (
        f"CASE WHEN json_type({doc}, '{p}.\"$date\"') IN ('UBIGINT', 'BIGINT') "
        f"THEN {doc} ->> '{p}.\"$date\"' END"
    )
    date_text = (
        f"CASE WHEN json_type({doc}, '{p}.\"$date\"') = 'VARCHAR' "
        f"THEN {doc} ->> '{p}.\"$date\"' END"
    )
    as_json = f"CAST(json_extract({doc}, '{p}') AS VARCHAR)"
    obj = as_json if keep_json else f"COALESCE({unwrap}, {date_long}, {date_number}, {date_text})"
    arr = as_json if keep_json else "NULL"
    value = (
        f"CASE {jtype} WHEN 'OBJECT' THEN {obj} WHEN 'ARRAY' THEN {arr} "
        f"WHEN 'NULL' THEN NULL ELSE {doc} ->> '{p}' END"
    )
    return value, jtype


def _object_paths(spec: OdsSpec) -> list[str]:
    """JSON paths of every object a record of ``spec`` is read from: the line itself, the
    binlog row images, and the objects its dotted source fields are nested in."""
    binlog = spec.fmt is SourceFormat.BINLOG
    images = ["$.before", "$.after"] if binlog else ["$"]
    parents = sorted(
        {
            ".".join(parts[:i])
            for parts in (spec.source_field(c).split(".") for c in spec.business_columns)
            for i in range(1, len(parts))
        }
    )
    nested = [image + json_path(parent)[1:] for image in images for parent in parents]
    return ["$", *(images if binlog else []), *nested]


def _repeated_keys(spec: OdsSpec) -> tuple[str, str]:
    """SQL: whether an object of ``txt`` (a valid JSON object) holds a key twice, and the
    sorted keys that do. JSON parsers disagree on which of the two values counts, so such a
    record is refused."""
    keys = [f"json_keys(txt, '{p}')" for p in _object_paths(spec)]
    # cheap test on every line; the keys are named only for the rare line that has them
    test = " OR ".join(f"len({k}) <> len(list_distinct({k}))" for k in keys)
    named = (
        f"list_sort(list_distinct(flatten(list_transform([{', '.join(keys)}], lambda k: "
        "list_filter(k, lambda x: len(list_filter(k, lambda y: y = x)) > 1)))))"
    )
    return test, named


def _decode(con: duckdb.DuckDBPyConnection, lines: pl.DataFrame) -> None:
    """Register ``decoded``: lines as text, invalid UTF-8 kept as hex for the quarantine."""
    con.register("lines_in", lines)
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE decoded AS
        SELECT _src_file, _src_line, _last_unterminated, _line_reject,
               try(decode(raw)) AS txt,
               COALESCE(try(decode(raw)), 'hex:' || hex(raw)) AS _raw_text
        FROM lines_in
        """
    )
    con.unregister("lines_in")


def parse_json(spec: OdsSpec, lines: pl.DataFrame) -> pl.DataFrame:
    """Mongo Extended JSON, Debezium events and plain JSON Lines → per-field text values."""
    con = scratch()
    try:
        _decode(con, lines)
        binlog = spec.fmt is SourceFormat.BINLOG
        doc = "img" if binlog else "doc"
        fields = []
        for column, col in spec.business_columns.items():
            keep_json = bool((col.metadata or {}).get("json"))
            value, jtype = field_sql(doc, json_path(spec.source_field(column)), keep_json)
            fields.append(f'{value} AS "v__{column}", {jtype} AS "t__{column}"')
        ops = ", ".join(f"'{op}'" for op in BINLOG_OPS)
        repeated, repeated_keys = _repeated_keys(spec)
        image = (
            "CASE WHEN doc ->> '$.op' = 'd' THEN doc -> '$.before' ELSE doc -> '$.after' END"
        )
        reject = f"""
            CASE
              WHEN _line_reject IS NOT NULL THEN _line_reject
              WHEN txt IS NULL THEN 'not valid UTF-8'
              WHEN NOT json_valid(txt) AND _last_unterminated
                THEN 'truncated last line: no newline at end of file and not valid JSON'
              WHEN NOT json_valid(txt) THEN 'unparseable JSON'
              WHEN json_type(txt) <> 'OBJECT' THEN 'JSON value is not an object'
              WHEN {repeated}
                THEN 'key repeated in one JSON object: ' || array_to_string({repeated_keys}, ', ')
              {"WHEN json_type(txt, '$.op') IS NULL THEN 'binlog event without op'" if binlog else ""}
              {f"WHEN (txt ->> '$.op') NOT IN ({ops}) THEN 'unknown binlog op ' || (txt ->> '$.op')" if binlog else ""}
              {f"WHEN json_type(txt, CASE WHEN txt ->> '$.op' = 'd' THEN '$.before' ELSE '$.after' END) <> 'OBJECT' THEN 'binlog event without its row image'" if binlog else ""}
            END"""
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE checked AS
            SELECT _src_file, _src_line, _raw_text, txt, {reject} AS _reject FROM decoded
            """
        )
        good = f"""
            SELECT *, {image if binlog else "doc"} AS img
            FROM (SELECT _src_file, _src_line, _raw_text, CAST(txt AS JSON) AS doc
                  FROM checked WHERE _reject IS NULL)
        """
        extra = ", doc ->> '$.op' AS _op, doc ->> '$.ts_ms' AS _ts_ms" if binlog else ""
        parsed = con.sql(
            f"""
            SELECT _src_file, _src_line, _raw_text, CAST(NULL AS VARCHAR) AS _reject,
                   json_keys({doc}) AS _keys{extra}, {", ".join(fields)}
            FROM ({good})
            """
        ).pl()
        rejected = con.sql(
            "SELECT _src_file, _src_line, _raw_text, _reject FROM checked "
            "WHERE _reject IS NOT NULL"
        ).pl()
    finally:
        con.close()
    return pl.concat([parsed, rejected], how="diagonal_relaxed")


def csv_header(line: bytes) -> tuple[str, ...]:
    """The column names of a CSV header line."""
    return pl.read_csv(line, has_header=False, infer_schema=False).row(0)


def parse_csv(spec: OdsSpec, lines: pl.DataFrame) -> pl.DataFrame:
    """CSV dump with a header line (one record per line, ``\\N`` or empty for NULL)."""
    con = scratch()
    try:
        _decode(con, lines)
        decoded = con.sql(
            "SELECT _src_file, _src_line, _raw_text, txt, _line_reject "
            "FROM decoded ORDER BY _src_file, _src_line"
        ).pl()
    finally:
        con.close()
    if decoded.is_empty():
        return decoded.drop("txt", "_line_reject").with_columns(_reject=pl.lit(None, pl.String))
    header_row = decoded.row(0, named=True)
    if header_row["txt"] is None or header_row["_src_line"] != 1 or header_row["_line_reject"]:
        raise ValueError(f"{header_row['_src_file']}: first line is not a readable CSV header")
    header = csv_header(header_row["txt"].encode())
    body = decoded.slice(1)
    unquoted = pl.col("txt").str.replace_all(r'"(?:[^"]|"")*"', "")
    n_fields = unquoted.str.count_matches(",") + 1
    body = body.with_columns(
        _reject=pl.when(pl.col("_line_reject").is_not_null())
        .then(pl.col("_line_reject"))
        .when(pl.col("txt").is_null())
        .then(pl.lit("not valid UTF-8"))
        .when(pl.col("txt").str.contains("\x00", literal=True))
        .then(pl.lit("NUL character in a CSV field"))
        .when(n_fields != len(header))
        .then(pl.format("expected {} CSV fields, found {}", pl.lit(len(header)), n_fields))
    )
    good = body.filter(pl.col("_reject").is_null())
    values = pl.read_csv(
        ("\n".join([header_row["txt"], *good["txt"].to_list()]) + "\n").encode(),
        infer_schema=False,
        null_values=["\\N"],
    )
    by_src = {spec.source_field(c): c for c in spec.business_columns}
    present = [h for h in header if h in by_src]
    typed = good.select("_src_file", "_src_line", "_raw_text", "_reject").with_columns(
        _keys=pl.lit(list(header), dtype=pl.List(pl.String)),
        **{f"v__{by_src[h]}": values[h] for h in present},
        **{f"t__{by_src[h]}": pl.when(values[h].is_not_null()).then(pl.lit("VARCHAR")) for h in present},
    )
    rejected = body.filter(pl.col("_reject").is_not_null()).select(
        "_src_file", "_src_line", "_raw_text", "_reject"
    )
    return pl.concat([typed, rejected], how="diagonal_relaxed")

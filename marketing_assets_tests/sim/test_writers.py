"""The simulator's landing writers encode every value so the warehouse reader gets it back.

Every format: hand-made frames (nulls, Chinese text, ``"`` ``,`` ``\\`` and control
characters, sub-second and whole-second times, yuan money, a nested source field, a JSON
column) are written by the simulator's writer and read back by ``ingest_day`` to the same
business values with no quarantine and no drift; one exact line per format pins the shape.

The writer takes the simulator's own export declarations (``sim.exports.Export``), the
reader the warehouse's ``OdsSpec``: each test table is declared here once as a reader spec
and ``export_of`` states the export shape that agrees with it. The real exports and the real
specs meet only in the landed files (``marketing_assets_tests/handwritten`` pins both).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import time
from pathlib import Path

import pandera.polars as pa
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from marketing_assets.landing.files import EMPTY_MARKER, locate
from marketing_assets.landing.ingest import ingest_day
from marketing_assets.landing.spec import OdsKind, OdsSpec, SourceFormat
from marketing_assets.sim import writers
from marketing_assets.sim.exports import F, Export, Format

DAY = dt.date(2025, 6, 2)
TRICKY = 'say "hi", a\\b'  # quote, comma, backslash
BENEFITS = '[{"benefit_entity_type":"coupon","benefit_entity_id":101,"名":"满100减20"}]'


# ---- test models and specs ----------------------------------------------------------------
class Coupon(pa.DataFrameModel):
    coupon_id: pl.Int64 = pa.Field(metadata={"src": "_id"})
    user_name: pl.String = pa.Field(nullable=True)
    status: pl.Int32 = pa.Field()
    threshold: pl.Int64 = pa.Field(metadata={"src": "limit.threshold", "unit": "yuan"})
    discount: pl.Int64 = pa.Field(nullable=True, metadata={"src": "limit.discount", "unit": "yuan"})
    score: pl.Float64 = pa.Field(nullable=True)
    active: pl.Boolean = pa.Field()
    benefits: pl.String = pa.Field(nullable=True, metadata={"json": True})
    update_time: pl.Datetime("us") = pa.Field()
    use_time: pl.Datetime("us") = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


class Template(pa.DataFrameModel):
    template_id: pl.Int64 = pa.Field(metadata={"src": "id"})
    name: pl.String = pa.Field(nullable=True)
    price: pl.Int64 = pa.Field(metadata={"unit": "yuan"})
    threshold: pl.Int64 = pa.Field(nullable=True, metadata={"src": "limit.threshold"})
    rate: pl.Float64 = pa.Field(nullable=True)
    on_sale: pl.Boolean = pa.Field(nullable=True)
    start_date: pl.Date = pa.Field(nullable=True)
    benefits: pl.String = pa.Field(nullable=True, metadata={"json": True})
    create_time: pl.Datetime("us") = pa.Field()
    update_time: pl.Datetime("us") = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


class CsvTemplate(Template):
    """A CSV dump is flat: the threshold column is renamed, not nested (see the xfail)."""

    threshold: pl.Int64 = pa.Field(nullable=True, metadata={"src": "threshold_amount"})


class Dated(pa.DataFrameModel):
    doc_id: pl.Int64 = pa.Field(metadata={"src": "_id"})
    start_date: pl.Date = pa.Field()

    class Config:
        strict = True
        coerce = True


def _spec(table, fmt, model, key, **kw) -> OdsSpec:
    return OdsSpec(table=table, domain="test", fmt=fmt, model=model, key=key,
                   description=table, **kw)


MONGO = _spec("ods_mongo_test_coupon", SourceFormat.MONGO, Coupon, ("coupon_id",),
              event_time="update_time")
MONGO_HI = _spec("ods_mongo_test_coupon_hi", SourceFormat.MONGO, Coupon, ("coupon_id",),
                 event_time="update_time", hourly=True)
CSV = _spec("ods_test_template_df", SourceFormat.CSV, CsvTemplate, ("template_id",))
CSV_HI = _spec("ods_test_template_hi", SourceFormat.CSV, CsvTemplate, ("template_id",),
               hourly=True)
CSV_NESTED = _spec("ods_test_template_nested_df", SourceFormat.CSV, Template, ("template_id",))
JSONL = _spec("ods_test_template_log", SourceFormat.JSONL, Template, ("template_id",),
              event_time="create_time")
BINLOG = _spec("ods_binlog_test__shop_template_di", SourceFormat.BINLOG, Template,
               ("template_id",), kind=OdsKind.EVENTS,
               source_system="test MySQL shop.template binlog")
BINLOG_DF = _spec("ods_binlog_test__shop_template_df", SourceFormat.BINLOG, Template,
                  ("template_id",), kind=OdsKind.SNAPSHOT)
MONGO_DATED = _spec("ods_mongo_test_dated", SourceFormat.MONGO, Dated, ("doc_id",))

#: the MySQL table each test binlog stream comes from
BINLOG_SOURCES = {BINLOG.table: ("shop", "template"), BINLOG_DF.table: ("test", BINLOG_DF.table)}


def export_of(spec: OdsSpec) -> Export:
    """The export shape a source writes for the reader ``spec`` of a test table."""
    fields = tuple(
        F(name, column.dtype.type, (column.metadata or {}).get("src"),
          yuan=(column.metadata or {}).get("unit") == "yuan", json=bool((column.metadata or {}).get("json")))
        for name, column in spec.business_columns.items()
    )
    return Export(spec.table, Format[spec.fmt.name], spec.source_system, spec.key, fields,
                  hourly_by=(spec.event_time or "update_time") if spec.hourly else None,
                  binlog_source=BINLOG_SOURCES.get(spec.table))


def write_table_day(spec: OdsSpec, frame: pl.DataFrame, root: Path, day: dt.date, **kw):
    return writers.write_table_day(export_of(spec), frame, root, day, **kw)


def write_day(pairs, root: Path, day: dt.date, **kw):
    return writers.write_day([(export_of(spec), frame) for spec, frame in pairs], root, day, **kw)


COUPON_SCHEMA = {
    "coupon_id": pl.Int64, "user_name": pl.String, "status": pl.Int32, "threshold": pl.Int64,
    "discount": pl.Int64, "score": pl.Float64, "active": pl.Boolean, "benefits": pl.String,
    "update_time": pl.Datetime("us"), "use_time": pl.Datetime("us"),
}


def coupons() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "coupon_id": [9001, 9002, 9003, 9223372036854775807],
            "user_name": ["用户一", TRICKY, None, "ctl\x01\t\n\r end"],
            "status": [1, 2, -3, 0],
            "threshold": [10000, 1250, 5, 0],
            "discount": [2000, None, -5, 99],
            "score": [0.1, None, 1e20, -2.5],
            "active": [True, False, True, False],
            "benefits": [BENEFITS, None, "[]", '{"a":{"b":[1,2.5,null]}}'],
            "update_time": [
                dt.datetime(2025, 6, 2, 10, 0, 0),
                dt.datetime(2025, 6, 2, 23, 59, 59, 123000),
                dt.datetime(2025, 6, 1, 0, 0, 0),
                dt.datetime(1999, 12, 31, 8, 0, 0, 1000),
            ],
            "use_time": [None, dt.datetime(2025, 6, 2, 12, 0, 0), None, None],
        },
        schema=COUPON_SCHEMA,
    )


TEMPLATE_SCHEMA = {
    "template_id": pl.Int64, "name": pl.String, "price": pl.Int64, "threshold": pl.Int64,
    "rate": pl.Float64, "on_sale": pl.Boolean, "start_date": pl.Date, "benefits": pl.String,
    "create_time": pl.Datetime("us"), "update_time": pl.Datetime("us"),
}


def templates(csv: bool = False) -> pl.DataFrame:
    """Four template rows; ``csv``: no newline in the name (a CSV dump cannot carry one)."""
    return pl.DataFrame(
        {
            "template_id": [101, 102, 103, 104],
            "name": ["618 platform 满100减20", TRICKY, None,
                     "tab\there" if csv else "line\nbreak \x00 \u2028 /"],
            "price": [1250, 0, -5, 123456789012],
            "threshold": [10000, None, 0, -1],
            "rate": [0.1, None, 123456789.12345679, 5e-324],
            "on_sale": [True, False, None, True],
            "start_date": [dt.date(2025, 6, 2), None, dt.date(1969, 7, 20), dt.date(2099, 12, 31)],
            "benefits": [BENEFITS, "[]", None, '{"k":"v, \\"q\\""}'],
            "create_time": [
                dt.datetime(2025, 6, 2, 20, 15, 0),
                dt.datetime(2025, 6, 2, 20, 15, 0, 120000),
                dt.datetime(2025, 6, 2, 0, 0, 0, 1),
                dt.datetime(2025, 5, 31, 23, 59, 59, 999999),
            ],
            "update_time": [None, dt.datetime(2025, 6, 2, 8, 0, 0), None,
                            dt.datetime(2001, 1, 1)],
        },
        schema=TEMPLATE_SCHEMA,
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "landing"


def business(spec: OdsSpec, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(list(spec.business_columns))


def assert_round_trip(spec: OdsSpec, frame: pl.DataFrame, root: Path, day=DAY, **kw):
    """Write, ingest, and compare the business values; returns the ingest result."""
    write_table_day(spec, frame, root, day, **kw)
    result = ingest_day(spec, root, day)
    assert result.quarantine.height == 0, result.quarantine.to_dicts()
    assert result.drift == {}
    assert result.empty_files == [] or spec.hourly
    got = business(spec, result.frame)
    want = business(spec, frame)
    if spec.fmt is not SourceFormat.BINLOG:  # binlog: one row per line, in file order
        want = want.sort(list(spec.key))
    assert_frame_equal(got, want)
    return result


def lines_of(path: Path) -> list[str]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    assert data == b"" or data.endswith(b"\n")
    return data.decode().split("\n")[:-1]  # not splitlines(): U+2028 is not a line end


def folder(root: Path, spec: OdsSpec, day=DAY) -> Path:
    return root / spec.table / f"dt={day.isoformat()}"


# ---- Mongo --------------------------------------------------------------------------------
def test_mongo_round_trip_and_line_shape(root):
    frame = coupons()
    paths = write_table_day(MONGO, frame, root, DAY)
    assert paths == [folder(root, MONGO) / "part-00000.jsonl"]
    lines = lines_of(paths[0])
    assert len(lines) == 4
    assert lines[0] == (
        '{"_id":{"$numberLong":"9001"},"user_name":"用户一","status":{"$numberInt":"1"},'
        '"limit":{"threshold":{"$numberDecimal":"100.00"},"discount":{"$numberDecimal":"20.00"}},'
        '"score":{"$numberDouble":"0.1"},"active":true,'
        '"benefits":[{"benefit_entity_type":"coupon","benefit_entity_id":101,"名":"满100减20"}],'
        '"update_time":{"$date":{"$numberLong":"1748829600000"}},"use_time":null}'
    )
    assert lines[1] == (
        '{"_id":{"$numberLong":"9002"},"user_name":"say \\"hi\\", a\\\\b",'
        '"status":{"$numberInt":"2"},'
        '"limit":{"threshold":{"$numberDecimal":"12.50"},"discount":null},"score":null,'
        '"active":false,"benefits":null,'
        '"update_time":{"$date":{"$numberLong":"1748879999123"}},'
        '"use_time":{"$date":{"$numberLong":"1748836800000"}}}'
    )
    assert '"user_name":"ctl\\u0001\\t\\n\\r end"' in lines[3]
    assert '"limit":{"threshold":{"$numberDecimal":"0.05"},"discount":{"$numberDecimal":"-0.05"}}' in lines[2]
    for line in lines:
        json.loads(line)
    assert_round_trip(MONGO, frame, root)


def test_mongo_date_column_round_trip(root):
    frame = pl.DataFrame({"doc_id": [1], "start_date": [DAY]})
    write_table_day(MONGO_DATED, frame, root, DAY)
    line = lines_of(folder(root, MONGO_DATED) / "part-00000.jsonl")[0]
    assert line == '{"_id":{"$numberLong":"1"},"start_date":{"$date":{"$numberLong":"1748793600000"}}}'
    assert_round_trip(MONGO_DATED, frame, root)


def test_mongo_rejects_sub_millisecond_times(root):
    frame = coupons().with_columns(use_time=pl.lit(dt.datetime(2025, 6, 2, 1, 0, 0, 1)))
    with pytest.raises(ValueError, match="use_time: sub-millisecond"):
        write_table_day(MONGO, frame, root, DAY)
    assert not (root / MONGO.table).exists() or not any(folder(root, MONGO).parent.iterdir())


def test_mongo_non_finite_doubles_round_trip(root):
    frame = coupons().with_columns(
        score=pl.Series([float("inf"), float("-inf"), None, -0.0], dtype=pl.Float64)
    )
    write_table_day(MONGO, frame, root, DAY)
    text = (folder(root, MONGO) / "part-00000.jsonl").read_text()
    assert '{"$numberDouble":"Infinity"}' in text and '{"$numberDouble":"-Infinity"}' in text
    assert_round_trip(MONGO, frame, root)


def test_invalid_json_in_a_json_column_is_refused(root):
    frame = coupons().with_columns(benefits=pl.lit("[1, 2"))
    with pytest.raises(ValueError, match="benefits.*not JSON"):
        write_table_day(MONGO, frame, root, DAY)


def test_pretty_printed_json_value_stays_on_one_line(root):
    frame = coupons().head(1).with_columns(benefits=pl.lit('[\n  {"a": 1},\r\n  2\n]'))
    write_table_day(MONGO, frame, root, DAY)
    (line,) = lines_of(folder(root, MONGO) / "part-00000.jsonl")
    assert '"benefits":[   {"a": 1},    2 ]' in line
    result = ingest_day(MONGO, root, DAY)
    assert result.quarantine.height == 0
    assert result.frame["benefits"].to_list() == ['[{"a":1},2]']  # the reader's JSON text


@pytest.mark.parametrize("spec", [MONGO, JSONL])
def test_summer_time_of_1986_to_1991_keeps_the_wall_clock(root, spec):
    """Before 1992 Shanghai had summer time (+09:00): no fixed-offset shortcut then."""
    summer = dt.datetime(1988, 7, 1, 12, 0, 0)
    base = coupons() if spec is MONGO else templates()
    column = "update_time" if spec is MONGO else "create_time"
    frame = base.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(summer)
                              .otherwise(pl.col(column)).alias(column))
    write_table_day(spec, frame, root, DAY)
    text = (folder(root, spec) / "part-00000.jsonl").read_text()
    assert ('"1988-07-01T12:00:00+09:00"' if spec is JSONL else '"$numberLong":"583729200000"') in text
    assert_round_trip(spec, frame, root)


def test_fixed_offset_shortcut_equals_the_time_zone_rules():
    from marketing_assets.sim.writers import _iso_text, _utc_millis

    times = pl.DataFrame({"t": pl.datetime_range(dt.datetime(1992, 1, 1), dt.datetime(2100, 1, 1),
                                                 interval="7h13m17s", eager=True)})
    fast = times.select(_utc_millis(pl.col("t"), True).alias("ms"), _iso_text(pl.col("t"), True).alias("iso"))
    exact = times.select(_utc_millis(pl.col("t"), False).alias("ms"), _iso_text(pl.col("t"), False).alias("iso"))
    assert_frame_equal(fast, exact)


# ---- Debezium binlog ------------------------------------------------------------------------
def events() -> pl.DataFrame:
    """The templates as c/u/r/d events (Debezium DATETIME(3): millisecond times)."""
    frame = templates().with_columns(pl.col("create_time", "update_time").dt.truncate("1ms"))
    return frame.with_columns(
        op=pl.Series(["c", "u", "r", "d"]),
        event_time=pl.Series([
            dt.datetime(2025, 6, 2, 10, 0, 0, 123000),
            dt.datetime(2025, 6, 2, 11, 0, 0),
            dt.datetime(2025, 6, 2, 12, 0, 0),
            dt.datetime(2025, 6, 1, 23, 0, 0),
        ]),
    )


def test_binlog_round_trip_and_line_shape(root):
    frame = events()
    (path,) = write_table_day(BINLOG, frame, root, DAY)
    lines = lines_of(path)
    # DATETIME: wall clock as if UTC (2025-06-02 20:15:00 → 1748895300000); ts_ms true epoch
    assert lines[0] == (
        '{"op":"c","ts_ms":1748829600123,"before":null,"after":{"id":101,'
        '"name":"618 platform 满100减20","price":"12.50","limit":{"threshold":10000},'
        '"rate":0.1,"on_sale":true,"start_date":"2025-06-02",'
        '"benefits":"[{\\"benefit_entity_type\\":\\"coupon\\",\\"benefit_entity_id\\":101,'
        '\\"名\\":\\"满100减20\\"}]",'
        '"create_time":1748895300000,"update_time":null},'
        '"source":{"db":"shop","table":"template"}}'
    )
    # a delete carries the row image as `before`
    assert lines[3].startswith('{"op":"d","ts_ms":1748790000000,"before":{"id":104,')
    assert lines[3].endswith(',"after":null,"source":{"db":"shop","table":"template"}}')
    assert '"before":null,"after":{"id":102,' in lines[1]  # no before__ columns: no before
    result = assert_round_trip(BINLOG, frame, root)
    assert result.frame["op"].to_list() == ["c", "u", "r", "d"]
    assert result.frame["event_time"].to_list() == frame["event_time"].to_list()
    assert result.late == 1


def test_binlog_update_with_before_image(root):
    frame = events().with_columns(
        before__price=pl.Series([None, 999, None, None], dtype=pl.Int64),
        before__name=pl.Series([None, "旧名", None, None]),
    )
    (path,) = write_table_day(BINLOG, frame, root, DAY)
    lines = lines_of(path)
    u = json.loads(lines[1])
    assert u["op"] == "u"
    assert u["before"]["price"] == "9.99" and u["before"]["name"] == "旧名"
    # columns without a before__ column are unchanged: the after value
    assert {k: v for k, v in u["before"].items() if k not in ("price", "name")} == {
        k: v for k, v in u["after"].items() if k not in ("price", "name")
    }
    assert json.loads(lines[0])["before"] is None  # c: no before
    d = json.loads(lines[3])
    assert d["after"] is None and d["before"]["id"] == 104 and d["before"]["price"] == "1234567890.12"
    assert_round_trip(BINLOG, frame, root)


def test_binlog_snapshot_spec_reads_the_events(root):
    write_table_day(BINLOG_DF, events(), root, DAY)
    line = lines_of(folder(root, BINLOG_DF) / "part-00000.jsonl")[0]
    # the export's binlog_source names the MySQL db and table
    assert line.endswith('"source":{"db":"test","table":"ods_binlog_test__shop_template_df"}}')
    assert_round_trip(BINLOG_DF, events(), root)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"op": pl.lit("x")}, "op must be one of"),
        ({"event_time": pl.lit(None, pl.Datetime("us"))}, "event_time is null"),
        ({"event_time": pl.lit(dt.datetime(2025, 6, 2, 1, 0, 0, 5))}, "sub-millisecond"),
        ({"create_time": pl.lit(dt.datetime(2025, 6, 2, 1, 0, 0, 5))}, "create_time: sub-millisecond"),
        ({"rate": pl.lit(float("nan"))}, "rate: NaN"),
    ],
)
def test_binlog_refuses_what_debezium_cannot_carry(root, change, message):
    with pytest.raises(ValueError, match=message):
        write_table_day(BINLOG, events().with_columns(**change), root, DAY)


def test_binlog_datetime_near_the_epoch(root):
    assert_round_trip(BINLOG, events().with_columns(create_time=pl.lit(dt.datetime(1970, 1, 5))), root)


def test_binlog_needs_op_and_event_time(root):
    with pytest.raises(ValueError, match="lacks columns"):
        write_table_day(BINLOG, templates(), root, DAY)


# ---- CSV ---------------------------------------------------------------------------------
def test_csv_round_trip_and_line_shape(root):
    frame = templates(csv=True)
    (path,) = write_table_day(CSV, frame, root, DAY)
    assert path.name == "part-00000.csv"
    lines = lines_of(path)
    assert lines[0] == "id,name,price,threshold_amount,rate,on_sale,start_date,benefits,create_time,update_time"
    assert lines[1] == (
        '101,618 platform 满100减20,12.50,10000,0.1,1,2025-06-02,'
        '"[{""benefit_entity_type"":""coupon"",""benefit_entity_id"":101,""名"":""满100减20""}]",'
        "2025-06-02 20:15:00,\\N"
    )
    assert lines[2] == (
        '102,"say ""hi"", a\\b",0.00,\\N,\\N,0,\\N,[],2025-06-02 20:15:00.120000,2025-06-02 08:00:00'
    )
    assert lines[3].startswith("103,\\N,-0.05,0,123456789.12345679,\\N,1969-07-20,\\N,")
    assert_round_trip(CSV, frame, root)


def test_csv_dotted_header_is_not_drift(root):
    frame = templates(csv=True)
    write_table_day(CSV_NESTED, frame, root, DAY)
    assert lines_of(folder(root, CSV_NESTED) / "part-00000.csv")[0].startswith(
        "id,name,price,limit.threshold,"
    )
    result = ingest_day(CSV_NESTED, root, DAY)
    assert_frame_equal(business(CSV_NESTED, result.frame), frame.sort("template_id"))
    assert result.drift == {}


def test_csv_empty_string_is_not_null(root):
    frame = templates(csv=True).with_columns(name=pl.Series(["", None, "x", ","]))
    write_table_day(CSV, frame, root, DAY)
    lines = lines_of(folder(root, CSV) / "part-00000.csv")
    assert lines[1].startswith('101,"",') and lines[2].startswith("102,\\N,")
    assert_round_trip(CSV, frame, root)


@pytest.mark.parametrize("bad", ["two\nlines", "cr\rhere", "\\N"])
def test_csv_value_the_dump_cannot_carry_raises_naming_the_column(root, bad):
    frame = templates(csv=True).with_columns(name=pl.Series(["ok", bad, None, "x"]))
    with pytest.raises(ValueError, match="column name"):
        write_table_day(CSV, frame, root, DAY)


# ---- service log JSON Lines -------------------------------------------------------------------
def test_jsonl_round_trip_and_line_shape(root):
    frame = templates()
    (path,) = write_table_day(JSONL, frame, root, DAY)
    lines = lines_of(path)
    assert lines[0] == (
        '{"id":101,"name":"618 platform 满100减20","price":"12.50","limit":{"threshold":10000},'
        '"rate":0.1,"on_sale":true,"start_date":"2025-06-02",'
        '"benefits":[{"benefit_entity_type":"coupon","benefit_entity_id":101,"名":"满100减20"}],'
        '"create_time":"2025-06-02T20:15:00+08:00","update_time":null}'
    )
    assert '"create_time":"2025-06-02T20:15:00.120000+08:00"' in lines[1]
    assert '"name":"line\\nbreak \\u0000 \u2028 /"' in lines[3]
    assert_round_trip(JSONL, frame, root)


def test_jsonl_refuses_nan(root):
    with pytest.raises(ValueError, match="rate: NaN"):
        write_table_day(JSONL, templates().with_columns(rate=pl.lit(float("inf"))), root, DAY)


# ---- hourly, empty, gzip, splitting, replacing ------------------------------------------------
def test_hourly_writes_24_files_with_rows_in_their_hour(root):
    frame = coupons().with_columns(sync_hour=pl.Series([9, 23, 9, 0], dtype=pl.Int32))
    paths = write_table_day(MONGO_HI, frame, root, DAY)
    assert [p.name for p in paths] == [f"part-{h:02d}.jsonl" for h in range(24)]
    counts = {p.name: len(lines_of(p)) for p in paths}
    assert counts["part-09.jsonl"] == 2 and counts["part-23.jsonl"] == 1
    assert counts["part-00.jsonl"] == 1 and sum(counts.values()) == 4
    assert json.loads(lines_of(paths[9])[1])["_id"] == {"$numberLong": "9003"}  # frame order
    result = assert_round_trip(MONGO_HI, frame, root)
    hours = dict(zip(result.frame["coupon_id"], result.frame["sync_hour"], strict=True))
    assert hours == {9001: 9, 9002: 23, 9003: 9, 9223372036854775807: 0}
    assert len(result.empty_files) == 21


def test_hourly_csv_empty_hours_are_empty_files(root):
    frame = templates(csv=True).with_columns(sync_hour=pl.lit(5))
    paths = write_table_day(CSV_HI, frame, root, DAY, gzip=True)
    assert len(paths) == 24 and all(p.name.endswith(".csv.gz") for p in paths)
    assert lines_of(paths[5])[0].startswith("id,name,") and len(lines_of(paths[5])) == 5
    assert lines_of(paths[0]) == []
    assert_round_trip(CSV_HI, frame, root, gzip=True)


def test_hourly_quiet_day_is_24_empty_files(root):
    empty = coupons().clear().with_columns(sync_hour=pl.lit(0, pl.Int32))
    paths = write_table_day(MONGO_HI, empty, root, DAY)
    assert len(paths) == 24 and all(p.read_bytes() == b"" for p in paths)
    assert not (folder(root, MONGO_HI) / EMPTY_MARKER).exists()
    result = ingest_day(MONGO_HI, root, DAY)
    assert result.frame.height == 0 and len(result.empty_files) == 24


def test_hourly_rejects_bad_hours(root):
    frame = coupons().with_columns(sync_hour=pl.lit(24))
    with pytest.raises(ValueError, match="sync_hour must be 0-23"):
        write_table_day(MONGO_HI, frame, root, DAY)
    with pytest.raises(ValueError, match="lacks columns"):
        write_table_day(MONGO_HI, coupons(), root, DAY)


@pytest.mark.parametrize("spec", [MONGO, CSV, JSONL, BINLOG])
def test_empty_frame_lands_only_the_marker(root, spec):
    frame = events() if spec is BINLOG else templates() if spec is not MONGO else coupons()
    paths = write_table_day(spec, frame.clear(), root, DAY)
    assert paths == [folder(root, spec) / EMPTY_MARKER]
    assert [p.name for p in folder(root, spec).iterdir()] == [EMPTY_MARKER]
    result = ingest_day(spec, root, DAY)
    assert result.empty_marker and result.frame.height == 0 and result.quarantine.height == 0
    assert result.frame.columns == list(spec.landed_schema().columns)


@pytest.mark.parametrize("spec", [MONGO, CSV, JSONL, BINLOG])
def test_gzip_round_trip_is_byte_identical_on_rewrite(root, spec):
    frame = {MONGO.table: coupons(), CSV.table: templates(csv=True), JSONL.table: templates(),
             BINLOG.table: events()}[spec.table]
    (path,) = write_table_day(spec, frame, root, DAY, gzip=True)
    assert path.name.endswith((".jsonl.gz", ".csv.gz"))
    first = path.read_bytes()
    assert first[:2] == b"\x1f\x8b"
    assert_round_trip(spec, frame, root, gzip=True)
    assert path.read_bytes() == first
    (plain,) = write_table_day(spec, frame, root, DAY)
    assert gzip.decompress(first) == plain.read_bytes()
    assert not path.exists()  # the day was replaced, not added to


def test_rows_per_file_splits_in_order(root):
    frame = templates(csv=True)
    paths = write_table_day(CSV, frame, root, DAY, rows_per_file=3)
    assert [p.name for p in paths] == ["part-00000.csv", "part-00001.csv"]
    assert [len(lines_of(p)) for p in paths] == [4, 2]  # each part has its header
    assert lines_of(paths[1])[0] == lines_of(paths[0])[0]
    assert lines_of(paths[1])[1].startswith("104,")
    result = assert_round_trip(CSV, frame, root, rows_per_file=3)
    assert len(result.files) == 2
    paths = write_table_day(BINLOG, events(), root, DAY, rows_per_file=1, gzip=True)
    assert [p.name for p in paths] == [f"part-0000{i}.jsonl.gz" for i in range(4)]
    assert_round_trip(BINLOG, events(), root, rows_per_file=1, gzip=True)
    with pytest.raises(ValueError, match="rows_per_file"):
        write_table_day(MONGO_HI, coupons().with_columns(sync_hour=pl.lit(1)), root, DAY,
                        rows_per_file=2)


def test_batched_building_gives_the_same_bytes(tmp_path, monkeypatch):
    frame = claims(1000)
    (whole,) = write_table_day(CLAIMS, frame, tmp_path / "a", DAY)
    monkeypatch.setattr(writers, "BATCH_ROWS", 7)
    (batched,) = write_table_day(CLAIMS, frame, tmp_path / "b", DAY, gzip=True)
    assert gzip.decompress(batched.read_bytes()) == whole.read_bytes()


def test_rewrite_replaces_the_whole_day(root):
    day = folder(root, CSV)
    write_table_day(CSV, templates(csv=True), root, DAY, rows_per_file=1)
    assert len(list(day.iterdir())) == 4
    write_table_day(CSV, templates(csv=True).clear(), root, DAY)
    assert [p.name for p in day.iterdir()] == [EMPTY_MARKER]
    write_table_day(CSV, templates(csv=True).head(1), root, DAY)
    assert [p.name for p in day.iterdir()] == ["part-00000.csv"]
    assert [p.name for p in day.parent.iterdir()] == [day.name]  # no temporary folder left
    assert locate(root, CSV.table, DAY).files == (day / "part-00000.csv",)


def test_failed_write_keeps_the_previous_day(root):
    write_table_day(CSV, templates(csv=True), root, DAY)
    before = (folder(root, CSV) / "part-00000.csv").read_bytes()
    bad = templates(csv=True).with_columns(name=pl.lit("a\nb"))
    with pytest.raises(ValueError):
        write_table_day(CSV, bad, root, DAY)
    assert (folder(root, CSV) / "part-00000.csv").read_bytes() == before
    assert [p.name for p in folder(root, CSV).parent.iterdir()] == [f"dt={DAY}"]


def test_frame_checks(root):
    with pytest.raises(ValueError, match="lacks business columns"):
        write_table_day(CSV, templates().drop("price"), root, DAY)
    with pytest.raises(ValueError, match="does not know"):
        write_table_day(CSV, templates().with_columns(extra=pl.lit(1)), root, DAY)


def test_input_dtypes_are_cast_to_the_model(root):
    frame = templates(csv=True)
    loose = frame.with_columns(
        pl.col("template_id").cast(pl.Int32),
        pl.col("create_time").dt.replace_time_zone("Asia/Shanghai").dt.convert_time_zone("UTC"),
    )
    write_table_day(CSV, loose, root, DAY)
    result = ingest_day(CSV, root, DAY)
    assert_frame_equal(business(CSV, result.frame), frame.sort("template_id"))


def test_write_day_lands_every_table(root):
    written = write_day([(MONGO, coupons()), (CSV, templates(csv=True))], root, DAY, gzip=True)
    assert set(written) == {MONGO.table, CSV.table}
    assert written[CSV.table][0].name == "part-00000.csv.gz"
    assert ingest_day(CSV, root, DAY).frame.height == 4


def test_the_same_frame_gives_the_same_bytes(tmp_path):
    frames = [(MONGO, coupons()), (CSV, templates(csv=True)), (JSONL, templates()),
              (BINLOG, events())]
    a = write_day(frames, tmp_path / "a", DAY)
    b = write_day(frames, tmp_path / "b", DAY)
    for table in a:
        assert [p.read_bytes() for p in a[table]] == [p.read_bytes() for p in b[table]]


# ---- scale -------------------------------------------------------------------------------
class Claim(pa.DataFrameModel):
    claim_id: pl.Int64 = pa.Field(metadata={"src": "_id"})
    template_id: pl.Int64 = pa.Field()
    user_id: pl.String = pa.Field()
    seller_id: pl.String = pa.Field(nullable=True)
    channel: pl.String = pa.Field()
    status: pl.Int32 = pa.Field()
    threshold: pl.Int64 = pa.Field(metadata={"src": "limit.threshold", "unit": "yuan"})
    discount: pl.Int64 = pa.Field(metadata={"src": "limit.discount", "unit": "yuan"})
    benefits: pl.String = pa.Field(nullable=True, metadata={"json": True})
    claim_time: pl.Datetime("us") = pa.Field()
    use_time: pl.Datetime("us") = pa.Field(nullable=True)
    update_time: pl.Datetime("us") = pa.Field()

    class Config:
        strict = True
        coerce = True


CLAIMS = _spec("ods_mongo_test_claim", SourceFormat.MONGO, Claim, ("claim_id",),
               event_time="update_time")


def claims(n: int) -> pl.DataFrame:
    i = pl.int_range(n, eager=True).cast(pl.Int64)
    start = dt.datetime(2025, 6, 2)
    millis = pl.duration(milliseconds=i * 86)
    return pl.select(
        claim_id=i + 10_000_000,
        template_id=100 + i % 50,
        user_id="用户_" + (i % 300_000).cast(pl.String),
        seller_id=pl.when(i % 3 == 0).then(pl.lit(None, pl.String)).otherwise("s" + (i % 999).cast(pl.String)),
        channel=pl.when(i % 2 == 0).then(pl.lit("live_room")).otherwise(pl.lit('shop "page"')),
        status=(i % 4).cast(pl.Int32),
        threshold=(i % 200) * 500,
        discount=(i % 50) * 100 + 1,
        benefits=pl.when(i % 2 == 0).then(pl.lit(BENEFITS)).otherwise(pl.lit("[]")),
        claim_time=pl.lit(start) + millis,
        use_time=pl.when(i % 5 == 0).then(pl.lit(start) + millis + pl.duration(minutes=5)),
        update_time=pl.lit(start) + millis + pl.duration(minutes=5),
    ).with_columns(pl.col("claim_time", "use_time", "update_time").cast(pl.Datetime("us")))


def test_mongo_12_column_sample_round_trips(root):
    assert_round_trip(CLAIMS, claims(1000), root)


@pytest.mark.skipif(
    "WRITER_BENCH_ROWS" not in os.environ,
    reason="throughput run: WRITER_BENCH_ROWS=1000000 pytest -s -k throughput",
)
def test_write_throughput_of_mongo_rows(root, capsys):
    n = int(os.environ["WRITER_BENCH_ROWS"])
    frame = claims(n)
    assert len(frame.columns) == 12
    t0 = time.perf_counter()
    (path,) = write_table_day(CLAIMS, frame, root, DAY)
    seconds = time.perf_counter() - t0
    plain_mb = path.stat().st_size / 1e6
    t0 = time.perf_counter()
    (gz_path,) = write_table_day(CLAIMS, frame, root, DAY, gzip=True)
    gz_seconds = time.perf_counter() - t0
    with capsys.disabled():
        print(
            f"\nmongo writer, 12 columns: {n:,} rows in {seconds:.2f}s = {n / seconds:,.0f} rows/s "
            f"({plain_mb:.0f} MB); gzip: {gz_seconds:.2f}s = {n / gz_seconds:,.0f} rows/s "
            f"({gz_path.stat().st_size / 1e6:.0f} MB)"
        )

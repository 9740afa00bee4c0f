"""Hand-written landing files load through the real ODS reader to hand-computed rows.

The files beside this test (``<table>/dt=2025-06-02/part-*``) were written by hand as the
source systems export them, not by the simulator: one table per export shape the reader
supports — a MySQL CSV dump, hourly CSV dumps, a mongoexport in canonical Extended JSON, an
hourly mongoexport in relaxed Extended JSON, a Debezium binlog stream (with the connector's
full ``source`` block and a TRUNCATE event) and a service log in plain JSON Lines. Each
file holds one deliberately bad record, and the expected rows below were worked out by hand
from the lines (epoch milliseconds, yuan → fen, time zones), not by running the reader.

Time arithmetic used below: 2025-06-02 00:00 Asia/Shanghai = 2025-06-01 16:00 UTC =
1748793600000 ms; Debezium writes a DATETIME as its wall clock read as UTC, so
2025-06-02 00:00 is 1748822400000 there.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from marketing_assets.domains.registry import SPECS_BY_TABLE
from marketing_assets.landing.ingest import ingest_day

HERE = Path(__file__).parent
DAY = dt.date(2025, 6, 2)
T = dt.datetime


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    """A landing root laid out as the reader expects, holding a copy of the files."""
    root = tmp_path_factory.mktemp("landing")
    for table in (p for p in HERE.iterdir() if p.is_dir() and p.name.startswith("ods_")):
        shutil.copytree(table, root / table.name)
    return root


def load(landing: Path, table: str):
    result = ingest_day(SPECS_BY_TABLE[table], landing, DAY)
    assert result.drift == {} and result.empty_files == []
    return result


def rows(table: str, names: list[str], values: list[tuple]) -> pl.DataFrame:
    """Expected typed rows in file order: the named columns in the dtypes of the ODS table,
    plus ``dt`` (the landing day)."""
    schema = SPECS_BY_TABLE[table].landed_schema()
    dtypes = {name: column.dtype.type for name, column in schema.columns.items()}
    frame = pl.DataFrame(values, schema={n: dtypes[n] for n in names}, orient="row")
    return frame.with_columns(pl.lit(DAY).alias("dt"))


def check(table: str, result, expected: pl.DataFrame, files: list[str] | str) -> None:
    """The loaded rows, in file and line order, are ``expected``; ``files``: each row's
    file (relative to the landing root), or the one file of all rows."""
    got = result.frame.sort("_src_file", "_src_line")
    assert got.columns == list(SPECS_BY_TABLE[table].landed_schema().columns)
    assert_frame_equal(got.select(expected.columns), expected)
    assert got["_src_file"].to_list() == (files if isinstance(files, list) else [files] * got.height)


def quarantined(result) -> list[tuple[str, int, str]]:
    q = result.quarantine.sort("file", "line")
    return list(zip(q["file"], q["line"], q["reason"], strict=True))


REFUNDS = "ods_trd_refund_di"


def test_csv_dump_of_refunds(landing):
    result = load(landing, REFUNDS)
    names = ["refund_id", "order_id", "package_id", "goods_id", "user_id", "seller_id", "refund_amt",
             "pay_time", "refund_time", "is_late", "_src_line"]
    expected = rows(REFUNDS, names, [
        ("r-o20250602017-1-100305", "o20250602017", "o20250602017-1", 100305, "u00000017", "s000003", 8990,
         T(2025, 6, 2, 10, 5), T(2025, 6, 2, 18, 30, 15), False, 2),
        # refunded 23:59:59 the day before, exported with this day: kept, flagged late;
        # a quoted CSV field is its text
        ("r-o20250529044-2-100422", "o20250529044", "o20250529044-2", 100422, "u00000044", "s000008", 120000,
         T(2025, 5, 29, 21), T(2025, 6, 1, 23, 59, 59), True, 3),
        # line 4 (12.50 in a fen column) is quarantined; midnight is the day itself: not late
        ("r-o20250601031-1-100007", "o20250601031", "o20250601031-1", 100007, "u00000031", "s000001", 0,
         T(2025, 6, 1, 9), T(2025, 6, 2), False, 5),
    ])
    check(REFUNDS, result, expected, f"{REFUNDS}/dt=2025-06-02/part-00000.csv")
    assert result.late == 1
    assert quarantined(result) == [(f"{REFUNDS}/dt=2025-06-02/part-00000.csv", 4,
                                    "wrong type for field 'refund_amt': expected Int64, got \"12.50\"")]


LIMITS = "ods_fls_coupon_template_limit_hi"


def test_hourly_csv_dumps_of_template_limits(landing):
    result = load(landing, LIMITS)
    names = ["limit_id", "coupon_template_id", "limit_type", "limit_target_id", "status", "create_time",
             "update_time", "sync_hour", "_src_line"]
    expected = rows(LIMITS, names, [
        (3000000101, 2000000011, "goods", "100305", 1, T(2025, 6, 2, 9, 12, 30), T(2025, 6, 2, 9, 12, 30), 9, 2),
        # a MySQL DATETIME(6) keeps its microseconds
        (3000000102, 2000000011, "seller", "s000003", 1, T(2025, 5, 20, 8), T(2025, 6, 2, 9, 40, 0, 250000), 9, 3),
        # the same limit changed again at 14:05: a row of its own in hour 14
        (3000000101, 2000000011, "goods", "100305", 2, T(2025, 6, 2, 9, 12, 30), T(2025, 6, 2, 14, 5), 14, 2),
    ]).with_columns(is_late=pl.lit(False))
    folder = f"{LIMITS}/dt=2025-06-02"
    check(LIMITS, result, expected, [f"{folder}/part-09.csv"] * 2 + [f"{folder}/part-14.csv"])
    ((file, line, reason),) = quarantined(result)
    assert (file, line) == (f"{folder}/part-14.csv", 3)
    assert reason.startswith("check failed: limit_type isin(") and "brand" in reason


SALES = "ods_mongo_35001_presale_31006_presale_sales"


def test_mongoexport_canonical_presale_sales(landing):
    result = load(landing, SALES)
    names = ["presale_activity_id", "sku_id", "goods_id", "seller_id", "presale_price", "deposit_amt",
             "deduction_amt", "stock", "status", "update_time", "is_late", "_src_line"]
    expected = rows(SALES, names, [
        # 1748827800000 ms = 2025-06-02 01:30 UTC = 09:30 Shanghai; 199.00 yuan = 19900 fen
        (92025618, 1003051, 100305, "s000003", 19900, 2000, 5000, 300, 1, T(2025, 6, 2, 9, 30), False, 1),
        # 1748787330000 = 1748793600000 - 6270 s: 2025-06-01 22:15:30, the day before: late
        (92025618, 1004222, 100422, "s000008", 129990, 10000, 30000, 0, 2, T(2025, 6, 1, 22, 15, 30), True, 2),
        # Decimal128 without trailing zeros: "9.9" = 990, "1" = 100, "2.5" = 250 fen;
        # 1748879999500 = 1748793600000 + 86399.5 s: 23:59:59.5
        (92025618, 1000071, 100007, "s000001", 990, 100, 250, 5, 1, T(2025, 6, 2, 23, 59, 59, 500000), False, 4),
    ])
    check(SALES, result, expected, f"{SALES}/dt=2025-06-02/part-00000.jsonl")
    assert quarantined(result) == [(f"{SALES}/dt=2025-06-02/part-00000.jsonl", 3,
                                    "wrong type for field 'deposit_amt': expected Int64, got \"20.005\"")]


TEMPLATES = "ods_mongo_32004_coupon_template_hi"


def test_hourly_mongoexport_relaxed_coupon_templates(landing):
    result = load(landing, TEMPLATES)
    names = ["coupon_template_id", "template_name", "coupon_type", "seller_id", "threshold_amount",
             "discount_amount", "status", "update_time", "sync_hour", "_src_line"]
    expected = rows(TEMPLATES, names, [
        # relaxed mode: plain numbers, "$date" as ISO UTC; 02:05Z = 10:05 Shanghai
        (2000000011, "店铺券 满99减10", 4, "s000003", 9900, 1000, 1, T(2025, 6, 2, 10, 5), 10, 1),
        # taken offline at 13:30Z = 21:30 Shanghai
        (2000000011, "店铺券 满99减10", 4, "s000003", 9900, 1000, 2, T(2025, 6, 2, 21, 30), 21, 1),
        (2000000013, "平台券 满200减30", 1, None, 20000, 3000, 1, T(2025, 6, 2, 21, 45, 10), 21, 2),
    ]).with_columns(is_late=pl.lit(False))
    folder = f"{TEMPLATES}/dt=2025-06-02"
    check(TEMPLATES, result, expected, [f"{folder}/part-10.jsonl"] + [f"{folder}/part-21.jsonl"] * 2)
    assert quarantined(result) == [(f"{folder}/part-10.jsonl", 2, "missing required field 'discount'")]


ALLOWANCES = "ods_binlog_fls_allowance_allowance_allowance_df"


def test_debezium_stream_of_allowances(landing):
    result = load(landing, ALLOWANCES)
    names = ["allowance_id", "user_id", "allowance_template_id", "channel_type", "amount", "balance", "status",
             "claim_time", "expire_time", "update_time", "op", "event_time", "is_late", "_src_line"]
    expected = rows(ALLOWANCES, names, [
        # ts_ms 1748793598000 = 2025-06-01 23:59:58 Shanghai: a change of the day before, late;
        # DATETIME 1748822398000 read as UTC = 2025-06-01 23:59:58
        (500000003, "u00000031", 2, 1, 1000, 1000, 1, T(2025, 6, 1, 23, 59, 58), T(2025, 6, 4, 23, 59, 58),
         T(2025, 6, 1, 23, 59, 58), "c", T(2025, 6, 1, 23, 59, 58), True, 1),
        # ts_ms 1748822400123 = 08:00:00.123 Shanghai; DATETIME 1748851200000 = 08:00
        (500000001, "u00000017", 2, 1, 1000, 1000, 1, T(2025, 6, 2, 8), T(2025, 6, 5, 8), T(2025, 6, 2, 8),
         "c", T(2025, 6, 2, 8, 0, 0, 123000), False, 2),
        # an update is its after image: 600 fen spent at 12:30
        (500000001, "u00000017", 2, 1, 1000, 400, 1, T(2025, 6, 2, 8), T(2025, 6, 5, 8), T(2025, 6, 2, 12, 30),
         "u", T(2025, 6, 2, 12, 30), False, 3),
        # line 4, a TRUNCATE event, is quarantined; a delete is its before image
        (500000002, "u00000044", 3, 2, 500, 0, 2, T(2025, 5, 30, 20), T(2025, 6, 6, 20), T(2025, 6, 1, 21),
         "d", T(2025, 6, 2, 19), False, 5),
    ])
    check(ALLOWANCES, result, expected, f"{ALLOWANCES}/dt=2025-06-02/part-00000.jsonl")
    assert quarantined(result) == [(f"{ALLOWANCES}/dt=2025-06-02/part-00000.jsonl", 4, "unknown binlog op t")]


TASKS = "ods_marketing_interact_service_phoenix_task_complete_detail_df"


def test_service_log_of_task_completions(landing):
    result = load(landing, TASKS)
    names = ["task_complete_id", "user_id", "task_id", "task_name", "benefit_type", "coupon_template_id",
             "complete_time", "is_late", "_src_line"]
    expected = rows(TASKS, names, [
        ("t20250602-00000001", "u00000017", 9001, "浏览会场30秒", "coupon", 2000000011, T(2025, 6, 2, 8, 15),
         False, 1),
        ("t20250602-00000002", "u00000044", 9003, "开惊喜盒", "surprise_box", None, T(2025, 6, 2, 0, 0, 0, 500000),
         False, 2),
        # an absent optional field is null; 15:59:59Z = 23:59:59 Shanghai the day before: late
        ("t20250602-00000003", "u00000031", 9004, '分享笔记得券 "618"', "coupon", None, T(2025, 6, 1, 23, 59, 59),
         True, 3),
    ])
    check(TASKS, result, expected, f"{TASKS}/dt=2025-06-02/part-00000.jsonl")
    assert quarantined(result) == [(f"{TASKS}/dt=2025-06-02/part-00000.jsonl", 4,
                                    "truncated last line: no newline at end of file and not valid JSON")]

"""Every kind of broken landing record: where does it end up?

Each test lands a small file with one bad record among good ones and asserts that the good
records load with their exact values and the bad one sits in the quarantine with its reason.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from marketing_assets.landing.files import LandingMissingError
from marketing_assets.landing.ingest import ingest_day
from marketing_assets_tests.landing.conftest import (
    BINLOG,
    CSV,
    CSV_ITEM,
    DAY,
    JSONL,
    MONGO,
    account,
    event,
    land,
    order,
)

#: every rule holds on both read paths (see ``conftest.ods_path``)
pytestmark = pytest.mark.usefixtures("ods_path")


def _only_reason(result) -> str:
    assert result.quarantine.height == 1, result.quarantine
    return result.quarantine["reason"][0]


def test_unparseable_json_line_is_quarantined_and_the_rest_loads(root):
    land(root, MONGO, DAY, "\n".join([order(1), '{"_id": {"$numberLong": "2"}, oops', order(3)]) + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["order_id"].to_list() == [1, 3]
    assert r.frame["_src_line"].to_list() == [1, 3]
    q = r.quarantine.row(0, named=True)
    assert q["reason"] == "unparseable JSON"
    assert q["line"] == 2 and q["raw"] == '{"_id": {"$numberLong": "2"}, oops'
    assert q["source_table"] == MONGO.table and q["dt"] == DAY
    assert q["file"] == f"{MONGO.table}/dt=2025-06-02/part-00000.jsonl"


def test_truncated_last_line_is_quarantined_as_truncated(root):
    land(root, MONGO, DAY, order(1) + "\n" + order(2)[:40])  # no final newline
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["order_id"].to_list() == [1]
    assert _only_reason(r).startswith("truncated last line")
    assert r.quarantine["line"][0] == 2


def test_last_line_without_newline_but_complete_loads(root):
    land(root, MONGO, DAY, order(1) + "\n" + order(2))
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["order_id"].to_list() == [1, 2]
    assert r.quarantine.height == 0


def test_non_utf8_byte_is_quarantined_with_its_bytes_in_hex(root):
    bad = order(2, user='"u\xff"'.encode("latin-1").decode("latin-1"))
    content = (order(1) + "\n").encode() + bad.encode("latin-1") + b"\n"
    land(root, MONGO, DAY, content)
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["order_id"].to_list() == [1]
    assert _only_reason(r) == "not valid UTF-8"
    raw = r.quarantine["raw"][0]
    assert raw.startswith("hex:") and "FF" in raw
    assert bytes.fromhex(raw[4:]) == bad.encode("latin-1")


def test_missing_required_field_is_quarantined(root):
    missing_user = '{"_id":{"$numberLong":"2"},"amount":5,"update_time":{"$date":"2025-06-02T03:00:00Z"}}'
    land(root, MONGO, DAY, order(1) + "\n" + missing_user + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["order_id"].to_list() == [1]
    assert _only_reason(r) == "missing required field 'user_id'"


def test_explicit_null_in_required_field_is_missing_but_optional_null_is_fine(root):
    land(root, MONGO, DAY, order(1) + "\n" + order(2, user="null") + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["order_id"].to_list() == [1]
    assert r.frame["note"].to_list() == [None]  # "note": null in an optional field
    assert _only_reason(r) == "missing required field 'user_id'"


def test_wrong_type_is_quarantined_with_the_value(root):
    land(root, MONGO, DAY, order(1) + "\n" + order(2, amount='"abc"') + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["order_id"].to_list() == [1]
    assert _only_reason(r) == "wrong type for field 'amount': expected Int64, got \"abc\""


def test_object_where_a_scalar_is_expected_is_a_wrong_type(root):
    land(root, MONGO, DAY, order(1, amount='{"value": 3}') + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert r.frame.height == 0
    assert _only_reason(r) == "wrong type for field 'amount': expected Int64, got OBJECT"


def test_two_faults_of_one_record_are_both_reported(root):
    land(root, MONGO, DAY, order(1, amount='"x"', user="null") + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert _only_reason(r) == (
        "missing required field 'user_id'; wrong type for field 'amount': expected Int64, got \"x\""
    )


def test_unknown_binlog_op_is_quarantined(root):
    lines = [
        event("c", 1748829600000, None, account(1, 500, 1748858400000)),
        event("x", 1748829601000, None, account(2, 700, 1748858401000)),
    ]
    land(root, BINLOG, DAY, "\n".join(lines) + "\n")
    r = ingest_day(BINLOG, root, DAY)
    assert r.frame["account_id"].to_list() == [1]
    assert r.frame["op"].to_list() == ["c"]
    assert _only_reason(r) == "unknown binlog op x"


def test_binlog_delete_reads_the_before_image_and_times_are_shanghai(root):
    lines = [event("d", 1748829600000, account(7, 300, 1748858400000), None)]
    land(root, BINLOG, DAY, "\n".join(lines) + "\n")
    r = ingest_day(BINLOG, root, DAY)
    row = r.frame.row(0, named=True)
    assert (row["account_id"], row["balance"], row["op"]) == (7, 300, "d")
    # ts_ms 1748829600000 = 2025-06-02T02:00:00Z = 10:00 in Shanghai
    assert row["event_time"] == dt.datetime(2025, 6, 2, 10, 0)
    # Debezium DATETIME: epoch millis of the wall clock read as UTC → 10:00 wall clock
    assert row["modified"] == dt.datetime(2025, 6, 2, 10, 0)


def test_duplicate_id_keeps_the_latest_and_quarantines_the_other(root):
    land(
        root,
        MONGO,
        DAY,
        "\n".join(
            [
                order(1, amount="300", t="2025-06-02T05:00:00Z"),
                order(1, amount="100", t="2025-06-02T03:00:00Z"),
                order(2),
            ]
        )
        + "\n",
    )
    r = ingest_day(MONGO, root, DAY)
    assert r.frame.select("order_id", "amount").rows() == [(1, 300), (2, 100)]
    assert _only_reason(r) == (
        f"duplicate key (order_id): superseded by {MONGO.table}/dt=2025-06-02/part-00000.jsonl:1"
    )
    assert r.quarantine["line"][0] == 2


def test_duplicate_binlog_event_is_quarantined_once(root):
    e = event("c", 1748829600000, None, account(1, 500, 1748858400000))
    land(root, BINLOG, DAY, e + "\n" + e + "\n")
    r = ingest_day(BINLOG, root, DAY)
    assert r.frame["_src_line"].to_list() == [1]
    assert _only_reason(r).startswith("duplicate event: the same change event as")


def test_negative_amount_fails_the_model_check(root):
    land(root, MONGO, DAY, order(1) + "\n" + order(2, amount='{"$numberLong":"-500"}') + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["order_id"].to_list() == [1]
    assert _only_reason(r) == "check failed: amount greater_than_or_equal_to(0) (value -500)"


def test_late_record_stays_in_the_landing_day_flagged(root):
    land(root, MONGO, DAY, order(1) + "\n" + order(2, t="2025-05-29T12:00:00Z") + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert r.frame.select("order_id", "is_late", "dt").rows() == [
        (1, False, DAY),
        (2, True, DAY),
    ]
    assert r.late == 1 and r.quarantine.height == 0


def test_record_at_0001_shanghai_is_not_late_though_utc_says_previous_day(root):
    land(root, MONGO, DAY, order(1, t="2025-06-01T16:01:00Z") + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["update_time"][0] == dt.datetime(2025, 6, 2, 0, 1)
    assert r.frame["is_late"].to_list() == [False]


def test_unknown_extra_field_is_left_out_and_reported(root):
    land(root, MONGO, DAY, order(1, extra=',"coupon_code":"X1"') + "\n" + order(2) + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["order_id"].to_list() == [1, 2]
    assert "coupon_code" not in r.frame.columns
    assert r.drift == {"coupon_code": 1}
    assert r.quarantine.height == 0


def test_empty_file_loads_nothing_and_is_reported(root):
    land(root, MONGO, DAY, b"")
    land(root, MONGO, DAY, order(1) + "\n", name="part-00001.jsonl")
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["order_id"].to_list() == [1]
    assert r.empty_files == [f"{MONGO.table}/dt=2025-06-02/part-00000.jsonl"]


def test_day_folder_never_landed_fails_naming_the_path(root):
    with pytest.raises(LandingMissingError) as exc:
        ingest_day(MONGO, root, DAY)
    assert str(root / MONGO.table / "dt=2025-06-02") in str(exc.value)


def test_folder_without_files_or_marker_fails(root):
    (root / MONGO.table / "dt=2025-06-02").mkdir(parents=True)
    with pytest.raises(LandingMissingError, match="no data files"):
        ingest_day(MONGO, root, DAY)


def test_empty_marker_loads_an_empty_partition_with_its_schema(root):
    folder = root / MONGO.table / "dt=2025-06-02"
    folder.mkdir(parents=True)
    (folder / "_EMPTY").touch()
    r = ingest_day(MONGO, root, DAY)
    assert r.frame.height == 0 and r.empty_marker
    assert r.frame.schema["amount"] == pl.Int64 and r.frame.schema["dt"] == pl.Date
    assert r.frame.columns == list(MONGO.landed_schema().columns)


def test_marker_beside_records_is_a_contradiction(root):
    land(root, MONGO, DAY, order(1) + "\n")
    (root / MONGO.table / "dt=2025-06-02" / "_EMPTY").touch()
    with pytest.raises(ValueError, match="_EMPTY marker and 1 records"):
        ingest_day(MONGO, root, DAY)


def test_csv_ragged_line_and_yuan_precision(root):
    content = (
        "id,price,on_sale,start_date\n"
        "1,12.50,1,2025-06-01\n"
        "2,3,0,\\N\n"
        "3,9.999,1,2025-06-01\n"  # three decimals of a yuan: not money
        "4,1.00,1\n"  # a field short
        '5,"7.10",true,2025-06-02\n'
    )
    land(root, CSV, DAY, content, name="part-00000.csv")
    r = ingest_day(CSV, root, DAY)
    assert r.frame.select("sku_id", "price", "on_sale", "start_date").rows() == [
        (1, 1250, True, dt.date(2025, 6, 1)),
        (2, 300, False, None),
        (5, 710, True, dt.date(2025, 6, 2)),
    ]
    assert r.frame["_src_line"].to_list() == [2, 3, 6]
    reasons = dict(zip(r.quarantine["line"], r.quarantine["reason"], strict=True))
    assert reasons == {
        4: "wrong type for field 'price': expected Int64, got \"9.999\"",
        5: "expected 4 CSV fields, found 3",
    }


def test_csv_unknown_column_is_drift_and_gzip_is_read(root):
    content = "id,price,on_sale,start_date,colour\n1,2.00,0,2025-06-01,red\n"
    land(root, CSV, DAY, content, name="part-00000.csv.gz")
    r = ingest_day(CSV, root, DAY)
    assert r.frame.select("sku_id", "price").rows() == [(1, 200)]
    assert r.drift == {"colour": 1}


def test_plain_json_lines_with_offsets(root):
    line = '{"_id":5,"user_id":"u9","amount":42,"note":"hi","update_time":"2025-06-02T23:30:00+08:00"}'
    land(root, JSONL, DAY, line + "\n")
    r = ingest_day(JSONL, root, DAY)
    assert r.frame.select("order_id", "amount", "note", "update_time").rows() == [
        (5, 42, "hi", dt.datetime(2025, 6, 2, 23, 30))
    ]


def test_a_duplicate_failing_a_check_does_not_supersede_the_good_record(root):
    land(
        root,
        MONGO,
        DAY,
        order(1, amount="100", t="2025-06-02T03:00:00Z")
        + "\n"
        + order(1, amount="-1", t="2025-06-02T05:00:00Z")
        + "\n",
    )
    r = ingest_day(MONGO, root, DAY)
    assert r.frame.select("order_id", "amount").rows() == [(1, 100)]
    assert _only_reason(r) == "check failed: amount greater_than_or_equal_to(0) (value -1)"


# ---- values accepted wrongly or rejected wrongly ------------------------------------------
def test_utf8_bom_at_the_start_of_a_json_file_is_not_part_of_the_first_record(root):
    land(root, MONGO, DAY, "\ufeff" + order(1) + "\n" + order(2) + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["order_id"].to_list() == [1, 2]
    assert r.quarantine.height == 0


def test_date_epochs_of_fewer_than_ten_digits(root):
    # 86400000 ms after the epoch = 1970-01-02 00:00 UTC = 08:00 in Shanghai
    doc = '{"_id":{"$numberLong":"%d"},"user_id":"u1","amount":1,"note":null,"update_time":%s}'
    land(root, MONGO, DAY, "\n".join([
        doc % (1, '{"$date":86400000}'),
        doc % (2, '{"$date":{"$numberLong":"86400000"}}'),
        doc % (3, '{"$date":{"$numberLong":"-3600000"}}'),  # 1969-12-31 23:00 UTC
    ]) + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert r.quarantine.height == 0, r.quarantine["reason"].to_list()
    assert r.frame.select("order_id", "update_time").rows() == [
        (1, dt.datetime(1970, 1, 2, 8)),
        (2, dt.datetime(1970, 1, 2, 8)),
        (3, dt.datetime(1970, 1, 1, 7)),
    ]


def test_binlog_datetime_of_nine_digits_is_the_wall_clock(root):
    # Debezium DATETIME 1970-01-05 00:00 (wall clock read as UTC) = 345600000 ms
    land(root, BINLOG, DAY, event("c", 1748829600000, None, account(1, 5, 345600000)) + "\n")
    r = ingest_day(BINLOG, root, DAY)
    assert r.quarantine.height == 0
    assert r.frame["modified"].to_list() == [dt.datetime(1970, 1, 5)]


def test_a_key_repeated_in_one_object_is_quarantined(root):
    twice = order(2).replace('"user_id":"u1"', '"user_id":"u1","user_id":"u2"')
    land(root, MONGO, DAY, order(1) + "\n" + twice + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert r.frame["order_id"].to_list() == [1]
    assert _only_reason(r) == "key repeated in one JSON object: user_id"
    assert r.quarantine["raw"][0] == twice


def test_a_key_repeated_in_a_binlog_row_image_is_quarantined(root):
    image = '{"id":2,"balance":7,"balance":9,"modified":1748858400000}'
    land(root, BINLOG, DAY, "\n".join([
        event("c", 1748829600000, None, account(1, 500, 1748858400000)),
        event("c", 1748829601000, None, image),
    ]) + "\n")
    r = ingest_day(BINLOG, root, DAY)
    assert r.frame["account_id"].to_list() == [1]
    assert _only_reason(r) == "key repeated in one JSON object: balance"


def test_a_date_past_year_9999_in_shanghai_is_quarantined_not_stored_as_year_10000(root):
    land(root, MONGO, DAY, "\n".join([
        order(1, t="9999-12-31T15:59:59.999Z"),  # 9999-12-31 23:59:59.999 in Shanghai
        order(2, t="9999-12-31T23:59:59.999Z"),  # 10000-01-01 07:59:59.999 in Shanghai
        '{"_id":{"$numberLong":"3"},"user_id":"u1","amount":1,"note":null,'
        '"update_time":{"$date":{"$numberLong":"253402300799999"}}}',  # 9999-12-31T23:59:59.999Z
    ]) + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert r.frame.select("order_id", "update_time").rows() == [
        (1, dt.datetime(9999, 12, 31, 23, 59, 59, 999000))
    ]
    reasons = dict(zip(r.quarantine["line"], r.quarantine["reason"], strict=True))
    assert reasons == {
        2: "out of range for field 'update_time': \"9999-12-31T23:59:59.999Z\" is after "
        "9999-12-31 23:59:59.999999 in Asia/Shanghai",
        3: "out of range for field 'update_time': \"253402300799999\" is after "
        "9999-12-31 23:59:59.999999 in Asia/Shanghai",
    }


def test_a_nul_inside_a_csv_field_is_quarantined(root):
    land(root, CSV_ITEM, DAY, "id,name\n1,ab\n2,a\x00b\n3,\\N\n", name="part-00000.csv")
    r = ingest_day(CSV_ITEM, root, DAY)
    assert r.frame.select("item_id", "name").rows() == [(1, "ab"), (3, None)]
    assert _only_reason(r) == "NUL character in a CSV field"
    assert r.quarantine["line"][0] == 3

"""The fast read path: which files it reads itself, which it leaves to the line path, and
the read floor the benchmark compares the ODS load with."""

from __future__ import annotations

import datetime as dt

import pytest
from polars.testing import assert_frame_equal

from marketing_assets.landing import fast, ingest
from marketing_assets.landing.files import MAX_LINE_ENV
from marketing_assets.landing.floor import read_floor
from marketing_assets.landing.ingest import ingest_day, ingest_days
from marketing_assets.landing.spec import OdsSpec, SourceFormat
from marketing_assets_tests.landing.conftest import (
    BINLOG,
    CSV_ITEM,
    DAY,
    MONGO,
    Order,
    account,
    event,
    land,
    order,
)

HOURLY = OdsSpec(
    table="ods_test_log_hi",
    domain="test",
    fmt=SourceFormat.JSONL,
    model=Order,
    key=("order_id",),
    event_time="update_time",
    hourly=True,
    description="test hourly log",
)


@pytest.fixture
def line_reads(monkeypatch) -> list[str]:
    """The files the line path parsed (in order), while the fast path is on."""
    monkeypatch.setenv(fast.FAST_ENV, "1")
    seen: list[str] = []

    def spy(parse):
        def wrapped(spec, lines):
            seen.extend(lines["_src_file"].unique(maintain_order=True).to_list())
            return parse(spec, lines)

        return wrapped

    monkeypatch.setattr(ingest, "parse_json", spy(ingest.parse_json))
    monkeypatch.setattr(ingest, "parse_csv", spy(ingest.parse_csv))
    return seen


def _on_the_line_path(spec, root, monkeypatch):
    monkeypatch.setenv(fast.FAST_ENV, "0")
    result = ingest_day(spec, root, DAY)
    monkeypatch.setenv(fast.FAST_ENV, "1")
    return result


def test_clean_files_never_reach_the_line_path_and_an_hourly_day_is_one_read(
    root, line_reads, monkeypatch
):
    loads = []
    load = fast._load
    monkeypatch.setattr(fast, "_load", lambda *a: loads.append(a[3]) or load(*a))
    t = "2025-06-02T05:30:00Z"  # 13:30 in Shanghai
    # a blank line, CRLF line ends, a last line without a newline, an unknown field
    land(root, HOURLY, DAY, order(1) + "\r\n\r\n" + order(2, t=t, extra=',"x":1'), name="part-00.jsonl")
    land(root, HOURLY, DAY, order(3, amount='"7"', t="2025-06-01T15:00:00Z") + "\n", name="part-13.jsonl")
    r = ingest_day(HOURLY, root, DAY)
    assert line_reads == []
    assert len(loads) == 1 and len(loads[0]) == 2  # both hours in one read_json
    assert r.frame.select(
        "order_id", "amount", "update_time", "sync_hour", "_src_line", "is_late"
    ).rows() == [
        (1, 100, dt.datetime(2025, 6, 2, 10, 0), 0, 1, False),
        (2, 100, dt.datetime(2025, 6, 2, 13, 30), 0, 3, False),
        (3, 7, dt.datetime(2025, 6, 1, 23, 0), 13, 1, True),
    ]
    assert (r.lines, r.blank_lines, r.late, r.drift) == (3, 1, 1, {"x": 1})
    line = _on_the_line_path(HOURLY, root, monkeypatch)
    assert_frame_equal(r.frame, line.frame)
    assert (line.lines, line.blank_lines, line.drift) == (3, 1, {"x": 1})


def test_a_day_is_read_a_unit_of_bytes_at_a_time_and_duplicates_span_the_units(
    root, line_reads, monkeypatch
):
    loads = []
    load = fast._load
    monkeypatch.setattr(fast, "_load", lambda *a: loads.append(a[3]) or load(*a))
    monkeypatch.setattr(fast, "UNIT_BYTES", 1)  # every file a read of its own
    created = event("c", 1748829600000, None, account(1, 500, 1748858400000))
    changed = event("u", 1748829700000, account(1, 500, 1748858400000), account(1, 450, 1748858500000))
    other = event("c", 1748829800000, None, account(2, 70, 1748858600000))
    land(root, BINLOG, DAY, created + "\n" + other + "\n", name="part-00000.jsonl")
    land(root, BINLOG, DAY, changed + "\n", name="part-00001.jsonl")
    # the first file's first event landed again, two reads later
    land(root, BINLOG, DAY, created + "\n", name="part-00002.jsonl")
    r = ingest_day(BINLOG, root, DAY)
    assert line_reads == []
    assert [[f.rel.rsplit("/", 1)[1] for f in files] for files in loads] == [
        ["part-00000.jsonl"], ["part-00001.jsonl"], ["part-00002.jsonl"]
    ]
    folder = f"{BINLOG.table}/dt={DAY.isoformat()}"
    # the events of a snapshot source in landing order (their grain: file and line)
    assert r.frame.select("account_id", "balance", "op", "_src_file", "_src_line").rows() == [
        (1, 500, "c", f"{folder}/part-00000.jsonl", 1),
        (2, 70, "c", f"{folder}/part-00000.jsonl", 2),
        (1, 450, "u", f"{folder}/part-00001.jsonl", 1),
    ]
    assert r.rows == 3 and r.lines == 4
    assert r.quarantine.select("file", "line", "raw", "reason").rows() == [
        (
            f"{folder}/part-00002.jsonl", 1, created,
            f"duplicate event: the same change event as {folder}/part-00000.jsonl:1",
        )
    ]
    line = _on_the_line_path(BINLOG, root, monkeypatch)
    assert_frame_equal(r.frame, line.frame)
    assert_frame_equal(r.quarantine, line.quarantine)


@pytest.mark.parametrize("path", ["fast", "line"])
def test_days_read_together_give_each_day_what_it_gives_alone(root, monkeypatch, path):
    """A range's days are read in one read (``stage_days``), each record knowing its day:
    the same event landed on two days is no duplicate, one landed twice on a day is; lines,
    drift, late rows and quarantine stay with their day."""
    monkeypatch.setenv(fast.FAST_ENV, "1" if path == "fast" else "0")
    first, second = DAY, DAY + dt.timedelta(days=1)
    created = event("c", 1748829600000, None, account(1, 500, 1748858400000))
    late = event("c", 1748700000000, None, account(2, 70, 1748858600000))  # 05-31 in Shanghai
    land(root, BINLOG, first, created + "\n" + late.replace('"modified"', '"x":1,"modified"') + "\n")
    land(root, BINLOG, second, created + "\n" + created + "\n" + "{oops\n")
    together = ingest_days(BINLOG, root, [first, second])
    alone = [ingest_day(BINLOG, root, day) for day in (first, second)]
    for one, other in zip(together, alone, strict=True):
        assert_frame_equal(one.frame, other.frame)
        assert_frame_equal(one.quarantine, other.quarantine)
        assert (one.day, one.rows, one.lines, one.late, one.drift, one.reasons, one.files) == (
            other.day, other.rows, other.lines, other.late, other.drift, other.reasons, other.files
        )
    assert [(r.rows, r.lines, r.late, r.drift) for r in together] == [
        (2, 2, 1, {"x": 1}), (1, 3, 1, {})  # the event of 06-02 is late on 06-03
    ]
    assert together[1].quarantine["reason"].to_list() == [
        f"duplicate event: the same change event as {BINLOG.table}/dt={second.isoformat()}/part-00000.jsonl:1",
        "unparseable JSON",
    ]
    assert together[0].frame["dt"].unique().to_list() == [first]


def test_a_field_fault_in_a_clean_file_is_quarantined_by_the_fast_path_with_its_text(
    root, line_reads
):
    land(root, MONGO, DAY, order(1) + "\n" + order(2, amount='"abc"') + "\n")
    r = ingest_day(MONGO, root, DAY)
    assert line_reads == []
    assert r.frame["order_id"].to_list() == [1]
    assert r.quarantine.select("line", "raw", "reason").rows() == [
        (2, order(2, amount='"abc"'), "wrong type for field 'amount': expected Int64, got \"abc\"")
    ]


TRAPS = {
    "NUL in a CSV line": (CSV_ITEM, "id,name\n1,a\x00b\n", "part-00001.csv"),
    "quoted CSV field": (CSV_ITEM, 'id,name\n1,"a,b"\n', "part-00001.csv"),
    "byte order mark": (MONGO, "\ufeff" + order(5) + "\n", "part-00001.jsonl"),
    "line over the limit": (MONGO, order(5, user='"' + "u" * 3000 + '"') + "\n", "part-00001.jsonl"),
    "key repeated": (MONGO, order(5, extra=',"note":"x"') + "\n", "part-00001.jsonl"),
    # a key the model does not read, twice (the fast read keeps no unknown key otherwise)
    "unknown key repeated": (MONGO, order(5, extra=',"x":1,"x":2') + "\n", "part-00001.jsonl"),
    # a known key twice, the second time null: as many keys as fields holding a value + 1
    "key repeated as null": (MONGO, order(5, extra=',"user_id":null') + "\n", "part-00001.jsonl"),
    "key repeated in the image not read": (
        BINLOG,
        event("u", 1748829601000, '{"id":2,"balance":7,"balance":8,"modified":1}',
              account(2, 9, 1748858400000)) + "\n",
        "part-00001.jsonl",
    ),
    "whitespace-only line": (MONGO, order(5) + "\n   \n", "part-00001.jsonl"),
    "two objects on a line": (MONGO, order(5) + " " + order(6) + "\n", "part-00001.jsonl"),
    "not UTF-8": (MONGO, order(5, user='"\xff"').encode("latin-1") + b"\n", "part-00001.jsonl"),
    "object in a scalar field": (MONGO, order(5, amount='{"value": 3}') + "\n", "part-00001.jsonl"),
    "truncated last line": (MONGO, order(5)[:30], "part-00001.jsonl"),
    "unknown binlog op": (
        BINLOG, event("x", 1748829601000, None, account(2, 7, 1748858400000)) + "\n",
        "part-00001.jsonl",
    ),
}


@pytest.mark.parametrize("trap", list(TRAPS))
def test_a_file_with_a_trap_alone_goes_to_the_line_path_and_loads_as_there(
    trap, root, line_reads, monkeypatch
):
    monkeypatch.setenv(MAX_LINE_ENV, "2048")
    spec, content, name = TRAPS[trap]
    good = {
        MONGO: order(1) + "\n",
        CSV_ITEM: "id,name\n1,ok\n",
        BINLOG: event("c", 1748829600000, None, account(1, 5, 1748858400000)) + "\n",
    }[spec]
    land(root, spec, DAY, good, name=name.replace("00001", "00000"))
    trapped = land(root, spec, DAY, content, name=name)
    r = ingest_day(spec, root, DAY)
    assert line_reads == [trapped.relative_to(root).as_posix()]
    line = _on_the_line_path(spec, root, monkeypatch)
    assert_frame_equal(r.frame, line.frame)
    assert_frame_equal(r.quarantine, line.quarantine)
    assert (r.lines, r.drift, r.reasons) == (line.lines, line.drift, line.reasons)


def test_the_read_floor_reads_every_source_of_the_day_once(root, tmp_path):
    land(root, MONGO, DAY, order(1) + "\n" + order(2) + "\n")
    land(root, HOURLY, DAY, order(1) + "\n", name="part-00.jsonl")
    land(root, HOURLY, DAY, order(2) + "\n" + order(3) + "\n", name="part-01.jsonl")
    land(root, CSV_ITEM, DAY, "id,name\n1,a\n2,\\N\n", name="part-00000.csv")
    empty = root / BINLOG.table / f"dt={DAY.isoformat()}"
    empty.mkdir(parents=True)
    (empty / "_EMPTY").touch()
    db = tmp_path / "floor.duckdb"
    f = read_floor(root, DAY, str(db), [MONGO, HOURLY, CSV_ITEM, BINLOG])
    assert (f.rows, f.files, f.tables) == (2 + 3 + 2, 4, 3)
    assert f.bytes == sum(p.stat().st_size for p in root.rglob("part-*"))
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        assert con.sql(f"SELECT id, name FROM {CSV_ITEM.table}").fetchall() == [
            ("1", "a"), ("2", None)
        ]
        assert con.sql(f"SELECT count(*) FROM {HOURLY.table}").fetchall() == [(3,)]
    with pytest.raises(FileExistsError):
        read_floor(root, DAY, str(db), [MONGO])


def test_the_switch_forces_the_line_path(root, monkeypatch):
    land(root, MONGO, DAY, order(1) + "\n")
    monkeypatch.setenv(fast.FAST_ENV, "0")
    called = []
    monkeypatch.setattr(fast, "read_fast", lambda *a: called.append(a) or iter([[]]))
    assert ingest_day(MONGO, root, DAY).frame["order_id"].to_list() == [1]
    assert called == []
    assert not fast.enabled()

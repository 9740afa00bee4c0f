"""The serving copy shows the use fact as known on dt exactly as the warehouse does (the
stored parts are published, the view recreated over them), and a bounded interval table
keeps its last days visible while dropping the facts and changes no kept day can see."""


import duckdb

from marketing_assets import serving
from marketing_assets.config import RETENTION_ENV
from marketing_assets.incremental import write_intervals
from marketing_assets.storage.publish import publish
from marketing_assets.storage.read import read_as_known
from marketing_assets_tests.incremental.test_use_intervals import DAYS, FACT, _warehouse
from marketing_assets_tests._keys import COUPON_TEMPLATE_DAY, COUPON_USE

D1, D2, D3, D4 = DAYS


def _file_warehouse(path):
    conn = duckdb.connect(str(path))
    memory = _warehouse()
    for schema, table in memory.execute(
        "SELECT table_schema, table_name FROM information_schema.tables").fetchall():
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        conn.register("_t", memory.sql(f"SELECT * FROM {schema}.{table}").pl())
        conn.execute(f"CREATE TABLE {schema}.{table} AS SELECT * FROM _t")
        conn.unregister("_t")
    return conn


def test_serving_copy_reads_the_same_rows_as_known(tmp_path):
    db = tmp_path / "w.duckdb"
    conn = _file_warehouse(db)
    for day in DAYS:
        write_intervals(conn, FACT, day, day, replay=day == D1, bounded=False)
    expected = read_as_known(conn, FACT.spec, D1, D4)
    conn.close()
    days = [d.isoformat() for d in DAYS]
    done = publish({COUPON_USE: days, COUPON_TEMPLATE_DAY: days}, "run-1", str(db), tmp_path / "serving")
    # the parts are published, the view's SQL goes into the manifest (no file of its own)
    assert sorted(done.written) == sorted(
        ["reddw.dw_trd_coupon_template_day", *(f"redcdm.{p}" for p in FACT.spec.part_names())])
    assert list(done.manifest["views"]) == [FACT.spec.name]
    files = [e["file"] for t in done.manifest["tables"].values() for e in t["partitions"].values()]
    assert all(f.split("/")[-1].startswith("run-1-") for f in files), files  # named after the run
    served = serving.connect(tmp_path / "serving")
    got = served.sql(f"SELECT * FROM {FACT.spec.name} WHERE dt BETWEEN ? AND ?", params=[D1, D4]).pl()
    assert got.equals(expected)
    assert got.select("dt", "package_id", "is_refunded").rows() == [
        (D1, "P1", False), (D2, "P1", True), (D3, "P2", False), (D3, "P3", False)]


def test_bounded_intervals_keep_the_last_days_visible(monkeypatch):
    monkeypatch.setenv(RETENTION_ENV, "2")
    conn = _warehouse()
    counts = {}
    for day in DAYS:
        counts[day] = write_intervals(conn, FACT, day, day, replay=day == D1, bounded=True)
    spec = FACT.spec
    assert conn.execute(f"SELECT dt FROM {spec.part('days')} ORDER BY dt").fetchall() == [(D3,), (D4,)]
    # kept days D3, D4 with a 2-day window see facts whose oldest partition is D2 or later:
    # P1 (D1) goes, P2 (first D2) and P3 stay; changes of D2 on are kept
    assert conn.execute(f"SELECT package_id FROM {spec.part('facts')} ORDER BY 1").fetchall() == [("P2",), ("P3",)]
    assert conn.execute(f"SELECT package_id FROM {spec.part('changes')} ORDER BY 1").fetchall() == [("P1",), ("P3",)]
    assert counts[D4]["facts_pruned"] == 1 and counts[D4]["days_pruned"] == 1
    assert read_as_known(conn, spec, D1, D2).is_empty()  # pruned days are no longer shown
    assert read_as_known(conn, spec, D3, D3)["package_id"].to_list() == ["P2", "P3"]

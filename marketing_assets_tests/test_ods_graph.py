"""The ODS assets through Dagster: the hand-written landing sample (six source tables, one
per export shape, values worked out by hand) into a temporary DuckDB warehouse."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from dagster import AssetKey, materialize

from marketing_assets_tests import sample
from marketing_assets.config import DUCKDB_PATH_ENV, LANDING_DIR_ENV, PROJECT_ROOT
from marketing_assets.definitions import all_assets, defs
from marketing_assets.landing.assets import QUARANTINE_KEY
from marketing_assets.domains.registry import ODS_SPECS, SPECS_BY_TABLE
from marketing_assets.landing.ingest import ingest_day
from marketing_assets.sim.run import simulate
from marketing_assets.landing.resource import LandingResource
from marketing_assets.storage import WarehouseIOManager, WarehouseResource

pytestmark = pytest.mark.slow

D1, D2 = (dt.date.fromisoformat(d) for d in sample.DAYS)
COUPON_DF = "ods_binlog_fls_co_limitsalecart__fls_coupon_coupon_df"
GOODS_COUPON = "ods_mongo_35003_coupon_31006_goods_coupon"
PHOENIX = "ods_marketing_interact_service_phoenix_task_complete_detail_df"


@pytest.fixture
def env(tmp_path: Path):
    landing = tmp_path / "landing"
    sample.write_sample(landing)
    db = tmp_path / "warehouse.duckdb"
    resources = {
        "io_manager": WarehouseIOManager(database=str(db)),
        "warehouse": WarehouseResource(database=str(db)),
        "landing": LandingResource(root=str(landing)),
    }
    return landing, WarehouseResource(database=str(db)), resources


SAMPLE_SPECS = [s for s in ODS_SPECS if s.table in sample.TABLES]
SAMPLE_KEYS = {AssetKey(["redods", s.table]) for s in SAMPLE_SPECS} | {
    AssetKey(["redods", s.events_table]) for s in SAMPLE_SPECS
} | {QUARANTINE_KEY}
SAMPLE_ASSETS = [a for a in all_assets if a.key in SAMPLE_KEYS]
ODS_ASSETS = [a for a in all_assets if a.key.path[0] == "redods"]


def _run(resources, first: str, last: str | None = None, raise_on_error=True):
    tags = {}
    if last:
        tags = {
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
        }
    return materialize(
        SAMPLE_ASSETS,
        resources=resources,
        partition_key=None if last else first,
        tags=tags,
        raise_on_error=raise_on_error,
    )


def _metadata(result, table: str, day: str | None = None) -> dict:
    """Metadata of ``redods.<table>`` in a run: of partition ``day``, or of the run's only
    materialisation (a range run records one per day, each with that day's figures)."""
    found = {
        e.materialization.partition: {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
        if e.materialization.asset_key.path == ["redods", table]
    }
    if day is None:
        assert len(found) == 1, sorted(found)
        return next(iter(found.values()))
    return found[day]


def _table(wh: WarehouseResource, table: str) -> pl.DataFrame:
    return wh.query(f"SELECT * FROM redods.{table} ORDER BY ALL")


def _dump(wh: WarehouseResource) -> dict[str, pl.DataFrame]:
    names = wh.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema='redods' ORDER BY 1"
    )["table_name"]
    return {n: _table(wh, n) for n in names}


def test_every_ods_asset_is_in_a_domain_group_and_described():
    """(Keys, deps, partitions and backfill policies: ``test_graph_snapshot.py``.)"""
    graph = defs.resolve_asset_graph()
    keys = [k for k in graph.get_all_asset_keys() if k.path[0] == "redods"]
    assert len(keys) == len(ODS_SPECS) + 5  # + 4 binlog event tables + quarantine
    for key in keys:
        node = graph.get(key)
        assert node.tags["layer"] == "ods", key
        if key != QUARANTINE_KEY:
            assert node.group_name in {
                "coupon", "growth", "allowance", "promotion", "campaign", "presale", "trade", "user"
            }, key
            assert "Grain per dt" in node.description, key


def test_sample_days_load_with_their_values(env):
    _, wh, resources = env
    result = _run(resources, sample.DAYS[0], sample.DAYS[1])
    assert result.success
    assert _metadata(result, COUPON_DF, sample.DAYS[0])["built_from"] == "all events up to dt"
    assert _metadata(result, PHOENIX, sample.DAYS[0])["empty_days"] == []
    assert _metadata(result, PHOENIX, sample.DAYS[1])["empty_days"] == ["2025-06-02"]
    snap = _table(wh, COUPON_DF).select("dt", "coupon_id", "status", "package_id").sort("dt", "coupon_id")
    assert snap.rows() == [
        (D1, 9001, 1, None),
        (D1, 9002, 1, None),
        (D2, 9001, 2, "P20250602001"),
        (D2, 9003, 1, None),
    ]
    events = _table(wh, "ods_binlog_fls_co_limitsalecart__fls_coupon_coupon_event_di")
    assert events.group_by("dt").len().sort("dt").rows() == [(D1, 2), (D2, 3)]
    goods = _table(wh, GOODS_COUPON).filter(pl.col("dt") == D2).sort("coupon_id")
    assert goods.select("coupon_id", "use_time").rows() == [
        (9001, dt.datetime(2025, 6, 2, 10, 12)),
        (9003, None),
    ]
    template = _table(wh, "ods_mongo_32004_coupon_template_hi")
    assert template.select("dt", "sync_hour", "discount_amount").rows() == [
        (D1, 9, 1000),
        (D2, 10, 1200),
    ]
    phoenix = _table(wh, PHOENIX)
    assert phoenix["dt"].to_list() == [D1]  # D2 landed the _EMPTY marker
    assert wh.query("SELECT count(*) AS n FROM redods.quarantine")["n"][0] == 0


def test_rematerialising_a_day_gives_identical_tables(env):
    _, wh, resources = env
    _run(resources, sample.DAYS[0], sample.DAYS[1])
    before = _dump(wh)
    result = _run(resources, sample.DAYS[1])
    assert _metadata(result, COUPON_DF)["built_from"] == "previous snapshot + the day's events"
    after = _dump(wh)
    assert before.keys() == after.keys()
    for name in before:
        assert before[name].equals(after[name]), name


def test_a_range_run_equals_single_day_runs(env, tmp_path):
    landing, wh, resources = env
    _run(resources, sample.DAYS[0], sample.DAYS[1])
    ranged = _dump(wh)
    db2 = tmp_path / "single.duckdb"
    wh2 = WarehouseResource(database=str(db2))
    resources2 = {**resources, "io_manager": WarehouseIOManager(database=str(db2)), "warehouse": wh2}
    for day in sample.DAYS:
        _run(resources2, day)
    single = _dump(wh2)
    for name in ranged:
        assert ranged[name].equals(single[name]), name


def test_snapshot_rebuilt_from_all_events_when_the_previous_one_is_gone(env):
    _, wh, resources = env
    _run(resources, sample.DAYS[0], sample.DAYS[1])
    expected = _table(wh, COUPON_DF).filter(pl.col("dt") == D2)
    with wh.get_connection() as conn:
        conn.execute(f"DELETE FROM redods.{COUPON_DF} WHERE dt = ?", [D1])
    result = _run(resources, sample.DAYS[1])
    assert _metadata(result, COUPON_DF)["built_from"] == "all events up to dt"
    assert _table(wh, COUPON_DF).equals(expected)


def test_bad_records_are_quarantined_counted_and_replaced_per_source(env):
    landing, wh, resources = env
    goods = landing / GOODS_COUPON / "dt=2025-06-02"
    (goods / "part-00001.jsonl").write_text('{"_id": "broken\n{"coupon_id": {"$numberLong": "9"}}\n')
    phoenix = landing / PHOENIX / "dt=2025-06-01" / "part-00000.jsonl"
    phoenix.write_text(phoenix.read_text() + "not json\n")
    result = _run(resources, sample.DAYS[1])
    summary = _metadata(result, "quarantine")
    assert summary["quarantined"] == 2 and summary["by_source"] == {GOODS_COUPON: 2}
    meta = _metadata(result, GOODS_COUPON)
    assert (meta["quarantined"], meta["rows"], meta["landed_lines"]) == (2, 2, 4)
    assert meta["quarantine_reasons"] == {"missing required field": 1, "unparseable JSON": 1}
    _run(resources, sample.DAYS[0])
    q = wh.query("SELECT source_table, dt, line, reason FROM redods.quarantine ORDER BY ALL")
    assert q.rows() == [
        (PHOENIX, D1, 2, "unparseable JSON"),
        (GOODS_COUPON, D2, 1, "unparseable JSON"),
        (GOODS_COUPON, D2, 2, "missing required field 'coupon_template_id'; "
         "missing required field 'user_id'; missing required field 'claim_channel'; "
         "missing required field 'status'; missing required field 'claim_time'; "
         "missing required field 'valid_start_time'; missing required field 'valid_end_time'; "
         "missing required field 'threshold_amount'; missing required field 'discount_amount'; "
         "missing required field 'update_time'"),
    ]
    # the corrected file re-landed: re-running that source's day clears only its rows
    (goods / "part-00001.jsonl").unlink()
    _run(resources, sample.DAYS[1])
    q = wh.query("SELECT source_table, dt FROM redods.quarantine ORDER BY ALL")
    assert q.rows() == [(PHOENIX, D1)]


def test_a_day_that_never_landed_fails_naming_the_path(env):
    landing, wh, resources = env
    shutil.rmtree(landing / GOODS_COUPON / "dt=2025-06-02")
    result = _run(resources, sample.DAYS[1], raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.step_failure_data.error.cause.message
    assert str(landing / GOODS_COUPON / "dt=2025-06-02") in message


@pytest.mark.full  # 42 step processes of the multiprocess executor: minutes on 2 cores
def test_cli_materialize_follows_the_environment(tmp_path):
    """The command of the README, on a simulated day landed in another folder."""
    landing = tmp_path / "elsewhere" / "landing"
    simulate("tiny", D2, 1, landing)
    db = tmp_path / "elsewhere" / "wh.duckdb"
    home = tmp_path / "dagster_home"
    home.mkdir()
    env = {
        **os.environ,
        LANDING_DIR_ENV: str(landing),
        DUCKDB_PATH_ENV: str(db),
        "DAGSTER_HOME": str(home),
    }
    cmd = [
        str(Path(sys.executable).parent / "dagster"),
        "asset",
        "materialize",
        "-m",
        "marketing_assets.definitions",
        "--select",
        "key:redods/*",
        "--partition",
        "2025-06-02",
    ]
    done = subprocess.run(cmd, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    wh = WarehouseResource(database=str(db))
    landed = ingest_day(SPECS_BY_TABLE[GOODS_COUPON], landing, D2).frame.height
    assert landed > 0
    assert wh.query(f"SELECT count(*) AS n FROM redods.{GOODS_COUPON}")["n"][0] == landed
    for spec in ODS_SPECS:
        assert wh.query(f"SELECT DISTINCT dt FROM redods.{spec.table}")["dt"].to_list() == [D2]
    assert not (PROJECT_ROOT / "data" / "wh.duckdb").exists()

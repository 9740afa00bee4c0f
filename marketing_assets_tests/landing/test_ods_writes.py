"""A landed ODS asset through Dagster: what each partition's materialisation says, and the
table rows and quarantine rows of a source-day written together or not at all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from dagster import AssetKey, AssetRecordsFilter, instance_for_test, materialize

from marketing_assets.landing.assets import QUARANTINE_KEY, build_ods_assets, quarantine_asset
from marketing_assets.landing.resource import LandingResource
from marketing_assets.storage import WarehouseIOManager, WarehouseResource
from marketing_assets.storage import io_manager
from marketing_assets_tests.landing.conftest import BINLOG, MONGO, account, event, land, order

D1, D2 = dt.date(2025, 6, 1), dt.date(2025, 6, 2)
KEY = AssetKey(["redods", MONGO.table])
ASSETS = [*build_ods_assets(MONGO), quarantine_asset([MONGO])]


@pytest.fixture
def env(tmp_path: Path):
    root = tmp_path / "landing"
    db = str(tmp_path / "warehouse.duckdb")
    resources = {
        "io_manager": WarehouseIOManager(database=db),
        "warehouse": WarehouseResource(database=db),
        "landing": LandingResource(root=str(root)),
    }
    return root, WarehouseResource(database=db), resources


def _range_tags(first: dt.date, last: dt.date) -> dict[str, str]:
    return {
        "dagster/asset_partition_range_start": first.isoformat(),
        "dagster/asset_partition_range_end": last.isoformat(),
    }


def _stored_metadata(instance, key: AssetKey, day: dt.date) -> dict:
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=key, asset_partitions=[day.isoformat()]), limit=1
    ).records
    return {k: v.value for k, v in records[0].asset_materialization.metadata.items()}


def test_each_partition_of_a_range_run_carries_its_own_figures(env):
    root, _, resources = env
    land(root, MONGO, D1, order(1, t="2025-06-01T02:00:00Z") + "\nnot json\n")
    land(root, MONGO, D2, "\n".join(order(i) for i in (1, 2, 3)) + "\n")
    land(root, MONGO, D2, "notes\n", name="README.txt")
    with instance_for_test() as instance:
        result = materialize(
            ASSETS, resources=resources, tags=_range_tags(D1, D2), instance=instance
        )
        assert result.success
        first, second = (_stored_metadata(instance, KEY, d) for d in (D1, D2))
        q1, q2 = (_stored_metadata(instance, QUARANTINE_KEY, d) for d in (D1, D2))
    folder = f"{MONGO.table}/dt="
    assert {k: first[k] for k in ("dagster/row_count", "rows", "landed_lines", "quarantined")} == {
        "dagster/row_count": 1, "rows": 1, "landed_lines": 2, "quarantined": 1,
    }
    assert first["quarantine_share"] == 0.5
    assert first["quarantine_reasons"] == {"unparseable JSON": 1}
    assert first["files"] == [f"{folder}2025-06-01/part-00000.jsonl"]
    assert first["ignored_files"] == []
    assert {k: second[k] for k in ("dagster/row_count", "rows", "landed_lines", "quarantined")} == {
        "dagster/row_count": 3, "rows": 3, "landed_lines": 3, "quarantined": 0,
    }
    assert second["quarantine_reasons"] == {}
    assert second["files"] == [f"{folder}2025-06-02/part-00000.jsonl"]
    assert second["ignored_files"] == [f"{folder}2025-06-02/README.txt"]
    assert (q1["quarantined"], q1["by_source"]) == (1, {MONGO.table: 1})
    assert (q2["quarantined"], q2["by_source"]) == (0, {})


def test_each_partition_of_a_snapshot_range_carries_its_own_rows_and_events(env):
    root, _, resources = env
    m = 1748736000000  # 2025-06-01 00:00 wall clock
    land(root, BINLOG, D1, "\n".join([
        event("c", 1748743200000, None, account(1, 500, m)),
        event("c", 1748746800000, None, account(2, 700, m)),
    ]) + "\n")
    land(root, BINLOG, D2, "\n".join([
        event("u", 1748829600000, account(1, 500, m), account(1, 450, m)),
        event("c", 1748833200000, None, account(3, 300, m)),
    ]) + "\n")
    with instance_for_test() as instance:
        assets = [*build_ods_assets(BINLOG), quarantine_asset([BINLOG])]
        assert materialize(assets, resources=resources, tags=_range_tags(D1, D2), instance=instance).success
        snapshot = [_stored_metadata(instance, AssetKey(["redods", BINLOG.table]), d) for d in (D1, D2)]
        events = [_stored_metadata(instance, AssetKey(["redods", BINLOG.events_table]), d) for d in (D1, D2)]
    assert [(m["dagster/row_count"], m["rows"], m["events_applied"]) for m in snapshot] == [
        (2, 2, 2),  # accounts 1, 2
        (3, 3, 2),  # 1 updated, 3 created
    ]
    assert [m["dagster/row_count"] for m in events] == [2, 2]


def _state(wh: WarehouseResource) -> tuple[list, list]:
    table = wh.query(f"SELECT order_id, _src_line FROM redods.{MONGO.table} ORDER BY ALL")
    q = wh.query("SELECT line, reason FROM redods.quarantine ORDER BY ALL")
    return table.rows(), q.rows()


def test_a_failure_between_the_two_writes_leaves_both_tables_as_they_were(env, monkeypatch):
    root, wh, resources = env
    land(root, MONGO, D2, "\n".join([order(1), order(2), "broken"]) + "\n")
    assert materialize(ASSETS, resources=resources, partition_key=D2.isoformat()).success
    before = _state(wh)
    assert before == ([(1, 1), (2, 2)], [(3, "unparseable JSON")])

    # the day re-landed: other good records, another bad one; the run dies mid-write
    land(root, MONGO, D2, "\n".join([order(1), "{oops", order(3), order(4)]) + "\n")

    def killed(*args, **kwargs):
        raise RuntimeError("killed between the quarantine rows and the table rows")

    monkeypatch.setattr(io_manager, "_add_new_columns", killed)
    failed = materialize(
        ASSETS, resources=resources, partition_key=D2.isoformat(), raise_on_error=False
    )
    assert not failed.success
    assert _state(wh) == before

    monkeypatch.undo()
    assert materialize(ASSETS, resources=resources, partition_key=D2.isoformat()).success
    assert _state(wh) == ([(1, 1), (3, 3), (4, 4)], [(2, "unparseable JSON")])


def test_a_binlog_snapshot_keeps_the_retentions_days_and_rebuilds_from_its_events(env, monkeypatch):
    root, warehouse, resources = env
    monkeypatch.setenv("MARKETING_SNAPSHOT_RETENTION_DAYS", "1")
    m = 1748736000000  # 2025-06-01 00:00 wall clock
    d3 = D2 + dt.timedelta(days=1)
    land(root, BINLOG, D1, event("c", 1748743200000, None, account(1, 500, m)) + "\n")
    land(root, BINLOG, D2, event("c", 1748833200000, None, account(3, 300, m)) + "\n")
    land(root, BINLOG, d3, event("u", 1748919600000, account(1, 500, m), account(1, 450, m)) + "\n")
    assets = [*build_ods_assets(BINLOG), quarantine_asset([BINLOG])]
    with instance_for_test() as instance:
        for day in (D1, D2):  # the daily runs
            assert materialize(assets, resources=resources, partition_key=day.isoformat(), instance=instance).success
        snapshot = f"redods.{BINLOG.table}"
        # one day kept: 06-01's snapshot is gone, its events stay (they rebuild any day)
        assert warehouse.query(f"SELECT DISTINCT dt FROM {snapshot}")["dt"].to_list() == [D2]
        assert warehouse.query(f"SELECT count(*) AS n FROM redods.{BINLOG.events_table}")["n"][0] == 2
        assert instance.get_materialized_partitions(AssetKey(["redods", BINLOG.table])) == {D2.isoformat()}
        # 06-03 from the stored 06-02 snapshot + its event: accounts 1 (updated) and 3
        assert materialize(assets, resources=resources, partition_key=d3.isoformat(), instance=instance).success
    rows = warehouse.query(f"SELECT dt, account_id, balance FROM {snapshot} ORDER BY account_id")
    assert rows.rows() == [(d3, 1, 450), (d3, 3, 300)]

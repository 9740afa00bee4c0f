"""Each run publishes a serving copy; readers query it and never open the warehouse file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dagster import instance_for_test, materialize

from marketing_assets import serving
from marketing_assets.config import RETENTION_ENV
from marketing_assets.storage import WarehouseIOManager, warehouse_lock
from marketing_assets.storage.lock import run_lock
from marketing_assets.storage.publish import publish_run
from marketing_assets_tests.storage import _toy_runs as toy
from marketing_assets_tests.storage._support import D1, D2, D3
from marketing_assets_tests.storage.test_retention import snapshot_asset

ROOT = Path(__file__).resolve().parents[2]
TOY = [toy.events, toy.totals]

# Opens the serving copy, prints its events, and holds the connection until a line arrives
# on stdin; then refreshes and prints them again.
READER = """
import sys
from marketing_assets import serving
conn = serving.connect(sys.argv[1])
show = lambda: print(conn.sql("SELECT dt, value FROM mkt.events ORDER BY dt").fetchall(), flush=True)
show()
sys.stdin.readline()
serving.refresh(conn, sys.argv[1])
show()
"""


def run_and_publish(assets, db: Path, root: Path, instance, **kwargs):
    """An in-process run as `make demo` does it: under the run lock, then publish."""
    with run_lock(db):
        result = materialize(
            assets, resources={"io_manager": WarehouseIOManager(database=str(db))},
            instance=instance, **kwargs,
        )
        assert result.success
        publish_run(instance, result.run_id, str(db), root)
    return result


def range_tags(first: str, last: str) -> dict:
    return {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}


def files_of(root: Path, table: str) -> dict[str, Path]:
    entries = serving.read_manifest(root)["tables"][table]["partitions"]
    return {partition: root / entry["file"] for partition, entry in entries.items()}


def test_a_reader_holding_the_copy_open_does_not_break_the_next_run(tmp_path, monkeypatch):
    db, root = tmp_path / "w.duckdb", tmp_path / "serving"
    with instance_for_test(temp_dir=str(tmp_path)) as instance:
        monkeypatch.setenv("TOY_VALUE", "1")
        first = run_and_publish(TOY, db, root, instance, tags=range_tags("2025-06-01", "2025-06-02"))
        manifest = serving.read_manifest(root)
        assert manifest["run_id"] == first.run_id
        assert sorted(manifest["tables"]["mkt.events"]["partitions"]) == ["2025-06-01", "2025-06-02"]
        before = files_of(root, "mkt.events")
        # any engine reads the files: polars here, one file per partition
        assert pl.read_parquet(before["2025-06-02"]).rows() == [(D2, 1)]

        reader = subprocess.Popen(
            [sys.executable, "-c", READER, str(root)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            assert reader.stdout.readline().strip() == str([(D1, 1), (D2, 1)])
            monkeypatch.setenv("TOY_VALUE", "2")
            second = run_and_publish(
                TOY, db, root, instance, tags=range_tags("2025-06-02", "2025-06-03")
            )
            out, err = reader.communicate("go\n", timeout=60)
        finally:
            if reader.poll() is None:
                reader.kill()
        assert reader.returncode == 0, err[-2000:]
        assert out.strip() == str([(D1, 1), (D2, 2), (D3, 2)])

    manifest = serving.read_manifest(root)
    assert manifest["run_id"] == second.run_id
    after = files_of(root, "mkt.events")
    assert after["2025-06-01"] == before["2025-06-01"]  # not written again by the second run
    assert not before["2025-06-02"].exists()  # replaced: the old file is gone
    assert pl.read_parquet(after["2025-06-02"]).rows() == [(D2, 2)]
    totals = serving.connect(root).sql("SELECT dt, total FROM mkt.totals ORDER BY dt").fetchall()
    assert totals == [(D1, 10), (D2, 20), (D3, 20)]


HOLDER = """
import sys, duckdb
from marketing_assets.storage import warehouse_lock
with warehouse_lock(sys.argv[1]):
    conn = duckdb.connect(sys.argv[1])
    print("ready", flush=True)
    sys.stdin.readline()
"""


def test_readers_do_not_need_the_warehouse_file(tmp_path, monkeypatch):
    db, root = tmp_path / "w.duckdb", tmp_path / "serving"
    monkeypatch.setenv("TOY_VALUE", "4")
    with instance_for_test(temp_dir=str(tmp_path)) as instance:
        run_and_publish(TOY, db, root, instance, partition_key="2025-06-03")
    # a step of the pipeline holds the warehouse file (as every write does)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], cwd=ROOT, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(duckdb.IOException, match="Could not set lock on file"):
            duckdb.connect(str(db), read_only=True)  # the README's old snippet
        assert serving.connect(root).sql("SELECT * FROM mkt.totals").fetchall() == [(D3, 40)]
    finally:
        holder.communicate("done\n", timeout=30)


def test_pruned_partitions_and_leftovers_leave_the_copy(tmp_path, monkeypatch):
    monkeypatch.setenv(RETENTION_ENV, "2")
    db, root = tmp_path / "w.duckdb", tmp_path / "serving"
    with instance_for_test(temp_dir=str(tmp_path)) as instance:
        for day in ("2025-06-01", "2025-06-02"):
            run_and_publish([snapshot_asset()], db, root, instance, partition_key=day)
        first_day = files_of(root, "mkt.snapshot")["2025-06-01"]
        leftover = root / "mkt" / "snapshot" / "2025-06-02" / "killed-publish.parquet"
        leftover.write_bytes(b"half a file")  # a publish killed before its swap
        run_and_publish([snapshot_asset()], db, root, instance, partition_key="2025-06-03")
    assert sorted(files_of(root, "mkt.snapshot")) == ["2025-06-02", "2025-06-03"]
    assert not first_day.exists() and not first_day.parent.exists()
    assert not leftover.exists()
    rows = serving.connect(root).sql("SELECT dt, value FROM mkt.snapshot ORDER BY dt").fetchall()
    assert rows == [(D2, 20), (D3, 30)]

"""Writers in other processes wait for the warehouse lock instead of failing on DuckDB's."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import pytest
from dagster import AssetKey, DagsterInstance, materialize

from marketing_assets.storage import warehouse_lock
from marketing_assets_tests.storage._support import (
    D2,
    D3,
    MANAGERS,
    daily_asset,
    KEY,
    failed_with,
    manager,
    query,
)

# Holds our lock and an open read-write connection until a line arrives on stdin (stdin
# closes, or 20 s pass), printing "ready" once it holds them and "released <time>" just
# before letting go.
HOLDER = """
import select, sys, time, duckdb
from marketing_assets.storage import warehouse_lock
db = sys.argv[1]
with warehouse_lock(db):
    conn = duckdb.connect(db)
    conn.execute("CREATE TABLE IF NOT EXISTS held (x INTEGER)")
    print("ready", flush=True)
    select.select([sys.stdin], [], [], 20)
    conn.close()
    print("released", time.time(), flush=True)
"""

# Materialises one partition of a daily asset through our manager; touches `marker` when the
# asset body runs, i.e. just before the write.
WRITER = """
import datetime as dt, pathlib, sys
import polars as pl
from dagster import asset, materialize
from marketing_assets.partitions import DAILY
from marketing_assets.storage import WarehouseIOManager
db, day, marker = sys.argv[1:4]

@asset(key=["mkt", "clicks"], partitions_def=DAILY, metadata={"partition_expr": "dt"})
def clicks(context) -> pl.DataFrame:
    pathlib.Path(marker).touch()
    d = dt.date.fromisoformat(context.partition_key)
    return pl.DataFrame({"dt": [d], "clicks": [d.day * 10]})

result = materialize([clicks], partition_key=day, resources={"io_manager": WarehouseIOManager(database=db)})
print("ok" if result.success else "failed", flush=True)
"""


@pytest.mark.parametrize("kind", MANAGERS)
def test_writer_waits_for_another_process(kind, tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    if kind == "stock":
        import dagster_duckdb.io_manager as stock_io
        from dagster._utils.backoff import backoff

        # The stock connect retries duckdb.connect 10 times with delays 0.1 s * 2**i, i.e.
        # ~102 s, and then fails exactly the same way; one retry keeps the test fast.
        monkeypatch.setattr(
            stock_io, "backoff", lambda **kwargs: backoff(**{**kwargs, "max_retries": 1})
        )
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"

        def release():
            holder.stdin.write("go\n")
            holder.stdin.flush()

        if kind == "ours":
            threading.Timer(1.0, release).start()  # while our write is waiting
        frame = pl.DataFrame({"dt": [D2], "clicks": [7]})
        instance = DagsterInstance.ephemeral()
        result = materialize(
            [daily_asset(lambda _: frame)],
            partition_key="2025-06-02",
            resources={"io_manager": manager(kind, db)},
            instance=instance,
            raise_on_error=False,
        )
        if kind == "stock":
            release()
        released_at = float(holder.stdout.readline().split()[1])
        assert holder.wait(timeout=30) == 0
    finally:
        if holder.poll() is None:
            holder.kill()
    if kind == "stock":
        assert not result.success
        assert failed_with(result, "IOException", 'Could not set lock on file "')
        assert failed_with(result, "IOException", "Conflicting lock is held")
    else:
        assert result.success
        written_at = instance.get_latest_materialization_event(AssetKey(KEY)).timestamp
        assert written_at > released_at  # it waited for the other process, then wrote
        assert query(db, "SELECT dt, clicks FROM mkt.clicks").rows() == [(D2, 7)]


def test_two_processes_write_partitions_concurrently(tmp_path):
    import duckdb

    db = tmp_path / "w.duckdb"
    days = {"2025-06-02": tmp_path / "started-02", "2025-06-03": tmp_path / "started-03"}
    # Hold the file (lock and an open read-write connection) until both writers have reached
    # their write, so that both must wait, and then contend with each other.
    with warehouse_lock(db):
        conn = duckdb.connect(str(db))
        writers = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, str(db), day, str(marker)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for day, marker in days.items()
        ]
        deadline = time.monotonic() + 60
        while not all(Path(m).exists() for m in days.values()):
            assert time.monotonic() < deadline, "writers never reached their write"
            assert all(w.poll() is None for w in writers), "a writer exited early"
            time.sleep(0.05)
        conn.close()
    outputs = [w.communicate(timeout=60) for w in writers]
    for writer, (out, err) in zip(writers, outputs):
        assert writer.returncode == 0, err[-2000:]
        assert out.split() == ["ok"], err[-2000:]
    stored = query(db, "SELECT dt, clicks FROM mkt.clicks ORDER BY dt").rows()
    assert stored == [(D2, 20), (D3, 30)]

"""A run's one warehouse connection (``warehouse_session``) and the cheaper SQLite event log
(``FastSqliteEventLogStorage``): same results, fewer opens."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest
from dagster import (
    AssetCheckResult,
    AssetKey,
    DagsterInstance,
    DailyPartitionsDefinition,
    DataVersion,
    MaterializeResult,
    asset,
    asset_check,
    materialize,
)

from marketing_assets import demo
from marketing_assets.storage.connection import in_session, warehouse_connection, warehouse_session
from marketing_assets.storage.instance import FastSqliteEventLogStorage


@pytest.fixture
def connects(monkeypatch):
    """The databases ``duckdb.connect`` was called with."""
    calls: list[str] = []
    real = duckdb.connect

    def counting(*args, **kwargs):
        calls.append(str(kwargs.get("database", args[0] if args else "")))
        return real(*args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", counting)
    return calls


def test_a_session_opens_the_file_once_and_its_connections_commit_separately(tmp_path, connects):
    db = str(tmp_path / "wh.duckdb")
    with warehouse_session(db):
        assert in_session(db)
        with warehouse_connection(db) as conn:
            conn.execute("CREATE TABLE t AS SELECT 1 AS x")
        with warehouse_connection(db) as writer:
            writer.execute("BEGIN")
            writer.execute("INSERT INTO t VALUES (2)")
            # a second connection of the session does not see the open transaction's row
            with warehouse_connection(db, read_only=True) as reader:
                assert reader.sql("SELECT sum(x) FROM t").fetchall() == [(1,)]
            writer.execute("ROLLBACK")
        with warehouse_connection(db) as conn:
            conn.execute("INSERT INTO t VALUES (3)")
        with warehouse_session(db):  # re-entrant: the outer session's connection
            with warehouse_connection(db) as conn:
                assert conn.sql("SELECT list(x ORDER BY x) FROM t").fetchall() == [([1, 3],)]
    assert not in_session(db)
    assert connects == [db]  # one open for the whole session
    with warehouse_connection(db) as conn:  # after it: committed rows are in the file
        assert conn.sql("SELECT list(x ORDER BY x) FROM t").fetchall() == [([1, 3],)]
    assert connects == [db, db]


PROBE = """
import sys
from marketing_assets.storage.lock import warehouse_lock
try:
    with warehouse_lock(sys.argv[1], timeout_s=0.5):
        print("got the lock")
except TimeoutError:
    print("waited")
"""


def _probe(db: str) -> str:
    return subprocess.run([sys.executable, "-c", PROBE, db], capture_output=True, text=True, check=True).stdout.strip()


def test_another_process_waits_for_the_session_to_end(tmp_path):
    db = str(tmp_path / "wh.duckdb")
    with warehouse_session(db):
        assert _probe(db) == "waited"
    assert _probe(db) == "got the lock"


DAYS = DailyPartitionsDefinition(start_date="2025-06-01", timezone="Asia/Shanghai")


@asset(partitions_def=DAYS)
def toy(context) -> None:
    context.log.info(f"{len(context.partition_keys)} days")


def _instance(home, fast: bool) -> DagsterInstance:
    home.mkdir(parents=True, exist_ok=True)
    text = demo.DAGSTER_YAML.format(home=home.resolve()) if fast else "telemetry:\n  enabled: false\n"
    (home / "dagster.yaml").write_text(text)
    os.environ["DAGSTER_HOME"] = str(home)
    return DagsterInstance.get()


def test_the_fast_event_log_writes_the_stock_storages_files(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    home = tmp_path / "home"
    with _instance(home, fast=True) as instance:
        assert isinstance(instance.event_log_storage, FastSqliteEventLogStorage)
        result = materialize([toy], instance=instance, tags={
            "dagster/asset_partition_range_start": "2025-06-01",
            "dagster/asset_partition_range_end": "2025-06-03",
        })
        assert result.success
        # one engine per database file it touched (the run's and the index), kept open
        assert len(instance.event_log_storage._engines) == 2
    # the stock storage reads what the fast one wrote: same files, same schema
    with _instance(home, fast=False) as stock:
        assert type(stock.event_log_storage).__name__ == "SqliteEventLogStorage"
        assert stock.get_materialized_partitions(AssetKey("toy")) == {"2025-06-01", "2025-06-02", "2025-06-03"}
        logs = [e.user_message for e in stock.all_logs(result.run_id) if e.user_message.endswith("days")]
        assert logs == ["3 days"]


@asset
def tagged() -> MaterializeResult:
    # a data version is stored as asset event tags: the write that asks ``has_table``
    # while the storage holds its lock
    return MaterializeResult(data_version=DataVersion("v1"))


@asset_check(asset=tagged)
def tagged_check() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


def test_the_fast_event_log_stores_asset_event_tags_and_check_results(tmp_path, monkeypatch):
    import threading

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with _instance(tmp_path / "home", fast=True) as instance:
        results = []
        # in a thread: a storage that waits for its own lock hangs, and the test says so
        worker = threading.Thread(target=lambda: results.append(
            materialize([tagged, tagged_check], instance=instance)), daemon=True)
        worker.start()
        worker.join(timeout=120)
        assert not worker.is_alive(), "storing the run's events hung"
        assert results[0].success
        event = instance.get_latest_materialization_event(AssetKey("tagged"))
        assert event.asset_materialization.tags["dagster/data_version"] == "v1"
        assert instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [tagged_check.check_key])[tagged_check.check_key].status.value == "SUCCEEDED"

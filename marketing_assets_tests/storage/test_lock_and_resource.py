"""warehouse_lock and WarehouseResource."""

from __future__ import annotations

import threading

import polars as pl
import pytest

from marketing_assets.config import DUCKDB_PATH_ENV
from marketing_assets.storage import WarehouseResource, warehouse_lock
from marketing_assets_tests.storage._support import D2, D3


def test_nested_lock_in_one_thread_does_not_deadlock(tmp_path):
    db = tmp_path / "w.duckdb"
    depth = []

    def nested():
        with warehouse_lock(db, timeout_s=2):
            with warehouse_lock(db, timeout_s=2):
                with warehouse_lock(str(db), timeout_s=2):
                    depth.append(3)
        with warehouse_lock(db, timeout_s=2):  # released completely, takes it again
            depth.append(1)

    thread = threading.Thread(target=nested)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "nested warehouse_lock deadlocked"
    assert depth == [3, 1]
    assert (tmp_path / "w.duckdb.lock").exists()


def test_lock_held_by_another_thread_times_out_naming_the_file(tmp_path):
    db = tmp_path / "sub" / "w.duckdb"
    held, done = threading.Event(), threading.Event()

    def holder():
        with warehouse_lock(db):
            held.set()
            done.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(10)
        with pytest.raises(TimeoutError, match=r"sub/w\.duckdb\.lock"):
            with warehouse_lock(db, timeout_s=0.2):
                pass
    finally:
        done.set()
        thread.join(10)
    with warehouse_lock(db, timeout_s=1):  # free again once the other thread let go
        pass


def test_resource_query_and_nested_connections(tmp_path):
    warehouse = WarehouseResource(database=str(tmp_path / "w.duckdb"))
    with warehouse.get_connection() as conn:
        conn.execute("CREATE TABLE clicks (dt DATE, channel VARCHAR, clicks BIGINT)")
        conn.execute(
            "INSERT INTO clicks VALUES ('2025-06-02', 'feed', 3), ('2025-06-02', 'search', 5),"
            " ('2025-06-03', 'feed', 7)"
        )
        # a query inside an open connection of the same thread: no deadlock
        assert warehouse.query("SELECT count(*) AS n FROM clicks")["n"].to_list() == [3]

    result = warehouse.query(
        "SELECT dt, sum(clicks) AS clicks FROM clicks WHERE clicks > ? GROUP BY dt ORDER BY dt",
        params=[2],
    )
    assert result.schema == pl.Schema({"dt": pl.Date, "clicks": pl.Decimal(38, 0)})
    assert [(d, int(c)) for d, c in result.rows()] == [(D2, 8), (D3, 7)]

    with warehouse.get_connection(read_only=True) as conn:
        assert conn.sql("SELECT channel FROM clicks WHERE clicks = 7").fetchall() == [("feed",)]
        with pytest.raises(Exception, match="read-only"):
            conn.execute("DELETE FROM clicks")


def test_resource_resolves_config_path_at_run_time(tmp_path, monkeypatch):
    warehouse = WarehouseResource()
    db = tmp_path / "env" / "w.duckdb"
    monkeypatch.setenv(DUCKDB_PATH_ENV, str(db))
    assert warehouse.query("SELECT 42 AS answer").rows() == [(42,)]
    assert db.exists() and (tmp_path / "env" / "w.duckdb.lock").exists()


def test_table_exists(tmp_path):
    resource = WarehouseResource(database=str(tmp_path / "w.duckdb"))
    assert not resource.table_exists("mkt", "clicks")
    with resource.get_connection() as conn:
        conn.execute("CREATE SCHEMA mkt")
        conn.execute("CREATE TABLE mkt.clicks (dt DATE)")
    assert resource.table_exists("mkt", "clicks")
    assert not resource.table_exists("other", "clicks")

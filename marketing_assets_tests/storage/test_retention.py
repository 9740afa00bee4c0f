"""Bounded tables prune old partitions in the write's own transaction and in the instance."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
from dagster import AssetIn, AssetKey, BackfillPolicy, asset, instance_for_test, materialize

from dagster._core.storage.partition_status_cache import get_and_update_asset_status_cache_value

from marketing_assets.config import RETENTION_ENV
from marketing_assets.partitions import DAILY
from marketing_assets.storage import WarehouseIOManager
from marketing_assets.storage import io_manager as io_module
from marketing_assets_tests.storage._support import D1, D2, D3, D4, failed_with, materialization, query

KEY = AssetKey(["mkt", "snapshot"])


def snapshot_asset():
    """A bounded daily table: one row per day, value = 10 × day of month."""

    @asset(
        key=KEY,
        partitions_def=DAILY,
        metadata={"partition_expr": "dt", "bounded_retention": True},
        backfill_policy=BackfillPolicy.single_run(),
    )
    def _snapshot(context) -> pl.DataFrame:
        days = [dt.date.fromisoformat(k) for k in context.partition_keys]
        return pl.DataFrame({"dt": days, "value": [d.day * 10 for d in days]})

    return _snapshot


def ui_materialized(instance) -> list[str]:
    """The materialised partitions of the asset's cached status: the UI's partition bar."""
    status = get_and_update_asset_status_cache_value(instance, KEY, DAILY)
    return sorted(status.deserialize_materialized_partition_subsets(DAILY).get_partition_keys())


def test_write_prunes_old_partitions_from_table_and_instance(tmp_path, monkeypatch):
    monkeypatch.setenv(RETENTION_ENV, "2")
    db = tmp_path / "w.duckdb"
    io = {"io_manager": WarehouseIOManager(database=str(db))}
    with instance_for_test(temp_dir=str(tmp_path)) as instance:
        for day in ("2025-06-01", "2025-06-02"):
            assert materialize([snapshot_asset()], partition_key=day, resources=io, instance=instance).success
        assert ui_materialized(instance) == ["2025-06-01", "2025-06-02"]  # caches the status
        result = materialize([snapshot_asset()], partition_key="2025-06-03", resources=io, instance=instance)
        assert result.success
        # day 3 with retention 2 keeps days 2 and 3
        assert query(db, "SELECT dt, value FROM mkt.snapshot ORDER BY dt").rows() == [
            (D2, 20),
            (D3, 30),
        ]
        metadata = materialization(result, KEY.path).metadata
        assert metadata["rows_pruned"].value == 1
        assert metadata["partitions_pruned"].value == 1
        assert metadata["dagster/row_count"].value == 1
        assert instance.get_materialized_partitions(KEY) == {"2025-06-02", "2025-06-03"}
        assert ui_materialized(instance) == ["2025-06-02", "2025-06-03"]

        result = materialize([snapshot_asset()], partition_key="2025-06-04", resources=io, instance=instance)
        assert query(db, "SELECT dt FROM mkt.snapshot ORDER BY dt")["dt"].to_list() == [D3, D4]
        assert instance.get_materialized_partitions(KEY) == {"2025-06-03", "2025-06-04"}


def test_failed_insert_prunes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(RETENTION_ENV, "2")
    db = tmp_path / "w.duckdb"
    io = {"io_manager": WarehouseIOManager(database=str(db))}
    with instance_for_test(temp_dir=str(tmp_path)) as instance:
        for day in ("2025-06-01", "2025-06-02"):
            assert materialize([snapshot_asset()], partition_key=day, resources=io, instance=instance).success

        real_prune = io_module._prune

        def prune_then_fail(connection, *args):
            real_prune(connection, *args)  # the delete ran inside the transaction ...
            raise duckdb.IOException("disk full")  # ... and the write fails after it

        monkeypatch.setattr(io_module, "_prune", prune_then_fail)
        result = materialize(
            [snapshot_asset()], partition_key="2025-06-03", resources=io, instance=instance,
            raise_on_error=False,
        )
        assert failed_with(result, "IOException", "disk full")
        assert query(db, "SELECT dt, value FROM mkt.snapshot ORDER BY dt").rows() == [
            (D1, 10),
            (D2, 20),
        ]
        assert instance.get_materialized_partitions(KEY) == {"2025-06-01", "2025-06-02"}


def test_range_write_keeps_the_retention_of_its_last_day(tmp_path, monkeypatch):
    monkeypatch.setenv(RETENTION_ENV, "2")
    db = tmp_path / "w.duckdb"
    io = {"io_manager": WarehouseIOManager(database=str(db))}
    with instance_for_test(temp_dir=str(tmp_path)) as instance:
        first = materialize(
            [snapshot_asset()], partition_key="2025-06-01", resources=io, instance=instance
        )
        assert first.success
        result = materialize(
            [snapshot_asset()],
            tags={
                "dagster/asset_partition_range_start": "2025-06-03",
                "dagster/asset_partition_range_end": "2025-06-04",
            },
            resources=io,
            instance=instance,
        )
        assert result.success
        assert query(db, "SELECT dt FROM mkt.snapshot ORDER BY dt")["dt"].to_list() == [D3, D4]
        assert instance.get_materialized_partitions(KEY) == {"2025-06-03", "2025-06-04"}


def bounded_job():
    """The bounded table as a job whose executor is the one UI, schedule and CLI runs get."""
    from dagster import Definitions, define_asset_job

    from marketing_assets.storage.executor import build_executor

    return Definitions(
        assets=[snapshot_asset(), downstream_asset()],
        jobs=[define_asset_job("bounded")],
        executor=build_executor("in_process"),
        resources={"io_manager": WarehouseIOManager()},
    ).resolve_job_def("bounded")


DOWNSTREAM = AssetKey(["mkt", "per_day"])


def downstream_asset():
    """Reads the bounded table's days of its own range (as a day's aggregate reads that
    day's snapshot): the value of each day, or none."""

    @asset(key=DOWNSTREAM, partitions_def=DAILY, ins={"snapshot": AssetIn(KEY)},
           metadata={"partition_expr": "dt"}, backfill_policy=BackfillPolicy.single_run())
    def _per_day(context, snapshot: pl.DataFrame) -> pl.DataFrame:
        days = pl.DataFrame({"dt": [dt.date.fromisoformat(k) for k in context.partition_keys]})
        return days.join(snapshot, on="dt", how="left")

    return _per_day


def test_a_range_run_longer_than_the_retention_keeps_its_days_for_the_steps_after_it(tmp_path, monkeypatch):
    # one run writes 4 days of a table keeping 2: had the write pruned days 1-2 at once, the
    # table after it would find nothing for them (measured before the fix: the 4-day tiny
    # world run with a retention of 2 differed in 6 unbounded tables from the same run with
    # the default retention); the next run's write drops them
    from dagster import execute_job, reconstructable

    monkeypatch.setenv(RETENTION_ENV, "2")
    db = tmp_path / "w.duckdb"
    monkeypatch.setenv("MARKETING_DUCKDB_PATH", str(db))
    monkeypatch.setenv("MARKETING_SERVING_DIR", str(tmp_path / "serving"))
    with instance_for_test(temp_dir=str(tmp_path)) as instance:
        tags = {"dagster/asset_partition_range_start": "2025-06-01", "dagster/asset_partition_range_end": "2025-06-04"}
        with execute_job(reconstructable(bounded_job), instance=instance, tags=tags) as result:
            assert result.success
        assert query(db, "SELECT dt, value FROM mkt.per_day ORDER BY dt").rows() == [
            (D1, 10), (D2, 20), (D3, 30), (D4, 40)]
        assert query(db, "SELECT dt FROM mkt.snapshot ORDER BY dt")["dt"].to_list() == [D1, D2, D3, D4]
        assert ui_materialized(instance) == ["2025-06-01", "2025-06-02", "2025-06-03", "2025-06-04"]
        next_day = {"dagster/partition": "2025-06-05"}
        with execute_job(reconstructable(bounded_job), instance=instance, tags=next_day) as result:
            assert result.success
        assert query(db, "SELECT dt FROM mkt.snapshot ORDER BY dt")["dt"].to_list() == [D4, dt.date(2025, 6, 5)]
        assert instance.get_materialized_partitions(KEY) == {"2025-06-04", "2025-06-05"}
        assert ui_materialized(instance) == ["2025-06-04", "2025-06-05"]

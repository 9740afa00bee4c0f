"""Behaviour of WarehouseIOManager beyond the stock traps."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from dagster import asset, materialize

from marketing_assets.config import DUCKDB_PATH_ENV
from marketing_assets.storage import MissingTableError, WarehouseIOManager
from marketing_assets_tests.storage._support import (
    D1,
    D2,
    D3,
    D4,
    daily_asset,
    failed_with,
    materialization,
    materializations,
    query,
    reader_asset,
)

RANGE_2_TO_3 = {
    "dagster/asset_partition_range_start": "2025-06-02",
    "dagster/asset_partition_range_end": "2025-06-03",
}


def by_day(context) -> pl.DataFrame:
    """Two rows per day of the run's partitions, with values worked out from the day."""
    days = [dt.date.fromisoformat(key) for key in context.partition_keys]
    return pl.DataFrame(
        {
            "dt": [d for d in days for _ in ("feed", "search")],
            "channel": ["feed", "search"] * len(days),
            "clicks": [d.day * 10 + i for d in days for i in (1, 2)],
        }
    )


def test_range_run_writes_each_day_and_reruns_identically(tmp_path):
    db = tmp_path / "w.duckdb"
    io = {"io_manager": WarehouseIOManager(database=str(db))}
    clicks = daily_asset(by_day)
    for day in ("2025-06-01", "2025-06-04"):  # neighbours the range must not touch
        assert materialize([clicks], partition_key=day, resources=io).success

    contents = []
    for _ in range(2):
        result = materialize([clicks], tags=RANGE_2_TO_3, resources=io)
        assert result.success
        contents.append(query(db, "SELECT * FROM mkt.clicks ORDER BY dt, channel"))

    assert contents[0].equals(contents[1])
    assert contents[0].rows() == [
        (D1, "feed", 11), (D1, "search", 12),
        (D2, "feed", 21), (D2, "search", 22),
        (D3, "feed", 31), (D3, "search", 32),
        (D4, "feed", 41), (D4, "search", 42),
    ]  # fmt: skip
    # one materialisation per day, each with the metadata of the one write
    events = materializations(result)
    assert [e.partition for e in events] == ["2025-06-02", "2025-06-03"]
    metadata = events[0].metadata
    # Asia/Shanghai days as DATE literals (in UTC the window would start on 06-01 16:00)
    assert metadata["Query"].value == (
        "SELECT * FROM mkt.clicks WHERE dt >= DATE '2025-06-02' AND dt < DATE '2025-06-04'"
    )
    # the range's rows, under a name that does not claim to be each partition's row count
    assert metadata["range_rows"].value == 4
    assert "dagster/row_count" not in metadata
    assert metadata["dagster/table_name"].value == "mkt.clicks"


def test_range_input_loads_every_day_of_the_range(tmp_path):
    io = {"io_manager": WarehouseIOManager(database=str(tmp_path / "w.duckdb"))}
    seen: dict = {}
    result = materialize([daily_asset(by_day), reader_asset(seen)], tags=RANGE_2_TO_3, resources=io)
    assert result.success
    assert seen["up"].sort("dt", "channel")["clicks"].to_list() == [21, 22, 31, 32]


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        (pl.DataFrame({"dt": [D2, D3], "clicks": [1, 2]}), "dt values 2025-06-03 outside"),
        (pl.DataFrame({"dt": [D2, None], "clicks": [1, 2]}), "dt values None outside"),
    ],
    ids=["next-day", "null"],
)
def test_rows_outside_the_partition_window_are_refused(tmp_path, frame, error):
    db = tmp_path / "w.duckdb"
    io = {"io_manager": WarehouseIOManager(database=str(db))}
    assert materialize([daily_asset(lambda _: frame.head(1))], partition_key="2025-06-02", resources=io).success

    result = materialize(
        [daily_asset(lambda _: frame)], partition_key="2025-06-02", resources=io, raise_on_error=False
    )
    assert failed_with(result, "ValueError", error)
    assert failed_with(result, "ValueError", "outside the partition window [2025-06-02, 2025-06-03)")
    assert query(db, "SELECT dt, clicks FROM mkt.clicks").rows() == [(D2, 1)]  # untouched


def test_partition_column_must_be_a_date(tmp_path):
    frame = pl.DataFrame({"dt": ["2025-06-02"], "clicks": [1]})
    result = materialize(
        [daily_asset(lambda _: frame)],
        partition_key="2025-06-02",
        resources={"io_manager": WarehouseIOManager(database=str(tmp_path / "w.duckdb"))},
        raise_on_error=False,
    )
    assert failed_with(result, "TypeError", "needs a pl.Date column 'dt'")


def test_additive_schema_evolution_and_missing_column_error(tmp_path):
    db = tmp_path / "w.duckdb"
    io = {"io_manager": WarehouseIOManager(database=str(db))}
    frames = {
        "2025-06-02": pl.DataFrame({"dt": [D2], "clicks": [5]}),
        "2025-06-03": pl.DataFrame({"dt": [D3], "clicks": [6], "cost": [1.5]}),  # new column
        "2025-06-04": pl.DataFrame({"dt": [D4], "cost": [2.5]}),  # lacks clicks
    }
    clicks = daily_asset(lambda context: frames[context.partition_key])
    assert materialize([clicks], partition_key="2025-06-02", resources=io).success
    assert materialize([clicks], partition_key="2025-06-03", resources=io).success
    table = query(db, "SELECT * FROM mkt.clicks ORDER BY dt")
    assert dict(table.schema) == {"dt": pl.Date, "clicks": pl.Int64, "cost": pl.Float64}
    assert table.rows() == [(D2, 5, None), (D3, 6, 1.5)]

    result = materialize([clicks], partition_key="2025-06-04", resources=io, raise_on_error=False)
    assert failed_with(result, "ValueError", "lacks column(s) ['clicks'] of the existing table")
    assert query(db, "SELECT * FROM mkt.clicks ORDER BY dt").equals(table)


def test_missing_upstream_table_is_a_clear_error(tmp_path):
    seen: dict = {}
    result = materialize(
        [daily_asset(by_day), reader_asset(seen)],
        selection=["mkt/reader"],
        partition_key="2025-06-02",
        resources={"io_manager": WarehouseIOManager(database=str(tmp_path / "w.duckdb"))},
        raise_on_error=False,
    )
    assert failed_with(
        result,
        MissingTableError.__name__,
        "Table mkt.clicks does not exist in",
    )
    assert failed_with(
        result,
        MissingTableError.__name__,
        "upstream asset mkt/clicks (partitions 2025-06-02 .. 2025-06-02) was never materialised",
    )


def test_unpartitioned_asset_replaces_the_whole_table(tmp_path):
    db = tmp_path / "w.duckdb"
    io = {"io_manager": WarehouseIOManager(database=str(db))}
    frames = [
        pl.DataFrame({"seller": ["a", "b"], "tier": [1, 2]}),
        pl.DataFrame({"seller": ["c"], "tier_name": ["gold"]}),  # other rows, other columns
        pl.DataFrame(schema={"seller": pl.String, "tier_name": pl.String}),
    ]
    for frame in frames:

        @asset(key=["mkt", "sellers"])
        def sellers() -> pl.DataFrame:
            return frame

        result = materialize([sellers], resources=io)
        assert result.success
        stored = query(db, "SELECT * FROM mkt.sellers ORDER BY seller")
        assert stored.equals(frame)
        metadata = materialization(result, ["mkt", "sellers"]).metadata
        assert metadata["Query"].value == "SELECT * FROM mkt.sellers"
        assert metadata["dagster/row_count"].value == frame.height


def test_empty_database_setting_resolves_config_path_at_run_time(tmp_path, monkeypatch):
    manager = WarehouseIOManager()  # created before the environment says where the file is
    db = tmp_path / "nested" / "dir" / "from-env.duckdb"
    monkeypatch.setenv(DUCKDB_PATH_ENV, str(db))
    frame = pl.DataFrame({"dt": [D2], "clicks": [9]})
    assert materialize(
        [daily_asset(lambda _: frame)], partition_key="2025-06-02", resources={"io_manager": manager}
    ).success
    assert query(db, "SELECT dt, clicks FROM mkt.clicks").rows() == [(D2, 9)]

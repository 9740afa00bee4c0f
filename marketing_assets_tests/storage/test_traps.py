"""Each trap of the stock DuckDBPolarsIOManager, shown on the stock manager and fixed in ours.

Every test runs one scenario against both managers (``kind``): the stock case asserts the
failure or corruption, for the reason stated, and ours asserts the right values.
"""

from __future__ import annotations

import polars as pl
import pytest
from dagster import materialize

from marketing_assets_tests.storage._support import (
    D1,
    D2,
    D3,
    MANAGERS,
    daily_asset,
    failed_with,
    manager,
    materialization,
    query,
    reader_asset,
)


@pytest.mark.parametrize("kind", MANAGERS)
def test_read_works_on_duckdb_2(kind, tmp_path):
    db = tmp_path / "w.duckdb"
    frame = pl.DataFrame({"dt": [D2, D2], "channel": ["feed", "search"], "clicks": [3, 5]})
    seen: dict = {}
    result = materialize(
        [daily_asset(lambda _: frame), reader_asset(seen)],
        partition_key="2025-06-02",
        resources={"io_manager": manager(kind, db)},
        raise_on_error=False,
    )
    if kind == "stock":
        # the upstream write succeeds; loading it downstream calls execute(...).arrow()
        assert not result.success
        assert result.is_node_success("mkt__clicks")
        assert failed_with(
            result, "AttributeError", "'DuckDBPyConnection' object has no attribute 'arrow'"
        )
    else:
        assert result.success
        assert seen["up"].sort("channel").to_dicts() == [
            {"dt": D2, "channel": "feed", "clicks": 3},
            {"dt": D2, "channel": "search", "clicks": 5},
        ]


@pytest.mark.parametrize("kind", MANAGERS)
def test_insert_by_name(kind, tmp_path):
    db = tmp_path / "w.duckdb"
    frames = {
        "2025-06-02": pl.DataFrame({"dt": [D2], "clicks": [10], "orders": [1]}),
        # same columns, another order: positional insert puts orders into clicks
        "2025-06-03": pl.DataFrame({"dt": [D3], "orders": [2], "clicks": [20]}),
    }
    clicks = daily_asset(lambda context: frames[context.partition_key])
    for day in frames:
        assert materialize([clicks], partition_key=day, resources={"io_manager": manager(kind, db)}).success
    stored = query(db, "SELECT dt, clicks, orders FROM mkt.clicks ORDER BY dt").to_dicts()
    if kind == "stock":
        assert stored == [
            {"dt": D2, "clicks": 10, "orders": 1},
            {"dt": D3, "clicks": 2, "orders": 20},  # silently swapped
        ]
    else:
        assert stored == [
            {"dt": D2, "clicks": 10, "orders": 1},
            {"dt": D3, "clicks": 20, "orders": 2},
        ]


@pytest.mark.parametrize("kind", MANAGERS)
def test_empty_partition_keeps_its_schema(kind, tmp_path):
    db = tmp_path / "w.duckdb"
    schema = {"dt": pl.Date, "channel": pl.String, "clicks": pl.Int64}
    seen: dict = {}
    result = materialize(
        [daily_asset(lambda _: pl.DataFrame(schema=schema)), reader_asset(seen)],
        partition_key="2025-06-02",
        resources={"io_manager": manager(kind, db)},
        raise_on_error=False,
    )
    # both record a materialisation of the empty upstream partition
    assert result.is_node_success("mkt__clicks")
    if kind == "stock":
        # ... but stock never created the table, so the reader fails on it
        assert not result.success
        assert failed_with(
            result, "CatalogException", "Table with name clicks does not exist"
        )
    else:
        assert result.success
        assert seen["up"].is_empty()
        assert dict(seen["up"].schema) == schema
        assert materialization(result).metadata["dagster/row_count"].value == 0


@pytest.mark.parametrize("kind", MANAGERS)
def test_partition_replace_is_one_transaction(kind, tmp_path):
    db = tmp_path / "w.duckdb"
    frames = {
        "good": pl.DataFrame({"dt": [D2, D2], "channel": ["feed", "search"], "clicks": [1, 2]}),
        # clicks as text: "oops" cannot be cast to the table's BIGINT during the insert
        "bad": pl.DataFrame({"dt": [D2, D2], "channel": ["feed", "search"], "clicks": ["3", "oops"]}),
    }
    which = {"frame": "good"}
    clicks = daily_asset(lambda _: frames[which["frame"]])
    io = {"io_manager": manager(kind, db)}
    assert materialize([clicks], partition_key="2025-06-02", resources=io).success

    which["frame"] = "bad"
    result = materialize([clicks], partition_key="2025-06-02", resources=io, raise_on_error=False)
    assert not result.success
    assert failed_with(result, "ConversionException", "Could not convert string 'oops' to INT64")

    stored = query(db, "SELECT channel, clicks FROM mkt.clicks ORDER BY channel").rows()
    if kind == "stock":
        assert stored == []  # the delete was committed before the insert failed
    else:
        assert stored == [("feed", 1), ("search", 2)]


class _ConnectionSpy:
    """Wraps a real DuckDB connection and records whether ``close`` was called."""

    def __init__(self, conn):
        self.conn, self.closed = conn, False

    def close(self):
        self.closed = True
        self.conn.close()

    def __getattr__(self, name):
        return getattr(self.conn, name)


@pytest.mark.parametrize("kind", MANAGERS)
def test_connection_closed_on_error(kind, tmp_path, monkeypatch):
    import duckdb

    db = tmp_path / "w.duckdb"
    frame = pl.DataFrame({"dt": [D1], "clicks": [1]})
    clicks = daily_asset(lambda _: frame)
    io = {"io_manager": manager(kind, db)}
    assert materialize([clicks], partition_key="2025-06-01", resources=io).success

    spies: list[_ConnectionSpy] = []
    real_connect = duckdb.connect

    def spy_connect(*args, **kwargs):
        spies.append(_ConnectionSpy(real_connect(*args, **kwargs)))
        return spies[-1]

    # both clients look up duckdb.connect when they connect
    monkeypatch.setattr(duckdb, "connect", spy_connect)
    frame = pl.DataFrame({"dt": [D1], "clicks": ["not a number"]})  # fails inside the block
    try:
        result = materialize(
            [clicks], partition_key="2025-06-01", resources=io, raise_on_error=False
        )
        assert failed_with(result, "ConversionException", "not a number")
        assert len(spies) == 1
        if kind == "stock":
            assert not spies[0].closed  # leaked: `yield conn; conn.close()` has no finally
        else:
            assert spies[0].closed
    finally:
        for spy in spies:
            spy.conn.close()

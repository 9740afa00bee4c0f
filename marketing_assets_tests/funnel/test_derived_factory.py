"""The derived-table factory on a toy table: windows, retention, missing upstream, grain."""

import datetime as dt

import pandera.polars as pa
import polars as pl
import pytest
from dagster import materialize

from marketing_assets import config
from marketing_assets.derived import (
    DerivedTable, GrainError, Upstream, WarehouseModel, build, compute_days, grain_duplicates,
)
from marketing_assets.storage import MissingTableError, WarehouseIOManager, WarehouseResource

D1 = dt.date(2025, 6, 1)


class Sums(WarehouseModel):
    seller_id: pl.String = pa.Field(description="seller")
    amt_3d: pl.Int64 = pa.Field(ge=0, description="amount over the 3 days ending dt")
    dt: pl.Date = pa.Field(description="day")


def _sums(day, orders):
    return orders.group_by("seller_id").agg(amt_3d=pl.col("amt").sum())


TABLE = DerivedTable(
    "redcdm", "toy_sums", model=Sums, grain=("seller_id",), group="test", layer="dm",
    what="Toy three-day sums", chinese_name="玩具",
    inputs={"orders": Upstream(("redods", "toy_orders"), 3, ("seller_id", "amt"), where="amt > 0")},
    compute=_sums, bounded=True,
)


@pytest.fixture
def wh(tmp_path):
    db = str(tmp_path / "wh.duckdb")
    warehouse = WarehouseResource(database=db)
    with warehouse.get_connection() as conn:
        conn.execute("CREATE SCHEMA redods")
        conn.execute(
            "CREATE TABLE redods.toy_orders AS SELECT * FROM (VALUES "
            "('S1', 10, DATE '2025-06-01'), ('S1', 20, DATE '2025-06-02'), ('S2', 5, DATE '2025-06-02'),"
            "('S1', 40, DATE '2025-06-03'), ('S1', -7, DATE '2025-06-03'), ('S2', 1, DATE '2025-06-04')"
            ") t(seller_id, amt, dt)"
        )
    return warehouse, {"io_manager": WarehouseIOManager(database=db), "warehouse": warehouse}


def _run(resources, first, last):
    assets, checks = build([TABLE])
    tags = {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}
    return materialize([*assets, *checks], resources=resources, tags=tags,
                       selection=[TABLE.key], raise_on_error=True)


def test_window_sums_and_retention(wh, monkeypatch):
    warehouse, resources = wh
    assert _run(resources, "2025-06-01", "2025-06-04").success
    got = warehouse.query("SELECT dt, seller_id, amt_3d FROM redcdm.toy_sums ORDER BY ALL").rows()
    day = lambda d: dt.date(2025, 6, d)  # noqa: E731
    # the 3-day windows; the negative amount is filtered out in DuckDB
    assert got == [
        (day(1), "S1", 10), (day(2), "S1", 30), (day(2), "S2", 5),
        (day(3), "S1", 70), (day(3), "S2", 5), (day(4), "S1", 60), (day(4), "S2", 6),
    ]
    monkeypatch.setenv(config.RETENTION_ENV, "2")
    assert _run(resources, "2025-06-04", "2025-06-04").success
    kept = warehouse.query("SELECT DISTINCT dt FROM redcdm.toy_sums ORDER BY dt")["dt"].to_list()
    assert kept == [day(3), day(4)]


def test_a_missing_upstream_is_named(tmp_path):
    db = str(tmp_path / "empty.duckdb")
    resources = {"io_manager": WarehouseIOManager(database=db), "warehouse": WarehouseResource(database=db)}
    with pytest.raises(MissingTableError, match="redods.toy_orders does not exist"):
        _run(resources, "2025-06-01", "2025-06-01")


def test_a_repeated_grain_fails_before_anything_is_written():
    orders = pl.DataFrame({"seller_id": ["S1", "S1"], "amt": [1, 2], "dt": [D1, D1]})
    twice = DerivedTable(**{**TABLE.__dict__, "compute": lambda day, orders: orders.select("seller_id", amt_3d="amt")})
    with pytest.raises(GrainError, match="repeat the grain"):
        compute_days(twice, [D1], {"orders": orders})


def test_the_grain_check_passes_after_a_run_and_finds_stored_duplicates(wh):
    warehouse, resources = wh
    result = _run(resources, "2025-06-02", "2025-06-03")
    assert [e.passed for e in result.get_asset_check_evaluations()] == [True]
    assert grain_duplicates(warehouse, TABLE, D1, dt.date(2025, 6, 3)).is_empty()
    with warehouse.get_connection() as conn:
        conn.execute("INSERT INTO redcdm.toy_sums VALUES ('S1', 1, DATE '2025-06-02')")
    dup = grain_duplicates(warehouse, TABLE, D1, dt.date(2025, 6, 3))
    assert dup.rows() == [(dt.date(2025, 6, 2), "S1", 2)]

"""Structural properties of every derived table, proven once on a toy table with a 3-day
window (the whole graph's 30-day version is in `make test-full`, ``full/test_funnel_range.py``):
a range run (one chunk) equals the same days run one by one, whole tables compared (in chunks
of days: ``test_derived_factory.py``); and a re-run of a range over stored days gives the same
table."""

import datetime as dt

import pandera.polars as pa
import polars as pl
from dagster import materialize

from marketing_assets.derived import DerivedTable, Upstream, build
from marketing_assets.table import TableModel
from marketing_assets.storage import WarehouseIOManager, WarehouseResource

DAYS = [dt.date(2025, 6, d) for d in range(1, 7)]


class Window(TableModel):
    seller_id: pl.String = pa.Field(description="seller")
    amt_3d: pl.Int64 = pa.Field(description="amount over the 3 days ending dt")
    days_seen: pl.Int64 = pa.Field(description="days with orders among the 3")
    dt: pl.Date = pa.Field(description="day")


def _window(day, orders):
    return orders.group_by("seller_id").agg(amt_3d=pl.col("amt").sum(), days_seen=pl.col("dt").n_unique())


TABLE = DerivedTable(
    "redcdm", "toy_window", model=Window, grain=("seller_id",), group="test", layer="dm",
    what="Toy three-day window", chinese_name="玩具",
    inputs={"orders": Upstream(("redods", "toy_orders"), 3, ("seller_id", "amt"))},
    compute=_window, lineage={"amt_3d": (("orders", "amt"),), "days_seen": (("orders", "dt"),)},
)
ASSETS, CHECKS = build([TABLE])

# S1 every day, S2 on 06-02 and 06-05 only, S3 on 06-06 only
ORDERS = ("SELECT * FROM (VALUES ('S1', 1, DATE '2025-06-01'), ('S1', 2, DATE '2025-06-02'), "
          "('S2', 10, DATE '2025-06-02'), ('S1', 4, DATE '2025-06-03'), ('S1', 8, DATE '2025-06-04'), "
          "('S1', 16, DATE '2025-06-05'), ('S2', 20, DATE '2025-06-05'), ('S1', 32, DATE '2025-06-06'), "
          "('S3', 64, DATE '2025-06-06')) t(seller_id, amt, dt)")
#: worked out by hand: (dt, seller, amt_3d, days_seen)
EXPECTED = [
    (DAYS[0], "S1", 1, 1),
    (DAYS[1], "S1", 3, 2), (DAYS[1], "S2", 10, 1),
    (DAYS[2], "S1", 7, 3), (DAYS[2], "S2", 10, 1),
    (DAYS[3], "S1", 14, 3), (DAYS[3], "S2", 10, 1),
    (DAYS[4], "S1", 28, 3), (DAYS[4], "S2", 20, 1),
    (DAYS[5], "S1", 56, 3), (DAYS[5], "S2", 20, 1), (DAYS[5], "S3", 64, 1),
]


def _warehouse(path) -> tuple[WarehouseResource, dict]:
    wh = WarehouseResource(database=str(path))
    with wh.get_connection() as conn:
        conn.execute("CREATE SCHEMA redods")
        conn.execute(f"CREATE TABLE redods.toy_orders AS {ORDERS}")
    return wh, {"io_manager": WarehouseIOManager(database=str(path)), "warehouse": wh}


def _run(resources, first: dt.date, last: dt.date | None = None):
    kwargs = ({"tags": {"dagster/asset_partition_range_start": first.isoformat(),
                        "dagster/asset_partition_range_end": last.isoformat()}}
              if last else {"partition_key": first.isoformat()})
    result = materialize([*ASSETS, *CHECKS], resources=resources, selection=[TABLE.key], **kwargs)
    assert result.success and all(e.passed for e in result.get_asset_check_evaluations())
    return result


def _stored(wh: WarehouseResource) -> pl.DataFrame:
    return wh.query("SELECT dt, seller_id, amt_3d, days_seen FROM redcdm.toy_window ORDER BY ALL")


def test_a_range_run_equals_the_days_run_one_by_one(tmp_path):
    single, single_res = _warehouse(tmp_path / "single.duckdb")
    for day in DAYS:
        _run(single_res, day)
    ranged, ranged_res = _warehouse(tmp_path / "range.duckdb")
    result = _run(ranged_res, DAYS[0], DAYS[-1])
    assert _stored(ranged).rows() == EXPECTED
    assert _stored(ranged).equals(_stored(single))
    rows = {e.materialization.partition: e.materialization.metadata["dagster/row_count"].value
            for e in result.get_asset_materialization_events()}
    assert rows == {d.isoformat(): n for d, n in zip(DAYS, (1, 2, 2, 2, 2, 3))}


def test_a_rerun_of_a_range_over_stored_days_gives_the_same_table(tmp_path):
    wh, res = _warehouse(tmp_path / "wh.duckdb")
    _run(res, DAYS[0], DAYS[-1])
    before = _stored(wh)
    _run(res, DAYS[2], DAYS[4])
    assert _stored(wh).equals(before)

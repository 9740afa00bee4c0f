"""The derived-table factory on a toy table: windows, retention, missing upstream, grain,
per-day metadata and per-day check results as the UI reads them, an empty window, the
column lineage shown in the description, and range runs in chunks of days (equal to single
days, a failed chunk loses nothing stored, the chunk planner and its estimate)."""

import datetime as dt

import duckdb
import pandera.polars as pa
import polars as pl
import pytest
from dagster import AssetCheckKey, AssetRecordsFilter, AssetSelection, instance_for_test, materialize

from marketing_assets import config
from marketing_assets.derived import (
    Chunk, DerivedTable, EmptyWindowError, GrainError, Upstream, build,
    compute_days, estimate_input_bytes, grain_duplicates, plan_chunks, read_upstream,
)
from marketing_assets.partitions import DAILY
from marketing_assets.table import TableModel
from marketing_assets.storage import MissingTableError, WarehouseIOManager, WarehouseResource
from marketing_assets.storage import io_manager as io_module

D1 = dt.date(2025, 6, 1)


class Sums(TableModel):
    seller_id: pl.String = pa.Field(description="seller")
    amt_3d: pl.Int64 = pa.Field(ge=0, description="amount over the 3 days ending dt")
    dt: pl.Date = pa.Field(description="day")


def _sums(day, orders):
    return orders.group_by("seller_id").agg(amt_3d=pl.col("amt").sum())


def _headline(frame):
    return {"amt_3d_total": int(frame["amt_3d"].sum())}


TABLE = DerivedTable(
    "redcdm", "toy_sums", model=Sums, grain=("seller_id",), group="test", layer="dm",
    what="Toy three-day sums", chinese_name="玩具",
    inputs={"orders": Upstream(("redods", "toy_orders"), 3, ("seller_id", "amt"), where="amt > 0")},
    compute=_sums, bounded=True, headline=_headline,
    lineage={"amt_3d": (("orders", "amt"),)},
)


class Top(TableModel):
    seller_id: pl.String = pa.Field(description="seller")
    dt: pl.Date = pa.Field(description="day")


#: downstream of the toy table: a failed blocking grain check must keep it from running
DOWNSTREAM = DerivedTable(
    "redcdm", "toy_top", model=Top, grain=("seller_id",), group="test", layer="app",
    what="Toy sellers", chinese_name="玩具",
    inputs={"sums": Upstream(("redcdm", "toy_sums"), 1, ("seller_id",))},
    compute=lambda day, sums: sums.select("seller_id").unique(),
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


def _range(first, last):
    return {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}


def _run(resources, first, last, instance=None):
    assets, checks = build([TABLE])
    return materialize([*assets, *checks], resources=resources, tags=_range(first, last),
                       selection=[TABLE.key], raise_on_error=True, instance=instance)


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
    # one result per day of the range
    assert [(e.partition, e.passed) for e in result.get_asset_check_evaluations()] == [
        ("2025-06-02", True), ("2025-06-03", True)]
    assert grain_duplicates(warehouse, TABLE, D1, dt.date(2025, 6, 3)).is_empty()
    with warehouse.get_connection() as conn:
        conn.execute("INSERT INTO redcdm.toy_sums VALUES ('S1', 1, DATE '2025-06-02')")
    dup = grain_duplicates(warehouse, TABLE, D1, dt.date(2025, 6, 3))
    assert dup.rows() == [(dt.date(2025, 6, 2), "S1", 2)]


CHECK = AssetCheckKey(TABLE.key, "grain_unique")


def _statuses(instance) -> dict[str, list[str]]:
    """Per-partition status of the grain check as the webserver resolves
    ``AssetCheck.partitionStatuses``: ``AssetCheckState`` loaded through the event log
    storage's ``get_asset_check_state``."""
    state = instance.event_log_storage.get_asset_check_state([(CHECK, DAILY)])[CHECK]
    return {
        status.value: sorted(subset.subset_value.get_partition_keys())
        for status, subset in state.subsets.items()
        if not subset.is_empty
    }


def test_a_range_run_stores_one_check_status_per_day_and_a_failed_day_blocks(wh, tmp_path):
    warehouse, resources = wh
    with instance_for_test(temp_dir=str(tmp_path)) as instance:
        _run(resources, "2025-06-01", "2025-06-03", instance)
        # every day Passed (a single result without a partition left them all SKIPPED)
        assert _statuses(instance) == {"SUCCEEDED": ["2025-06-01", "2025-06-02", "2025-06-03"]}

        # a duplicate stored on 06-02; the check and the table downstream of it, same range
        with warehouse.get_connection() as conn:
            conn.execute("INSERT INTO redcdm.toy_sums VALUES ('S1', 99, DATE '2025-06-02')")
        assets, checks = build([TABLE, DOWNSTREAM])
        result = materialize(
            [*assets, *checks], resources=resources, tags=_range("2025-06-01", "2025-06-03"),
            selection=AssetSelection.checks(CHECK) | AssetSelection.assets(DOWNSTREAM.key),
            raise_on_error=False, instance=instance,
        )
        assert not result.success
        assert _statuses(instance) == {
            "SUCCEEDED": ["2025-06-01", "2025-06-03"], "FAILED": ["2025-06-02"]}
        failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
        assert [(e.partition, e.description, e.metadata["day"].value,
                 e.metadata["duplicated_keys"].value, e.metadata["judged"].value) for e in failed] == [
            ("2025-06-02", "grain_unique failed on 2025-06-02", "2025-06-02", 1, True)]
        # blocking: the downstream table was never written
        assert not warehouse.table_exists("redcdm", "toy_top")
        assert instance.get_latest_materialization_event(DOWNSTREAM.key) is None


def test_each_partition_of_a_range_carries_its_own_rows_and_headline(wh, tmp_path):
    warehouse, resources = wh
    with instance_for_test(temp_dir=str(tmp_path)) as instance:
        _run(resources, "2025-06-01", "2025-06-03", instance)
        got = {}
        for day in ("2025-06-01", "2025-06-02", "2025-06-03"):
            records = instance.fetch_materializations(
                AssetRecordsFilter(asset_key=TABLE.key, asset_partitions=[day]),
                limit=1,
            ).records
            md = records[0].asset_materialization.metadata
            got[day] = (md["dagster/row_count"].value, md["amt_3d_total"].value)
    # 06-01: S1 10; 06-02: S1 30, S2 5; 06-03: S1 70, S2 5 (the -7 is filtered out)
    assert got == {"2025-06-01": (1, 10), "2025-06-02": (2, 35), "2025-06-03": (2, 75)}


def test_an_empty_window_fails_before_anything_is_read_or_written(wh):
    warehouse, _ = wh
    with pytest.raises(EmptyWindowError, match="no day to compute"):
        compute_days(TABLE, [], {"orders": pl.DataFrame()})
    with warehouse.get_connection() as conn, pytest.raises(EmptyWindowError, match="empty window"):
        read_upstream(conn, TABLE.inputs["orders"], dt.date(2025, 6, 2), dt.date(2025, 6, 1))
    assert not warehouse.table_exists("redcdm", "toy_sums")


def test_the_description_shows_the_column_lineage_as_a_markdown_table():
    assets, _ = build([TABLE, DOWNSTREAM])
    by_key = {a.key: a for a in assets}
    assert by_key[TABLE.key].descriptions_by_key[TABLE.key] == (
        "Toy three-day sums (玩具). Grain per dt: seller_id.\n\n"
        "**Column lineage**\n\n"
        "| output column | ← input table.column |\n"
        "| --- | --- |\n"
        "| `seller_id` | `redods.toy_orders.seller_id` |\n"
        "| `amt_3d` | `redods.toy_orders.amt` |"
    )
    assert by_key[DOWNSTREAM.key].descriptions_by_key[DOWNSTREAM.key].endswith(
        "| --- | --- |\n| `seller_id` | `redcdm.toy_sums.seller_id` |")


# ---- range runs in chunks of days ----------------------------------------------------------
def _day(d: int) -> dt.date:
    return dt.date(2025, 6, d)


FIVE_DAYS = (
    "('S1', 10, DATE '2025-06-01'), ('S1', 20, DATE '2025-06-02'), ('S2', 5, DATE '2025-06-02'),"
    "('S1', 40, DATE '2025-06-03'), ('S1', -7, DATE '2025-06-03'), ('S2', 1, DATE '2025-06-04'),"
    "('S1', 3, DATE '2025-06-05'), ('S2', 2, DATE '2025-06-05')"
)
#: the 3-day sums of FIVE_DAYS (the -7 filtered out in DuckDB); 06-05 sums 06-03 .. 06-05
FIVE_DAY_SUMS = [
    (_day(1), "S1", 10), (_day(2), "S1", 30), (_day(2), "S2", 5), (_day(3), "S1", 70),
    (_day(3), "S2", 5), (_day(4), "S1", 60), (_day(4), "S2", 6), (_day(5), "S1", 43), (_day(5), "S2", 3),
]


def _five_days(path) -> tuple[WarehouseResource, dict]:
    warehouse = WarehouseResource(database=str(path))
    with warehouse.get_connection() as conn:
        conn.execute("CREATE SCHEMA redods")
        conn.execute(f"CREATE TABLE redods.toy_orders AS SELECT * FROM (VALUES {FIVE_DAYS}) t(seller_id, amt, dt)")
    return warehouse, {"io_manager": WarehouseIOManager(database=str(path)), "warehouse": warehouse}


def _sums_of(warehouse) -> list[tuple]:
    return warehouse.query("SELECT dt, seller_id, amt_3d FROM redcdm.toy_sums ORDER BY ALL").rows()


def test_a_range_run_in_chunks_of_two_days_equals_its_single_days(tmp_path, monkeypatch):
    monkeypatch.setenv(config.CHUNK_MAX_DAYS_ENV, "2")
    ranged, ranged_res = _five_days(tmp_path / "range.duckdb")
    result = _run(ranged_res, "2025-06-01", "2025-06-05")
    single, single_res = _five_days(tmp_path / "single.duckdb")
    for d in range(1, 6):
        _run(single_res, f"2025-06-0{d}", f"2025-06-0{d}")
    # the range ran as 3 chunks: 06-01..02, 06-03..04, 06-05 (each day's metadata its own)
    events = result.get_asset_materialization_events()
    md = {e.materialization.partition: e.materialization.metadata for e in events}
    assert md["2025-06-05"]["chunk_days"].value == [2, 2, 1]
    assert md["2025-06-05"]["chunks"].value == 3
    assert [md[f"2025-06-0{d}"]["dagster/row_count"].value for d in range(1, 6)] == [1, 2, 2, 2, 2]
    assert _sums_of(ranged) == _sums_of(single) == FIVE_DAY_SUMS


def test_a_failed_chunk_keeps_its_days_old_rows_and_earlier_chunks_stay_written(tmp_path, monkeypatch):
    warehouse, resources = _five_days(tmp_path / "wh.duckdb")
    _run(resources, "2025-06-01", "2025-06-05")
    with warehouse.get_connection() as conn:
        conn.execute("UPDATE redods.toy_orders SET amt = amt * 100")
    monkeypatch.setenv(config.CHUNK_MAX_DAYS_ENV, "2")
    real_replace, calls = io_module.replace_slice, []

    def replace_then_fail_the_second(connection, table_slice):
        calls.append(table_slice)
        real_replace(connection, table_slice)  # the old rows deleted, the new ones inserted ...
        if len(calls) == 2:
            raise duckdb.IOException("disk full")  # ... then the 2nd chunk's write fails

    monkeypatch.setattr(io_module, "replace_slice", replace_then_fail_the_second)
    assets, checks = build([TABLE])
    result = materialize([*assets, *checks], resources=resources, tags=_range("2025-06-01", "2025-06-05"),
                         selection=[TABLE.key], raise_on_error=False)
    assert not result.success
    # 06-01..02 committed with the new amounts; 06-03..04 rolled back; 06-05 never ran
    new = [(d, s, v * 100) for d, s, v in FIVE_DAY_SUMS if d <= _day(2)]
    assert _sums_of(warehouse) == new + [row for row in FIVE_DAY_SUMS if row[0] > _day(2)]


def test_the_planner_cuts_a_range_by_its_estimated_bytes():
    days = [_day(d) for d in range(1, 6)]
    every_day = {dt.date(2025, 5, 1) + dt.timedelta(days=i): 100 for i in range(40)}
    # a same-day input of 100 B a day, budget 250 B: two days (200 B) fit, three do not
    assert plan_chunks(days, {"a": (1, every_day)}, 250) == [
        Chunk(days[0:2], 200), Chunk(days[2:4], 200), Chunk(days[4:], 100)]
    # the output's 50 B a day counts too: 150 B a day
    assert [c.estimated_bytes for c in plan_chunks(days, {"a": (1, every_day)}, 300, 50)] == [300, 300, 150]
    # a 3-day window: a chunk of k days reads k + 2 days; days without rows cost nothing
    sparse = {_day(1): 100, _day(2): 100, _day(4): 100}
    assert plan_chunks(days, {"w": (3, every_day)}, 400) == [Chunk(days[0:2], 400), Chunk(days[2:4], 400), Chunk(days[4:], 300)]
    assert plan_chunks(days, {"w": (3, sparse)}, 200) == [Chunk(days[0:3], 200), Chunk(days[3:], 200)]
    # two inputs add up; the cap on days holds however much budget is left
    assert plan_chunks(days, {"a": (1, every_day), "w": (3, every_day)}, 10**9, max_days=2) == [
        Chunk(days[0:2], 600), Chunk(days[2:4], 600), Chunk(days[4:], 400)]
    # a 600-day window: even one day reads 600 days (6,000 B), over the budget: one day a chunk
    history = {_day(5) - dt.timedelta(days=i): 10 for i in range(700)}
    assert plan_chunks(days, {"long": (600, history)}, 1_000) == [Chunk([d], 6_000) for d in days]


def test_the_estimate_counts_the_filtered_rows_of_each_day_of_the_windows(tmp_path):
    warehouse, _ = _five_days(tmp_path / "wh.duckdb")
    with warehouse.get_connection() as conn:
        got = estimate_input_bytes(conn, TABLE.inputs["orders"], _day(3), _day(4))
    # days 06-01 .. 06-04 (3-day windows of 06-03, 06-04); 06-03's -7 is filtered out; a row of
    # seller_id VARCHAR (32 B), amt INTEGER (4 B), dt DATE (4 B), 3 copies: 120 B
    assert got == {_day(1): 120, _day(2): 240, _day(3): 120, _day(4): 120}


def test_the_run_memory_budget_is_a_validated_size(monkeypatch):
    monkeypatch.setenv(config.RUN_MEMORY_BUDGET_ENV, "1.5GiB")
    assert config.run_memory_budget() == 1_610_612_736
    monkeypatch.setenv(config.RUN_MEMORY_BUDGET_ENV, "2GB")
    assert config.run_memory_budget() == 2_000_000_000
    monkeypatch.setenv(config.RUN_MEMORY_BUDGET_ENV, "lots")
    with pytest.raises(ValueError, match="MARKETING_RUN_MEMORY_BUDGET must be a size"):
        config.run_memory_budget()

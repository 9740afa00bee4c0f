"""Derived tables computed in DuckDB SQL (``compute=Sql(...)``) on a toy table of three
input rows: the stored rows and types equal those of the same table computed in polars,
each day carries its own headline, a day that breaks the model or the grain is refused,
and a failing day keeps its old rows while the days before it stay written."""

import datetime as dt

import pandera.polars as pa
import polars as pl
import pytest
from dagster import materialize

from marketing_assets.derived import (
    DerivedTable, GrainError, Sql, Upstream, build, model_violations,
)
from marketing_assets.storage import WarehouseIOManager, WarehouseResource
from marketing_assets.table import TableModel
from marketing_assets_tests.funnel._hand import sql_day

D1, D2 = dt.date(2025, 6, 1), dt.date(2025, 6, 2)


class TwoDays(TableModel):
    seller_id: pl.String = pa.Field(description="seller")
    amt_2d: pl.Int64 = pa.Field(ge=0, description="amount over the 2 days ending dt")
    orders: pl.Int32 = pa.Field(description="orders over the 2 days")
    dt: pl.Date = pa.Field(description="day")


def _headline(frame: pl.DataFrame) -> dict:
    return {"amt_total": int(frame["amt_2d"].sum())}


SQL_TABLE = DerivedTable(
    "redcdm", "toy_two_days", model=TwoDays, grain=("seller_id",), group="test", layer="dm",
    what="Toy two-day sums in SQL", chinese_name="玩具",
    inputs={"orders": Upstream(("redods", "toy_orders"), 2, ("seller_id", "amt"))},
    # sum() of BIGINT is a HUGEINT and count() a BIGINT: the model's types are stored
    compute=Sql("SELECT seller_id, sum(amt) AS amt_2d, count(*) AS orders FROM orders GROUP BY seller_id",
                headline_columns=("amt_2d",)),
    headline=_headline,
)
#: the same table computed in polars
POLARS_TABLE = DerivedTable(**{
    **SQL_TABLE.__dict__, "table": "toy_two_days_polars",
    "compute": lambda day, orders: orders.group_by("seller_id").agg(amt_2d=pl.col("amt").sum(), orders=pl.len()),
})


def _world(tmp_path, rows: str):
    db = str(tmp_path / "wh.duckdb")
    warehouse = WarehouseResource(database=db)
    with warehouse.get_connection() as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS redods")
        conn.execute(f"CREATE OR REPLACE TABLE redods.toy_orders AS SELECT * FROM (VALUES {rows}) t(seller_id, amt, dt)")
    return warehouse, {"io_manager": WarehouseIOManager(database=db), "warehouse": warehouse}


THREE = "('S1', 10, DATE '2025-06-01'), ('S1', 20, DATE '2025-06-02'), ('S2', 5, DATE '2025-06-02')"


def _run(resources, tables, first, last, raise_on_error=True):
    assets, checks = build(tables)
    tags = {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}
    return materialize([*assets, *checks], resources=resources, tags=tags, raise_on_error=raise_on_error)


def _stored(warehouse, table):
    return warehouse.query(f"SELECT * FROM redcdm.{table} ORDER BY dt, seller_id").rows()


def _types(warehouse, table):
    return warehouse.query(
        "SELECT column_name, data_type FROM information_schema.columns"
        f" WHERE table_name = '{table}' ORDER BY ordinal_position").rows()


def test_a_sql_table_stores_the_rows_and_types_of_its_polars_twin_with_each_days_headline(tmp_path):
    warehouse, resources = _world(tmp_path, THREE)
    result = _run(resources, [SQL_TABLE, POLARS_TABLE], "2025-06-01", "2025-06-02")
    # 06-01: window 05-31 .. 06-01 holds S1's 10; 06-02: 06-01 .. 06-02 holds 10 + 20 and S2's 5
    expected = [("S1", 10, 1, D1), ("S1", 30, 2, D2), ("S2", 5, 1, D2)]
    assert _stored(warehouse, "toy_two_days") == expected
    assert _stored(warehouse, "toy_two_days_polars") == expected
    assert _types(warehouse, "toy_two_days") == _types(warehouse, "toy_two_days_polars") == [
        ("seller_id", "VARCHAR"), ("amt_2d", "BIGINT"), ("orders", "INTEGER"), ("dt", "DATE")]
    heads = {m.partition: (m.metadata["dagster/row_count"].value, m.metadata["amt_total"].value)
             for m in result.asset_materializations_for_node("redcdm__toy_two_days")}
    assert heads == {"2025-06-01": (1, 10), "2025-06-02": (2, 35)}
    # a single day re-run of the range's last day stores the same rows
    _run(resources, [SQL_TABLE], "2025-06-02", "2025-06-02")
    assert _stored(warehouse, "toy_two_days") == expected


def test_a_day_that_breaks_the_model_keeps_its_old_rows_and_the_days_before_stay_written(tmp_path):
    warehouse, resources = _world(tmp_path, THREE)
    _run(resources, [SQL_TABLE], "2025-06-01", "2025-06-02")
    # a new order of S1 on 06-01 and a refund of S2 on 06-02 that makes its sum negative
    with warehouse.get_connection() as conn:
        conn.execute("INSERT INTO redods.toy_orders VALUES ('S1', 1, DATE '2025-06-01'), ('S2', -50, DATE '2025-06-02')")
    result = _run(resources, [SQL_TABLE], "2025-06-01", "2025-06-02", raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "amt_2d fails greater_than_or_equal_to" in str(failure.step_failure_data.error)
    # 06-01 written anew (10 + 1, two orders); 06-02 keeps the rows of the first run
    assert _stored(warehouse, "toy_two_days") == [("S1", 11, 2, D1), ("S1", 30, 2, D2), ("S2", 5, 1, D2)]


def test_a_repeated_grain_and_a_null_key_are_refused():
    orders = pl.DataFrame({"seller_id": ["S1", "S1", None], "amt": [1, 2, 3]})
    rows = DerivedTable(**{**SQL_TABLE.__dict__, "compute": Sql("SELECT seller_id, amt AS amt_2d, 1 AS orders FROM orders WHERE seller_id IS NOT NULL")})
    with pytest.raises(GrainError, match="repeat the grain"):
        sql_day(rows, D1, orders=orders)
    with pytest.raises(pa.errors.SchemaError, match="seller_id is null: 1 rows"):
        sql_day(SQL_TABLE, D1, orders=orders)


def test_a_model_rule_with_no_sql_form_is_refused():
    class Named(TableModel):
        name: pl.String = pa.Field(str_length={"min_value": 1})
        dt: pl.Date = pa.Field()

    table = DerivedTable(**{**SQL_TABLE.__dict__, "model": Named, "grain": ("name",)})
    with pytest.raises(NotImplementedError, match="str_length"):
        model_violations(table)

"""An input's filter (``where``) reads only its own table and the windows of the sibling
inputs it names, and is bound against the upstream's columns when the tables are declared."""

import datetime as dt

import duckdb
import pandera.polars as pa
import polars as pl
import pytest

from marketing_assets.derived import DerivedTable, Sql, Upstream, check_filters, read_upstream, sql_day_query
from marketing_assets.table import TableModel

D1, D2, D3 = dt.date(2025, 6, 1), dt.date(2025, 6, 2), dt.date(2025, 6, 3)
DETAILS, LINES = ("redods", "toy_details"), ("redods", "toy_lines")


class Detail(TableModel):
    package_id: pl.String
    source: pl.String
    dt: pl.Date


class Line(TableModel):
    package_id: pl.String
    paid: pl.Int64
    dt: pl.Date


class Paid(TableModel):
    paid: pl.Int64 = pa.Field(nullable=True)
    dt: pl.Date


SCHEMAS = {DETAILS: Detail.to_schema(), LINES: Line.to_schema()}
#: lines of the 2-day window whose package had a coupon detail in the details' own 2-day window
INPUTS = {
    "details": Upstream(DETAILS, 2, where="source = 'coupon'"),
    "lines": Upstream(LINES, 2, ("package_id", "paid"), where="package_id IN (SELECT package_id FROM details)"),
}


def _table(inputs: dict, compute=None) -> DerivedTable:
    return DerivedTable(
        "redcdm", "toy_coupon_paid", model=Paid, grain=(), group="test", layer="dm", what="toy",
        chinese_name="玩具", inputs=inputs,
        compute=compute or Sql("SELECT sum(paid) AS paid FROM lines"),
    )


@pytest.fixture
def conn():
    c = duckdb.connect(":memory:")
    c.execute("CREATE SCHEMA redods")
    # P1: a coupon detail on D1 only; P2: coupon on D3; P3: a promotion, never a coupon
    c.execute("""CREATE TABLE redods.toy_details AS SELECT * FROM (VALUES
        ('P1', 'coupon', DATE '2025-06-01'), ('P2', 'coupon', DATE '2025-06-03'),
        ('P3', 'promotion', DATE '2025-06-03')) t(package_id, source, dt)""")
    c.execute("""CREATE TABLE redods.toy_lines AS SELECT * FROM (VALUES
        ('P1', 100, DATE '2025-06-01'), ('P1', 7, DATE '2025-06-03'), ('P2', 20, DATE '2025-06-03'),
        ('P3', 30, DATE '2025-06-03')) t(package_id, paid, dt)""")
    yield c
    c.close()


def test_a_filter_naming_a_sibling_reads_the_siblings_window_not_the_whole_table(conn):
    table = _table(INPUTS)
    # D3's windows are D2 .. D3: P1's coupon (D1) is outside, so P1's line of D3 is not read;
    # reading the whole details table (the old subquery) would have kept it
    got = read_upstream(conn, table.inputs["lines"], D3, D3, table.inputs)
    assert got.sort("package_id").rows() == [("P2", 20, D3)]
    # D2 .. D3 as one read: details of D1 .. D3 (P1 and P2), lines of D1 .. D3 of those
    got = read_upstream(conn, table.inputs["lines"], D2, D3, table.inputs)
    assert sorted(got.rows()) == [("P1", 7, D3), ("P1", 100, D1), ("P2", 20, D3)]


def test_the_sql_path_defines_the_sibling_before_the_input_whose_filter_names_it(conn):
    # inputs declared in the other order: the query still reads details before lines
    table = _table({"lines": INPUTS["lines"], "details": INPUTS["details"]})
    assert conn.sql(sql_day_query(table, D3)).fetchall() == [(20, D3)]
    assert conn.sql(sql_day_query(table, D1)).fetchall() == [(100, D1)]


def test_filters_are_bound_against_the_upstreams_columns_when_declared():
    check_filters([_table(INPUTS)], SCHEMAS)  # binds: a column of its table, a sibling's column
    unknown = {**INPUTS, "lines": Upstream(LINES, 2, ("package_id", "paid"), where="coupon_id IS NOT NULL")}
    with pytest.raises(ValueError, match=r"input 'lines'.*coupon_id"):
        check_filters([_table(unknown)], SCHEMAS)
    # a subquery over the table itself reads every day of it, outside the window
    whole = {**INPUTS, "lines": Upstream(
        LINES, 2, ("package_id", "paid"),
        where="package_id IN (SELECT package_id FROM redods.toy_details WHERE source = 'coupon')")}
    with pytest.raises(ValueError, match=r"input 'lines'.*toy_details"):
        check_filters([_table(whole)], SCHEMAS)
    # a sibling's column that the sibling does not read is not there either
    narrow = {"details": Upstream(DETAILS, 2, ("source",)), "lines": INPUTS["lines"]}
    with pytest.raises(ValueError, match=r"package_id"):
        check_filters([_table(narrow)], SCHEMAS)


def test_filters_naming_each_other_in_a_cycle_are_refused():
    cycle = {
        "details": Upstream(DETAILS, 2, where="package_id IN (SELECT package_id FROM lines)"),
        "lines": INPUTS["lines"],
    }
    with pytest.raises(ValueError, match="cycle"):
        check_filters([_table(cycle)], SCHEMAS)

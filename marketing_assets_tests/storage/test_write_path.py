"""The one public write path (``replace_days`` in a ``transaction``) and ``table_exists``,
on a plain DuckDB connection."""

from __future__ import annotations

import ast
import inspect

import duckdb
import polars as pl
import pytest

from marketing_assets.storage import io_manager, replace_days, table_exists, transaction
from marketing_assets_tests.storage._support import D1, D2, D3


@pytest.fixture
def conn():
    connection = duckdb.connect()
    yield connection
    connection.close()


def _rows(conn) -> list[tuple]:
    return conn.execute("SELECT dt, clicks FROM mkt.clicks ORDER BY ALL").fetchall()


def _seed(conn) -> None:
    replace_days(conn, "mkt", "clicks", D1, D2, pl.DataFrame({"dt": [D1, D2], "clicks": [1, 2]}))


def test_a_query_replaces_its_days_by_name(conn):
    _seed(conn)
    written = replace_days(
        conn, "mkt", "clicks", D2, D3,
        f"SELECT 20 AS clicks, DATE '{D2}' AS dt UNION ALL SELECT 30, DATE '{D3}'",
    )
    assert written.rows == 2 and written.pruned == 0
    assert _rows(conn) == [(D1, 1), (D2, 20), (D3, 30)]
    # the temporary view is gone
    assert not table_exists(conn, "main", io_manager.ROWS)


@pytest.mark.parametrize("day", [f"DATE '{D3}'", "NULL"], ids=["next-day", "null"])
def test_a_querys_rows_outside_its_days_are_refused_and_roll_back(conn, day):
    _seed(conn)
    with pytest.raises(ValueError, match="1 of the 2 rows of the query lie outside"):
        replace_days(conn, "mkt", "clicks", D2, D2,
                     f"SELECT DATE '{D2}' AS dt, 5 AS clicks UNION ALL SELECT {day}, 6")
    assert _rows(conn) == [(D1, 1), (D2, 2)]


def test_the_judge_sees_the_new_rows_and_its_error_rolls_back(conn):
    _seed(conn)
    written = replace_days(conn, "mkt", "clicks", D2, D2, f"SELECT DATE '{D2}' AS dt, 7 AS clicks",
                           judge=lambda c: c.execute("SELECT sum(clicks) FROM mkt.clicks").fetchall()[0][0])
    assert written.judged == 8

    def refuse(c):
        raise ValueError("judged bad")

    with pytest.raises(ValueError, match="judged bad"):
        replace_days(conn, "mkt", "clicks", D2, D2, f"SELECT DATE '{D2}' AS dt, 9 AS clicks", judge=refuse)
    assert _rows(conn) == [(D1, 1), (D2, 7)]


def test_writes_inside_one_transaction_commit_together_or_not_at_all(conn):
    _seed(conn)
    with pytest.raises(ValueError, match="no day to write"):
        with transaction(conn):
            replace_days(conn, "mkt", "clicks", D1, D1, pl.DataFrame({"dt": [D1], "clicks": [10]}))
            replace_days(conn, "mkt", "other", D2, D1, pl.DataFrame({"dt": [D2], "n": [1]}))
    assert _rows(conn) == [(D1, 1), (D2, 2)]
    assert not table_exists(conn, "mkt", "other")
    with transaction(conn):
        replace_days(conn, "mkt", "clicks", D1, D1, pl.DataFrame({"dt": [D1], "clicks": [10]}))
        replace_days(conn, "mkt", "other", D2, D2, pl.DataFrame({"dt": [D2], "n": [1]}))
    assert _rows(conn) == [(D1, 10), (D2, 2)]
    assert table_exists(conn, "mkt", "other")


def test_table_exists_tables_and_views(conn):
    assert not table_exists(conn, "mkt", "clicks")
    _seed(conn)
    conn.execute("CREATE VIEW mkt.clicks_view AS SELECT * FROM mkt.clicks")
    assert table_exists(conn, "mkt", "clicks") and table_exists(conn, "mkt", "clicks", views=False)
    assert table_exists(conn, "mkt", "clicks_view")
    assert not table_exists(conn, "mkt", "clicks_view", views=False)
    assert not table_exists(conn, "other", "clicks")


def test_the_io_manager_imports_no_private_dagster_module():
    tree = ast.parse(inspect.getsource(io_manager))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not [name for name in imported if name and (name.startswith("dagster._") or "._" in name)]

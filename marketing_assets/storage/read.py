"""Reading a table "as known on dt" from facts stored once, as validity intervals.

A table "as known on dt" (the coupon use fact: every use of the last 600 days, its refund
flag as of dt) used to store its whole window again in every partition: the bytes a day
added grew with the days of history. An *interval table* stores each fact once instead,
and derives the partition of any dt at read time:

* ``<table>__facts``: one row per fact, in the partition (``dt``) of the day it became
  known; ``first_dt`` is the oldest source partition it was made of, so the fact is known
  on the days ``dt`` .. ``first_dt + window - 1`` (it leaves the window with its oldest
  source row, exactly as a window read of the sources would lose it);
* ``<table>__changes``: the later changes of a fact (for a use: its line's refund), in the
  partition of the day they became known, keyed like the facts they change;
* ``<table>__days``: the days that were materialised (one row each): "as known on dt"
  exists for these days only, like the partitions of a stored table.

A table that is a join of other tables of the same dt (``driver``: the 600-day claim →
use table is the claim fact of dt, its claims of the window, joined to the uses as known
on dt) stores no facts at all: only its days.

``<table>`` itself is a view, defined here once (``view_sql``), with a ``dt`` column: every
reader (the derived tables through their usual ``WHERE dt BETWEEN`` read, the checks' SQL,
users) reads it like the stored table it replaces, and the serving copy publishes the three
tables and recreates the same view over its Parquet files (the view's SQL goes into the
manifest).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import polars as pl

from marketing_assets.storage.connection import table_exists
from marketing_assets.table import table_key

FACTS, CHANGES, DAYS = "facts", "changes", "days"


@dataclass(frozen=True)
class Dimension:
    """A daily table joined as of dt (its partition dt) for some output columns: ``alias``
    in the expressions, joined on the fact's ``on`` columns (LEFT: a fact without a match
    keeps nulls; one with several matches has a row for each), ``where``: a condition on
    its rows."""

    #: the joined table: its object (``DerivedTable``, ``OdsSpec``…), kept as (schema, table)
    key: tuple[str, str]
    on: tuple[str, ...]
    alias: str = "j"
    where: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", table_key(self.key))


@dataclass(frozen=True)
class IntervalTable:
    """How the rows of ``schema.table`` as known on dt are made from facts, changes and
    daily tables of dt. SQL expressions refer to ``f`` (the fact), ``c`` (the fact's
    changes known in the window, aggregated by ``change_aggregates``; none when
    ``change_key`` is empty) and the dimensions' aliases (their rows of dt)."""

    schema: str
    table: str
    #: days a fact stays known after its oldest source partition (600: the look-back)
    window_days: int
    #: output columns in the model's order (without ``dt``): name → SQL expression
    select: dict[str, str]
    #: columns the changes attach to a fact by (none: the facts never change)
    change_key: tuple[str, ...] = ()
    #: column of the aggregated changes → aggregate over the changes known on dt
    change_aggregates: dict[str, str] = field(default_factory=dict)
    #: rows kept (SQL over the aliases); None: every fact known on dt
    keep: str | None = None
    dimensions: tuple[Dimension, ...] = ()
    #: the rows' order within a day (the grain; nulls last), as a stored table is sorted
    order: tuple[str, ...] = ()
    #: a table read whole from daily tables of dt: no facts are stored, ``f`` is this
    #: table's rows of dt (those ``where`` keeps); only the days are stored
    driver: Dimension | None = None

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"

    def part(self, kind: str) -> str:
        """Qualified name of one of the stored tables (facts, changes, days)."""
        return f"{self.schema}.{self.table}__{kind}"

    def part_names(self) -> tuple[str, ...]:
        """The stored tables: facts, changes (when the facts have changes), days."""
        kinds = tuple(k for k, stored in ((FACTS, self.driver is None), (CHANGES, bool(self.change_key)),
                                          (DAYS, True)) if stored)
        return tuple(f"{self.table}__{kind}" for kind in kinds)


def view_sql(spec: IntervalTable) -> str:
    """The SELECT of ``spec``'s rows as known on every materialised day (column ``dt``).

    A filter on ``dt`` reaches the days table: a read of one day joins that day's window of
    facts and changes only."""
    w = spec.window_days - 1
    select = ",\n       ".join(f"{expr} AS {name}" for name, expr in spec.select.items())
    join = ""
    if spec.change_key:
        key = " AND ".join(f"c.{k} = f.{k}" for k in spec.change_key)
        aggregates = ", ".join(f"{expr} AS {name}" for name, expr in spec.change_aggregates.items())
        change_key = ", ".join(f"x.{k}" for k in spec.change_key)
        join += (
            f"\nLEFT JOIN (SELECT y.dt, {change_key}, {aggregates} FROM {spec.part(DAYS)} y "
            f"JOIN {spec.part(CHANGES)} x ON x.dt BETWEEN y.dt - {w} AND y.dt GROUP BY ALL) c "
            f"ON c.dt = d.dt AND {key}"
        )
    for dim in spec.dimensions:
        a = dim.alias
        on = " AND ".join([f"{a}.{k} = f.{k}" for k in dim.on] + ([f"({dim.where})"] if dim.where else []))
        join += f"\nLEFT JOIN {'.'.join(dim.key)} {a} ON {a}.dt = d.dt AND {on}"
    keep = f"\nWHERE {spec.keep}" if spec.keep else ""
    order = "".join(f", {c} NULLS LAST" for c in spec.order)
    return (
        f"SELECT {select},\n       d.dt AS dt\n"
        f"FROM {spec.part(DAYS)} d\n"
        f"{_facts(spec)}{join}{keep}\n"
        f"ORDER BY dt{order}"
    )


def _facts(spec: IntervalTable) -> str:
    """The facts known on ``d.dt``: those of the window, or the driver's rows of dt."""
    w = spec.window_days - 1
    if spec.driver is None:
        return f"JOIN {spec.part(FACTS)} f ON f.dt BETWEEN d.dt - {w} AND d.dt AND f.first_dt >= d.dt - {w}"
    where = f" AND ({spec.driver.where})" if spec.driver.where else ""
    return f"JOIN {'.'.join(spec.driver.key)} f ON f.dt = d.dt{where}"


def create_view(conn: duckdb.DuckDBPyConnection, spec: IntervalTable) -> None:
    """(Re)create ``spec``'s view; a stored table of that name (the old layout, with its
    window stored in every partition) is dropped first."""
    if table_exists(conn, spec.schema, spec.table, views=False):
        conn.execute(f"DROP TABLE {spec.name}")
    conn.execute(f"CREATE OR REPLACE VIEW {spec.name} AS {view_sql(spec)}")


def read_as_known(
    conn: duckdb.DuckDBPyConnection,
    spec: IntervalTable,
    first: dt.date,
    last: dt.date,
    columns: Sequence[str] | None = None,
    where: str | None = None,
) -> pl.DataFrame:
    """Rows of ``spec`` as known on each materialised day ``first`` .. ``last``."""
    cols = "*" if columns is None else ", ".join(dict.fromkeys([*columns, "dt"]))
    extra = f" AND ({where})" if where else ""
    return conn.sql(
        f"SELECT {cols} FROM ({view_sql(spec)}) WHERE dt BETWEEN ? AND ?{extra}",
        params=[first, last],
    ).pl()


def stored_views(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """``schema.table`` → CREATE VIEW statement of every view of the warehouse (the serving
    copy recreates them over its files)."""
    rows = conn.execute(
        "SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal AND NOT temporary"
    ).fetchall()
    return {f"{schema}.{view}": sql for schema, view, sql in rows}

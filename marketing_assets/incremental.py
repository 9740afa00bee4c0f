"""Tables whose day's cost does not grow with the days of history.

Two kinds join the derived tables (``marketing_assets.derived``), declared next to them:

* ``IncrementalTable``: the table of ``dt`` is ``step(dt, table of dt − 1, the day's
  changes)`` when the stored table of ``dt − 1`` can be trusted, else a replay: the
  ``DerivedTable``'s own ``compute`` over its whole windows (the definition both paths are
  tested against). The table of ``dt − 1`` is read through the warehouse resource, not
  declared as a self-dependency (that would force one run per day in backfills), and only
  when it was written by this run or by a run that has finished (``previous_trusted``).
  Inside a range run each day steps from the day before it, computed in this run.
* ``IntervalFact``: a table "as known on dt" stored once as validity intervals (facts in
  the partition of the day they became known, later changes as change rows) and read at
  read time through ``marketing_assets.storage.read``: the table's name is a view there,
  so its readers, the checks and the serving copy read it as before. A day writes only
  the facts and changes that day made known (a replay of the window when the day before
  was not written by a trusted run). A table that is a join of other tables of the same
  day (``IntervalTable.driver``) stores only its days: it is computed when read.

Both keep the ``DerivedTable`` declaration (model, grain, inputs with their windows,
description, lineage): the asset spec is the one ``derived.build_asset`` makes, so the
graph shows the real lineage; ``as_known_lineage`` gives the readers of an interval table
a window dependency on it (a day as known on dt is made of the window's partitions).
"""

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl
from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    AssetRecordsFilter,
    AssetsDefinition,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    TimeWindowPartitionMapping,
    multi_asset,
)

from marketing_assets import derived
from marketing_assets.config import snapshot_retention_days
from marketing_assets.derived import DerivedTable, Upstream, compute_days, day_metadata, read_upstream
from marketing_assets.partitions import DAILY, partition_days
from marketing_assets.storage import (
    WarehouseResource,
    replace_days,
    retention_cutoff,
    table_exists,
    transaction,
    wipe_pruned_partitions,
    write_days,
)
from marketing_assets.storage.read import CHANGES, DAYS, FACTS, IntervalTable, create_view


def previous_trusted(context: AssetExecutionContext, key: AssetKey, day: dt.date) -> bool:
    """Whether the stored partition ``day`` of ``key`` may be built on: its latest
    materialisation was recorded by this run, or by a run that has finished (a running
    run may be rewriting it)."""
    partition = day.isoformat()
    if not DAILY.has_partition_key(partition):
        return False
    records = context.instance.fetch_materializations(
        AssetRecordsFilter(asset_key=key, asset_partitions=[partition]), limit=1
    ).records
    if not records:
        return False
    run_id = records[0].run_id
    if run_id == context.run.run_id:
        return True
    run = context.instance.get_run_by_id(run_id)
    return run is not None and run.is_finished


def _spec(table: DerivedTable, upstream_columns: Mapping[tuple[str, str], list[str]]) -> AssetSpec:
    """The asset spec a plain derived table of this declaration has (deps with their
    windows, description, metadata): declared once, in ``derived.build_asset``."""
    (spec,) = derived.build_asset(table, upstream_columns).specs
    return spec


def _asset(table: DerivedTable, spec: AssetSpec, body: Callable) -> AssetsDefinition:
    @multi_asset(
        specs=[spec],
        name="__".join(table.key.path),
        partitions_def=DAILY,
        backfill_policy=BackfillPolicy.single_run(),
    )
    def _incremental(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        return body(context, warehouse)

    return _incremental


# ---- incremental tables ------------------------------------------------------------------
PREVIOUS = "previous"


@dataclass(frozen=True)
class IncrementalTable:
    """``table`` computed from its previous day: ``step(day, previous, **changes)`` returns
    the day's rows (without ``dt``) from the table of the day before (``previous``, with its
    ``dt``) and the ``changes`` inputs' windows of the day."""

    table: DerivedTable
    changes: Mapping[str, Upstream]
    step: Callable[..., pl.DataFrame]

    @property
    def key(self) -> AssetKey:
        return self.table.key

    @property
    def sql(self) -> str:
        return self.table.sql

    def stepper(self) -> DerivedTable:
        """The table as ``compute_days`` runs a step: the changes and the previous day."""
        own = Upstream((self.table.database, self.table.table), 2)
        return dataclasses.replace(
            self.table, inputs={**self.changes, PREVIOUS: own}, compute=self.step
        )


def days_from_previous(
    inc: IncrementalTable,
    days: list[dt.date],
    read: Callable[[str, Upstream, dt.date], pl.DataFrame],
    previous: pl.DataFrame | None,
) -> tuple[dict[dt.date, pl.DataFrame], dict[dt.date, str]]:
    """Each day's rows of ``inc``: stepped from the day before (``previous``: the stored
    table of the day before the first, or None), or replayed from the whole windows when
    there is none. ``read(name, upstream, day)`` reads an input's window of ``day``."""
    stepper = inc.stepper()
    frames, built = {}, {}
    for day in days:
        if previous is None:
            inputs = {name: read(name, up, day) for name, up in inc.table.inputs.items()}
            frame = compute_days(inc.table, [day], inputs)
            built[day] = "replay of the windows"
        else:
            inputs = {name: read(name, up, day) for name, up in inc.changes.items()}
            frame = compute_days(stepper, [day], {**inputs, PREVIOUS: previous})
            built[day] = "previous day + the day's changes"
        frames[day] = previous = frame
    return frames, built


def build_incremental_asset(
    inc: IncrementalTable, upstream_columns: Mapping[tuple[str, str], list[str]]
) -> AssetsDefinition:
    table = inc.table
    columns = list(table.schema.columns)

    def body(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        days = partition_days(context)
        pruned = wiped = 0
        with warehouse.get_connection() as conn:
            before = days[0] - dt.timedelta(days=1)
            previous = None
            if table_exists(conn, table.database, table.table) and previous_trusted(context, inc.key, before):
                previous = conn.sql(
                    f"SELECT {', '.join(columns)} FROM {table.database}.{table.table} WHERE dt = ?",
                    params=[before],
                ).pl()
            rows_read: dict[str, int] = {}

            def read(name: str, up: Upstream, day: dt.date) -> pl.DataFrame:
                frame = read_upstream(conn, up, day, day)
                rows_read[name] = rows_read.get(name, 0) + frame.height
                return frame

            # one day at a time: a day is written before the next one is stepped from it
            built = {}
            for day in days:
                frames, how = days_from_previous(inc, [day], read, previous)
                previous = frames[day]
                built.update(how)
                pruned += write_days(conn, table.database, table.table, previous, day, day,
                                     bounded=table.bounded, run_first=days[0])
                for d, figures in day_metadata(table, previous, [day]).items():
                    context.add_asset_metadata(
                        {**figures, "built_from": built[d]}, partition_key=d.isoformat()
                    )
        if table.bounded:
            wiped = len(wipe_pruned_partitions(context.instance, inc.key, DAILY, retention_cutoff(days[-1], days[0])))
        metadata: dict[str, Any] = {
            "rows_read": MetadataValue.json(rows_read),
            "run_days": MetadataValue.json([days[0].isoformat(), days[-1].isoformat()]),
            "days_replayed": sum(1 for how in built.values() if how.startswith("replay")),
        }
        if table.bounded:
            metadata.update(rows_pruned=pruned, partitions_kept_days=snapshot_retention_days(),
                            partitions_pruned=wiped)
        return MaterializeResult(metadata=metadata)

    return _asset(table, _spec(table, upstream_columns), body)


# ---- interval facts ------------------------------------------------------------------------
#: ``reader(conn, first, last, lo, replay)``: the facts (or changes) the days ``first`` ..
#: ``last`` made known, from sources read back to ``lo`` (the window's first day of
#: ``first``); ``replay``: also every fact of the days ``lo`` .. ``first`` − 1 that the
#: sources from ``lo`` on make
Reader = Callable[[duckdb.DuckDBPyConnection, dt.date, dt.date, dt.date, bool], pl.DataFrame]


@dataclass(frozen=True)
class IntervalFact:
    """``table`` (its declaration; ``compute`` stays the whole-window definition the
    intervals are tested against) stored as ``spec``'s facts and changes."""

    table: DerivedTable
    spec: IntervalTable
    #: fact rows (``dt``: the day known, ``first_dt``: its oldest source partition) known
    #: on the days; None: the spec reads a driver table of dt, nothing is stored but the days
    facts: Reader | None = None
    #: change rows (``dt``: the day known) known on the days; None: facts never change
    changes: Reader | None = None
    #: the rows of a day its headline needs (SQL over the table); None: all
    headline_where: str | None = None

    @property
    def key(self) -> AssetKey:
        return self.table.key

    @property
    def sql(self) -> str:
        return self.table.sql


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def write_intervals(
    conn: duckdb.DuckDBPyConnection, fact: IntervalFact, first: dt.date, last: dt.date, replay: bool,
    bounded: bool,
) -> dict[str, int]:
    """Write the facts and changes the days ``first`` .. ``last`` made known, mark the days
    materialised and (re)create the view, in ONE transaction. ``replay``: the facts of the
    window before ``first`` are rebuilt too. ``bounded``: the days before the retention's
    cutoff are no longer shown, and facts and changes no kept day can see are deleted."""
    spec, w = fact.spec, fact.spec.window_days - 1
    lo = first - dt.timedelta(days=w) if replay else first
    window_start = first - dt.timedelta(days=w)
    # sorted by every column: a re-run writes the same rows in the same order
    facts = _sorted(fact.facts(conn, first, last, window_start, replay)) if fact.facts else None
    changes = _sorted(fact.changes(conn, lo, last, window_start, False)) if fact.changes else None
    days = pl.DataFrame({"dt": pl.date_range(first, last, eager=True)})
    counts = {}
    if facts is not None:
        known = facts.filter(pl.col("dt") >= first)
        earlier = facts.filter(pl.col("dt") < first)
        counts.update(facts_written=known.height, facts_replayed=earlier.height)
    if changes is not None:
        counts["changes_written"] = changes.height
    facts_table, days_table = f"{spec.table}__{FACTS}", f"{spec.table}__{DAYS}"
    with transaction(conn):
        if facts is not None:
            replace_days(conn, spec.schema, facts_table, first, last, known)
        if facts is not None and replay:
            # the window's earlier facts: those the sources' window alone makes (first_dt
            # inside it); older facts of those partitions are not visible from first on
            conn.execute(
                f"DELETE FROM {spec.part(FACTS)} WHERE dt BETWEEN ? AND ? AND first_dt >= ?",
                [lo, first - dt.timedelta(days=1), lo],
            )
            conn.register("replayed_facts", earlier)
            try:
                conn.execute(f"INSERT INTO {spec.part(FACTS)} BY NAME SELECT * FROM replayed_facts")
            finally:
                conn.unregister("replayed_facts")
        if changes is not None:
            replace_days(conn, spec.schema, f"{spec.table}__{CHANGES}", lo, last, changes)
        replace_days(conn, spec.schema, days_table, first, last, days)
        create_view(conn, spec)
        if bounded:
            cutoff = retention_cutoff(last, first)
            oldest = cutoff - dt.timedelta(days=w)
            counts["days_pruned"] = conn.execute(
                f"DELETE FROM {spec.part(DAYS)} WHERE dt < ?", [cutoff]).fetchall()[0][0]
            if facts is not None:
                counts["facts_pruned"] = conn.execute(
                    f"DELETE FROM {spec.part(FACTS)} WHERE first_dt < ?", [oldest]).fetchall()[0][0]
            if changes is not None:
                counts["changes_pruned"] = conn.execute(
                    f"DELETE FROM {spec.part(CHANGES)} WHERE dt < ?", [oldest]).fetchall()[0][0]
    return counts


def build_interval_asset(
    fact: IntervalFact, upstream_columns: Mapping[tuple[str, str], list[str]]
) -> AssetsDefinition:
    table, spec = fact.table, fact.spec

    def body(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        days = partition_days(context)
        first, last = days[0], days[-1]
        with warehouse.get_connection() as conn:
            stored = table_exists(conn, spec.schema, f"{spec.table}__{DAYS}") and conn.execute(
                f"SELECT count(*) FROM {spec.part(DAYS)} WHERE dt = ?", [first - dt.timedelta(days=1)]
            ).fetchall()[0][0] > 0
            replay = not (stored and previous_trusted(context, fact.key, first - dt.timedelta(days=1)))
            counts = write_intervals(conn, fact, first, last, replay, table.bounded)
            # each day's figures from the table as known on it (the headline reads what it needs)
            rows = dict(conn.execute(
                f"SELECT dt, count(*) FROM {spec.name} WHERE dt BETWEEN ? AND ? GROUP BY dt", [first, last]
            ).fetchall())
            where = f" AND ({fact.headline_where})" if fact.headline_where else ""
            for day in days:  # one day's rows at a time
                figures = {"dagster/row_count": rows.get(day, 0)}
                if table.headline:
                    head = conn.sql(f"SELECT * FROM {spec.name} WHERE dt = ?{where}", params=[day]).pl()
                    figures.update(table.headline(head))
                context.add_asset_metadata(figures, partition_key=day.isoformat())
        wiped = (wipe_pruned_partitions(context.instance, fact.key, DAILY, retention_cutoff(last, first))
                 if table.bounded else [])
        return MaterializeResult(metadata={
            **counts,
            "built_from": "replay of the window" if replay else "the days' new facts and changes",
            "run_days": MetadataValue.json([first.isoformat(), last.isoformat()]),
            "stored_as": MetadataValue.json([f"{spec.schema}.{t}" for t in spec.part_names()]),
            **({"partitions_kept_days": snapshot_retention_days(), "partitions_pruned": len(wiped)}
               if table.bounded else {}),
        })

    return _asset(table, _spec(table, upstream_columns), body)


# ---- the graph ---------------------------------------------------------------------------
def as_known_lineage(assets: Sequence[AssetsDefinition], facts: Sequence[IntervalFact]) -> list[AssetsDefinition]:
    """Assets whose dependency on an interval table is on its partition of the day get a
    dependency on the window's partitions instead: that day as known is made of them."""
    # a table read from daily tables of dt (a driver) has a day made of those tables' day
    windows = {f.key: f.spec.window_days for f in facts if f.spec.driver is None}

    def widen(spec: AssetSpec) -> AssetSpec:
        deps = [
            AssetDep(d.asset_key, partition_mapping=TimeWindowPartitionMapping(
                start_offset=-(windows[d.asset_key] - 1), allow_nonexistent_upstream_partitions=True))
            if d.asset_key in windows and d.partition_mapping is None else d
            for d in spec.deps
        ]
        return spec.replace_attributes(deps=deps)

    return [
        a.map_asset_specs(widen) if any(d.asset_key in windows for s in a.specs for d in s.deps) else a
        for a in assets
    ]


Table = DerivedTable | IncrementalTable | IntervalFact


def declaration(table: Table) -> DerivedTable:
    return table if isinstance(table, DerivedTable) else table.table


def build(
    tables: Sequence[Table], upstream_columns: Mapping[tuple[str, str], list[str]] | None = None,
    facts: Sequence[IntervalFact] | None = None,
) -> tuple[list[AssetsDefinition], list]:
    """Assets and checks of tables above ODS, each by its kind; the readers of interval
    tables (``facts``: every interval fact of the graph, default those of ``tables``) depend
    on the window of their facts."""
    plain = [declaration(t) for t in tables]
    columns = {**(upstream_columns or {}), **{(t.database, t.table): list(t.schema.columns) for t in plain}}
    assets = []
    for t in tables:
        if isinstance(t, IncrementalTable):
            assets.append(build_incremental_asset(t, columns))
        elif isinstance(t, IntervalFact):
            assets.append(build_interval_asset(t, columns))
        else:
            assets.append(derived.build_asset(t, columns))
    if facts is None:
        facts = [t for t in tables if isinstance(t, IntervalFact)]
    return as_known_lineage(assets, facts), [c for t in plain for c in derived.table_checks(t)]

"""On the session's simulated world: the coupon tables read "as known on dt" (the claim
fact, the use fact stored as intervals, the 600-day claim → use table and its merchant
cut) equal the old compute of each, whole tables for every day, whether the days ran one
at a time (each day builds on the day before) or as one range run (a replay of the
window), including days that flag refunds of earlier days' uses."""

import datetime as dt

import duckdb
import polars as pl
import pytest
from dagster import DagsterInstance, materialize

from marketing_assets.definitions import all_assets
from marketing_assets.derived import compute_days, read_upstream
from marketing_assets.domains.coupon.catalog import TABLES as COUPON_TABLES
from marketing_assets.domains.coupon.uses import USE_FACT
from marketing_assets.incremental import IntervalFact
from marketing_assets.landing.resource import LandingResource
from marketing_assets.storage import WarehouseIOManager, WarehouseResource
from marketing_assets_tests.conftest import TINY_START
from marketing_assets_tests._keys import CLAIMED_COUPON_EVENTS, CLAIMED_COUPON_MYSQL, COUPON_TEMPLATE_DAY, COUPON_TEMPLATE_MYSQL, COUPON_USE, DISCOUNTS, ORDER_LINES, REFUNDS

KINDS = [t for t in COUPON_TABLES if isinstance(t, IntervalFact)]  # the coupon tables stored as intervals

DAYS = [TINY_START + dt.timedelta(days=i) for i in range(5)]
SOURCES = {DISCOUNTS, ORDER_LINES, REFUNDS, COUPON_TEMPLATE_MYSQL, CLAIMED_COUPON_MYSQL,
           CLAIMED_COUPON_EVENTS}
CONVERTED = [(k.table.database, k.table.table) for k in KINDS]  # in dependency order


def _select(wanted):
    return [a for a in all_assets if any(tuple(k.path) in wanted for k in a.keys)]


def _resources(db, landing):
    return {"io_manager": WarehouseIOManager(database=str(db)), "warehouse": WarehouseResource(database=str(db)),
            "landing": LandingResource(root=str(landing))}


def _tags(first, last):
    return {"dagster/asset_partition_range_start": first.isoformat(),
            "dagster/asset_partition_range_end": last.isoformat()}


@pytest.fixture(scope="module")
def sources(tiny_landing, tmp_path_factory):
    """The trade and template sources of DAYS and the template dimension, in a warehouse."""
    db = tmp_path_factory.mktemp("intervals") / "sources.duckdb"
    assets = _select(SOURCES | {COUPON_TEMPLATE_DAY})
    assert materialize(assets, resources=_resources(db, tiny_landing), tags=_tags(DAYS[0], DAYS[-1])).success
    return db


def _copy(sources, tmp_path, name):
    db = tmp_path / name
    db.write_bytes(sources.read_bytes())
    return db


def _oracle(db) -> dict[tuple[str, str], pl.DataFrame]:
    """The old compute of each converted table: every input's whole window, read from the
    sources or taken from the old compute of a converted input, and the days computed."""
    conn = duckdb.connect(str(db), read_only=True)
    out = {}
    for kind in KINDS:
        frames = {n: out[up.key] if up.key in out else read_upstream(conn, up, DAYS[0], DAYS[-1], kind.table.inputs)
                  for n, up in kind.table.inputs.items()}
        out[(kind.table.database, kind.table.table)] = compute_days(kind.table, DAYS, frames)
    return out


def _as_known(db) -> dict[tuple[str, str], pl.DataFrame]:
    conn = duckdb.connect(str(db), read_only=True)
    return {key: conn.sql(f"SELECT * FROM {'.'.join(key)} WHERE dt BETWEEN ? AND ?", params=[DAYS[0], DAYS[-1]]).pl()
            for key in CONVERTED}


def _built_from(result) -> str:
    (m,) = [e.materialization for e in result.get_asset_materialization_events()
            if "built_from" in e.materialization.metadata and e.materialization.asset_key.path[-1] == COUPON_USE[1]]
    return m.metadata["built_from"].value


def test_coupon_tables_days_and_range_equal_the_old_compute(sources, tmp_path, tiny_landing):
    oracle = _oracle(sources)
    fact = _select(set(CONVERTED))

    one_by_one = _copy(sources, tmp_path, "days.duckdb")
    instance = DagsterInstance.ephemeral()
    built = []
    for day in DAYS:
        result = materialize(fact, resources=_resources(one_by_one, tiny_landing), instance=instance,
                             partition_key=day.isoformat())
        built.append(_built_from(result))
    assert built == ["replay of the window"] + ["the days' new facts and changes"] * 4  # the use fact

    ranged = _copy(sources, tmp_path, "range.duckdb")
    assert materialize(fact, resources=_resources(ranged, tiny_landing), tags=_tags(DAYS[0], DAYS[-1])).success

    for db in (one_by_one, ranged):
        stored = _as_known(db)
        for key in CONVERTED:
            assert stored[key].height and stored[key].equals(oracle[key]), (db.name, key)
    # uses paid on an earlier day and refunded later are flagged, not dropped
    uses = oracle[COUPON_USE]
    assert uses.filter(pl.col("is_refunded") & (pl.col("pay_date") < pl.col("dt"))).height
    # each use is stored once: the facts hold fewer rows than the days' tables together
    conn = duckdb.connect(str(ranged), read_only=True)
    ((facts,),) = conn.execute(f"SELECT count(*) FROM {USE_FACT.spec.part('facts')}").fetchall()
    seen = uses.select("use_key", "package_id", "goods_id").unique().height
    # (a use refunded on its pay day is a stored fact that no day shows)
    assert seen <= facts < uses.height

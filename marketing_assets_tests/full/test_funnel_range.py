"""The funnel spine through Dagster on a simulated tiny world of 30 days (`make test-full`):
one 30-day range run of its 21 tables equals 30 single-day runs, whole tables compared.
`make test` proves range = single days on the toy table (``funnel/test_derived_range.py``)
and on the ODS sample (``test_ods_graph.py``)."""

import datetime as dt
import shutil

import polars as pl
import pytest
from dagster import AssetSelection, materialize

from marketing_assets.definitions import all_assets, derived_assets
from marketing_assets.domains.tables import DERIVED_TABLES
from marketing_assets.sim.run import simulate
from marketing_assets.storage import WarehouseResource
from marketing_assets_tests._graph import range_tags, resources

pytestmark = [pytest.mark.full, pytest.mark.xdist_group("graph")]

FIRST = dt.date(2025, 6, 1)
DAYS = 30
LAST = FIRST + dt.timedelta(days=DAYS - 1)

#: the funnel spine (issue 4): coupon, growth and allowance tables and the store-level
#: first orders they read
SPINE = [t for t in DERIVED_TABLES if t.group in ("coupon", "growth", "allowance")
         or t.table == "dim_ecm_user_nitem_label_extend_df"]
SPINE_ASSETS = [a for a in derived_assets if a.key in {t.key for t in SPINE}]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """30 simulated days; the ODS tables the spine reads, then the spine, each as one range run."""
    root = tmp_path_factory.mktemp("funnel")
    simulate("tiny", FIRST, DAYS, root / "landing")
    spine = AssetSelection.assets(*[a.key for a in SPINE_ASSETS])
    res = resources(root / "range.duckdb", root / "landing")
    assert materialize(all_assets, selection=spine.upstream() - spine, resources=res, tags=range_tags(FIRST, LAST)).success
    shutil.copy(root / "range.duckdb", root / "ods_only.duckdb")
    assert materialize(all_assets, selection=spine, resources=res, tags=range_tags(FIRST, LAST)).success
    return root


def _tables(db) -> dict[str, pl.DataFrame]:
    wh = WarehouseResource(database=str(db))
    return {f"{t.database}.{t.table}": wh.query(f"SELECT * FROM {t.database}.{t.table} ORDER BY ALL") for t in SPINE}


def test_a_30_day_range_run_equals_30_single_day_runs(world):
    assert len(SPINE) == 21
    single_db = world / "single.duckdb"
    shutil.copy(world / "ods_only.duckdb", single_db)
    res = resources(single_db, world / "landing")
    for i in range(DAYS):
        day = (FIRST + dt.timedelta(days=i)).isoformat()
        assert materialize(SPINE_ASSETS, resources=res, partition_key=day).success
    single, ranged = _tables(single_db), _tables(world / "range.duckdb")
    for name, frame in ranged.items():
        assert frame["dt"].n_unique() == DAYS, name
        assert frame.equals(single[name]), name

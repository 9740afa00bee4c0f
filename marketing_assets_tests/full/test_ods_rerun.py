"""Every ODS table of the session's simulated landing (`make test-full`): a two-day range
run, then the second day again on its own, give the same tables (snapshots from the previous
snapshot path). `make test` shows the same on the hand-written sample, one source per export
shape (``test_ods_graph.py``)."""

from __future__ import annotations

import datetime as dt

import pytest
from dagster import materialize

from marketing_assets.domains.registry import ODS_SPECS
from marketing_assets_tests._graph import range_tags, resources
from marketing_assets_tests.conftest import TINY_START
from marketing_assets_tests.test_ods_graph import COUPON_DF, ODS_ASSETS, _dump, _metadata
from marketing_assets.storage import WarehouseResource

pytestmark = [pytest.mark.full, pytest.mark.xdist_group("graph")]

D1, D2 = TINY_START, TINY_START + dt.timedelta(days=1)


def test_simulated_days_rematerialise_to_identical_tables(tiny_landing, tmp_path):
    db = tmp_path / "wh.duckdb"
    wh = WarehouseResource(database=str(db))
    res = resources(db, tiny_landing)  # read only: the runs read the two days' files
    assert materialize(ODS_ASSETS, resources=res, tags=range_tags(D1, D2)).success
    before = _dump(wh)
    assert len(before) == len(ODS_SPECS) + 5  # + 4 binlog event tables + quarantine
    for spec in ODS_SPECS:
        days = before[spec.table]["dt"].unique().sort().to_list()
        assert days == [D1, D2], spec.table
    assert before["quarantine"].is_empty()
    result = materialize(ODS_ASSETS, resources=res, partition_key=D2.isoformat())
    assert _metadata(result, COUPON_DF)["built_from"] == "previous snapshot + the day's events"
    after = _dump(wh)
    for name in before:
        assert before[name].equals(after[name]), name

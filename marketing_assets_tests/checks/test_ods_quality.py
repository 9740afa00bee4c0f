"""The ODS quality checks on a partial warehouse: a run of two sources judges those two
only (the other 34 tables do not exist), one result per day, as the UI reads them."""

from __future__ import annotations

import pytest
from dagster import AssetCheckKey, AssetKey, AssetSelection, instance_for_test, materialize

from marketing_assets_tests import sample
from marketing_assets.landing.quality import ODS_CHECKS, ods_quality_checks
from marketing_assets.definitions import all_assets
from marketing_assets.domains.registry import ODS_SPECS, SPECS_BY_TABLE
from marketing_assets.landing.resource import LandingResource
from marketing_assets.partitions import DAILY
from marketing_assets.storage import WarehouseIOManager, WarehouseResource

TEMPLATES = "ods_mongo_32004_coupon_template_hi"
CLAIMS = "ods_mongo_35003_coupon_31006_goods_coupon"
KEYS = [AssetKey(["redods", SPECS_BY_TABLE[t].events_table]) for t in (TEMPLATES, CLAIMS)]
ODS_ASSETS = [a for a in all_assets if a.key.path[0] == "redods"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("ods_quality")
    landing = tmp_path / "landing"
    sample.write_sample(landing)
    db = str(tmp_path / "warehouse.duckdb")
    resources = {
        "io_manager": WarehouseIOManager(database=db),
        "warehouse": WarehouseResource(database=db),
        "landing": LandingResource(root=str(landing)),
    }
    with instance_for_test(temp_dir=str(tmp_path)) as instance:
        result = materialize(
            [*ODS_ASSETS, ods_quality_checks(ODS_SPECS)], resources=resources, instance=instance,
            selection=AssetSelection.assets(*KEYS),
            tags={"dagster/asset_partition_range_start": sample.DAYS[0],
                  "dagster/asset_partition_range_end": sample.DAYS[1]},
        )
        states = instance.event_log_storage.get_asset_check_state(
            [(AssetCheckKey(key, name), DAILY) for key in KEYS for name in ODS_CHECKS])
        yield result, states, WarehouseResource(database=db)


def test_a_run_of_two_sources_judges_them_per_day_on_a_fresh_warehouse(run):
    result, states, warehouse = run
    assert result.success
    assert not warehouse.table_exists("redods", "ods_trd_order_package_goods_di")  # never built
    got = {
        (e.asset_key.path[-1], e.check_name, e.partition): (e.passed, e.metadata["judged"].value)
        for e in result.get_asset_check_evaluations()
    }
    expected = {}
    for table in (TEMPLATES, CLAIMS):
        for day in sample.DAYS:
            first = day == sample.DAYS[0]
            expected[(table, "quarantine_share", day)] = (True, True)
            expected[(table, "row_volume", day)] = (True, False)  # 0 or 1 day of history
            expected[(table, "late_share", day)] = (True, not first)  # first landing not judged
            expected[(table, "schema_drift", day)] = (True, True)
    assert got == expected
    # what the UI shows: every check Passed on both days, nothing skipped
    for key, state in states.items():
        shown = {s.value: sorted(sub.subset_value.get_partition_keys())
                 for s, sub in state.subsets.items() if not sub.is_empty}
        assert shown == {"SUCCEEDED": list(sample.DAYS)}, key


def test_the_per_day_figures_are_the_days_own(run):
    result, _, _ = run
    by = {(e.asset_key.path[-1], e.check_name, e.partition): e.metadata for e in result.get_asset_check_evaluations()}
    # the sample lands one template change a day and two claimed coupons on each day
    rows = {(t, d): by[(t, "row_volume", d)]["rows"].value for t in (TEMPLATES, CLAIMS) for d in sample.DAYS}
    assert rows == {(TEMPLATES, "2025-06-01"): 1, (TEMPLATES, "2025-06-02"): 1,
                    (CLAIMS, "2025-06-01"): 2, (CLAIMS, "2025-06-02"): 2}
    assert by[(CLAIMS, "late_share", "2025-06-02")]["initial_load_day"].value == "2025-06-01"
    assert by[(CLAIMS, "quarantine_share", "2025-06-02")]["landed"].value == 2

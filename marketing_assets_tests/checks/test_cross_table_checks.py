"""A cross-table check over a range, run alone: one result per day, the failing day named;
on a warehouse without its table it records every day Passed, not judged."""

import pytest
from dagster import AssetCheckKey, AssetKey, AssetSelection, materialize

from marketing_assets.definitions import all_assets, all_checks
from marketing_assets.landing.resource import LandingResource
from marketing_assets.storage import WarehouseIOManager, WarehouseResource
from marketing_assets_tests._keys import COUPON_TEMPLATE_DAY

CHECK = AssetCheckKey(AssetKey(list(COUPON_TEMPLATE_DAY)), "template_discount_within_threshold")
DAYS = ("2025-06-01", "2025-06-02", "2025-06-03")


def _run(db, tmp_path):
    resources = {"io_manager": WarehouseIOManager(database=db), "warehouse": WarehouseResource(database=db),
                 "landing": LandingResource(root=str(tmp_path))}
    result = materialize(
        [*all_assets, *all_checks], resources=resources, selection=AssetSelection.checks(CHECK),
        tags={"dagster/asset_partition_range_start": DAYS[0], "dagster/asset_partition_range_end": DAYS[-1]},
        raise_on_error=False,
    )
    return {
        e.partition: (e.passed, e.metadata["judged"].value, e.metadata.get("failing_rows") and e.metadata["failing_rows"].value, e.description)
        for e in result.get_asset_check_evaluations()
    }


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "wh.duckdb")


def test_a_range_is_judged_per_day_and_the_failing_day_named(db, tmp_path):
    schema, table = COUPON_TEMPLATE_DAY
    with WarehouseResource(database=db).get_connection() as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        # 06-02: template 7 takes 60.00 off a 50.00 threshold; 06-03: no threshold (0) is fine
        conn.execute(
            f"CREATE TABLE {schema}.{table} AS SELECT * FROM (VALUES "
            "(DATE '2025-06-01', 7, 5000, 1000), (DATE '2025-06-02', 7, 5000, 6000),"
            "(DATE '2025-06-02', 8, 10000, 2000), (DATE '2025-06-03', 7, 0, 6000)"
            ") t(dt, coupon_template_id, threshold_amount, discount_amount)"
        )
    assert _run(db, tmp_path) == {
        "2025-06-01": (True, True, 0, None),
        "2025-06-02": (False, True, 1, "template_discount_within_threshold failed on 2025-06-02"),
        "2025-06-03": (True, True, 0, None),
    }


def test_without_its_table_every_day_passes_not_judged(db, tmp_path):
    assert _run(db, tmp_path) == {day: (True, False, None, None) for day in DAYS}

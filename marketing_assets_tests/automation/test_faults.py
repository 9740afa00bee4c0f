"""Each injected fault on a simulated tiny world, and which check fires (clean data: none)."""

import datetime as dt
import shutil

import pytest
from dagster import materialize

from marketing_assets.automation.landing_state import complete_days
from marketing_assets.automation.sensors import TABLES
from marketing_assets.definitions import all_assets, all_checks
from marketing_assets.landing.files import LandingMissingError
from marketing_assets.landing.resource import LandingResource
from marketing_assets.sim.faults import FAULTS, inject
from marketing_assets.sim.run import simulate
from marketing_assets.storage import WarehouseIOManager, WarehouseResource

pytestmark = pytest.mark.slow

FIRST, DAYS = dt.date(2025, 6, 1), 6
DAY = FIRST + dt.timedelta(days=DAYS - 1)  # the day the faults go into
EXPECTED = {
    "duplicate_records": {("ods_trd_order_package_goods_di", "quarantine_share")},
    "zero_amounts": {("app_ecm_mkt_ecom_repurchase_performance_df", "price_minus_discounts_is_paid")},
    "unclaimed_coupon_uses": {("dm_ecm_trd_mkt_activity_coupon_use_df", "uses_were_claimed")},
    "volume_drop": {("ods_trd_goods_visit_di", "row_volume")},
    "renamed_field": {("ods_mongo_35003_coupon_31006_goods_coupon", "quarantine_share"),
                      ("ods_mongo_35003_coupon_31006_goods_coupon", "schema_drift")},
    "late_data": {("ods_trd_order_package_goods_di", "late_share")},
    "discount_over_threshold": {("dw_trd_coupon_template_day", "template_discount_within_threshold")},
    "mongo_mysql_disagree": {("dw_trd_coupon_template_day", "mongo_mysql_templates_agree")},
}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """Five clean days in the warehouse; the sixth landed, not yet loaded."""
    root = tmp_path_factory.mktemp("faults")
    simulate("tiny", FIRST, DAYS, root / "landing")
    db = root / "base.duckdb"
    tags = {"dagster/asset_partition_range_start": FIRST.isoformat(),
            "dagster/asset_partition_range_end": (DAY - dt.timedelta(days=1)).isoformat()}
    assert materialize([*all_assets, *all_checks], resources=_resources(db, root / "landing"), tags=tags).success
    return root


def _resources(db, landing):
    return {"io_manager": WarehouseIOManager(database=str(db)), "warehouse": WarehouseResource(database=str(db)),
            "landing": LandingResource(root=str(landing))}


def _run_day(base, tmp_path, kind=None):
    landing, db = tmp_path / "landing", tmp_path / "wh.duckdb"
    shutil.copytree(base / "landing", landing)
    shutil.copy(base / "base.duckdb", db)
    if kind:
        inject(kind, landing, DAY)
    result = materialize([*all_assets, *all_checks], resources=_resources(db, landing),
                         partition_key=DAY.isoformat(), raise_on_error=False)
    failed = {
        (e.asset_key.path[-1], e.check_name): e.metadata
        for e in result.get_asset_check_evaluations() if not e.passed
    }
    return result, failed, landing


def test_clean_day_fails_no_check(base, tmp_path):
    result, failed, _ = _run_day(base, tmp_path)
    assert result.success and failed == {}
    assert len(result.get_asset_check_evaluations()) > 150


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_fault_fires_its_check(base, tmp_path, kind):
    _, failed, _ = _run_day(base, tmp_path, kind)
    assert EXPECTED[kind] <= set(failed), (kind, sorted(failed))
    for key in EXPECTED[kind]:
        metadata = failed[key]
        assert metadata, key  # the failure carries what it found
    print(kind, "→", sorted(failed))


def test_a_missing_source_keeps_the_day_incomplete_and_fails_naming_the_path(base, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(base / "landing", landing)
    inject("missing_source", landing, DAY)
    assert DAY not in complete_days(landing, TABLES)  # the landing sensor does not start it
    with pytest.raises(LandingMissingError, match="ods_trd_refund_di/dt=2025-06-06"):
        materialize(all_assets, resources=_resources(tmp_path / "wh.duckdb", landing),
                    partition_key=DAY.isoformat(), selection="key:redods/ods_trd_refund_di")


def test_every_fault_kind_is_covered():
    assert set(FAULTS) == set(EXPECTED) | {"missing_source"}

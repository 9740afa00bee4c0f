"""Whole-graph runs on the session's simulated landing (``tiny_landing``), shared by the one
end-to-end run of `make test` (``test_graph_end_to_end.py``) and the runs of `make test-full`
(``full/test_faults_each.py``): five clean days as one range run, then a sixth day with
injected faults, and which check each fault fires."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dagster import materialize

from marketing_assets.definitions import all_assets, all_checks
from marketing_assets.landing.resource import LandingResource
from marketing_assets.storage import WarehouseIOManager, WarehouseResource
from marketing_assets.storage.connection import warehouse_session
from marketing_assets_tests.conftest import TINY_DAYS, TINY_START

FIRST = TINY_START
BASE_DAYS = 5
LAST = FIRST + dt.timedelta(days=BASE_DAYS - 1)  # the last clean day of the range run
FAULT_DAY = LAST + dt.timedelta(days=1)  # the day the faults go into
assert FAULT_DAY < TINY_START + dt.timedelta(days=TINY_DAYS)

#: fault kind → the (table, check) it must fail (other checks may fail along with it)
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


def resources(db: Path, landing: Path) -> dict:
    return {"io_manager": WarehouseIOManager(database=str(db)), "warehouse": WarehouseResource(database=str(db)),
            "landing": LandingResource(root=str(landing))}


def range_tags(first: dt.date, last: dt.date) -> dict:
    return {"dagster/asset_partition_range_start": first.isoformat(),
            "dagster/asset_partition_range_end": last.isoformat()}


def run_base(db: Path, landing: Path):
    """The whole graph with every check over FIRST..LAST as one range run."""
    return whole_graph(db, landing, tags=range_tags(FIRST, LAST))


def run_day(db: Path, landing: Path, day: dt.date = FAULT_DAY):
    """The whole graph with every check for one day; a failure does not raise."""
    return whole_graph(db, landing, partition_key=day.isoformat(), raise_on_error=False)


def whole_graph(db: Path, landing: Path, **kwargs):
    """``materialize`` of every asset and check in one warehouse session, as the job's
    executor runs a run in one process (``storage.executor``): one connection to the file
    for the run, not one per step (308 opens of 34 ms in a 4-day range run)."""
    with warehouse_session(str(db)):
        return materialize([*all_assets, *all_checks], resources=resources(db, landing), **kwargs)


def failed_checks(result) -> dict[tuple[str, str], dict]:
    """(table, check) → the metadata of each failed check evaluation of a run."""
    return {(e.asset_key.path[-1], e.check_name): e.metadata
            for e in result.get_asset_check_evaluations() if not e.passed}

"""A source missing from a landed day, and every fault kind covered. Which check each other
fault fires: the fault run of ``test_graph_end_to_end.py`` (the faults together), each on its
own in ``full/test_faults_each.py`` (`make test-full`), each check's query on hand-made rows
in ``checks/test_sql_checks.py``."""

import pytest
from dagster import materialize

from marketing_assets.automation.landing_state import complete_days
from marketing_assets.automation.sensors import TABLES
from marketing_assets.definitions import all_assets
from marketing_assets.landing.files import LandingMissingError
from marketing_assets.sim.faults import FAULTS, inject
from marketing_assets_tests._graph import EXPECTED, FAULT_DAY, resources
from marketing_assets_tests.conftest import copy_days


def test_a_missing_source_keeps_the_day_incomplete_and_fails_naming_the_path(tiny_landing, tmp_path):
    landing = copy_days(tiny_landing, tmp_path / "landing", FAULT_DAY, FAULT_DAY)
    assert FAULT_DAY in complete_days(landing, TABLES)
    inject("missing_source", landing, FAULT_DAY)
    assert FAULT_DAY not in complete_days(landing, TABLES)  # the landing sensor does not start it
    with pytest.raises(LandingMissingError, match=f"ods_trd_refund_di/dt={FAULT_DAY}"):
        materialize(all_assets, resources=resources(tmp_path / "wh.duckdb", landing),
                    partition_key=FAULT_DAY.isoformat(), selection="key:redods/ods_trd_refund_di")


def test_every_fault_kind_is_covered():
    assert set(FAULTS) == set(EXPECTED) | {"missing_source"}

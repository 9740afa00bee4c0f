"""Each injected fault on its own day (`make test-full`): the whole graph over five clean days
of the session's simulated landing, then the sixth day once clean (no check fails but a volume warning) and once per
fault kind (its check fires). `make test` runs the faults together once
(``test_graph_end_to_end.py``) and each check's query on hand-made rows
(``checks/test_sql_checks.py``)."""

from __future__ import annotations

import shutil

import pytest

from marketing_assets.sim.faults import inject
from marketing_assets_tests._graph import EXPECTED, FAULT_DAY, FIRST, failed_checks, run_base, run_day
from marketing_assets_tests.conftest import copy_days

pytestmark = [pytest.mark.full, pytest.mark.xdist_group("graph")]


@pytest.fixture(scope="module")
def base(tiny_landing, tmp_path_factory):
    """Five clean days in the warehouse; the sixth landed, not yet loaded."""
    root = tmp_path_factory.mktemp("faults")
    landing = copy_days(tiny_landing, root / "landing", FIRST, FAULT_DAY)
    assert run_base(root / "base.duckdb", landing).success
    return root


def _run_day(base, tmp_path, kind=None):
    landing, db = tmp_path / "landing", tmp_path / "wh.duckdb"
    shutil.copytree(base / "landing", landing)
    shutil.copy(base / "base.duckdb", db)
    if kind:
        inject(kind, landing, FAULT_DAY)
    result = run_day(db, landing)
    return result, failed_checks(result)


def test_clean_day_fails_no_check_but_the_sale_volume_warning(base, tmp_path):
    """06-03: 406 discount details against a median of 127 over the week before, most of it
    presale days (618's sale started on 06-01): ``row_volume`` warns, nothing else fails."""
    result, failed = _run_day(base, tmp_path)
    assert result.success and set(failed) == {("ods_trd_order_discount_detail_di", "row_volume")}
    assert len(result.get_asset_check_evaluations()) > 150


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_fault_fires_its_check(base, tmp_path, kind):
    _, failed = _run_day(base, tmp_path, kind)
    assert EXPECTED[kind] <= set(failed), (kind, sorted(failed))
    for key in EXPECTED[kind]:
        assert failed[key], key  # the failure carries what it found
    print(kind, "→", sorted(failed))

"""The growth funnel check on hand-made tables, in both shapes of the get-use table: claimed
coupons only (today) and every triggered offer with coupon null while unclaimed (issue 11's
ruling). One result per day: the day whose cohort knows an offer the offers table lacks
fails, naming its day."""

import datetime as dt

import pytest

from marketing_assets.domains.growth.coupon_offers import EXECUTION_COUPON_GET_USE
from marketing_assets_tests._keys import check_query
from marketing_assets.derived import day_verdicts
from marketing_assets.storage import WarehouseResource

D1, D2, D3 = (dt.date(2025, 6, d) for d in (1, 2, 3))

# the cohort of 06-01: four offers, two claimed (C1, C2)
OFFERS = """
    ('E1', 'U1', 'T1', 'C1',  DATE '2025-06-01'), ('E1', 'U1', 'T2', NULL, DATE '2025-06-01'),
    ('E2', 'U2', 'T1', 'C2',  DATE '2025-06-01'), ('E3', 'U3', 'T1', NULL, DATE '2025-06-01')
"""
# as known on 06-03, whole funnel: C1 used on two lines (two rows), C2 unused, two unclaimed
WHOLE = """
    ('E1', 'U1', 'T1', 'C1', true,  'P1', 'G1'), ('E1', 'U1', 'T1', 'C1', true, 'P1', 'G2'),
    ('E1', 'U1', 'T2', NULL, false, NULL, NULL), ('E2', 'U2', 'T1', 'C2', false, NULL, NULL),
    ('E3', 'U3', 'T1', NULL, false, NULL, NULL)
"""
# the same, claimed coupons only
CLAIMED = """
    ('E1', 'U1', 'T1', 'C1', true,  'P1', 'G1'), ('E1', 'U1', 'T1', 'C1', true, 'P1', 'G2'),
    ('E2', 'U2', 'T1', 'C2', false, NULL, NULL)
"""
# as known on 06-02: a third claimed coupon C3 the cohort's offers never claimed
BROKEN = """
    ('E1', 'U1', 'T1', 'C1', false, NULL, NULL), ('E2', 'U2', 'T1', 'C2', false, NULL, NULL),
    ('E4', 'U4', 'T1', 'C3', false, NULL, NULL)
"""
# as known on 06-02: the whole funnel and one unclaimed offer more than were triggered
EXTRA = WHOLE + ", ('E5', 'U5', 'T1', NULL, false, NULL, NULL)"


def _warehouse(tmp_path, on_d2: str, on_d3: str) -> WarehouseResource:
    wh = WarehouseResource(database=str(tmp_path / "wh.duckdb"))
    with wh.get_connection() as conn:
        conn.execute("CREATE SCHEMA redcdm")
        conn.execute(
            "CREATE TABLE redcdm.dwd_ecm_mkt_user_strategy_execution_coupon_di AS SELECT * FROM (VALUES"
            f"{OFFERS}) t(execution_id, user_id, coupon_template_id, coupon_id, dt)"
        )
        rows = lambda day, values: f"SELECT *, DATE '2025-06-01' AS trigger_dt, DATE '{day}' AS dt FROM (VALUES {values}) t(execution_id, user_id, coupon_template_id, coupon_id, is_used, package_id, goods_id)"  # noqa: E731
        conn.execute(
            "CREATE TABLE redcdm.dwd_ecm_mkt_user_strategy_execution_coupon_get_use_df AS "
            f"{rows(D2, on_d2)} UNION ALL {rows(D3, on_d3)}"
        )
    return wh


@pytest.mark.parametrize("shape", [WHOLE, CLAIMED], ids=["whole_funnel", "claimed_only"])
def test_the_funnel_counts_offers_not_rows_and_fails_the_day_it_breaks(tmp_path, shape):
    wh = _warehouse(tmp_path, BROKEN, shape)
    bad = check_query(EXECUTION_COUPON_GET_USE, "funnel_used_le_claimed_le_triggered")(wh, D1, D3)
    # 06-03 passes: 5 rows (C1 on two lines) but 4 offers of 4 triggered, 2 claimed of 2, 1
    # used; 06-02 knows 3 claimed coupons of a cohort that claimed 2
    # (dt, cohort, triggered, claimed, triggered_known, claimed_known, used)
    assert bad.rows() == [(D2, D1, 4, 2, 3, 3, 0)]
    verdicts = day_verdicts([D1, D2, D3], bad)
    assert {d: v.passed for d, v in verdicts.items()} == {D1: True, D2: False, D3: True}
    assert verdicts[D2].metadata["failing_rows"] == 1


def test_more_offers_known_than_were_triggered_fails(tmp_path):
    wh = _warehouse(tmp_path, EXTRA, WHOLE)
    assert check_query(EXECUTION_COUPON_GET_USE, "funnel_used_le_claimed_le_triggered")(wh, D1, D3).rows() == [(D2, D1, 4, 2, 5, 2, 1)]

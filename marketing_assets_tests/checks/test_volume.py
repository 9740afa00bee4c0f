"""``row_volume`` on hand-made daily counts: the band, too little history, campaign sources."""

import datetime as dt

import polars as pl

from marketing_assets.checks import volume_verdicts

D = dt.date(2025, 6, 1)


def _daily(counts: list[int]) -> pl.DataFrame:
    return pl.DataFrame({"dt": [D + dt.timedelta(days=i) for i in range(len(counts))], "n": counts})


def test_a_day_is_judged_against_the_median_of_the_week_before():
    # history 1000, 1200, 800 → median 1000; day 4: 400 rows (0.4 < 0.5) fails, day 5:
    # 2900 (median of 1000, 1200, 800, 400 = 900; 3.22 > 3) fails, day 6: 2500 (median of
    # the 5 days before = 1000; 2.5) passes; days 1–3 lack 3 days of history: not judged
    daily = _daily([1000, 1200, 800, 400, 2900, 2500])
    days = [D + dt.timedelta(days=i) for i in range(6)]
    out = volume_verdicts(days, daily)
    assert [out[d].judged for d in days] == [False, False, False, True, True, True]
    assert [out[d].passed for d in days] == [True, True, True, False, False, True]
    assert out[days[3]].metadata["trailing_7d_median"] == 1000.0
    assert out[days[3]].metadata["ratio"] == 0.4
    assert out[days[4]].metadata["ratio"] == round(2900 / 900, 4)


def test_a_campaign_driven_source_records_its_ratio_without_judging_it():
    # presale deposits after the presale closed: 1000 → 90 a day is the calendar, not a loss
    daily = _daily([1000, 1000, 1000, 90])
    day = D + dt.timedelta(days=3)
    verdict = volume_verdicts([day], daily, campaign_driven=True)[day]
    assert (verdict.passed, verdict.judged, verdict.metadata["ratio"]) == (True, False, 0.09)
    assert volume_verdicts([day], daily)[day].passed is False  # an ordinary source fails

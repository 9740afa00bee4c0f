"""``row_volume`` on hand-made daily counts: the band, too little history, campaign sources."""

import datetime as dt

import polars as pl

from marketing_assets.landing.quality import volume_verdicts

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


def test_a_first_landing_of_standing_state_is_not_part_of_the_history():
    # a mongo copy lands its standing state first (50,000 rows, 49,000 of them late), then
    # its day's changes: day 4 has 300 rows. With the first landing, day 4's history is
    # 50000, 1000, 200 (median 1000, ratio 0.3: a warning about a day nobody can judge
    # yet); without it, the history is 1000, 200: fewer than 3 days, not judged. Day 5
    # (1000 rows) is judged on 1000, 200, 300 (median 300, ratio 3.33: too high) instead of
    # 50000, 1000, 200, 300 (median 650, ratio 1.54).
    daily = _daily([50_000, 1000, 200, 300, 1000]).with_columns(late=pl.Series([49_000, 10, 2, 3, 10]))
    day4, day5 = D + dt.timedelta(days=3), D + dt.timedelta(days=4)
    with_initial = volume_verdicts([day4, day5], daily)
    without = volume_verdicts([day4, day5], daily, initial=D)
    assert (with_initial[day4].judged, with_initial[day4].passed) == (True, False)
    assert with_initial[day4].metadata["ratio"] == 0.3
    assert (without[day4].judged, without[day4].passed) == (False, True)
    assert with_initial[day5].metadata["trailing_7d_median"] == 650.0
    assert without[day5].metadata["trailing_7d_median"] == 300.0
    assert without[day5].passed is False
    # an event source's first day is an ordinary day (10 of 1,000 late): it stays in
    events = _daily([1000, 1000, 200, 300, 1000]).with_columns(late=pl.Series([10, 10, 2, 3, 10]))
    assert volume_verdicts([day4], events, initial=D)[day4].metadata["trailing_7d_median"] == 1000.0

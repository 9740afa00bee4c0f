"""The yearly marketing calendar of the simulated platform.

- everyday life, with always-on activities: daily coupons, new-product presales, member
  days (every Wednesday), campaign sign-ups for the next big promotion;
- 618: presale (deposits) from 15 May to 31 May, main days 1–18 June;
- 双11: presale from 20 October to 31 October, sale 1–11 November, main day 11 November.
Deposits of a big promotion's presale are converted (final payment) on its first main
day and the two days after; new-product presales run for 7-day windows all year round.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class BigPromotion:
    code: str
    name: str
    signup_start: dt.date
    signup_end: dt.date
    presale_start: dt.date
    presale_end: dt.date
    start: dt.date
    end: dt.date
    main_day: dt.date


def big_promotions(year: int) -> list[BigPromotion]:
    d = dt.date
    return [
        BigPromotion("618", f"{year} 618", d(year, 4, 20), d(year, 5, 14), d(year, 5, 15),
                     d(year, 5, 31), d(year, 6, 1), d(year, 6, 18), d(year, 6, 18)),
        BigPromotion("1111", f"{year} 双11", d(year, 9, 20), d(year, 10, 19), d(year, 10, 20),
                     d(year, 10, 31), d(year, 11, 1), d(year, 11, 11), d(year, 11, 11)),
    ]


@dataclass(frozen=True)
class DayPlan:
    day: dt.date
    #: traffic multiplier against an ordinary day
    traffic: float
    #: the big promotion whose sale runs today, if any
    sale: BigPromotion | None
    #: the big promotion whose presale (deposits) runs today, if any
    presale: BigPromotion | None
    #: the big promotion open for campaign sign-ups today, if any
    signup: BigPromotion | None
    member_day: bool

    @property
    def season(self) -> str:
        if self.sale:
            return f"{self.sale.code}_sale"
        if self.presale:
            return f"{self.presale.code}_presale"
        return "daily"


def plan(day: dt.date) -> DayPlan:
    promos = big_promotions(day.year) + big_promotions(day.year + 1)
    sale = next((p for p in promos if p.start <= day <= p.end), None)
    presale = next((p for p in promos if p.presale_start <= day <= p.presale_end), None)
    signup = next((p for p in promos if p.signup_start <= day <= p.signup_end), None)
    if signup is None:  # outside the big windows sign-ups open for the next one
        signup = next(p for p in promos if p.signup_start > day)
    traffic = 1.0
    if sale:
        traffic = 3.0 if day == sale.main_day else (1.8 if day <= sale.start + dt.timedelta(2) else 1.3)
    elif presale:
        traffic = 1.2
    member_day = day.weekday() == 2
    if member_day:
        traffic *= 1.1
    return DayPlan(day, traffic, sale, presale, signup, member_day)

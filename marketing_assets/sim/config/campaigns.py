"""Campaigns of the listings system: activities, sub-activities and goods sign-ups.

The calendar gives the activities: 618 and 双11 (venue, discount, presale and coupon
sub-activities) and a monthly theme campaign (sign-ups from the 21st of the month before
to the 20th, sale on the 25th–27th), so that merchants sign goods up every day of the year.
Sign-ups land pending; the platform audits them 1–3 days later (85 % approved). Approved
goods qualify their seller for the platform's cross-store promotion of the sale and, for a
presale sub-activity, put the goods' SKUs in the big promotion's presale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from marketing_assets.sim import exports
from marketing_assets.sim.calendar import BigPromotion, big_promotions
from marketing_assets.sim.config.base import IdSeq, Supply, at, changed_on, times_on
from marketing_assets.sim.world import rng_for

#: days an ended activity stays in the collection
RETAIN_DAYS = 60
APPROVE_SHARE = 0.85
BIG_CODES = {"618": 618, "1111": 111}


@dataclass(frozen=True)
class Sub:
    sub_activity_id: int
    name: str
    sub_type: str
    start: dt.date
    end: dt.date
    #: share of all goods signed up over the sign-up window (0: no sign-ups)
    coverage: float = 0.0
    signup_start: dt.date | None = None
    signup_end: dt.date | None = None

    def open_for_signup(self, day: dt.date) -> bool:
        return self.coverage > 0 and self.signup_start <= day <= self.signup_end


@dataclass(frozen=True)
class Campaign:
    activity_id: int
    name: str
    activity_type: str
    signup_start: dt.date
    signup_end: dt.date
    start: dt.date
    end: dt.date
    created: dt.date
    gmv_per_goods: int
    subs: tuple[Sub, ...]

    def known(self, day: dt.date) -> bool:
        return self.created <= day <= self.end + dt.timedelta(RETAIN_DAYS)


def big_campaign(bp: BigPromotion) -> Campaign:
    aid = bp.start.year * 1000 + BIG_CODES[bp.code]
    signup = dict(signup_start=bp.signup_start, signup_end=bp.signup_end)
    subs = (
        Sub(aid * 10 + 1, f"{bp.name} 主会场", "venue", bp.presale_start, bp.end, 0.12, **signup),
        Sub(aid * 10 + 2, f"{bp.name} 跨店满减", "discount", bp.start, bp.end, 0.30, **signup),
        # presale sign-ups close early: approved goods enter the presale the day before it opens
        Sub(aid * 10 + 3, f"{bp.name} 定金预售", "presale", bp.presale_start, bp.start + dt.timedelta(2), 0.05,
            bp.signup_start, bp.presale_start - dt.timedelta(5)),
        Sub(aid * 10 + 4, f"{bp.name} 大额薯券", "coupon", bp.presale_start, bp.end),
    )
    return Campaign(aid, bp.name, bp.code, bp.signup_start, bp.signup_end, bp.start, bp.end,
                    bp.signup_start - dt.timedelta(5), 200_000, subs)


def monthly_campaign(year: int, month: int) -> Campaign:
    aid = year * 1000 + month
    first = dt.date(year, month, 1)
    signup_start = (first - dt.timedelta(1)).replace(day=21)
    signup_end, start, end = first.replace(day=20), first.replace(day=25), first.replace(day=27)
    name = f"{year}年{month}月 品类主题月"
    signup = dict(signup_start=signup_start, signup_end=signup_end)
    subs = (
        Sub(aid * 10 + 1, f"{name} 满减", "discount", start, end, 0.08, **signup),
        Sub(aid * 10 + 2, f"{name} 会场", "venue", start, end, 0.04, **signup),
    )
    return Campaign(aid, name, "monthly", signup_start, signup_end, start, end,
                    signup_start - dt.timedelta(3), 20_000, subs)


def campaigns_known(day: dt.date) -> list[Campaign]:
    """Activities in the collection on ``day``."""
    years = (day.year - 1, day.year, day.year + 1)
    every = [big_campaign(bp) for y in years for bp in big_promotions(y)]
    every += [monthly_campaign(y, m) for y in years for m in range(1, 13)]
    return sorted((c for c in every if c.known(day)), key=lambda c: c.activity_id)


def _status(day: dt.date, end: dt.date, created: dt.date) -> tuple[int, dt.datetime]:
    """Online until its end day, then offline (set by the nightly job)."""
    if day <= end:
        return 1, at(created, 10)
    return 2, at(end + dt.timedelta(1), 0, 30)


SIGNUP_SCHEMA = {
    **exports.schema(exports.SIGNUPS),
    "audit_day": pl.Int64, "approve": pl.Boolean,
}


class Campaigns:
    """Calendar activities plus the sign-up log (state: sign-ups of activities still kept)."""

    def __init__(self, seed: int, supply: Supply, ids: IdSeq) -> None:
        self.seed, self.supply, self.ids = seed, supply, ids
        self.signups = pl.DataFrame(schema=SIGNUP_SCHEMA)
        #: per sub-activity open for sign-ups: which goods signed up already
        self._signed: dict[int, np.ndarray] = {}

    # ---- the day ---------------------------------------------------------------------------
    def step(self, day: dt.date) -> None:
        rng = rng_for(self.seed, "config", "campaign_item", day.isoformat())
        known = campaigns_known(day)
        kept = [s.sub_activity_id for c in known for s in c.subs]
        self.signups = self._audit(self.signups.filter(pl.col("sub_activity_id").is_in(kept)), day, rng)
        self.signups = pl.concat([self.signups, self._sign_up(known, day, rng)])
        open_now = {s.sub_activity_id for c in known for s in c.subs if s.open_for_signup(day)}
        self._signed = {k: v for k, v in self._signed.items() if k in open_now}

    def _audit(self, signups: pl.DataFrame, day: dt.date, rng: np.random.Generator) -> pl.DataFrame:
        due = (signups["audit_day"] == day.toordinal()).to_numpy()
        update = signups["update_time"].to_numpy().copy()
        update[due] = times_on(rng, day, int(due.sum()))
        return signups.with_columns(_due=pl.Series(due), _t=pl.Series(update)).with_columns(
            audit_status=pl.when("_due")
            .then(pl.when("approve").then(pl.lit("approved")).otherwise(pl.lit("rejected")))
            .otherwise("audit_status"),
            audit_time=pl.when("_due").then("_t").otherwise("audit_time"),
            update_time=pl.col("_t"),
        ).drop("_due", "_t")

    def _sign_up(self, known: list[Campaign], day: dt.date, rng: np.random.Generator) -> pl.DataFrame:
        subs = [(c, s) for c in known for s in c.subs if s.open_for_signup(day)]
        goods = self.supply.goods
        n_goods = goods.height
        expected = [s.coverage * n_goods / ((s.signup_end - s.signup_start).days + 1) for _, s in subs]
        counts = rng.poisson(expected) if subs else np.zeros(0, int)
        if subs and counts.sum() == 0:  # at least one sign-up a day, at every scale
            counts[0] = 1
        weight = goods["weight"].to_numpy()
        parts = []
        for (campaign, sub), n in zip(subs, counts):  # a handful of sub-activities
            signed = self._signed.setdefault(sub.sub_activity_id, np.zeros(n_goods, bool))
            n = int(min(n, (~signed).sum()))
            if n == 0:
                continue
            keys = rng.exponential(size=n_goods) / weight  # weighted sampling without replacement
            keys[signed] = np.inf
            idx = np.sort(np.argpartition(keys, n - 1)[:n])
            signed[idx] = True
            parts.append(
                goods[idx].select(
                    pl.lit(sub.sub_activity_id, pl.Int64).alias("sub_activity_id"),
                    pl.lit(campaign.activity_id, pl.Int64).alias("activity_id"),
                    "goods_id",
                    "seller_id",
                )
            )
        if not parts:
            return pl.DataFrame(schema=SIGNUP_SCHEMA)
        new = pl.concat(parts)
        n = new.height
        signup_time = times_on(rng, day, n)
        return new.select(
            pl.Series("signup_id", self.ids.take("signup", n)),
            pl.all(),
            pl.lit("pending").alias("audit_status"),
            pl.Series("signup_time", signup_time),
            pl.lit(None, pl.Datetime("us")).alias("audit_time"),
            pl.Series("update_time", signup_time),
            pl.Series("audit_day", day.toordinal() + rng.integers(1, 4, n)),
            pl.Series("approve", rng.random(n) < APPROVE_SHARE),
        ).cast(SIGNUP_SCHEMA)

    # ---- what other parts of the platform read -------------------------------------------------
    def approved(self, sub_activity_id: int) -> pl.DataFrame:
        """Approved sign-ups of a sub-activity: goods_id, seller_id."""
        return self.signups.filter(
            pl.col("sub_activity_id") == sub_activity_id, pl.col("audit_status") == "approved"
        ).select("goods_id", "seller_id")

    # ---- landed frames ---------------------------------------------------------------------
    def frames(self, day: dt.date, first: bool) -> dict[str, pl.DataFrame]:
        known = campaigns_known(day)
        activities, subs = [], []
        for c in known:  # a handful of activities
            status, update = _status(day, c.end, c.created)
            gmv = c.gmv_per_goods * self.supply.n_goods
            activities.append((c.activity_id, c.name, c.activity_type, at(c.signup_start, 0),
                               at(c.signup_end, 23, 59) + dt.timedelta(seconds=59), at(c.start, 0),
                               at(c.end, 23, 59) + dt.timedelta(seconds=59), gmv, gmv * 3 // 100, status, update))
            for s in c.subs:
                status, update = _status(day, s.end, c.created)
                subs.append((s.sub_activity_id, c.activity_id, s.name, s.sub_type, at(s.start, 0),
                             at(s.end, 23, 59) + dt.timedelta(seconds=59), status, update))
        activity_cols = ["activity_id", "activity_name", "activity_type", "signup_start", "signup_end",
                         "start_time", "end_time", "gmv_target", "budget", "status", "update_time"]
        sub_cols = ["sub_activity_id", "activity_id", "sub_activity_name", "sub_type", "start_time", "end_time",
                    "status", "update_time"]
        return {
            exports.CAMPAIGNS: pl.DataFrame(activities, schema=activity_cols, orient="row"),
            exports.SUB_ACTIVITIES: pl.DataFrame(subs, schema=sub_cols, orient="row"),
            exports.SIGNUPS: changed_on(self.signups, None if first else day),
        }


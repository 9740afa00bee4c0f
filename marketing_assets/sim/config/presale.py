"""Presales: presale activities (deposit and final-payment windows) and their SKUs.

- Big promotions: 618 (deposits 15–31 May, final payments 1–3 June) and 双11 (deposits
  20–31 Oct, final payments 1–3 Nov). The day before deposits open, the platform puts in
  every SKU of the goods approved for the presale sub-activity.
- New-product presales start every 3 days all year: a 7-day deposit window, then a 3-day
  final-payment window. Merchants enrol SKUs from 3 days before the deposits open until the
  day before they close, new goods (``is_new``) most often.
A SKU is in at most one presale whose windows overlap. Prices: presale price about the SKU
price, deposit 10–20 % of it, deduction (膨胀) 2–3 × the deposit, always below the price.
Merchants top up the presale stock during the windows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from marketing_assets.sim import exports
from marketing_assets.sim.calendar import big_promotions
from marketing_assets.sim.config.base import DAY, EVENING_HOURS, Supply, at, changed_on, midnight, times_on, update_rows
from marketing_assets.sim.config.campaigns import BIG_CODES, Campaigns, big_campaign
from marketing_assets.sim.world import rng_for

ANCHOR = dt.date(2024, 1, 1)
EVERY, DEPOSIT_DAYS, FINAL_DAYS, ENROL_LEAD = 3, 7, 3, 3
RETAIN_DAYS = 60
TOP_UP_SHARE = 0.05


@dataclass(frozen=True)
class Presale:
    presale_activity_id: int
    name: str
    presale_type: str
    deposit_start: dt.date
    deposit_end: dt.date
    final_start: dt.date
    final_end: dt.date
    created: dt.date
    #: the campaign sub-activity merchants sign goods up to (big promotions)
    sub_activity_id: int | None = None

    def known(self, day: dt.date) -> bool:
        return self.created <= day <= self.final_end + dt.timedelta(RETAIN_DAYS)

    def enrolling(self, day: dt.date) -> bool:
        return self.presale_type == "new_product" and self.created <= day < self.deposit_end


def new_product_presale(k: int) -> Presale:
    start = ANCHOR + dt.timedelta(EVERY * k)
    final_start = start + dt.timedelta(DEPOSIT_DAYS)
    return Presale(95_000_000 + k, f"新品预售 {start.isoformat()}", "new_product", start,
                   final_start - dt.timedelta(1), final_start, final_start + dt.timedelta(FINAL_DAYS - 1),
                   start - dt.timedelta(ENROL_LEAD))


def presales_known(day: dt.date) -> list[Presale]:
    big = [
        Presale(90_000_000 + bp.start.year * 1000 + BIG_CODES[bp.code], f"{bp.name} 定金预售", bp.code,
                bp.presale_start, bp.presale_end, bp.start, bp.start + dt.timedelta(2),
                bp.presale_start - dt.timedelta(7), big_campaign(bp).activity_id * 10 + 3)
        for year in (day.year - 1, day.year, day.year + 1)
        for bp in big_promotions(year)
    ]
    since = (day - ANCHOR).days
    first = (since - DEPOSIT_DAYS - FINAL_DAYS - RETAIN_DAYS) // EVERY - 1
    last = (since + ENROL_LEAD) // EVERY + 1
    new = [new_product_presale(k) for k in range(first, last + 1)]
    return sorted((p for p in big + new if p.known(day)), key=lambda p: p.presale_activity_id)


def presale_amounts(rng: np.random.Generator, price: np.ndarray) -> dict[str, np.ndarray]:
    """Presale price, deposit and deduction of SKUs priced ``price`` (fen)."""
    n = len(price)
    unit = np.where(price >= 2000, 100, 1)
    presale = np.maximum(np.floor(price * rng.uniform(0.85, 1.0, n) / unit) * unit, unit).astype(np.int64)
    deposit = np.maximum(np.floor(presale * rng.uniform(0.10, 0.20, n) / unit) * unit, unit).astype(np.int64)
    deduction = np.floor(deposit * rng.uniform(2.0, 3.0, n) / unit) * unit
    deduction = np.minimum(deduction, presale - unit).astype(np.int64)
    return {"presale_price": presale, "deposit_amt": deposit, "deduction_amt": deduction}


SALES_SCHEMA = {
    **exports.schema(exports.PRESALE_SALES),
    "create_time": pl.Datetime("us"),
    "final_end_day": pl.Int64,
}


class Presales:
    def __init__(self, seed: int, supply: Supply) -> None:
        self.seed, self.supply = seed, supply
        self.sales = pl.DataFrame(schema=SALES_SCHEMA)
        #: per SKU: ordinal of the last final-payment day of its presales
        self._busy = np.zeros(supply.skus.height, np.int64)
        sku_goods = supply.skus["goods_idx"].to_numpy()
        assert np.all(np.diff(sku_goods) >= 0), "world.skus must be grouped by goods"
        self._goods_first_sku = np.searchsorted(sku_goods, np.arange(supply.n_goods))
        self._sku_count = np.diff(np.append(self._goods_first_sku, len(sku_goods)))
        #: per goods: the latest busy day of its SKUs (all SKUs of a goods enrol together)
        self._goods_busy = np.zeros(supply.n_goods, np.int64)
        self._weight = supply.goods["weight"].to_numpy() * np.where(supply.goods["is_new"].to_numpy(), 8.0, 1.0)

    # ---- the day ---------------------------------------------------------------------------
    def step(self, day: dt.date, campaigns: Campaigns) -> None:
        rng = rng_for(self.seed, "config", "presale_sales", day.isoformat())
        known = presales_known(day)
        self.sales = self.sales.filter(pl.col("presale_activity_id").is_in([p.presale_activity_id for p in known]))
        self.sales = self._top_up(self.sales, day, rng)
        parts = []
        for p in known:  # a handful of presales
            if p.sub_activity_id is not None and p.deposit_start == day + dt.timedelta(1):
                goods = campaigns.approved(p.sub_activity_id)["goods_id"]
                idx = self.supply.goods.filter(pl.col("goods_id").is_in(goods.implode()))["goods_idx"].to_numpy()
                parts.append(self._enrol(p, self._free_skus(idx, p), day, rng, EVENING_HOURS))
        enrolling = [p for p in known if p.enrolling(day)]
        expected = max(0.25, 0.0006 * self.supply.n_goods)
        counts = rng.poisson(expected, len(enrolling))
        if counts.sum() == 0 and not any(len(x) for x in parts) and enrolling:
            counts[0] = 1  # merchants enrol something every day, at every scale
        for p, n in zip(enrolling, counts):
            parts.append(self._enrol(p, self._free_skus(self._pick_goods(p, n, rng), p), day, rng))
        self.sales = pl.concat([self.sales, *parts])

    def _top_up(self, sales: pl.DataFrame, day: dt.date, rng: np.random.Generator) -> pl.DataFrame:
        live = (sales["final_end_day"] >= day.toordinal()) & (sales["update_time"] < midnight(day))
        mask = live.to_numpy() & (rng.random(sales.height) < TOP_UP_SHARE)
        extra = pl.Series(rng.integers(50, 500, sales.height))
        return update_rows(sales, mask, times_on(rng, day, int(mask.sum())), stock=pl.col("stock") + extra)

    def _pick_goods(self, p: Presale, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` goods whose SKUs are all free for the presale, new goods preferred."""
        free = np.flatnonzero(self._goods_busy < p.deposit_start.toordinal())
        n = int(min(n, free.size))
        if n == 0:
            return np.zeros(0, np.int64)
        keys = rng.exponential(size=free.size) / self._weight[free]
        return np.sort(free[np.argpartition(keys, n - 1)[:n]])

    def _free_skus(self, goods_idx: np.ndarray, p: Presale) -> np.ndarray:
        """SKUs of the goods that are in no presale overlapping ``p``."""
        goods_idx = np.asarray(goods_idx, np.int64)
        reps = self._sku_count[goods_idx]
        ramp = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
        skus = np.repeat(self._goods_first_sku[goods_idx], reps) + ramp
        return skus[self._busy[skus] < p.deposit_start.toordinal()]

    def _enrol(self, p: Presale, sku_idx: np.ndarray, day: dt.date, rng: np.random.Generator,
               hours: np.ndarray | None = None) -> pl.DataFrame:
        self._busy[sku_idx] = p.final_end.toordinal()
        rows = self.supply.skus[sku_idx]
        goods_idx = rows["goods_idx"].to_numpy()
        self._goods_busy[goods_idx] = np.maximum(self._goods_busy[goods_idx], p.final_end.toordinal())
        n = rows.height
        created = times_on(rng, day, n) if hours is None else times_on(rng, day, n, hours)
        amounts = presale_amounts(rng, rows["price"].to_numpy())
        return rows.select(
            pl.lit(p.presale_activity_id, pl.Int64).alias("presale_activity_id"),
            "sku_id",
            "goods_id",
            "seller_id",
            *[pl.Series(k, v) for k, v in amounts.items()],
            pl.Series("stock", rng.integers(50, 2000, n)),
            pl.lit(1, pl.Int32).alias("status"),
            pl.Series("update_time", created),
            pl.Series("create_time", created),
            pl.lit(p.final_end.toordinal(), pl.Int64).alias("final_end_day"),
        ).cast(SALES_SCHEMA)

    # ---- landed frames and what is live ----------------------------------------------------
    def activities(self, day: dt.date) -> pl.DataFrame:
        rows = []
        for p in presales_known(day):  # a handful of presales
            online = day <= p.final_end
            rows.append((p.presale_activity_id, p.name, p.presale_type, at(p.deposit_start, 0),
                         at(p.deposit_end, 0) + dt.timedelta(days=1, seconds=-1), at(p.final_start, 0),
                         at(p.final_end, 0) + dt.timedelta(days=1, seconds=-1), 1 if online else 2,
                         at(p.created, 10) if online else at(p.final_end + dt.timedelta(1), 0, 30)))
        cols = ["presale_activity_id", "activity_name", "presale_type", "deposit_start", "deposit_end",
                "final_start", "final_end", "status", "update_time"]
        return pl.DataFrame(rows, schema=cols, orient="row")

    def frames(self, day: dt.date, first: bool) -> dict[str, pl.DataFrame]:
        return {
            exports.PRESALE_ACTIVITIES: self.activities(day),
            exports.PRESALE_SALES: changed_on(self.sales, None if first else day),
        }

    def live(self, day: dt.date) -> pl.DataFrame:
        """SKUs whose deposit or final window touches ``day`` (enrolled before the day)."""
        start = midnight(day)
        windows = self.activities(day).filter(
            pl.col("deposit_start") < start + DAY, pl.col("final_end") >= start
        ).select("presale_activity_id", "deposit_start", "deposit_end", "final_start", "final_end")
        return (
            self.sales.filter(pl.col("status") == 1, pl.col("create_time") < start)
            .join(windows, on="presale_activity_id")
            .select(
                "presale_activity_id", "sku_id", "goods_id", "seller_id", "presale_price", "deposit_amt",
                "deduction_amt", "deposit_start", "deposit_end", "final_start", "final_end",
            )
            .sort("presale_activity_id", "sku_id")
        )

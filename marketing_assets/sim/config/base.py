"""Shared pieces of the configuration simulator: clock, ids, amounts, the world's supply
side as indexed frames, row updates and the conforming of landed frames to their exports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from marketing_assets.sim.exports import Export
from marketing_assets.sim.world import World, rng_for

#: numpy steps, for arrays of datetimes
SECOND = np.timedelta64(1_000_000, "us")
NP_DAY = 86_400 * SECOND
#: a day, for comparisons in polars expressions
DAY = dt.timedelta(days=1)

#: relative weight of each hour of the day for changes merchants and operators make
WORK_HOURS = np.array(
    [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.5, 3, 5, 6, 6, 5, 5, 6, 6, 6, 5, 5, 5, 6, 6, 4, 2], float
)
#: nightly batch jobs (status transitions) run between 00:00 and 02:00
NIGHT_HOURS = np.array([1.0, 1.0] + [0.0] * 22)
#: operators schedule tomorrow's platform batches in the evening
EVENING_HOURS = np.array([0.0] * 19 + [1.0, 1.0, 1.0, 0.0, 0.0])

# ---- clock ---------------------------------------------------------------------------------


def midnight(day: dt.date) -> dt.datetime:
    """00:00 of ``day`` (naive Asia/Shanghai)."""
    return dt.datetime.combine(day, dt.time())


def np_midnight(day: dt.date) -> np.datetime64:
    return np.datetime64(day.isoformat(), "us")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def times_on(rng: np.random.Generator, day: dt.date, n: int, hours: np.ndarray = WORK_HOURS) -> np.ndarray:
    """``n`` random moments of ``day``, hours drawn from ``hours`` weights."""
    hour = rng.choice(24, n, p=hours / hours.sum())
    seconds = hour * 3600 + rng.integers(0, 3600, n)
    return np_midnight(day) + seconds * SECOND


def spread(start: str, over: str, seconds: int, day: dt.date) -> pl.Expr:
    """``start`` plus ``seconds`` per row before it in its ``over`` group, kept within ``day``
    (a batch of rows created one after the other)."""
    moment = pl.col(start) + pl.duration(seconds=seconds * pl.int_range(pl.len()).over(over))
    return pl.min_horizontal(moment, pl.lit(midnight(day) + DAY - dt.timedelta(seconds=1)))


def window(first_day: dt.date, days: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
    """Whole-day windows: 00:00 of ``first_day`` to 23:59:59 of its ``days``-th day."""
    start = np_midnight(first_day)
    days = np.asarray(days, dtype=np.int64)
    return np.full(days.shape, start), start + days * NP_DAY - SECOND


# ---- amounts (fen) -------------------------------------------------------------------------


def nice_price(fen: np.ndarray) -> np.ndarray:
    """Round to amounts people set: whole yuan < 100, tens < 1000, fifties above; ≥ 10 yuan."""
    yuan = np.asarray(fen, float) / 100
    step = np.where(yuan < 100, 1, np.where(yuan < 1000, 10, 50))
    return (np.maximum(np.round(yuan / step) * step, 10) * 100).astype(np.int64)


def nice_off(fen: np.ndarray, below: np.ndarray) -> np.ndarray:
    """A discount in whole yuan (fives above 50 yuan), at least 1 yuan, always < ``below``."""
    yuan = np.asarray(fen, float) / 100
    step = np.where(yuan < 50, 1, 5)
    off = (np.maximum(np.round(yuan / step) * step, 1) * 100).astype(np.int64)
    return np.minimum(off, np.asarray(below) - 100)


def threshold_discount(
    rng: np.random.Generator, price_level: np.ndarray, multiples=(1.0, 1.5, 2.0, 3.0), share=(0.05, 0.25)
) -> tuple[np.ndarray, np.ndarray]:
    """满 X 减 Y pairs around a price level: X a few times the price, Y a share of X (X > Y)."""
    n = len(price_level)
    threshold = nice_price(price_level * rng.choice(multiples, n))
    discount = nice_off(threshold * rng.uniform(*share, n), threshold)
    return threshold, discount


# ---- ids -----------------------------------------------------------------------------------

#: first id of each entity kind; a billion apart, so ids never run into another kind's
ID_BASES = {
    kind: (i + 1) * 1_000_000_000
    for i, kind in enumerate((
        "coupon_activity", "coupon_template", "template_limit", "promotion_group", "promotion", "blacklist",
        "gift", "signup",
    ))
}


class IdSeq:
    """Sequential ids per entity kind (deterministic: the simulation order is fixed)."""

    def __init__(self) -> None:
        self._next = dict(ID_BASES)

    def take(self, kind: str, n: int) -> np.ndarray:
        first = self._next[kind]
        self._next[kind] = first + n
        return np.arange(first, first + n, dtype=np.int64)


# ---- the world's supply side, indexed --------------------------------------------------------


@dataclass(frozen=True)
class Supply:
    """Sellers, goods and SKUs with the positional indexes the simulator works with.

    ``factor`` is a seller's activity as a merchant (how often it configures tools),
    ``price_level`` the median list price of its goods (thresholds are set around it).
    """

    #: seller_idx, seller_id, shop_name, factor, price_level, n_goods, auto_program
    sellers: pl.DataFrame
    #: goods_idx, goods_id, seller_idx, seller_id, list_price, min_sku_price, sku_count, weight, is_new
    goods: pl.DataFrame
    skus: pl.DataFrame  # sku_idx, sku_id, goods_idx, goods_id, seller_id, price
    n_users: int

    @classmethod
    def of(cls, world: World) -> Supply:
        sellers = world.sellers.with_row_index("seller_idx")
        skus = world.skus
        goods = (
            world.goods.with_row_index("goods_idx")
            .join(sellers.select("seller_id", "seller_idx"), on="seller_id", how="left", maintain_order="left")
            .join(
                skus.group_by("goods_id").agg(
                    pl.col("price").min().alias("min_sku_price"), pl.len().cast(pl.Int64).alias("sku_count")
                ),
                on="goods_id",
                how="left",
                maintain_order="left",
            )
            .select(
                pl.col("goods_idx").cast(pl.Int64),
                "goods_id",
                pl.col("seller_idx").cast(pl.Int64),
                "seller_id",
                "list_price",
                "min_sku_price",
                "sku_count",
                pl.col("popularity").sqrt().alias("weight"),
                "is_new",
            )
        )
        per_seller = goods.group_by("seller_idx").agg(
            pl.col("list_price").median().alias("price_level"), pl.len().cast(pl.Int64).alias("n_goods")
        )
        popularity = sellers["popularity"]
        sellers = (
            sellers.with_columns(pl.col("seller_idx").cast(pl.Int64))
            .join(per_seller, on="seller_idx", how="left", maintain_order="left")
            .select(
                "seller_idx",
                "seller_id",
                "shop_name",
                (popularity / popularity.mean()).clip(0.3, 4.0).alias("factor"),
                "price_level",
                pl.col("n_goods").fill_null(0),
                # about a third of the sellers run an auto-promoted coupon (全网自动推广券)
                pl.Series("auto_program", rng_for(world.seed, "config", "auto_program").random(sellers.height) < 1 / 3),
            )
        )
        sku_frame = skus.join(goods.select("goods_id", "goods_idx"), on="goods_id", maintain_order="left")
        return cls(
            sellers=sellers,
            goods=goods,
            skus=sku_frame.select(
                pl.int_range(pl.len(), dtype=pl.Int64).alias("sku_idx"), "sku_id", "goods_idx", "goods_id",
                "seller_id", "price",
            ),
            n_users=world.scale.users,
        )

    @cached_property
    def _goods_by_seller(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        seller = self.goods["seller_idx"].to_numpy()
        counts = np.bincount(seller, minlength=self.n_sellers)
        return np.argsort(seller, kind="stable"), np.cumsum(counts) - counts, counts

    def goods_of(self, seller_idx: np.ndarray) -> pl.DataFrame:
        """The goods rows of the given sellers (each seller once), without scanning all goods."""
        order, starts, counts = self._goods_by_seller
        sellers = np.unique(np.asarray(seller_idx, np.int64))
        reps = counts[sellers]
        ramp = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
        return self.goods[order[np.repeat(starts[sellers], reps) + ramp]]

    def goods_of_ids(self, seller_ids: pl.Series) -> pl.DataFrame:
        sellers = self.sellers.filter(pl.col("seller_id").is_in(seller_ids.implode()))
        return self.goods_of(sellers["seller_idx"].to_numpy())

    @property
    def n_sellers(self) -> int:
        return self.sellers.height

    @property
    def n_goods(self) -> int:
        return self.goods.height


def draw_sellers(rng: np.random.Generator, p: np.ndarray, force: bool = False) -> np.ndarray:
    """Indexes of the sellers acting today, each with probability ``p``; one at least if forced."""
    chosen = np.flatnonzero(rng.random(len(p)) < p)
    if force and chosen.size == 0:
        chosen = np.array([int(np.argmax(rng.random(len(p)) * p))])
    return chosen


def pick_per_group(frame: pl.DataFrame, by: str, k: pl.Expr | str, rng: np.random.Generator) -> pl.DataFrame:
    """Keep up to ``k`` random rows of each ``by`` group (``k`` a column or expression)."""
    k = pl.col(k) if isinstance(k, str) else k
    return (
        frame.with_columns(_key=pl.Series(rng.random(frame.height)))
        .with_columns(_rank=pl.col("_key").rank("ordinal").over(by))
        .filter(pl.col("_rank") <= k)
        .drop("_key", "_rank")
    )


# ---- rows changing in place ------------------------------------------------------------------


def update_rows(frame: pl.DataFrame, mask: np.ndarray, times: np.ndarray, **values: pl.Expr) -> pl.DataFrame:
    """Set ``values`` and a new ``update_time`` (``times``, one per masked row) on masked rows."""
    if not mask.any():
        return frame
    update = frame["update_time"].to_numpy().copy()
    update[mask] = times
    return (
        frame.with_columns(_mask=pl.Series(mask))
        .with_columns(
            *[pl.when("_mask").then(v).otherwise(pl.col(c)).alias(c) for c, v in values.items()],
            update_time=pl.Series(update),
        )
        .drop("_mask")
    )


def changed_on(frame: pl.DataFrame, day: dt.date | None) -> pl.DataFrame:
    """Rows updated on ``day`` (what an incremental export lands); all rows when ``day`` is None
    (the first export of a new sync carries the standing state)."""
    if day is None:
        return frame
    start = midnight(day)
    return frame.filter(pl.col("update_time") >= start, pl.col("update_time") < start + DAY)


def conform(frame: pl.DataFrame, export: Export) -> pl.DataFrame:
    """The export's fields in export order and dtypes (+ ``sync_hour`` when hourly),
    sorted as the source lists them (its key, then the hour)."""
    columns = [pl.col(f.name).cast(f.dtype) for f in export.fields]
    order = list(export.order)
    if export.hourly:
        columns.append(pl.col(export.hourly_by).dt.hour().cast(pl.Int32).alias("sync_hour"))
        order.append("sync_hour")
    return frame.select(columns).sort(order)

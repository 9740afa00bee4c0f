"""The simulated platform's world: users, sellers, goods and SKUs, one seed → one world.

Everything is drawn with numpy generators seeded from ``(seed, purpose)`` and built as
polars frames, column-wise (no Python loop per entity). The world has a history before
its first day: users registered up to three years earlier, most made a first order
before it, sellers opened their shops, goods were listed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

INDUSTRIES = ["beauty", "fashion", "food", "home", "digital", "baby", "sports", "books"]
CITY_TIERS = ["tier1", "tier2", "tier3", "tier4"]
AGE_BANDS = ["18-24", "25-29", "30-34", "35-44", "45+"]
GENDERS = ["female", "male", "unknown"]


@dataclass(frozen=True)
class Scale:
    name: str
    users: int
    sellers: int
    goods: int
    #: share of users visiting on an ordinary day
    active_share: float
    #: growth-platform executions per active user on an ordinary day
    executions_per_active: float


SCALES = {
    "tiny": Scale("tiny", 2_000, 40, 400, active_share=0.30, executions_per_active=1.5),
    "demo": Scale("demo", 20_000, 300, 4_000, active_share=0.25, executions_per_active=1.5),
    "large": Scale("large", 2_000_000, 20_000, 400_000, active_share=0.20, executions_per_active=14.0),
}


def rng_for(seed: int, *purpose: object) -> np.random.Generator:
    """A generator that depends only on the seed and the purpose (a table, a day…)."""
    digest = hashlib.sha256(repr((seed, *purpose)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def _ids(prefix: str, n: int, width: int) -> pl.Expr:
    return pl.format(prefix + "{}", pl.int_range(n).cast(pl.String).str.zfill(width))


def _at(origin: dt.date, days_before: np.ndarray, seconds: np.ndarray) -> pl.Series:
    """Naive Shanghai datetimes ``days_before`` days before the origin at ``seconds`` of day."""
    base = np.datetime64(origin.isoformat(), "us")
    values = base - days_before.astype("timedelta64[D]") + (seconds * 1_000_000).astype("timedelta64[us]")
    return pl.Series(values)


@dataclass(frozen=True)
class World:
    seed: int
    scale: Scale
    #: first simulated day; the history lies before it
    origin: dt.date

    @cached_property
    def sellers(self) -> pl.DataFrame:
        n = self.scale.sellers
        rng = rng_for(self.seed, "sellers")
        return pl.DataFrame(
            {
                "industry": np.array(INDUSTRIES)[rng.integers(0, len(INDUSTRIES), n)],
                "open_time": _at(self.origin, rng.integers(30, 5 * 365, n), rng.integers(8 * 3600, 20 * 3600, n)),
                "is_self_operated": rng.random(n) < 0.02,
                "popularity": rng.pareto(1.5, n) + 1.0,
            }
        ).select(
            _ids("s", n, 6).alias("seller_id"),
            pl.format("shop {}", pl.int_range(n)).alias("shop_name"),
            pl.all(),
        )

    @cached_property
    def goods(self) -> pl.DataFrame:
        """Goods (= SPU) with their seller, industry, category and list price in fen."""
        n = self.scale.goods
        rng = rng_for(self.seed, "goods")
        sellers = self.sellers
        weights = sellers["popularity"].to_numpy()
        seller_idx = rng.choice(len(sellers), n, p=weights / weights.sum())
        # every seller has at least one goods
        seller_idx[: len(sellers)] = np.arange(len(sellers))
        price_yuan = np.round(np.exp(rng.normal(4.3, 0.8, n)), 0).clip(5, 3000)
        frame = pl.DataFrame(
            {
                "goods_id": np.arange(n, dtype=np.int64) + 100_000,
                "seller_idx": seller_idx,
                "category_no": rng.integers(0, 3, n),
                "list_price": (price_yuan * 100).astype(np.int64) - rng.choice([0, 1, 10, 100], n),
                "listed_days_before": rng.integers(1, 3 * 365, n),
                "is_new": rng.random(n) < 0.05,
                "popularity": rng.pareto(1.2, n) + 1.0,
            }
        )
        return frame.join(
            sellers.with_row_index("seller_idx").select(
                pl.col("seller_idx").cast(pl.Int64), "seller_id", "industry"
            ),
            on="seller_idx",
            how="left",
            maintain_order="left",
        ).select(
            "goods_id",
            "seller_id",
            "industry",
            pl.format("{}_{}", "industry", pl.col("category_no")).alias("category"),
            pl.format("goods {}", "goods_id").alias("goods_name"),
            pl.col("list_price").clip(lower_bound=100),
            (
                pl.lit(dt.datetime.combine(self.origin, dt.time(10)))
                - pl.duration(days=pl.col("listed_days_before"))
            ).alias("create_time"),
            "is_new",
            "popularity",
        )

    @cached_property
    def skus(self) -> pl.DataFrame:
        """1-3 SKUs per goods, priced around the goods' list price."""
        goods = self.goods.select("goods_id", "seller_id", "list_price")
        rng = rng_for(self.seed, "skus")
        per_goods = rng.integers(1, 4, goods.height)
        skus = goods.with_columns(n=pl.Series(per_goods)).select(
            "goods_id", "seller_id", "list_price", pl.int_ranges("n").alias("k")
        ).explode("k")
        factor = rng.choice([100, 100, 110, 120], skus.height)
        return skus.select(
            (pl.col("goods_id") * 10 + pl.col("k")).alias("sku_id"),
            "goods_id",
            "seller_id",
            (pl.col("list_price") * pl.Series(factor) // 100).alias("price"),
            pl.Series(rng.integers(10, 5000, skus.height)).alias("stock"),
        )

    @cached_property
    def users(self) -> pl.DataFrame:
        n = self.scale.users
        rng = rng_for(self.seed, "users")
        registered = rng.integers(1, 3 * 365, n)
        ordered = rng.random(n) < 0.7
        first_order = np.minimum(registered - 1, rng.integers(0, 3 * 365, n)).clip(min=1)
        return pl.DataFrame(
            {
                "register_time": _at(self.origin, registered, rng.integers(0, 86_400, n)),
                "first_order_time": _at(self.origin, first_order, rng.integers(0, 86_400, n)),
                "has_ordered": ordered,
                "gender": np.array(GENDERS)[rng.choice(3, n, p=[0.7, 0.25, 0.05])],
                "age_band": np.array(AGE_BANDS)[rng.integers(0, len(AGE_BANDS), n)],
                "city_tier": np.array(CITY_TIERS)[rng.integers(0, len(CITY_TIERS), n)],
                "member_level": rng.choice(4, n, p=[0.6, 0.25, 0.1, 0.05]).astype(np.int32),
                "activity": rng.gamma(0.8, 1.0, n),  # propensity to visit
            }
        ).select(
            _ids("u", n, 8).alias("user_id"),
            "register_time",
            pl.when("has_ordered").then("first_order_time").alias("first_order_time"),
            "gender",
            "age_band",
            "city_tier",
            "member_level",
            "activity",
        )


def build_world(seed: int, scale: str, origin: dt.date) -> World:
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {sorted(SCALES)}")
    return World(seed, SCALES[scale], origin)

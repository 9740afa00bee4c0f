"""Promotions (IPMS): groups, targets (= promotions), benefit rules, blacklists and gifts.

Merchants set up store promotion groups during the day, starting tomorrow: single-item
prices (单品, on goods; 超级单品, on the SKU of single-SKU goods, deeper), 满减 and M件N折
(multi-item, on a few goods or the whole store minus a blacklist), 满赠 gifts and interest-free
instalments (分期免息), more of them around big promotions. Every target added to a group is
a promotion with its benefit rule (tier 1, some 满减 with a second tier). A goods is in at
most one live single-item price and at most one live 满减/M件N折 promotion of its store; a
store-wide group is only set up when none of the store's goods has one.

The day before the sale of a campaign's discount sub-activity (monthly themes, 618, 双11),
the platform creates its cross-store 满减 group: a store-wide promotion for every seller with
goods approved for the sub-activity (one platform promotion live at a time).

During the day merchants remove a few goods from live groups; each night a job takes ended
groups offline; 45 days after their end, groups are archived with their targets, benefits,
blacklist and gifts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from marketing_assets.sim import exports
from marketing_assets.sim.calendar import plan
from marketing_assets.sim.config.base import (
    DAY, EVENING_HOURS, NIGHT_HOURS, IdSeq, Supply, changed_on, draw_sellers, midnight, nice_off, nice_price,
    pick_per_group, spread, threshold_discount, times_on, update_rows, window,
)
from marketing_assets.sim.config.campaigns import Campaigns, campaigns_known
from marketing_assets.sim.world import rng_for

ARCHIVE_AFTER = 45
REMOVE_SHARE = 0.01


@dataclass(frozen=True)
class GroupKind:
    promotion_type: str
    rule: str
    label: str
    #: chance a seller of activity factor 1 sets one up on a given day
    p: float
    days: tuple[int, int]
    store_wide_share: float
    #: goods (or SKUs) per non-store-wide group
    k: tuple[int, int]
    target_type: str = "item"
    #: goods may be in one live promotion of this class only
    exclusive: str | None = None


GROUP_KINDS = (
    GroupKind("single", "price", "单品促销", 0.04, (3, 14), 0.0, (1, 8), exclusive="price"),
    GroupKind("super_single", "price", "超级单品", 0.01, (1, 3), 0.0, (1, 2), "sku", exclusive="price"),
    GroupKind("multi", "full_reduction", "满减", 0.025, (7, 30), 0.5, (2, 15), exclusive="multi"),
    GroupKind("multi", "m_n_discount", "M件N折", 0.015, (7, 21), 0.3, (2, 10), exclusive="multi"),
    GroupKind("multi", "gift", "满赠", 0.01, (7, 30), 0.0, (1, 5)),
    GroupKind("interest_free", "interest_free", "分期免息", 0.005, (30, 60), 0.7, (1, 10)),
)
#: platform cross-store 满减 of big promotions and of monthly campaigns: (threshold, value) tiers
PLATFORM_TIERS = {"big": ((30000, 5000), (60000, 12000)), "monthly": ((20000, 2000),)}

GROUP_SCHEMA = {
    **exports.schema(exports.PROMOTION_GROUPS),
}
TARGET_SCHEMA = {
    **exports.schema(exports.PROMOTION_TARGETS),
    "goods_id": pl.Int64,  # internal: goods of an item or sku target,
}
BENEFIT_SCHEMA = {
    **exports.schema(exports.PROMOTION_BENEFITS),
}
BLACKLIST_SCHEMA = {
    **exports.schema(exports.PROMOTION_BLACKLIST),
}
GIFT_SCHEMA = {
    **exports.schema(exports.PROMOTION_GIFTS),
}


def _benefit_params(kind: GroupKind, price_level: np.ndarray, rng: np.random.Generator) -> pl.DataFrame:
    """Group-level rule of a kind: tier-1 threshold/value (+ optional tier 2), per group."""
    n = len(price_level)
    zeros = np.zeros(n, np.int64)
    t2 = v2 = np.full(n, -1, np.int64)  # -1: no second tier
    if kind.rule == "full_reduction":
        t1, v1 = threshold_discount(rng, price_level, share=(0.05, 0.2))
        second = rng.random(n) < 0.4
        t2 = np.where(second, 2 * t1, -1)
        v2 = np.where(second, nice_off(v1 * 2.2, 2 * t1), -1)
    elif kind.rule == "m_n_discount":
        t1 = rng.choice([2, 3], n)
        v1 = np.where(t1 == 2, rng.choice([8, 9], n), rng.choice([7, 8], n))
    elif kind.rule == "gift":
        t1, v1 = nice_price(price_level * 1.5), zeros
    elif kind.rule == "interest_free":
        t1, v1 = rng.choice([3, 6, 12], n), zeros
    else:  # price: per goods, set on the targets
        t1, v1 = zeros, zeros
    return pl.DataFrame({"t1": t1, "v1": v1, "t2": t2, "v2": v2}).cast(pl.Int64)


class Promotions:
    def __init__(self, seed: int, supply: Supply, ids: IdSeq) -> None:
        self.seed, self.supply, self.ids = seed, supply, ids
        self.groups = pl.DataFrame(schema=GROUP_SCHEMA)
        self.targets = pl.DataFrame(schema=TARGET_SCHEMA)
        self.benefits = pl.DataFrame(schema=BENEFIT_SCHEMA)
        self.blacklist = pl.DataFrame(schema=BLACKLIST_SCHEMA)
        self.gifts = pl.DataFrame(schema=GIFT_SCHEMA)
        #: per goods and exclusive class: ordinal of the last day of its live promotion
        self._busy = {"price": np.zeros(supply.n_goods, np.int64), "multi": np.zeros(supply.n_goods, np.int64)}
        self._goods_seller = supply.goods["seller_idx"].to_numpy()

    def _rng(self, purpose: str, day: dt.date) -> np.random.Generator:
        return rng_for(self.seed, "config", purpose, day.isoformat())

    # ---- the day ---------------------------------------------------------------------------
    def step(self, day: dt.date, campaigns: Campaigns) -> None:
        self._nightly(day, self._rng("promotion_nightly", day))
        self._remove_targets(day, self._rng("promotion_edits", day))
        rng = self._rng("promotion_store", day)
        season = plan(day + dt.timedelta(1))
        boost = 1.5 if season.sale or season.presale else 1.0
        for kind in GROUP_KINDS:  # six kinds
            p = kind.p * boost * self.supply.sellers["factor"].to_numpy()
            self._create_store(kind, draw_sellers(rng, p, force=kind.rule == "gift"), day, rng)
        self._create_platform(day, campaigns, self._rng("promotion_platform", day))

    def _nightly(self, day: dt.date, rng: np.random.Generator) -> None:
        start = midnight(day)
        archived = self.groups.filter(pl.col("end_time") < start - ARCHIVE_AFTER * DAY)["group_id"].implode()
        self.groups = self.groups.filter(~pl.col("group_id").is_in(archived))
        self.targets = self.targets.filter(~pl.col("group_id").is_in(archived))
        promotions = self.targets["promotion_id"].implode()
        self.benefits = self.benefits.filter(pl.col("promotion_id").is_in(promotions))
        self.gifts = self.gifts.filter(pl.col("promotion_id").is_in(promotions))
        self.blacklist = self.blacklist.filter(~pl.col("group_id").is_in(archived))
        mask = ((self.groups["status"] == 1) & (self.groups["end_time"] < start)).to_numpy()
        self.groups = update_rows(self.groups, mask, times_on(rng, day, int(mask.sum()), NIGHT_HOURS), status=pl.lit(2))

    def _remove_targets(self, day: dt.date, rng: np.random.Generator) -> None:
        start = midnight(day)
        live_groups = self.groups.filter(
            pl.col("status") == 1, pl.col("end_time") >= start, pl.col("owner_type") == "seller"
        )["group_id"]
        t = self.targets
        live = (
            (t["status"] == 1) & t["goods_id"].is_not_null() & (t["update_time"] < start)
            & t["group_id"].is_in(live_groups.implode())
        ).to_numpy()
        mask = live & (rng.random(t.height) < REMOVE_SHARE)
        self.targets = update_rows(t, mask, times_on(rng, day, int(mask.sum())), status=pl.lit(2))

    # ---- merchants' store promotions --------------------------------------------------------
    def _create_store(self, kind: GroupKind, seller_idx: np.ndarray, day: dt.date, rng: np.random.Generator) -> None:
        first = day + dt.timedelta(1)
        n = len(seller_idx)
        if n == 0:
            return
        days = rng.integers(kind.days[0], kind.days[1] + 1, n)
        start, end = window(first, days)
        wide = rng.random(n) < kind.store_wide_share
        if kind.exclusive and wide.any():  # store-wide only if no goods of the store is taken
            seller_busy = np.zeros(self.supply.n_sellers, np.int64)
            np.maximum.at(seller_busy, self._goods_seller, self._busy[kind.exclusive])
            wide &= seller_busy[seller_idx] < first.toordinal()
        sellers = self.supply.sellers[seller_idx]
        created = times_on(rng, day, n)
        groups = pl.concat([
            sellers.select("seller_idx", "seller_id", "shop_name", "price_level", "n_goods"),
            _benefit_params(kind, sellers["price_level"].to_numpy(), rng),
        ], how="horizontal").with_columns(
            group_id=pl.Series(self.ids.take("promotion_group", n)),
            store_wide=pl.Series(wide),
            start_time=pl.Series(start),
            end_time=pl.Series(end),
            start_day=pl.lit(first.toordinal(), pl.Int64),
            end_day=pl.Series(first.toordinal() + days - 1),
            create_time=pl.Series(created),
        )
        self.groups = pl.concat([self.groups, groups.select(
            "group_id",
            pl.format("{} {} {}", "shop_name", pl.lit(kind.label), pl.lit(str(first))).alias("group_name"),
            pl.lit("seller").alias("owner_type"),
            "seller_id",
            pl.lit(kind.promotion_type).alias("promotion_type"),
            "store_wide", "start_time", "end_time", pl.lit(1).alias("status"), "create_time",
            pl.col("create_time").alias("update_time"),
        ).cast(GROUP_SCHEMA)])
        parts = [
            make(kind, part, rng)
            for make, part in ((self._store_wide_targets, groups.filter("store_wide")),
                               (self._item_targets, groups.filter(~pl.col("store_wide"))))
            if part.height
        ]
        self._add_promotions(kind.rule, pl.concat(parts), day, rng)

    def _store_wide_targets(self, kind: GroupKind, groups: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
        """One seller target per group; a blacklist of a few goods for most stores of 3+ goods."""
        eligible = groups.filter(pl.col("n_goods") >= 3)
        listed = eligible.filter(pl.Series(rng.random(eligible.height) < 0.7))
        goods = self.supply.goods_of(listed["seller_idx"].to_numpy()).select("goods_idx", "goods_id", "seller_idx")
        black = pick_per_group(
            listed.select("group_id", "seller_idx", "seller_id", "create_time",
                          (pl.Series(rng.random(listed.height)) * (pl.col("n_goods") // 10) + 1).floor().alias("k"))
            .join(goods, on="seller_idx").sort("group_id", "goods_id"),
            "group_id", "k", rng,
        )
        self.blacklist = pl.concat([self.blacklist, black.select(
            pl.Series("blacklist_id", self.ids.take("blacklist", black.height)),
            "group_id", "goods_id", "seller_id", pl.lit(1).alias("status"), pl.col("create_time").alias("update_time"),
        ).cast(BLACKLIST_SCHEMA)])
        if kind.exclusive and groups.height:
            seller_end = np.zeros(self.supply.n_sellers, np.int64)
            seller_end[groups["seller_idx"].to_numpy()] = groups["end_day"].to_numpy()
            covered = np.isin(self._goods_seller, groups["seller_idx"].to_numpy())
            covered[black["goods_idx"].to_numpy()] = False
            self._busy[kind.exclusive][covered] = seller_end[self._goods_seller[covered]]
        return groups.select(
            "group_id", "seller_id", "create_time", "t1", "v1", "t2", "v2",
            pl.lit("seller").alias("target_type"), pl.col("seller_id").alias("target_id"),
            pl.lit(None, pl.Int64).alias("goods_id"), pl.lit(None, pl.Int64).alias("price"),
        )

    def _item_targets(self, kind: GroupKind, groups: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
        """A few goods (or the SKU of single-SKU goods) of the seller, free of the kind's class."""
        busy = self._busy[kind.exclusive] if kind.exclusive else np.zeros(self.supply.n_goods, np.int64)
        candidates = self.supply.goods_of(groups["seller_idx"].to_numpy()).select(
            "goods_idx", "goods_id", "seller_idx", "min_sku_price", "sku_count"
        )
        candidates = candidates.with_columns(busy=pl.Series(busy[candidates["goods_idx"].to_numpy()]))
        if kind.target_type == "sku":
            candidates = candidates.filter(pl.col("sku_count") == 1).join(
                self.supply.skus.select("goods_id", "sku_id"), on="goods_id"
            )
        chosen = pick_per_group(
            groups.select("group_id", "seller_idx", "seller_id", "create_time", "start_day", "end_day", "t1", "v1",
                          "t2", "v2", pl.Series("k", rng.integers(kind.k[0], kind.k[1] + 1, groups.height)))
            .join(candidates, on="seller_idx")
            .filter(pl.col("busy") < pl.col("start_day"))
            .sort("group_id", "goods_id"),
            "group_id", "k", rng,
        )
        if kind.exclusive:
            busy[chosen["goods_idx"].to_numpy()] = chosen["end_day"].to_numpy()
        deep = (0.5, 0.8) if kind.target_type == "sku" else (0.7, 0.92)
        min_price = chosen["min_sku_price"].to_numpy()
        price = np.floor(min_price * rng.uniform(*deep, chosen.height) / 10) * 10
        price = np.clip(price, 1, min_price - 1).astype(np.int64)
        target = "sku_id" if kind.target_type == "sku" else "goods_id"
        return chosen.select(
            "group_id", "seller_id", "create_time", "t1", "v1", "t2", "v2",
            pl.lit(kind.target_type).alias("target_type"), pl.col(target).cast(pl.String).alias("target_id"),
            "goods_id", pl.Series("price", price, pl.Int64),
        )

    def _add_promotions(self, rule: str, targets: pl.DataFrame, day: dt.date, rng: np.random.Generator) -> None:
        """Targets become promotions with their benefit tiers (and gifts of gift rules)."""
        targets = targets.sort("group_id", "target_id").with_columns(
            promotion_id=pl.Series(self.ids.take("promotion", targets.height)),
            create_time=spread("create_time", "group_id", 5, day),
        )
        self.targets = pl.concat([self.targets, targets.select(
            "promotion_id", "group_id", "target_type", "target_id", "seller_id", pl.lit(1).alias("status"),
            "create_time", pl.col("create_time").alias("update_time"), "goods_id",
        ).cast(TARGET_SCHEMA)])
        tier1 = targets.select(
            "promotion_id", pl.lit(1).alias("tier"), pl.lit(rule).alias("rule"),
            pl.when(pl.lit(rule == "price")).then(0).otherwise("t1").alias("threshold"),
            pl.when(pl.lit(rule == "price")).then("price").otherwise("v1").alias("value"),
            pl.col("create_time").alias("update_time"),
        )
        tier2 = targets.filter(pl.col("t2") > 0).select(
            "promotion_id", pl.lit(2).alias("tier"), pl.lit(rule).alias("rule"), pl.col("t2").alias("threshold"),
            pl.col("v2").alias("value"), pl.col("create_time").alias("update_time"),
        )
        self.benefits = pl.concat([self.benefits, tier1.cast(BENEFIT_SCHEMA), tier2.cast(BENEFIT_SCHEMA)])
        if rule == "gift":
            gifts = pick_per_group(
                targets.select("promotion_id", "seller_id", "create_time")
                .join(self.supply.goods_of_ids(targets["seller_id"]).select(
                    "seller_id", pl.col("goods_id").alias("gift_goods_id")), on="seller_id")
                .sort("promotion_id", "gift_goods_id"),
                "promotion_id", pl.lit(1), rng,
            ).sort("promotion_id")
            self.gifts = pl.concat([self.gifts, gifts.select(
                pl.Series("gift_id", self.ids.take("gift", gifts.height)), "promotion_id", "gift_goods_id",
                pl.Series("gift_count", rng.integers(1, 3, gifts.height)), pl.lit(1).alias("status"),
                pl.col("create_time").alias("update_time"),
            ).cast(GIFT_SCHEMA)])

    # ---- the platform's cross-store promotions ----------------------------------------------
    def _create_platform(self, day: dt.date, campaigns: Campaigns, rng: np.random.Generator) -> None:
        tomorrow = day + dt.timedelta(1)
        for campaign in campaigns_known(day):  # a handful of campaigns
            for sub in campaign.subs:
                if sub.sub_type != "discount" or sub.start != tomorrow:
                    continue
                sellers = campaigns.approved(sub.sub_activity_id).select("seller_id").unique().sort("seller_id")
                tiers = PLATFORM_TIERS["monthly" if campaign.activity_type == "monthly" else "big"]
                created = times_on(rng, day, 1, EVENING_HOURS)[0]
                group_id = int(self.ids.take("promotion_group", 1)[0])
                start, end = window(sub.start, np.array([(sub.end - sub.start).days + 1]))
                self.groups = pl.concat([self.groups, pl.DataFrame({
                    "group_id": [group_id], "group_name": [sub.name], "owner_type": ["platform"], "seller_id": [None],
                    "promotion_type": ["multi"], "store_wide": [True], "start_time": start, "end_time": end,
                    "status": [1], "create_time": np.atleast_1d(created), "update_time": np.atleast_1d(created),
                }).cast(GROUP_SCHEMA)])
                (t1, v1), (t2, v2) = tiers[0], (tiers[1] if len(tiers) > 1 else (-1, -1))
                targets = sellers.select(
                    pl.lit(group_id, pl.Int64).alias("group_id"), "seller_id", pl.lit(created).alias("create_time"),
                    pl.lit(t1, pl.Int64).alias("t1"), pl.lit(v1, pl.Int64).alias("v1"),
                    pl.lit(t2, pl.Int64).alias("t2"), pl.lit(v2, pl.Int64).alias("v2"),
                    pl.lit("seller").alias("target_type"), pl.col("seller_id").alias("target_id"),
                    pl.lit(None, pl.Int64).alias("goods_id"), pl.lit(None, pl.Int64).alias("price"),
                )
                self._add_promotions("full_reduction", targets, day, rng)

    # ---- landed frames and what is live ----------------------------------------------------
    def frames(self, day: dt.date, first: bool) -> dict[str, pl.DataFrame]:
        since = None if first else day
        return {
            exports.PROMOTION_GROUPS: self.groups,
            exports.PROMOTION_TARGETS: changed_on(self.targets, since),
            exports.PROMOTION_BENEFITS: changed_on(self.benefits, since),
            exports.PROMOTION_BLACKLIST: self.blacklist,
            exports.PROMOTION_GIFTS: self.gifts,
        }

    def live(self, day: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Promotions live on ``day`` (tier 1) and the goods each covers."""
        start = midnight(day)
        groups = self.groups.filter(
            pl.col("status") == 1, pl.col("start_time") < start + DAY, pl.col("end_time") >= start
        ).select("group_id", "owner_type", "promotion_type")
        targets = self.targets.filter(pl.col("status") == 1).join(groups, on="group_id")
        promotions = targets.join(
            self.benefits.filter(pl.col("tier") == 1).select("promotion_id", "rule", "threshold", "value"),
            on="promotion_id",
        ).select(
            "promotion_id", "group_id", "seller_id",
            pl.when(pl.col("owner_type") == "seller").then(pl.lit("store")).otherwise(pl.lit("platform"))
            .alias("scope"),
            "promotion_type", "rule", "threshold", "value",
        ).sort("promotion_id")
        listed = targets.filter(pl.col("goods_id").is_not_null()).select("promotion_id", "goods_id")
        store_wide = (
            targets.filter(pl.col("target_type") == "seller")
            .select("promotion_id", "group_id", "seller_id")
            .join(self.supply.goods.select("seller_id", "goods_id"), on="seller_id")
            .join(self.blacklist.filter(pl.col("status") == 1), on=["group_id", "goods_id"], how="anti")
            .select("promotion_id", "goods_id")
        )
        goods = (
            pl.concat([listed, store_wide])
            .join(promotions.select("promotion_id", "rule", "value"), on="promotion_id")
            .select(
                "promotion_id", "goods_id",
                pl.when(pl.col("rule") == "price").then("value").otherwise(None).alias("promo_unit_price"),
            )
            .sort("promotion_id", "goods_id")
        )
        return promotions, goods

"""Coupon centre (券中台): coupon activities (batches), templates and their scope limits.

Platform operators schedule tomorrow's platform coupons every evening: the daily batch
(growth-platform coupons and one interactive-task coupon), member-day coupons before each
Wednesday (members only: user-level limits), the big promotions' 大额薯券 before their presale
opens (claimable through the sale, usable in the sale) and a new-product coupon before each
new-product presale. Merchants create store coupons during the day, for tomorrow on: live
room, shop page, cart surprise (three times as often around big promotions) and fan
coupons, some item-limited (商品券, a few of the seller's goods), each day's coupons of a
seller forming one store batch; a third of the sellers keep one auto-promoted coupon
(全网自动推广券) running, replacing it when it ends. Every template has a threshold above its
discount.

During the day merchants top up issue counts, stop a few coupons early and add or remove
goods of item-limited coupons; each night a job takes coupons whose claim window ended
offline, deletes them 15 days after their last possible use and archives (removes) deleted
ones 15 days later, so the tables stay config-sized. A template changes at most once a day.
The Mongo read copy (``…_template_hi``) lands the rows changed in each hour, projected from
the same rows as the MySQL dump, so both copies agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from marketing_assets.sim import exports
from marketing_assets.sim.calendar import big_promotions, plan
from marketing_assets.sim.config.base import (
    DAY, EVENING_HOURS, NIGHT_HOURS, NP_DAY, SECOND, IdSeq, Supply, changed_on, draw_sellers, midnight,
    pick_per_group, spread, threshold_discount, times_on, update_rows, window,
)
from marketing_assets.sim.config.presale import ANCHOR, EVERY, new_product_presale
from marketing_assets.sim.world import rng_for

DELETE_AFTER, ARCHIVE_AFTER = 15, 15
TOP_UP_SHARE, STOP_SHARE, SCOPE_ADD_SHARE, SCOPE_REMOVE_SHARE = 0.04, 0.005, 0.03, 0.02


@dataclass(frozen=True)
class StoreKind:
    claim_channel: str
    channel_type: int
    label: str
    #: chance a seller of activity factor 1 creates one on a given day
    p: float
    claim_days: tuple[int, int]
    item_share: float
    #: validity type 2 (days after claim) when set, else fixed: the claim window + ``extra_days``
    valid_days: tuple[int, int] | None = None
    extra_days: int = 0
    #: multiplier of ``p`` around big promotions (presale and sale)
    boost: float = 1.5


STORE_KINDS = (
    StoreKind("live_room", 11, "直播间券", 0.06, (1, 2), 0.5, valid_days=(1, 3)),
    StoreKind("shop_page", 12, "店铺券", 0.03, (7, 30), 0.4, extra_days=3),
    StoreKind("cart", 13, "购物车惊喜券", 0.02, (3, 10), 0.3, valid_days=(3, 3), boost=3.0),
    StoreKind("fans", 14, "粉丝专享券", 0.006, (30, 60), 0.0, valid_days=(15, 15)),
)
AUTO = StoreKind("auto", 15, "全网自动推广券", 0.5, (20, 45), 0.3)


@dataclass(frozen=True)
class Offer:
    threshold: int
    discount: int
    channel_type: int
    claim_channel: str
    #: what the template is for (strategies and tasks bind templates by slot)
    slot: str


@dataclass(frozen=True)
class PlatformBatch:
    activity_type: str
    name: str
    claim_start: dt.date
    claim_days: int
    offers: tuple[Offer, ...]
    #: validity type 2 days; else a fixed window ``valid_from``..``valid_to`` (whole days)
    valid_days: int | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    #: issue count as a share of the users
    total_share: float = 0.2
    members_only: bool = False


DAILY_MENUS = (((4900, 500), (9900, 1000), (19900, 2500)), ((3900, 400), (9900, 1200), (29900, 3500)))


def platform_batches(day: dt.date, rng: np.random.Generator) -> list[PlatformBatch]:
    """Platform batches scheduled on ``day`` for tomorrow."""
    tomorrow = day + dt.timedelta(1)
    menu = DAILY_MENUS[int(rng.integers(len(DAILY_MENUS)))]
    daily = tuple(Offer(t, d, 1, "growth_platform", "daily") for t, d in menu)
    batches = [PlatformBatch("daily", f"日常平台券 {tomorrow}", tomorrow, 2,
                             daily + (Offer(5900, 600, 4, "task", "task"),), valid_days=3)]
    if plan(tomorrow).member_day:
        offers = (Offer(9900, 1500, 3, "growth_platform", "member_day"),
                  Offer(19900, 3500, 3, "growth_platform", "member_day"))
        batches.append(PlatformBatch("member_day", f"会员日 {tomorrow}", tomorrow, 1, offers,
                                     valid_from=tomorrow, valid_to=tomorrow + dt.timedelta(1), members_only=True))
    for bp in big_promotions(tomorrow.year):
        if bp.presale_start == tomorrow:
            offers = tuple(Offer(t, d, 2, "growth_platform", "big_promo")
                           for t, d in ((30000, 3000), (60000, 7000), (100000, 12000)))
            batches.append(PlatformBatch(bp.code, f"{bp.name} 大额薯券", tomorrow, (bp.end - tomorrow).days + 1,
                                         offers, valid_from=bp.start, valid_to=bp.end, total_share=0.5))
    if (tomorrow - ANCHOR).days % EVERY == 0:
        p = new_product_presale((tomorrow - ANCHOR).days // EVERY)
        batches.append(PlatformBatch("new_product", f"新品尝鲜券 {tomorrow}", tomorrow,
                                     (p.final_end - tomorrow).days + 1, (Offer(9900, 1000, 5, "growth_platform",
                                                                               "new_product"),),
                                     valid_from=p.deposit_start, valid_to=p.final_end, total_share=0.1))
    return batches


TEMPLATE_SCHEMA = {
    **exports.schema(exports.COUPON_TEMPLATES),
    # internal: not landed
    "claim_channel": pl.String, "is_auto": pl.Boolean, "slot": pl.String, "use_end": pl.Datetime("us"),
}
ACTIVITY_SCHEMA = {
    **exports.schema(exports.COUPON_ACTIVITIES),
}
LIMIT_SCHEMA = {
    **exports.schema(exports.COUPON_LIMITS),
    "goods_id": pl.Int64,  # internal: the goods of a 'goods' limit,
}
MONGO_COLUMNS = ["coupon_template_id", "template_name", "coupon_type", "seller_id", "threshold_amount",
                 "discount_amount", "status", "update_time"]


def _null(dtype: pl.DataType) -> pl.Expr:
    return pl.lit(None, dtype)


class Coupons:
    def __init__(self, seed: int, supply: Supply, ids: IdSeq) -> None:
        self.seed, self.supply, self.ids = seed, supply, ids
        self.templates = pl.DataFrame(schema=TEMPLATE_SCHEMA)
        self.activities = pl.DataFrame(schema=ACTIVITY_SCHEMA)
        self.limits = pl.DataFrame(schema=LIMIT_SCHEMA)

    def _rng(self, purpose: str, day: dt.date) -> np.random.Generator:
        return rng_for(self.seed, "config", purpose, day.isoformat())

    # ---- the day ---------------------------------------------------------------------------
    def step(self, day: dt.date) -> None:
        self._nightly(day, self._rng("coupon_nightly", day))
        self._edit(day, self._rng("coupon_edits", day))
        self._edit_scope(day, self._rng("coupon_scope_edits", day))
        self._create_store(day, self._rng("coupon_store", day))
        self._create_platform(day, self._rng("coupon_platform", day))

    def _nightly(self, day: dt.date, rng: np.random.Generator) -> None:
        start = midnight(day)
        t = self.templates.filter(
            ~((pl.col("status") == 3) & (pl.col("update_time") < start - ARCHIVE_AFTER * DAY))
        )
        retire = (
            ((pl.col("status") == 1) & (pl.col("claim_end_time") < start))
            | ((pl.col("status") == 2) & (pl.col("use_end") < start - DELETE_AFTER * DAY)
               & (pl.col("update_time") < start))
        )
        mask = t.select(retire).to_series().to_numpy()
        self.templates = update_rows(t, mask, times_on(rng, day, int(mask.sum()), NIGHT_HOURS),
                                     status=pl.when(pl.col("status") == 1).then(2).otherwise(3))
        self.limits = self.limits.filter(pl.col("coupon_template_id").is_in(t["coupon_template_id"].implode()))
        a = self.activities.filter(
            ~((pl.col("status") == 2) & (pl.col("end_time") < start - (DELETE_AFTER + ARCHIVE_AFTER + 30) * DAY))
        )
        mask = ((a["status"] == 1) & (a["end_time"] < start)).to_numpy()
        self.activities = update_rows(a, mask, times_on(rng, day, int(mask.sum()), NIGHT_HOURS), status=pl.lit(2))

    def _live_mask(self, day: dt.date) -> pl.Expr:
        start = midnight(day)
        return (pl.col("status") == 1) & (pl.col("claim_end_time") >= start) & (pl.col("update_time") < start)

    def _edit(self, day: dt.date, rng: np.random.Generator) -> None:
        """Merchants top up issue counts and stop a few store coupons early."""
        t = self.templates
        live = t.select(self._live_mask(day)).to_series().to_numpy()
        u = rng.random(t.height)
        stop = live & (u >= TOP_UP_SHARE) & (u < TOP_UP_SHARE + STOP_SHARE) & (t["coupon_type"] == 4).to_numpy()
        mask = (live & (u < TOP_UP_SHARE)) | stop
        self.templates = update_rows(
            t.with_columns(_stop=pl.Series(stop)), mask, times_on(rng, day, int(mask.sum())),
            status=pl.when("_stop").then(2).otherwise("status"),
            total_count=pl.when("_stop").then("total_count").otherwise(pl.col("total_count") * 3 // 2),
        ).drop("_stop")

    def _edit_scope(self, day: dt.date, rng: np.random.Generator) -> None:
        """Merchants add a goods to, or remove one from, a few live item-limited coupons."""
        live = self.templates.filter(self._live_mask(day), pl.col("limit_type") == 1)
        if live.is_empty():
            return
        u = rng.random(live.height)
        to_add = live.filter(pl.Series(u < SCOPE_ADD_SHARE)).select("coupon_template_id", "seller_id")
        to_remove = live.filter(pl.Series((u >= SCOPE_ADD_SHARE) & (u < SCOPE_ADD_SHARE + SCOPE_REMOVE_SHARE)))
        valid = self.limits.filter(pl.col("limit_type") == "goods", pl.col("status") == 1)
        removable = pick_per_group(
            valid.filter(
                pl.col("coupon_template_id").is_in(to_remove["coupon_template_id"].implode()),
                pl.len().over("coupon_template_id") > 1,
            ),
            "coupon_template_id", pl.lit(1), rng,
        )["limit_id"]
        mask = self.limits["limit_id"].is_in(removable.implode()).to_numpy()
        limits = update_rows(self.limits, mask, times_on(rng, day, int(mask.sum())), status=pl.lit(2))
        goods = self.supply.goods_of_ids(to_add["seller_id"]).select("seller_id", "goods_id")
        candidates = to_add.join(goods, on="seller_id").join(
            self.limits.select("coupon_template_id", "goods_id"), on=["coupon_template_id", "goods_id"], how="anti"
        )
        added = pick_per_group(candidates.sort("coupon_template_id", "goods_id"), "coupon_template_id", pl.lit(1), rng)
        self.limits = pl.concat([limits, self._goods_limits(added, times_on(rng, day, added.height))])

    def _goods_limits(self, pairs: pl.DataFrame, times: np.ndarray) -> pl.DataFrame:
        """'goods' limit rows of (coupon_template_id, goods_id) pairs created at ``times``."""
        return pairs.select(
            pl.Series("limit_id", self.ids.take("template_limit", pairs.height)),
            "coupon_template_id",
            pl.lit("goods").alias("limit_type"),
            pl.col("goods_id").cast(pl.String).alias("limit_target_id"),
            pl.lit(1, pl.Int32).alias("status"),
            pl.Series("create_time", times),
            pl.Series("update_time", times),
            "goods_id",
        ).cast(LIMIT_SCHEMA)

    # ---- merchants' store coupons ----------------------------------------------------------
    def _create_store(self, day: dt.date, rng: np.random.Generator) -> None:
        tomorrow = day + dt.timedelta(1)
        season = plan(tomorrow)
        boosted = bool(season.sale or season.presale)
        factor = self.supply.sellers["factor"].to_numpy()
        parts = [
            self._store_rows(kind, draw_sellers(rng, kind.p * factor * (kind.boost if boosted else 1)), tomorrow, rng)
            for kind in STORE_KINDS
        ]
        has_auto = self.templates.filter(
            pl.col("is_auto"), pl.col("status") == 1, pl.col("claim_end_time") >= midnight(tomorrow)
        )["seller_id"]
        sellers = self.supply.sellers
        may_auto = (sellers["auto_program"] & ~sellers["seller_id"].is_in(has_auto.implode())).to_numpy()
        parts.append(self._store_rows(AUTO, draw_sellers(rng, AUTO.p * may_auto), tomorrow, rng))
        if not any((part["limit_type"] == 1).any() for part in parts):  # an item coupon every day
            parts.append(self._store_rows(STORE_KINDS[1], draw_sellers(rng, factor, force=True)[:1], tomorrow, rng,
                                          force_item=True))
        rows = pl.concat([part for part in parts if part.height])
        # one store batch (coupon activity) per seller and day
        batch = rows.select("seller_idx").unique().sort("seller_idx")
        batch = batch.with_columns(
            activity_id=pl.Series(self.ids.take("coupon_activity", batch.height)),
            _t=pl.Series(times_on(rng, day, batch.height)),
        )
        rows = (
            rows.join(batch, on="seller_idx", maintain_order="left")
            .with_columns(create_time=spread("_t", "seller_idx", 30, day))
            .with_columns(coupon_template_id=pl.Series(self.ids.take("coupon_template", rows.height)))
        )
        activities = rows.group_by("activity_id", maintain_order=True).agg(
            pl.format("{} 店铺券 {}", pl.col("shop_name").first(), pl.lit(str(tomorrow))).alias("activity_name"),
            pl.lit("store").alias("activity_type"),
            pl.lit("seller").alias("owner_type"),
            pl.col("seller_id").first(),
            ((pl.col("discount_amount") * pl.col("total_count")).sum() // 3).alias("budget_amount"),
            pl.col("claim_start_time").min().alias("start_time"),
            pl.col("claim_end_time").max().alias("end_time"),
            pl.lit(1).alias("status"),
            pl.col("_t").first().alias("create_time"),
            pl.col("_t").first().alias("update_time"),
        )
        self._add(rows, activities, rng)

    def _store_rows(self, kind: StoreKind, seller_idx: np.ndarray, first_day: dt.date, rng: np.random.Generator,
                    force_item: bool = False) -> pl.DataFrame:
        sellers = self.supply.sellers[seller_idx]
        n = sellers.height
        claim_start, claim_end = window(first_day, rng.integers(kind.claim_days[0], kind.claim_days[1] + 1, n))
        threshold, discount = threshold_discount(rng, sellers["price_level"].to_numpy())
        frame = sellers.select(
            "seller_idx",
            "seller_id",
            "shop_name",
            pl.lit(4).alias("coupon_type"),
            pl.Series("limit_type", ((rng.random(n) < kind.item_share) | force_item).astype(np.int32)),
            pl.lit(kind.channel_type).alias("channel_type"),
            pl.Series("threshold_amount", threshold),
            pl.Series("discount_amount", discount),
            pl.Series("claim_start_time", claim_start),
            pl.Series("claim_end_time", claim_end),
            pl.lit(2).alias("cost_bearer"),
            (pl.Series(rng.integers(1, 20, n) * 100) * pl.col("factor")).round().cast(pl.Int64).alias("total_count"),
            pl.lit(kind.claim_channel).alias("claim_channel"),
            pl.lit(kind.claim_channel == "auto").alias("is_auto"),
            pl.lit("store").alias("slot"),
            pl.lit(kind.label).alias("_label"),
            pl.lit(False).alias("members_only"),
        )
        if kind.valid_days:
            days = rng.integers(kind.valid_days[0], kind.valid_days[1] + 1, n)
            return frame.with_columns(
                validity_type=pl.lit(2), valid_start_time=_null(pl.Datetime("us")),
                valid_end_time=_null(pl.Datetime("us")), valid_days=pl.Series(days, dtype=pl.Int32),
                use_end=pl.Series(claim_end + days * NP_DAY),
            )
        valid_end = claim_end + kind.extra_days * NP_DAY
        return frame.with_columns(
            validity_type=pl.lit(1), valid_start_time=pl.Series(claim_start), valid_end_time=pl.Series(valid_end),
            valid_days=_null(pl.Int32), use_end=pl.Series(valid_end),
        )

    # ---- the platform's batches ------------------------------------------------------------
    def _create_platform(self, day: dt.date, rng: np.random.Generator) -> None:
        batches = [self._platform_batch(batch, day, rng) for batch in platform_batches(day, rng)]  # one to four
        self._add(pl.concat([rows for rows, _ in batches]), pl.concat([activity for _, activity in batches]), rng)

    def _platform_batch(self, batch: PlatformBatch, day: dt.date,
                        rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
        """A platform batch's templates and its coupon activity."""
        created = times_on(rng, day, 1, EVENING_HOURS)[0]
        activity_id = int(self.ids.take("coupon_activity", 1)[0])
        offers = pl.DataFrame([o.__dict__ for o in batch.offers])
        n = offers.height
        claim_start, claim_end = window(batch.claim_start, np.full(n, batch.claim_days))
        if batch.valid_days:
            validity = dict(validity_type=pl.lit(2), valid_start_time=_null(pl.Datetime("us")),
                            valid_end_time=_null(pl.Datetime("us")), valid_days=pl.lit(batch.valid_days, pl.Int32),
                            use_end=pl.Series(claim_end + batch.valid_days * NP_DAY))
        else:
            v_start, v_end = window(batch.valid_from, np.full(n, (batch.valid_to - batch.valid_from).days + 1))
            validity = dict(validity_type=pl.lit(1), valid_start_time=pl.Series(v_start),
                            valid_end_time=pl.Series(v_end), valid_days=_null(pl.Int32), use_end=pl.Series(v_end))
        total = max(100, int(self.supply.n_users * batch.total_share))
        rows = offers.select(
            pl.lit(activity_id, pl.Int64).alias("activity_id"),
            pl.lit(None, pl.Int64).alias("seller_idx"),
            pl.lit(None, pl.String).alias("seller_id"),
            pl.lit(None, pl.String).alias("shop_name"),
            pl.lit(1).alias("coupon_type"),
            pl.lit(0).alias("limit_type"),
            pl.col("channel_type").cast(pl.Int32),
            pl.col("threshold").alias("threshold_amount"),
            pl.col("discount").alias("discount_amount"),
            pl.Series("claim_start_time", claim_start),
            pl.Series("claim_end_time", claim_end),
            pl.lit(1).alias("cost_bearer"),
            pl.lit(total, pl.Int64).alias("total_count"),
            "claim_channel",
            pl.lit(False).alias("is_auto"),
            "slot",
            pl.lit("平台券").alias("_label"),
            pl.lit(batch.members_only).alias("members_only"),
            pl.Series("create_time", created + np.arange(n) * 30 * SECOND),
            pl.Series("coupon_template_id", self.ids.take("coupon_template", n)),
            **validity,
        )
        activity = pl.DataFrame({
            "activity_id": [activity_id], "activity_name": [batch.name], "activity_type": [batch.activity_type],
            "owner_type": ["platform"], "seller_id": [None],
            "budget_amount": [int(offers["discount"].sum() * total // 4)],
            "start_time": claim_start[:1], "end_time": claim_end.max(keepdims=True), "status": [1],
            "create_time": np.atleast_1d(created), "update_time": np.atleast_1d(created),
        })
        return rows, activity.select(list(ACTIVITY_SCHEMA)).cast(ACTIVITY_SCHEMA)

    def _add(self, rows: pl.DataFrame, activities: pl.DataFrame, rng: np.random.Generator) -> None:
        """Append new templates, their batches and limits (seller, goods, member levels)."""
        templates = rows.with_columns(
            template_name=pl.format("{} 满{}减{}", "_label", pl.col("threshold_amount") // 100,
                                    pl.col("discount_amount") // 100),
            status=pl.lit(1),
            update_time=pl.col("create_time"),
        )
        self.templates = pl.concat([self.templates, templates.select(list(TEMPLATE_SCHEMA)).cast(TEMPLATE_SCHEMA)])
        self.activities = pl.concat([self.activities, activities.select(list(ACTIVITY_SCHEMA)).cast(ACTIVITY_SCHEMA)])
        limits = [self.limits]
        item = (
            templates.with_columns(k=pl.Series(rng.integers(1, 9, templates.height)))
            .filter(pl.col("limit_type") == 1)
            .select("coupon_template_id", "seller_id", "create_time", "k")
        )
        if item.height:  # item-limited: a few goods of the seller
            goods = self.supply.goods_of_ids(item["seller_id"]).select("seller_id", "goods_id")
            scope = pick_per_group(item.join(goods, on="seller_id").sort("coupon_template_id", "goods_id"),
                                   "coupon_template_id", "k", rng)
            limits.append(self._goods_limits(scope, scope["create_time"].to_numpy()))
        others = pl.concat([
            templates.filter(pl.col("coupon_type") == 4).select(
                "coupon_template_id", pl.lit("seller").alias("limit_type"),
                pl.col("seller_id").alias("limit_target_id"), "create_time",
            ),
            templates.filter("members_only").select(
                "coupon_template_id", pl.lit("user_level").alias("limit_type"),
                pl.lit(["1", "2", "3"]).alias("limit_target_id"), "create_time",
            ).explode("limit_target_id"),
        ])
        limits.append(others.select(
            pl.Series("limit_id", self.ids.take("template_limit", others.height)),
            "coupon_template_id", "limit_type", "limit_target_id", pl.lit(1).alias("status"), "create_time",
            pl.col("create_time").alias("update_time"), pl.lit(None, pl.Int64).alias("goods_id"),
        ).cast(LIMIT_SCHEMA))
        self.limits = pl.concat(limits)

    # ---- landed frames and what is live ----------------------------------------------------
    def frames(self, day: dt.date, first: bool) -> dict[str, pl.DataFrame]:
        since = None if first else day
        limits_changed = changed_on(self.limits, since)
        return {
            exports.COUPON_ACTIVITIES: changed_on(self.activities, since),
            exports.COUPON_TEMPLATES: self.templates,
            exports.COUPON_TEMPLATES_MONGO: changed_on(self.templates, since).select(MONGO_COLUMNS),
            exports.COUPON_SPU_LIMITS: limits_changed.filter(
                pl.col("limit_type") == "goods"
            ).select("coupon_template_id", pl.col("goods_id").alias("spu_id"), "status", "update_time"),
            exports.COUPON_LIMITS_HOURLY: limits_changed,
            exports.COUPON_LIMITS: self.limits,
        }

    def live_templates(self, day: dt.date) -> pl.DataFrame:
        """Templates claimable on ``day`` (online, claim window covering the day), with slot."""
        start = midnight(day)
        return self.templates.filter(
            pl.col("status") == 1, pl.col("claim_start_time") < start + DAY, pl.col("claim_end_time") >= start
        ).sort("coupon_template_id")

    def live_scope(self, live: pl.DataFrame) -> pl.DataFrame:
        ids = live.filter(pl.col("limit_type") == 1)["coupon_template_id"]
        return (
            self.limits.filter(
                pl.col("limit_type") == "goods",
                pl.col("status") == 1,
                pl.col("coupon_template_id").is_in(ids.implode()),
            )
            .select("coupon_template_id", "goods_id")
            .sort("coupon_template_id", "goods_id")
        )

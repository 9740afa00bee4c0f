"""The demand side of the simulated platform: what users do each day.

One day, in causal order, all vectorised (numpy draws, polars joins):
1. active users visit goods pages (traffic follows the calendar);
2. the growth platform fires strategies for active users (executions); users in the
   blank-control group get nothing, the others are offered a coupon or an allowance and
   claim it in the same session or not;
3. interactive-marketing tasks are completed and rewarded with coupons;
4. users claim store coupons organically from the pages they visit (live room, shop page,
   cart surprise, fans);
5. visitors buy: lines are priced by the pricing engine with the promotions live today,
   the auto-promoted store coupon, the coupons the buyer holds (claimed, unexpired,
   unused) and the buyer's allowance balance; presale deposits are paid in deposit
   windows and converted (or not) in final-payment windows;
6. packages are refunded the same day or scheduled for a later day; refunds return the
   package's store coupon and allowance; coupons and allowances past their end expire.
Every change of a claimed coupon or an allowance is a binlog event of its own table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from marketing_assets.pricing import price_orders
from marketing_assets.sim.calendar import plan
from marketing_assets.sim.world import World, rng_for

US = 1_000_000

#: state columns of a claimed coupon (the coupon centre's `coupon` row)
COUPON_COLUMNS = [
    "coupon_id", "coupon_template_id", "user_id", "seller_id", "claim_channel", "status",
    "claim_time", "valid_start_time", "valid_end_time", "use_time", "package_id",
    "threshold_amount", "discount_amount", "update_time", "create_time",
    "coupon_type", "limit_type",
]
ALLOWANCE_COLUMNS = [
    "allowance_id", "user_id", "allowance_template_id", "channel_type", "amount", "balance",
    "status", "claim_time", "expire_time", "update_time", "step_threshold", "step_discount",
]
CLAIMED_BINLOG = "ods_binlog_fls_co_limitsalecart__fls_coupon_coupon_df"
GOODS_COUPON = "ods_mongo_35003_coupon_31006_goods_coupon"
EXECUTION = "ods_binlog_fls_usergrowth__egrowth_main_user_strategy_execution_di"
PHOENIX = "ods_marketing_interact_service_phoenix_task_complete_detail_df"
ALLOWANCE = "ods_binlog_fls_allowance_allowance_allowance_df"
ALLOWANCE_RECORD = "ods_binlog_fls_allowance_allowance_allowance_record_df"
ALLOWANCE_DETAIL = "ods_binlog_fls_allowance_allowance_allowance_record_detail_df"

PAGES = np.array(["note", "search", "live", "shop", "cart", "venue"])
PAGE_P = np.array([0.35, 0.2, 0.15, 0.12, 0.12, 0.06])
ORGANIC_CHANNEL = {"live": "live_room", "shop": "shop_page", "cart": "cart", "note": "fans"}


def _times(rng: np.random.Generator, day: dt.date, n: int) -> pl.Series:
    """``n`` datetimes within ``day``, shaped like e-commerce traffic (evening peak)."""
    hour = rng.choice(24, n, p=_HOUR_P)
    micros = (hour.astype(np.int64) * 3600 + rng.integers(0, 3600, n)) * US
    base = np.datetime64(day.isoformat(), "us")
    return pl.Series(base + micros.astype("timedelta64[us]"), dtype=pl.Datetime("us"))


_HOUR_W = np.array([3, 2, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 6, 6, 6, 6, 6, 7, 8, 10, 11, 9, 5], float)
_HOUR_P = _HOUR_W / _HOUR_W.sum()


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(days=1)


@dataclass
class DemandState:
    coupons: pl.DataFrame
    allowances: pl.DataFrame
    first_order: pl.DataFrame  # user_id, first_order_time
    #: presale deposits not yet converted: deposit rows + final window
    deposits: pl.DataFrame
    counters: dict[str, int] = field(default_factory=dict)

    def next_ids(self, name: str, n: int, start: int = 1) -> np.ndarray:
        first = self.counters.get(name, start)
        self.counters[name] = first + n
        return np.arange(first, first + n, dtype=np.int64)


def _empty(schema: dict) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


class DemandSimulator:
    def __init__(self, world: World) -> None:
        self.world = world
        users = world.users
        coupon_schema = {
            "coupon_id": pl.Int64, "coupon_template_id": pl.Int64, "user_id": pl.String,
            "seller_id": pl.String, "claim_channel": pl.String, "status": pl.Int32,
            "claim_time": pl.Datetime("us"), "valid_start_time": pl.Datetime("us"),
            "valid_end_time": pl.Datetime("us"), "use_time": pl.Datetime("us"),
            "package_id": pl.String, "threshold_amount": pl.Int64, "discount_amount": pl.Int64,
            "update_time": pl.Datetime("us"), "create_time": pl.Datetime("us"),
            "coupon_type": pl.Int32, "limit_type": pl.Int32,
        }
        allowance_schema = {
            "allowance_id": pl.Int64, "user_id": pl.String, "allowance_template_id": pl.Int64,
            "channel_type": pl.Int32, "amount": pl.Int64, "balance": pl.Int64,
            "status": pl.Int32, "claim_time": pl.Datetime("us"),
            "expire_time": pl.Datetime("us"), "update_time": pl.Datetime("us"),
            "step_threshold": pl.Int64, "step_discount": pl.Int64,
        }
        self.state = DemandState(
            coupons=_empty(coupon_schema),
            allowances=_empty(allowance_schema),
            first_order=users.select("user_id", "first_order_time"),
            deposits=_empty(
                {
                    "deposit_id": pl.String, "user_id": pl.String, "seller_id": pl.String,
                    "presale_activity_id": pl.Int64, "sku_id": pl.Int64, "goods_id": pl.Int64,
                    "quantity": pl.Int64, "deposit_amt": pl.Int64, "deduction_amt": pl.Int64,
                    "pay_time": pl.Datetime("us"), "presale_price": pl.Int64,
                    "final_start": pl.Datetime("us"), "final_end": pl.Datetime("us"),
                    "convert_day": pl.Date,
                }
            ),
        )
        #: lines paid so far whose package is scheduled for a refund on a later day
        self.paid_lines = _empty(
            {
                "order_id": pl.String, "package_id": pl.String, "goods_id": pl.Int64,
                "user_id": pl.String, "seller_id": pl.String, "paid_amt": pl.Int64,
                "pay_time": pl.Datetime("us"), "store_coupon_id": pl.Int64,
                "allowance_amt": pl.Int64, "refund_day": pl.Date,
            }
        )
        #: how much each order took from each allowance (for returns on refunds)
        self.allowance_uses = _empty({"order_id": pl.String, "allowance_id": pl.Int64, "taken": pl.Int64})

    # ------------------------------------------------------------------ helpers
    def _rng(self, purpose: str, day: dt.date) -> np.random.Generator:
        return rng_for(self.world.seed, "demand", purpose, day.isoformat())

    # ------------------------------------------------------------------ day
    def day(self, day: dt.date, live) -> dict[str, pl.DataFrame]:
        """Simulate ``day`` (consecutive days from the world's origin) against today's live
        configuration; returns the day's landed frames by ODS table name."""
        p = plan(day)
        visits = self._visits(day, p.traffic)
        actives = visits.select("user_id").unique().sort("user_id")
        ex, exec_claims, exec_allowances = self._executions(day, p.traffic, actives, live)
        phoenix, task_claims = self._tasks(day, actives, live)
        organic = self._organic_claims(day, visits, live)
        claims = pl.concat([exec_claims, task_claims, organic], how="diagonal_relaxed")
        new_coupons = self._issue_coupons(day, claims, live)
        grants = self._grant_allowances(day, exec_allowances, live)
        orders, deposits = self._orders(day, visits, live)
        priced, meta = self._price(day, orders, live)
        out = {
            "ods_trd_goods_visit_di": visits,
            PHOENIX: phoenix,
            **self._settle(day, priced, meta, deposits, new_coupons, grants, ex, live),
            **self._dumps(),
        }
        return out

    # ------------------------------------------------------------------ 1 visits
    def _visits(self, day: dt.date, traffic: float) -> pl.DataFrame:
        rng = self._rng("visits", day)
        users, goods = self.world.users, self.world.goods
        activity = users["activity"].to_numpy()
        p_active = np.clip(activity / activity.mean() * self.world.scale.active_share * traffic, 0, 0.95)
        active = np.flatnonzero(rng.random(len(activity)) < p_active)
        per_user = rng.poisson(3.0, len(active)) + 1
        user_idx = np.repeat(active, per_user)
        weights = goods["popularity"].to_numpy()
        goods_idx = rng.choice(len(weights), len(user_idx), p=weights / weights.sum())
        raw = pl.DataFrame(
            {
                "user_id": users["user_id"].gather(user_idx),
                "goods_id": goods["goods_id"].gather(goods_idx),
                "seller_id": goods["seller_id"].gather(goods_idx),
                "page": PAGES[rng.choice(len(PAGES), len(user_idx), p=PAGE_P)],
                "pv": rng.geometric(0.5, len(user_idx)).astype(np.int64),
                "first_visit_time": _times(rng, day, len(user_idx)),
            }
        )
        return (
            raw.group_by("user_id", "goods_id", "seller_id", "page")
            .agg(pl.col("pv").sum(), pl.col("first_visit_time").min())
            .sort("user_id", "goods_id", "page")
        )

    # ------------------------------------------------------------------ 2 growth platform
    def _executions(self, day, traffic, actives, live):
        rng = self._rng("executions", day)
        strategies = live.strategies.sort("strategy_id")
        n = int(actives.height * self.world.scale.executions_per_active * traffic)
        weights = strategies["weight"].to_numpy()
        s_idx = rng.choice(strategies.height, n, p=weights / weights.sum())
        chosen = strategies[s_idx]
        blank = rng.random(n) < chosen["blank_share"].to_numpy()
        claimed = ~blank & (rng.random(n) < 0.55)
        execute_time = _times(rng, day, n)
        ex = chosen.with_columns(
            user_id=actives["user_id"].gather(rng.integers(0, actives.height, n)),
            execute_time=execute_time,
            experiment_group=pl.Series(np.where(blank, "blank", np.where(rng.random(n) < 0.5, "A", "B"))),
            _claimed=pl.Series(claimed),
            _claim_lag=pl.Series(rng.integers(1, 60, n) * US),
        ).sort("execute_time", "user_id", "strategy_id")
        ex = ex.with_columns(execution_id=pl.Series(self.state.next_ids("execution", n, 10**8)))
        claim_time = (pl.col("execute_time") + pl.duration(microseconds=pl.col("_claim_lag"))).alias("claim_time")
        coupon_claims = ex.filter(pl.col("_claimed") & (pl.col("benefit_type") == "coupon")).select(
            "user_id", "coupon_template_id", pl.lit("growth_platform").alias("claim_channel"),
            claim_time, "execution_id",
        )
        allowance_claims = ex.filter(pl.col("_claimed") & (pl.col("benefit_type") == "allowance")).select(
            "user_id", "allowance_template_id", claim_time, "execution_id",
        )
        return ex, coupon_claims, allowance_claims

    def _execution_events(self, ex, coupons, allowances) -> pl.DataFrame:
        """The execution log rows, with the benefit offered and the instance claimed."""
        ex = ex.join(coupons.select("execution_id", "coupon_id"), on="execution_id", how="left")
        ex = ex.join(allowances.select("execution_id", "allowance_id"), on="execution_id", how="left")
        coupon = pl.col("benefit_type") == "coupon"
        entity = pl.when(coupon).then(pl.col("coupon_template_id")).otherwise(pl.col("allowance_template_id"))
        instance = pl.when(coupon).then(pl.col("coupon_id")).otherwise(pl.col("allowance_id"))
        benefit = pl.concat_str(
            pl.lit('[{"benefit_entity_type":"'), pl.col("benefit_type"),
            pl.lit('","benefit_entity_id":'), entity.cast(pl.String),
            pl.lit(',"benefit_id":'), pl.col("prize_pool_id").cast(pl.String),
            pl.lit(',"instance_id":'), instance.cast(pl.String).fill_null("null"),
            pl.lit("}]"),
        )
        return ex.select(
            "execution_id", "user_id", "trigger_id", "biz_scene_id", "strategy_id",
            "launch_plan_id", "trigger_point_id", "prize_pool_id", "strategy_name",
            "launch_plan_name", "trigger_point_name", "prize_rule_name", "crowd_id",
            "container_name", "experiment_group",
            pl.when(pl.col("experiment_group") == "blank").then(pl.lit("[]")).otherwise(benefit).alias("benefit_info"),
            "execute_time",
            pl.lit("c").alias("op"),
            pl.col("execute_time").alias("event_time"),
        ).sort("execution_id")

    # ------------------------------------------------------------------ 3 tasks
    def _tasks(self, day, actives, live):
        rng = self._rng("tasks", day)
        tasks = live.phoenix_tasks.sort("task_id")
        n = max(1, int(actives.height * 0.04))
        t_idx = rng.integers(0, tasks.height, n)
        done = tasks[t_idx].with_columns(
            user_id=actives["user_id"].gather(rng.integers(0, actives.height, n)),
            complete_time=_times(rng, day, n),
        ).sort("complete_time", "user_id", "task_id")
        done = done.with_columns(
            task_complete_id=pl.format("t{}-{}", pl.lit(day.strftime("%Y%m%d")), pl.int_range(n).cast(pl.String).str.zfill(8))
        )
        log = done.select(
            "task_complete_id", "user_id", "task_id", "task_name", "benefit_type",
            "coupon_template_id", "complete_time",
        )
        claims = done.filter(pl.col("benefit_type") == "coupon").select(
            "user_id", "coupon_template_id", pl.lit("task").alias("claim_channel"),
            pl.col("complete_time").alias("claim_time"),
        )
        return log, claims

    # ------------------------------------------------------------------ 4 organic claims
    def _organic_claims(self, day, visits, live) -> pl.DataFrame:
        rng = self._rng("organic", day)
        channel = pl.col("page").replace_strict(ORGANIC_CHANNEL, default=None)
        candidates = (
            visits.with_columns(claim_channel=channel)
            .drop_nulls("claim_channel")
            .join(
                live.coupon_templates.filter(~pl.col("is_auto") & (pl.col("coupon_type") == 4)).select(
                    "seller_id", "claim_channel", "coupon_template_id"
                ),
                on=["seller_id", "claim_channel"],
            )
            .sort("user_id", "goods_id", "page", "coupon_template_id")
        )
        candidates = candidates.with_columns(_r=pl.Series(rng.random(candidates.height)))
        picked = candidates.filter(pl.col("_r") == pl.col("_r").min().over("user_id", "goods_id", "page"))
        picked = picked.with_columns(_claim=pl.Series(rng.random(picked.height) < 0.3)).filter("_claim")
        return (
            picked.select(
                "user_id", "coupon_template_id", "claim_channel",
                (pl.col("first_visit_time") + pl.duration(seconds=30)).alias("claim_time"),
            )
            .sort("claim_time", "user_id", "coupon_template_id")
            .unique(["user_id", "coupon_template_id"], keep="first", maintain_order=True)
        )

    # ------------------------------------------------------------------ claims → coupons
    def _issue_coupons(self, day, claims: pl.DataFrame, live) -> pl.DataFrame:
        last = _end_of(day) - dt.timedelta(seconds=1)
        templates = live.coupon_templates.select(
            "coupon_template_id", "coupon_type", "limit_type", "seller_id", "threshold",
            "discount", "validity_type", "valid_start", "valid_end", "valid_days",
        )
        if "execution_id" not in claims.columns:
            claims = claims.with_columns(execution_id=pl.lit(None, pl.Int64))
        new = (
            claims.with_columns(pl.min_horizontal("claim_time", pl.lit(last)).alias("claim_time"))
            .join(templates, on="coupon_template_id", how="inner")
            .sort("claim_time", "user_id", "coupon_template_id", "claim_channel", "execution_id")
        )
        ids = self.state.next_ids("coupon", new.height, 10**9)
        fixed = pl.col("validity_type") == 1
        new = new.with_columns(
            coupon_id=pl.Series(ids, dtype=pl.Int64),
            valid_start_time=pl.when(fixed).then("valid_start").otherwise("claim_time"),
            valid_end_time=pl.when(fixed)
            .then("valid_end")
            .otherwise(pl.col("claim_time") + pl.duration(days=pl.col("valid_days"))),
        ).filter(pl.col("valid_end_time") > pl.col("claim_time"))
        coupons = new.select(
            "coupon_id", "coupon_template_id", "user_id", "seller_id", "claim_channel",
            pl.lit(1, pl.Int32).alias("status"), "claim_time", "valid_start_time",
            "valid_end_time", pl.lit(None, pl.Datetime("us")).alias("use_time"),
            pl.lit(None, pl.String).alias("package_id"),
            pl.col("threshold").alias("threshold_amount"),
            pl.col("discount").alias("discount_amount"),
            pl.col("claim_time").alias("update_time"), pl.col("claim_time").alias("create_time"),
            "coupon_type", "limit_type",
        )
        self.state.coupons = pl.concat([self.state.coupons, coupons])
        return coupons.with_columns(new["execution_id"])

    def _grant_allowances(self, day, claims: pl.DataFrame, live) -> pl.DataFrame:
        last = _end_of(day) - dt.timedelta(seconds=1)
        grants = (
            claims.with_columns(pl.min_horizontal("claim_time", pl.lit(last)).alias("claim_time"))
            .join(live.allowance_templates, on="allowance_template_id", how="inner")
            .sort("claim_time", "user_id", "allowance_template_id", "execution_id")
        )
        grants = grants.with_columns(
            allowance_id=pl.Series(self.state.next_ids("allowance", grants.height, 5 * 10**8), dtype=pl.Int64),
        )
        rows = grants.select(
            "allowance_id", "user_id", "allowance_template_id", "channel_type", "amount",
            pl.col("amount").alias("balance"), pl.lit(1, pl.Int32).alias("status"), "claim_time",
            (pl.col("claim_time") + pl.duration(days=pl.col("valid_days"))).alias("expire_time"),
            pl.col("claim_time").alias("update_time"), "step_threshold", "step_discount",
        )
        self.state.allowances = pl.concat([self.state.allowances, rows])
        return rows.with_columns(grants["execution_id"])

    # ------------------------------------------------------------------ 5 orders
    def _orders(self, day, visits, live) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Today's order lines (before pricing) and today's presale deposits."""
        rng = self._rng("orders", day)
        last = _end_of(day) - dt.timedelta(seconds=1)
        conversion = pl.col("page").replace_strict(
            {"cart": 0.20, "live": 0.09, "venue": 0.08, "search": 0.07, "shop": 0.07, "note": 0.05},
            return_dtype=pl.Float64,
        )
        # goods in a presale deposit window sell (only) through their presale SKU, and
        # attract buyers: a deposit locks in the 膨胀 deduction
        noon = dt.datetime.combine(day, dt.time(12))
        presale_goods = (
            live.presale_skus.filter((pl.col("deposit_start") <= noon) & (noon <= pl.col("deposit_end")))
            .sort("sku_id")
            .unique("goods_id", keep="first", maintain_order=True)
            .select("goods_id", pl.col("sku_id").alias("_presale_sku"))
        )
        visits = visits.join(presale_goods, on="goods_id", how="left", maintain_order="left")
        boost = pl.when(pl.col("_presale_sku").is_not_null()).then(4.0).otherwise(1.0)
        bought = (
            visits.with_columns(_r=pl.Series(rng.random(visits.height)))
            .filter(pl.col("_r") < conversion * boost)
            .unique(["user_id", "goods_id"], keep="first", maintain_order=True)
        )
        skus = self.world.skus.sort("sku_id").group_by("goods_id", maintain_order=True).agg("sku_id", "price")
        bought = bought.join(skus, on="goods_id", how="left", maintain_order="left")
        pick = (pl.Series(rng.random(bought.height)) * bought["sku_id"].list.len()).cast(pl.Int64)
        pay_lag = pl.Series(rng.integers(60, 3600, bought.height) * US)
        bought = bought.with_columns(
            sku_id=pl.coalesce("_presale_sku", pl.col("sku_id").list.get(pick)),
            unit_price=pl.col("price").list.get(pick),
            quantity=pl.Series(rng.poisson(0.3, bought.height) + 1, dtype=pl.Int64),
            pay_time=pl.min_horizontal(
                pl.col("first_visit_time") + pl.duration(microseconds=pay_lag), pl.lit(last)
            ),
        ).with_columns(pl.col("pay_time").max().over("user_id"))
        # presale SKUs in their deposit window become deposits, not orders
        presale = live.presale_skus.select(
            "sku_id", "presale_activity_id", "presale_price", "deposit_amt", "deduction_amt",
            "deposit_start", "deposit_end", "final_start", "final_end",
        ).unique("sku_id", keep="first", maintain_order=True)
        bought = bought.join(presale, on="sku_id", how="left", maintain_order="left")
        in_deposit = (pl.col("deposit_start") <= pl.col("pay_time")) & (pl.col("pay_time") <= pl.col("deposit_end"))
        deposits = bought.filter(in_deposit.fill_null(False))
        lines = bought.filter(~in_deposit.fill_null(False))
        deposits = self._new_deposits(day, deposits, rng)
        finals = self._final_payments(day, rng)
        lines = lines.select(
            "user_id", "goods_id", "seller_id", "sku_id", "quantity", "unit_price", "pay_time",
            pl.col("pay_time").alias("order_time"), pl.col("user_id").alias("_order_key"),
            pl.lit(None, pl.Int64).alias("deposit_amt"), pl.lit(None, pl.Int64).alias("deduction_amt"),
            pl.lit(False).alias("is_presale"),
        )
        return pl.concat([lines, finals], how="vertical_relaxed"), deposits

    def _new_deposits(self, day, rows: pl.DataFrame, rng) -> pl.DataFrame:
        n = rows.height
        rows = rows.sort("pay_time", "user_id", "sku_id").with_columns(
            deposit_id=pl.format("d{}-{}", pl.lit(day.strftime("%Y%m%d")), pl.int_range(n).cast(pl.String).str.zfill(7)),
            deposit_amt=pl.col("deposit_amt") * pl.col("quantity"),
            deduction_amt=pl.col("deduction_amt") * pl.col("quantity"),
        )
        converts = pl.Series(rng.random(n) < 0.85)
        offset = pl.Series(rng.integers(0, 3, n))
        final_day = (pl.col("final_start").dt.date() + pl.duration(days=offset)).clip(
            upper_bound=pl.col("final_end").dt.date()
        )
        kept = rows.with_columns(convert_day=pl.when(converts).then(final_day))
        self.state.deposits = pl.concat(
            [self.state.deposits, kept.select(self.state.deposits.columns)], how="vertical_relaxed"
        )
        return rows.select(
            "deposit_id", "user_id", "seller_id", "presale_activity_id", "sku_id", "goods_id",
            "quantity", "deposit_amt", "deduction_amt", "pay_time",
        )

    def _final_payments(self, day, rng) -> pl.DataFrame:
        pending = self.state.deposits
        due = pending.filter(pl.col("convert_day") == day).sort("deposit_id")
        # forfeited (never converted) deposits whose final window closed are dropped
        self.state.deposits = pending.filter(
            (pl.col("convert_day") > day) | (pl.col("convert_day").is_null() & (pl.col("final_end") >= _end_of(day)))
        )
        start = dt.datetime.combine(day, dt.time(10))
        return due.select(
            "user_id", "goods_id", "seller_id", "sku_id", "quantity",
            pl.col("presale_price").alias("unit_price"),
            (pl.lit(start) + pl.duration(microseconds=pl.Series(rng.integers(0, 13 * 3600, due.height) * US))).alias("pay_time"),
            pl.col("pay_time").alias("order_time"),
            pl.col("deposit_id").alias("_order_key"),
            (pl.col("deposit_amt") // pl.col("quantity")).alias("deposit_amt"),
            (pl.col("deduction_amt") // pl.col("quantity")).alias("deduction_amt"),
            pl.lit(True).alias("is_presale"),
        )

    # ------------------------------------------------------------------ pricing
    def _promotion_columns(self, live) -> pl.DataFrame:
        """Per goods: its store and platform multi-item promotion and promo unit price."""
        pg = live.promotion_goods.join(
            live.promotions.select("promotion_id", "scope", "rule"), on="promotion_id"
        )
        multi = pl.col("rule").is_in(["full_reduction", "m_n_discount"])
        return pg.group_by("goods_id").agg(
            pl.col("promotion_id").filter(multi & (pl.col("scope") == "store")).min().alias("store_promotion_id"),
            pl.col("promotion_id").filter(multi & (pl.col("scope") == "platform")).min().alias("platform_promotion_id"),
            pl.col("promo_unit_price").filter(pl.col("rule") == "price").min().alias("promo_unit_price"),
        )

    def _price(self, day, orders: pl.DataFrame, live):
        state = self.state
        lines = orders.join(self._promotion_columns(live), on="goods_id", how="left")
        presale = pl.col("is_presale")
        lines = lines.with_columns(
            unit_price=pl.when(~presale & pl.col("promo_unit_price").is_not_null())
            .then(pl.min_horizontal("unit_price", "promo_unit_price"))
            .otherwise("unit_price"),
            store_promotion_id=pl.when(~presale).then("store_promotion_id"),
            platform_promotion_id=pl.when(~presale).then("platform_promotion_id"),
        ).sort("pay_time", "_order_key", "seller_id", "goods_id", "sku_id")
        lines = lines.with_columns(
            _first=pl.col("pay_time").min().over("_order_key"),
        ).with_columns(
            order_id=pl.format(
                "o{}{}", pl.lit(day.strftime("%Y%m%d")),
                pl.struct("_first", "_order_key").rank("dense").cast(pl.String).str.zfill(8),
            )
        ).with_columns(
            package_id=pl.format("{}-{}", "order_id", pl.col("seller_id").rank("dense").over("order_id").cast(pl.String)),
        )
        # the same goods twice in a package (two SKUs) is one line per goods: keep the first
        lines = lines.unique(["package_id", "goods_id"], keep="first", maintain_order=True)
        buyers = lines.select("user_id").unique()
        held = state.coupons.filter(pl.col("status") == 1).join(buyers, on="user_id").select(
            "coupon_id", "coupon_template_id", "user_id", "coupon_type", "limit_type", "seller_id",
            pl.col("threshold_amount").alias("threshold"), pl.col("discount_amount").alias("discount"),
            pl.max_horizontal("valid_start_time", "claim_time").alias("valid_start"),
            pl.col("valid_end_time").alias("valid_end"),
        )
        self._scope = pl.concat([getattr(self, "_scope", live.coupon_scope.clear()), live.coupon_scope]).unique()
        usable = state.allowances.filter(
            (pl.col("status") == 1) & (pl.col("balance") > 0) & (pl.col("expire_time") > _end_of(day))
        ).join(buyers, on="user_id")
        allowances = usable.sort("expire_time", "allowance_id").group_by("user_id").agg(
            pl.col("balance").sum(), pl.col("step_threshold").first(), pl.col("step_discount").first()
        )
        promotions = live.promotions.filter(pl.col("rule").is_in(["full_reduction", "m_n_discount"])).select(
            "promotion_id", "scope", "rule", "threshold", "value"
        )
        auto = live.coupon_templates.filter("is_auto").select(
            "seller_id", "coupon_template_id", "threshold", "discount"
        ).unique("seller_id", keep="first", maintain_order=True)
        priced = price_orders(
            lines.select(
                "order_id", "package_id", "user_id", "seller_id", "goods_id", "sku_id", "quantity",
                "unit_price", "pay_time", "store_promotion_id", "platform_promotion_id",
                "deposit_amt", "deduction_amt",
            ),
            promotions,
            auto,
            held,
            self._scope.sort("coupon_template_id", "goods_id"),
            allowances,
        )
        return priced, lines.select("package_id", "goods_id", "order_time", "is_presale")

    # ------------------------------------------------------------------ 6 settle the day
    def _discount_detail(self, lines: pl.DataFrame, uses: pl.DataFrame) -> pl.DataFrame:
        templates = uses.select("coupon_id", "coupon_template_id").unique("coupon_id")
        parts = [
            ("store_promotion", "store_promo_amt", "store_promotion_id", None, "merchant"),
            ("platform_promotion", "platform_promo_amt", "platform_promotion_id", None, "platform"),
            ("auto_coupon", "auto_coupon_amt", None, "auto_coupon_template_id", "merchant"),
            ("store_coupon", "store_coupon_amt", "store_coupon_id", "coupon", "merchant"),
            ("platform_coupon", "platform_coupon_amt", "platform_coupon_id", "coupon", "platform"),
            ("allowance", "allowance_amt", None, None, "platform"),
            ("presale", "presale_discount_amt", None, None, "merchant"),
        ]
        frames = []
        for source, amount, source_id, template, bearer in parts:
            frame = lines.filter(pl.col(amount) > 0).select(
                "package_id", "goods_id",
                pl.lit(source).alias("discount_source"),
                (pl.col(source_id) if source_id else pl.lit(None, pl.Int64)).alias("source_id"),
                (pl.col(template) if template and template != "coupon" else pl.lit(None, pl.Int64)).alias("coupon_template_id"),
                pl.col(amount).alias("discount_amt"),
                pl.lit(bearer).alias("bearer"),
                "pay_time",
            )
            if template == "coupon":
                frame = frame.drop("coupon_template_id").join(
                    templates.rename({"coupon_id": "source_id"}), on="source_id", how="left"
                ).select(frames[0].columns if frames else frame.columns)
            frames.append(frame)
        columns = frames[0].columns
        return pl.concat([f.select(columns) for f in frames]).sort("package_id", "goods_id", "discount_source")

    def _settle(self, day, priced, meta, deposits, new_coupons, grants, ex, live) -> dict[str, pl.DataFrame]:
        rng = self._rng("settle", day)
        end = _end_of(day)
        lines = priced.lines.join(meta, on=["package_id", "goods_id"], how="left")
        order_lines = lines.select(
            "order_id", "package_id", "goods_id", "sku_id", "user_id", "seller_id", "quantity",
            "unit_price", "list_amt", "shown_amt", pl.col("total_discount_amt").alias("discount_amt"),
            "paid_amt", "is_presale", "order_time", "pay_time",
        ).sort("package_id", "goods_id")
        detail = self._discount_detail(lines, priced.coupon_uses)

        # coupons used today
        coupon_events = [self._coupon_rows(new_coupons, "c", "claim_time")]
        used = priced.coupon_uses.group_by("coupon_id").agg(
            pl.col("package_id").min(), pl.col("order_id").first()
        ).join(lines.select("package_id", "pay_time").unique("package_id"), on="package_id")
        coupon_events.append(self._update_coupons(used, status=2, at="pay_time", package=True))

        # refunds: same day or scheduled later, whole packages
        packages = lines.group_by("package_id").agg(pl.col("pay_time").first()).sort("package_id")
        draw = rng.random(packages.height)
        later_days = pl.Series(rng.integers(1, 11, packages.height))
        packages = packages.with_columns(
            _refund=pl.Series(draw < 0.18), _same=pl.Series(draw < 0.07), _later=later_days
        )
        scheduled = packages.filter(pl.col("_refund") & ~pl.col("_same")).select(
            "package_id", (pl.lit(day) + pl.duration(days=pl.col("_later"))).cast(pl.Date).alias("refund_day")
        )
        same_day = packages.filter("_same").select(
            "package_id",
            pl.min_horizontal(
                pl.col("pay_time") + pl.duration(microseconds=pl.Series(rng.integers(600, 4 * 3600, packages.filter("_same").height) * US)),
                pl.lit(end - dt.timedelta(seconds=1)),
            ).alias("refund_time"),
        )
        refundable = lines.select(
            "order_id", "package_id", "goods_id", "user_id", "seller_id", "paid_amt", "pay_time",
            "store_coupon_id", "allowance_amt",
        )
        self.paid_lines = pl.concat(
            [self.paid_lines, refundable.join(scheduled, on="package_id").select(self.paid_lines.columns)],
            how="vertical_relaxed",
        )
        due = self.paid_lines.filter(pl.col("refund_day") == day)
        self.paid_lines = self.paid_lines.filter(pl.col("refund_day") > day)
        due_packages = due.select("package_id").unique().sort("package_id")
        due_times = due_packages.with_columns(
            refund_time=pl.lit(dt.datetime.combine(day, dt.time())) + pl.duration(
                microseconds=pl.Series(rng.integers(8 * 3600, 23 * 3600, due_packages.height) * US)
            )
        )
        refunded = pl.concat([
            refundable.join(same_day, on="package_id"),
            due.drop("refund_day").join(due_times, on="package_id"),
        ], how="diagonal_relaxed").sort("package_id", "goods_id")
        refunds = refunded.select(
            pl.format("r{}", pl.concat_str("package_id", pl.col("goods_id").cast(pl.String), separator="-")).alias("refund_id"),
            "order_id", "package_id", "goods_id", "user_id", "seller_id",
            pl.col("paid_amt").alias("refund_amt"), "pay_time", "refund_time",
        )
        returned = refunded.filter(pl.col("store_coupon_id").is_not_null()).group_by("store_coupon_id").agg(
            pl.col("refund_time").min()
        ).rename({"store_coupon_id": "coupon_id"})
        returned = returned.join(
            self.state.coupons.select("coupon_id", "valid_end_time", "status"), on="coupon_id"
        ).filter((pl.col("status") == 2) & (pl.col("valid_end_time") > pl.col("refund_time")))
        coupon_events.append(self._update_coupons(returned, status=1, at="refund_time", package=False))
        expiring = self.state.coupons.filter(
            (pl.col("status") == 1) & (pl.col("valid_end_time") < end)
        ).select("coupon_id", "valid_end_time")
        coupon_events.append(self._update_coupons(expiring, status=3, at="valid_end_time", package=False))
        # a tie in time keeps the order the changes happened in (a use before its return by a
        # refund in the same second): binlog readers apply events by time, then file order
        events = pl.concat(coupon_events).sort("event_time", "coupon_id", maintain_order=True)
        touched = events.select("coupon_id").unique()
        goods_coupon = self.state.coupons.join(touched, on="coupon_id").sort("coupon_id")
        events = events.drop("coupon_type", "limit_type")
        goods_coupon = goods_coupon.drop("coupon_type", "limit_type", "create_time")

        allowance_tables = self._settle_allowances(day, lines, refunded, grants, rng)
        self._first_orders(lines, same_day)
        return {
            "ods_trd_order_package_goods_di": order_lines,
            "ods_trd_order_discount_detail_di": detail,
            "ods_trd_presale_deposit_di": deposits,
            "ods_trd_refund_di": refunds,
            CLAIMED_BINLOG: events,
            GOODS_COUPON: goods_coupon,
            EXECUTION: self._execution_events(ex, new_coupons, grants),
            **allowance_tables,
        }

    def _coupon_rows(self, rows: pl.DataFrame, op: str, at: str) -> pl.DataFrame:
        return rows.select(COUPON_COLUMNS).with_columns(
            op=pl.lit(op), event_time=pl.col(at)
        )

    def _update_coupons(self, changes: pl.DataFrame, *, status: int, at: str, package: bool) -> pl.DataFrame:
        """Apply one kind of change to the coupon state; return its binlog events."""
        when = pl.col(at)
        changes = changes.select("coupon_id", when.alias("_at"), *(["package_id"] if package else []))
        state = self.state.coupons.join(changes, on="coupon_id", how="left", maintain_order="left")
        hit = pl.col("_at").is_not_null()
        updated = state.with_columns(
            status=pl.when(hit).then(pl.lit(status, pl.Int32)).otherwise("status"),
            update_time=pl.when(hit).then("_at").otherwise("update_time"),
            use_time=pl.when(hit).then(pl.col("_at") if status == 2 else pl.lit(None, pl.Datetime("us"))).otherwise("use_time")
            if status in (1, 2) else pl.col("use_time"),
            package_id=pl.when(hit).then(pl.col("package_id_right") if package else pl.lit(None, pl.String)).otherwise("package_id")
            if status in (1, 2) else pl.col("package_id"),
        )
        events = updated.filter(hit).select(COUPON_COLUMNS).with_columns(
            op=pl.lit("u"), event_time=pl.col("update_time")
        )
        self.state.coupons = updated.select(COUPON_COLUMNS)
        return events

    # ------------------------------------------------------------------ allowances
    def _settle_allowances(self, day, lines, refunded, grants, rng) -> dict[str, pl.DataFrame]:
        end = _end_of(day)
        state = self.state
        records, details, changed = [], [], []
        # claims
        claim_ids = pl.Series(state.next_ids("allowance_record", grants.height, 7 * 10**8), dtype=pl.Int64)
        claims = grants.with_columns(record_id=claim_ids)
        records.append(claims.select("record_id", "user_id", pl.lit("claim").alias("record_type"), "amount",
                                     pl.lit(None, pl.String).alias("order_id"), pl.col("claim_time").alias("create_time")))
        details.append(claims.select("record_id", "allowance_id", "amount", pl.col("claim_time").alias("create_time")))
        # uses: each order's allowance amount taken from the user's allowances, earliest expiry first
        orders = lines.filter(pl.col("allowance_amt") > 0).group_by("order_id", "user_id").agg(
            pl.col("allowance_amt").sum().alias("amount"), pl.col("pay_time").min()
        ).sort("user_id", "order_id")
        orders = orders.with_columns(_hi=pl.col("amount").cum_sum().over("user_id")).with_columns(
            _lo=pl.col("_hi") - pl.col("amount")
        )
        usable = state.allowances.filter(
            (pl.col("status") == 1) & (pl.col("balance") > 0) & (pl.col("expire_time") > end)
        ).sort("user_id", "expire_time", "allowance_id")
        usable = usable.with_columns(_ahi=pl.col("balance").cum_sum().over("user_id")).with_columns(
            _alo=pl.col("_ahi") - pl.col("balance")
        )
        use_ids = pl.Series(state.next_ids("allowance_record", orders.height, 7 * 10**8), dtype=pl.Int64)
        orders = orders.with_columns(record_id=use_ids)
        overlap = orders.join(usable.select("user_id", "allowance_id", "_alo", "_ahi"), on="user_id").with_columns(
            taken=(pl.min_horizontal("_hi", "_ahi") - pl.max_horizontal("_lo", "_alo")).clip(lower_bound=0)
        ).filter(pl.col("taken") > 0)
        records.append(orders.select("record_id", "user_id", pl.lit("use").alias("record_type"), "amount",
                                     "order_id", pl.col("pay_time").alias("create_time")))
        details.append(overlap.select("record_id", "allowance_id", pl.col("taken").alias("amount"),
                                      pl.col("pay_time").alias("create_time")))
        taken = overlap.group_by("allowance_id").agg(pl.col("taken").sum(), pl.col("pay_time").max().alias("_at"))
        changed.append(self._change_allowances(taken, sign=-1))
        # returns of refunded packages: back to the allowances their order was paid with
        # (their share of the order, in allowance order), unless those have expired
        self.allowance_uses = pl.concat(
            [self.allowance_uses, overlap.select("order_id", "allowance_id", "taken")]
        )
        back = refunded.filter(pl.col("allowance_amt") > 0).group_by("order_id", "package_id", "user_id").agg(
            pl.col("allowance_amt").sum().alias("amount"), pl.col("refund_time").min()
        ).sort("order_id", "package_id")
        back = back.with_columns(_hi=pl.col("amount").cum_sum().over("order_id")).with_columns(
            _lo=pl.col("_hi") - pl.col("amount")
        )
        paid_with = self.allowance_uses.join(back.select("order_id").unique(), on="order_id").sort(
            "order_id", "allowance_id"
        ).with_columns(_ahi=pl.col("taken").cum_sum().over("order_id")).with_columns(
            _alo=pl.col("_ahi") - pl.col("taken")
        )
        alive = state.allowances.filter(pl.col("expire_time") > end).select("allowance_id")
        shares = back.join(paid_with.select("order_id", "allowance_id", "_alo", "_ahi"), on="order_id").with_columns(
            amount=(pl.min_horizontal("_hi", "_ahi") - pl.max_horizontal("_lo", "_alo")).clip(lower_bound=0)
        ).filter(pl.col("amount") > 0).join(alive, on="allowance_id", how="semi")
        returns = shares.group_by("order_id", "package_id", "user_id").agg(
            pl.col("amount").sum(), pl.col("refund_time").min()
        ).sort("order_id", "package_id")
        returns = returns.with_columns(
            record_id=pl.Series(state.next_ids("allowance_record", returns.height, 7 * 10**8), dtype=pl.Int64)
        )
        records.append(returns.select("record_id", "user_id", pl.lit("return").alias("record_type"), "amount",
                                      "order_id", pl.col("refund_time").alias("create_time")))
        shares = shares.join(returns.select("order_id", "package_id", "record_id"), on=["order_id", "package_id"])
        details.append(shares.select("record_id", "allowance_id", "amount", pl.col("refund_time").alias("create_time")))
        given = shares.group_by("allowance_id").agg(pl.col("amount").sum().alias("taken"), pl.col("refund_time").max().alias("_at"))
        changed.append(self._change_allowances(given, sign=1))
        # expiry of what is left
        expiring = state.allowances.filter((pl.col("status") == 1) & (pl.col("expire_time") < end))
        expiring = expiring.with_columns(record_id=pl.Series(state.next_ids("allowance_record", expiring.height, 7 * 10**8), dtype=pl.Int64))
        records.append(expiring.select("record_id", "user_id", pl.lit("expire").alias("record_type"),
                                       pl.col("balance").alias("amount"), pl.lit(None, pl.String).alias("order_id"),
                                       pl.col("expire_time").alias("create_time")))
        details.append(expiring.select("record_id", "allowance_id", pl.col("balance").alias("amount"),
                                       pl.col("expire_time").alias("create_time")))
        changed.append(self._change_allowances(
            expiring.select("allowance_id", pl.col("balance").alias("taken"), pl.col("expire_time").alias("_at")),
            sign=-1, status=3,
        ))
        new = grants.select(ALLOWANCE_COLUMNS).with_columns(op=pl.lit("c"), event_time=pl.col("claim_time"))
        allowance_events = (
            pl.concat([new, *changed])
            .sort("event_time", "allowance_id", "op", "balance", maintain_order=True)
            .drop("step_threshold", "step_discount")  # the template's rule, not a column here
        )
        rec = pl.concat(records).sort("create_time", "record_id")
        det = pl.concat(details).sort("create_time", "record_id", "allowance_id")
        return {
            ALLOWANCE: allowance_events,
            ALLOWANCE_RECORD: rec.with_columns(op=pl.lit("c"), event_time=pl.col("create_time")),
            ALLOWANCE_DETAIL: det.with_columns(op=pl.lit("c"), event_time=pl.col("create_time")),
        }

    def _change_allowances(self, changes: pl.DataFrame, *, sign: int, status: int | None = None) -> pl.DataFrame:
        state = self.state.allowances.join(changes, on="allowance_id", how="left", maintain_order="left")
        hit = pl.col("_at").is_not_null()
        balance = (pl.col("balance") + sign * pl.col("taken")).clip(lower_bound=0)
        new_status = (
            pl.lit(status, pl.Int32) if status is not None
            else pl.when(balance == 0).then(pl.lit(2, pl.Int32)).otherwise(pl.lit(1, pl.Int32))
        )
        updated = state.with_columns(
            balance=pl.when(hit).then(balance).otherwise("balance"),
            status=pl.when(hit).then(new_status).otherwise("status"),
            update_time=pl.when(hit).then("_at").otherwise("update_time"),
        )
        self.state.allowances = updated.select(ALLOWANCE_COLUMNS)
        return updated.filter(hit).select(ALLOWANCE_COLUMNS).with_columns(
            op=pl.lit("u"), event_time=pl.col("update_time")
        )

    # ------------------------------------------------------------------ users, goods, sellers
    def _first_orders(self, lines: pl.DataFrame, same_day_refunds: pl.DataFrame) -> None:
        kept = lines.join(same_day_refunds.select("package_id"), on="package_id", how="anti")
        first = kept.group_by("user_id").agg(pl.col("pay_time").min().alias("_t"))
        fo = self.state.first_order.join(first, on="user_id", how="left", maintain_order="left")
        self.state.first_order = fo.select(
            "user_id", pl.coalesce("first_order_time", "_t").alias("first_order_time")
        )

    def _dumps(self) -> dict[str, pl.DataFrame]:
        world = self.world
        users = world.users.drop("first_order_time").join(
            self.state.first_order, on="user_id", how="left", maintain_order="left"
        )
        return {
            "ods_trd_user_info_df": users.select(
                "user_id", "register_time", "gender", "age_band", "city_tier", "member_level",
                "first_order_time",
            ),
            "ods_trd_goods_info_df": world.goods.select(
                "goods_id", "seller_id", "goods_name", "industry", "category", "list_price",
                "is_new", "create_time",
            ),
            "ods_trd_goods_sku_df": world.skus.select("sku_id", "goods_id", "price", "stock"),
            "ods_trd_seller_info_df": world.sellers.select(
                "seller_id", "shop_name", "industry", "is_self_operated", "open_time"
            ),
        }

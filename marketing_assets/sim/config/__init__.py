"""The supply side of the simulated platform: marketing configuration, day by day.

``ConfigSimulator`` plays the systems where operators and merchants configure marketing:
the coupon centre (batches, templates, scope limits), the growth platform (triggers,
scenes, crowds, strategies), allowance templates, the promotion system (groups, promotions,
benefit rules, blacklists, gifts), the listings system (campaigns, sub-activities,
sign-ups with their audits) and presales. Each call to ``day`` advances one day and returns

- the frames the source systems export that day, by table name, with exactly the
  fields of the table's export (``sim.exports``; plus ``sync_hour`` for hourly tables):
  full tables / small collections as of the end of the day, incremental ones (``_day_inc``,
  large collections) the rows inserted or updated that day, hourly ones the rows changed in
  each hour (``sync_hour`` = hour of ``update_time``);
- ``LiveConfig``: what is live that day, for the demand simulation and the pricing engine.

The calendar drives the content (see ``sim.calendar`` and each module): daily platform and
store coupons, member-day coupons before Wednesdays, monthly campaigns with sign-ups every
day, 618 and 双11 (sign-ups, presale, 大额薯券, cross-store 满减, shopping allowance),
new-product presales every three days, store promotions of every kind created daily.
Configuration created on a day takes effect from the next day (whole-day windows), so the
live config of a day is known at its start. Every change is stamped with a time of the day
(merchants in working hours, nightly jobs after midnight, operators in the evening) and a
row changes at most once a day.

History: on the first call (which must be the world's origin) the simulator runs the 60
days before it without exporting, so the standing config (templates, promotions, sign-ups,
presales) exists with create times before the origin; the first day's incremental and
hourly exports carry that standing state (the initial sync of the source), later days only
their changes. Volumes scale with sellers and goods, never with users. Randomness comes from
``rng_for(seed, "config", purpose, day)``: the same world and days give the same frames.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import polars as pl

from marketing_assets.sim.config.base import IdSeq, Supply, conform
from marketing_assets.sim.config.campaigns import Campaigns
from marketing_assets.sim.config.coupons import Coupons
from marketing_assets.sim.config.growth import Growth
from marketing_assets.sim.config.presale import Presales
from marketing_assets.sim.config.promotions import Promotions
from marketing_assets.sim.exports import EXPORTS
from marketing_assets.sim.world import World

WARM_UP_DAYS = 60

_DT = pl.Datetime("us")
LIVE_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "coupon_templates": {
        "coupon_template_id": pl.Int64, "coupon_type": pl.Int32, "limit_type": pl.Int32, "channel_type": pl.Int32,
        "seller_id": pl.String, "threshold": pl.Int64, "discount": pl.Int64, "validity_type": pl.Int32,
        "valid_start": _DT, "valid_end": _DT, "valid_days": pl.Int32, "cost_bearer": pl.Int32,
        "claim_channel": pl.String, "is_auto": pl.Boolean,
    },
    "coupon_scope": {"coupon_template_id": pl.Int64, "goods_id": pl.Int64},
    "promotions": {
        "promotion_id": pl.Int64, "group_id": pl.Int64, "seller_id": pl.String, "scope": pl.String,
        "promotion_type": pl.String, "rule": pl.String, "threshold": pl.Int64, "value": pl.Int64,
    },
    "promotion_goods": {"promotion_id": pl.Int64, "goods_id": pl.Int64, "promo_unit_price": pl.Int64},
    "presale_skus": {
        "presale_activity_id": pl.Int64, "sku_id": pl.Int64, "goods_id": pl.Int64, "seller_id": pl.String,
        "presale_price": pl.Int64, "deposit_amt": pl.Int64, "deduction_amt": pl.Int64, "deposit_start": _DT,
        "deposit_end": _DT, "final_start": _DT, "final_end": _DT,
    },
    "allowance_templates": {
        "allowance_template_id": pl.Int64, "channel_type": pl.Int32, "amount": pl.Int64,
        "step_threshold": pl.Int64, "step_discount": pl.Int64, "valid_days": pl.Int32,
    },
    "strategies": {
        "strategy_id": pl.Int64, "strategy_name": pl.String, "launch_plan_id": pl.Int64,
        "launch_plan_name": pl.String, "trigger_id": pl.Int64, "biz_scene_id": pl.Int64,
        "trigger_point_id": pl.Int64, "trigger_point_name": pl.String, "prize_pool_id": pl.Int64,
        "prize_rule_name": pl.String, "container_name": pl.String, "crowd_id": pl.Int64,
        "strategy_label": pl.String, "benefit_type": pl.String, "coupon_template_id": pl.Int64,
        "allowance_template_id": pl.Int64, "blank_share": pl.Float64, "weight": pl.Float64,
    },
    "phoenix_tasks": {
        "task_id": pl.Int64, "task_name": pl.String, "benefit_type": pl.String, "coupon_template_id": pl.Int64,
    },
}


@dataclass
class LiveConfig:
    """What is live on a day (columns and dtypes: ``LIVE_SCHEMAS``)."""

    #: claimable today; ``is_auto``: auto-promoted store coupon (no claim, one per seller at most)
    coupon_templates: pl.DataFrame
    #: goods of item-limited (limit_type 1) templates
    coupon_scope: pl.DataFrame
    #: live promotions, tier-1 rule
    promotions: pl.DataFrame
    #: goods of each live promotion; ``promo_unit_price`` for single-item 'price' rules
    promotion_goods: pl.DataFrame
    #: SKUs whose deposit or final-payment window touches today
    presale_skus: pl.DataFrame
    #: online allowance templates
    allowance_templates: pl.DataFrame
    #: growth-platform strategies live today, bound to today's templates
    strategies: pl.DataFrame
    #: interactive tasks and the coupon template they reward today
    phoenix_tasks: pl.DataFrame

    def __post_init__(self) -> None:
        for f in fields(self):
            schema = LIVE_SCHEMAS[f.name]
            setattr(self, f.name, getattr(self, f.name).select(list(schema)).cast(schema))


class ConfigSimulator:
    """The platform's configuration systems; call ``day`` for consecutive days from the origin."""

    def __init__(self, world: World) -> None:
        self.world = world
        supply = Supply.of(world)
        ids = IdSeq()
        self.campaigns = Campaigns(world.seed, supply, ids)
        self.presales = Presales(world.seed, supply)
        self.coupons = Coupons(world.seed, supply, ids)
        self.promotions = Promotions(world.seed, supply, ids)
        self.growth = Growth(world.origin)
        self._next_day: dt.date | None = None

    def day(self, day: dt.date) -> tuple[dict[str, pl.DataFrame], LiveConfig]:
        """Advance one day (called for consecutive days from world.origin on) and return
        the day's landed frames by table name, and today's live config."""
        first = self._next_day is None
        if first:
            if day != self.world.origin:
                raise ValueError(f"the first simulated day must be the world's origin {self.world.origin}, not {day}")
            for back in range(WARM_UP_DAYS, 0, -1):
                self._step(day - dt.timedelta(back))
        elif day != self._next_day:
            raise ValueError(f"days must be consecutive: expected {self._next_day}, got {day}")
        self._step(day)
        self._next_day = day + dt.timedelta(1)
        return self._frames(day, first), self._live(day)

    def _step(self, day: dt.date) -> None:
        self.campaigns.step(day)
        self.presales.step(day, self.campaigns)
        self.coupons.step(day)
        self.promotions.step(day, self.campaigns)

    def _frames(self, day: dt.date, first: bool) -> dict[str, pl.DataFrame]:
        frames = {
            **self.coupons.frames(day, first),
            **self.growth.frames(day),
            **self.promotions.frames(day, first),
            **self.campaigns.frames(day, first),
            **self.presales.frames(day, first),
        }
        return {table: conform(frame, EXPORTS[table]) for table, frame in frames.items()}

    def _live(self, day: dt.date) -> LiveConfig:
        templates = self.coupons.live_templates(day)
        promotions, promotion_goods = self.promotions.live(day)
        allowances = self.growth.allowance_templates(day).filter(pl.col("status") == 1)
        return LiveConfig(
            coupon_templates=templates.rename({
                "threshold_amount": "threshold", "discount_amount": "discount",
                "valid_start_time": "valid_start", "valid_end_time": "valid_end",
            }),
            coupon_scope=self.coupons.live_scope(templates),
            promotions=promotions,
            promotion_goods=promotion_goods,
            presale_skus=self.presales.live(day),
            allowance_templates=allowances,
            strategies=self.growth.strategies(day, templates),
            phoenix_tasks=self.growth.tasks(templates),
        )


__all__ = ["LIVE_SCHEMAS", "ConfigSimulator", "LiveConfig", "WARM_UP_DAYS"]

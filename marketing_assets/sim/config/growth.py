"""Growth platform (智能营销) configuration, allowance templates and interactive tasks.

The growth platform's triggers, business scenes and rainbow crowds are standing config
(dumped in full every day). Strategies are fixed: each belongs to a launch plan (daily
acquisition, conversion / repurchase, churn recall, member day, big promotion, new products)
and fires on a trigger in a scene for a crowd; its prize pool is re-stocked every day with
the platform templates of its slot (today's daily coupons, the member-day or 大额薯券
coupons, an allowance template), so a strategy is live on the days its slot has templates.
Allowance templates: three standing ones, plus a shopping allowance per big promotion, put
online the day before its presale and taken offline after its sale. Interactive (phoenix)
tasks reward a coupon of the day's task template, an allowance or a surprise box.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from marketing_assets.sim import exports
from marketing_assets.sim.calendar import big_promotions
from marketing_assets.sim.config.base import at
from marketing_assets.sim.config.campaigns import BIG_CODES

TRIGGERS = [
    (1001, "首次访问", "first_visit", 1), (1002, "加购未下单", "cart_abandon", 1), (1003, "浏览笔记", "note_view", 1),
    (1004, "下单完成", "order_paid", 1), (1005, "30天未访问回访", "return_visit", 1), (1006, "进入直播间", "live_enter", 1),
    (1007, "搜索", "search", 1), (1008, "进入大促会场", "venue_enter", 1), (1009, "会员日签到", "member_checkin", 1),
    (1010, "旧版首页弹窗", "legacy_popup", 2),
]
SCENES = [
    (201, "首页", "home"), (202, "购物车", "cart"), (203, "购物笔记", "note"), (204, "订单页", "order"),
    (205, "直播间", "live"), (206, "搜索结果页", "search"), (207, "大促会场", "venue"), (208, "会员中心", "member"),
]
CROWDS = [
    (301, "新注册未下单", "new", 30), (302, "30天内新客", "new", 30), (303, "近90天复购人群", "repurchase", 90),
    (304, "高价值复购人群", "repurchase", 180), (305, "流失60天", "churn", 60), (306, "流失180天", "churn", 180),
    (307, "大促活跃人群", "activity", 30), (308, "会员人群", "activity", 365),
]
#: id, name, channel_type, amount, step_threshold, step_discount, valid_days, slot
STANDING_ALLOWANCES = [
    (1, "日常津贴 每满100减5", 1, 1500, 10000, 500, 7, "allow_daily"),
    (2, "新客津贴 每满50减5", 1, 1000, 5000, 500, 3, "allow_daily"),
    (3, "任务津贴 每满100减3", 3, 600, 10000, 300, 3, "allow_task"),
]

LAUNCH_PLANS = {401: "日常拉新", 402: "日常促转化", 403: "流失召回", 404: "会员日", 405: "大促", 406: "新品尝鲜"}
TRIGGER_POINTS = {
    601: "首页弹窗", 602: "购物车挽留弹窗", 603: "订单完成页卡片", 604: "笔记挂件", 605: "回访弹窗",
    606: "会员中心横幅", 607: "会场领券中心", 608: "搜索结果页卡片", 609: "直播间弹窗",
}
PRIZE_POOLS = {
    701: "新客券池", 702: "复购券池", 703: "复购津贴池", 704: "召回券池", 705: "召回津贴池", 706: "会员日券池",
    707: "大促券池", 708: "大促津贴池", 709: "新品券池",
}
_BLUEPRINT_COLUMNS = [
    "strategy_id", "strategy_name", "launch_plan_id", "trigger_id", "biz_scene_id", "trigger_point_id",
    "prize_pool_id", "container_name", "crowd_id", "benefit_type", "slot", "rank", "blank_share", "weight",
]
#: the strategies; each binds the ``rank``-th benefit of its ``slot`` live on the day
BLUEPRINTS = pl.DataFrame([
    (5001, "首页×新客首单券×A", 401, 1001, 201, 601, 701, "红皮肤惊喜盒子", 301, "coupon", "daily", 0, 0.1, 1.0),
    (5002, "首页×新客首单券×B", 401, 1001, 201, 601, 701, "红包雨", 302, "coupon", "daily", 1, 0.1, 1.0),
    (5003, "直播间×新客券×A", 401, 1006, 205, 609, 701, "直播间红包", 301, "coupon", "daily", 0, 0.2, 0.8),
    (5004, "购物车×挽留券×A", 402, 1002, 202, 602, 702, "购物车浮层", 303, "coupon", "daily", 1, 0.1, 1.5),
    (5005, "笔记×种草券×A", 402, 1003, 203, 604, 702, "笔记挂件", 303, "coupon", "daily", 2, 0.2, 0.8),
    (5006, "订单页×复购津贴×A", 402, 1004, 204, 603, 703, "津贴卡片", 304, "allowance", "allow_daily", 0, 0.1, 1.0),
    (5007, "回访×召回券×A", 403, 1005, 201, 605, 704, "红皮肤惊喜盒子", 305, "coupon", "daily", 2, 0.1, 0.6),
    (5008, "回访×召回津贴×A", 403, 1005, 201, 605, 705, "津贴卡片", 306, "allowance", "allow_daily", 1, 0.1, 0.4),
    (5009, "会员中心×会员日券×A", 404, 1009, 208, 606, 706, "会员日红包", 308, "coupon", "member_day", 0, 0.1, 2.0),
    (5010, "会员中心×会员日大额券×A", 404, 1009, 208, 606, 706, "会员日红包", 308, "coupon", "member_day", 1, 0.1, 1.0),
    (5011, "大促会场×大额薯券×满300", 405, 1008, 207, 607, 707, "大促红包", 307, "coupon", "big_promo", 0, 0.1, 3.0),
    (5012, "大促会场×大额薯券×满600", 405, 1008, 207, 607, 707, "大促红包", 307, "coupon", "big_promo", 1, 0.1, 2.0),
    (5013, "大促会场×大额薯券×满1000", 405, 1008, 207, 607, 707, "大促红包", 307, "coupon", "big_promo", 2, 0.1, 1.0),
    (5014, "大促会场×购物津贴×A", 405, 1008, 207, 607, 708, "津贴卡片", 307, "allowance", "allow_big", 0, 0.1, 2.0),
    (5015, "搜索×新品尝鲜券×A", 406, 1007, 206, 608, 709, "新品卡片", 302, "coupon", "new_product", 0, 0.1, 0.5),
], schema=_BLUEPRINT_COLUMNS, orient="row").with_columns(
    launch_plan_name=pl.col("launch_plan_id").replace_strict(LAUNCH_PLANS),
    trigger_point_name=pl.col("trigger_point_id").replace_strict(TRIGGER_POINTS),
    prize_rule_name=pl.col("prize_pool_id").replace_strict(PRIZE_POOLS),
    strategy_label=pl.col("crowd_id").replace_strict({cid: label for cid, _, label, _ in CROWDS}),
)
#: task id, name, benefit, rank among the day's task templates (coupon tasks)
TASKS = pl.DataFrame([
    (9001, "浏览会场30秒", "coupon", 0), (9002, "每日签到", "allowance", None),
    (9003, "开惊喜盒", "surprise_box", None), (9004, "分享笔记得券", "coupon", 0),
    (9005, "关注店铺领津贴", "allowance", None),
], schema=["task_id", "task_name", "benefit_type", "rank"], orient="row")


def _standing_times(origin: dt.date, i: int) -> tuple[dt.datetime, dt.datetime]:
    created = at(origin - dt.timedelta(days=700 - 15 * i), 10)
    return created, created + dt.timedelta(days=20)


class Growth:
    def __init__(self, origin: dt.date) -> None:
        self.origin = origin

    def triggers(self) -> pl.DataFrame:
        rows = [(tid, name, event, status, *_standing_times(self.origin, i))
                for i, (tid, name, event, status) in enumerate(TRIGGERS)]
        return pl.DataFrame(rows, schema=["trigger_id", "trigger_name", "trigger_event", "status", "create_time",
                                          "update_time"], orient="row")

    def scenes(self) -> pl.DataFrame:
        rows = [(sid, name, code, *_standing_times(self.origin, i)) for i, (sid, name, code) in enumerate(SCENES)]
        return pl.DataFrame(rows, schema=["biz_scene_id", "scene_name", "scene_code", "create_time", "update_time"],
                            orient="row")

    def crowds(self) -> pl.DataFrame:
        rows = [(cid, name, label, json.dumps({"strategy_label": label, "window_days": days}),
                 *_standing_times(self.origin, i)) for i, (cid, name, label, days) in enumerate(CROWDS)]
        return pl.DataFrame(rows, schema=["crowd_id", "crowd_name", "strategy_label", "rule_json", "create_time",
                                          "update_time"], orient="row")

    def allowance_templates(self, day: dt.date) -> pl.DataFrame:
        """member_point_template as of ``day``, with internal ``slot`` and ``live_from``."""
        rows = [(*row, 1, *_standing_times(self.origin, i), self.origin - dt.timedelta(400))
                for i, row in enumerate(STANDING_ALLOWANCES)]
        for year in (day.year - 1, day.year):
            for bp in big_promotions(year):
                created = at(bp.presale_start - dt.timedelta(1), 20)
                if created.date() > day:
                    continue
                online = day <= bp.end
                rows.append((bp.start.year * 1000 + BIG_CODES[bp.code], f"{bp.name} 购物津贴 每满300减30", 2, 10000,
                             30000, 3000, (bp.end - bp.presale_start).days + 1, "allow_big", 1 if online else 2,
                             created, created if online else at(bp.end + dt.timedelta(1), 0, 30), bp.presale_start))
        return pl.DataFrame(rows, orient="row", schema={
            "allowance_template_id": pl.Int64, "template_name": pl.String, "channel_type": pl.Int32,
            "amount": pl.Int64, "step_threshold": pl.Int64, "step_discount": pl.Int64, "valid_days": pl.Int32,
            "slot": pl.String, "status": pl.Int32, "create_time": pl.Datetime("us"), "update_time": pl.Datetime("us"),
            "live_from": pl.Date,
        }).sort("allowance_template_id")

    def frames(self, day: dt.date) -> dict[str, pl.DataFrame]:
        return {
            exports.TRIGGERS: self.triggers(),
            exports.BIZ_SCENES: self.scenes(),
            exports.CROWDS: self.crowds(),
            exports.ALLOWANCE_TEMPLATES: self.allowance_templates(day),
        }

    # ---- what is live ----------------------------------------------------------------------
    def strategies(self, day: dt.date, coupon_templates: pl.DataFrame) -> pl.DataFrame:
        """Strategies whose slot has templates today, each bound to one of them by its rank."""
        coupons = coupon_templates.filter(pl.col("claim_channel") == "growth_platform").select(
            "slot", pl.col("coupon_template_id").alias("benefit_id"), pl.col("threshold_amount").alias("order"),
        )
        allowances = self.allowance_templates(day).filter(
            pl.col("status") == 1, pl.col("live_from") <= day
        ).select("slot", pl.col("allowance_template_id").alias("benefit_id"), pl.col("amount").alias("order"))
        coupon = pl.col("benefit_type") == "coupon"
        return _bind(BLUEPRINTS, pl.concat([coupons, allowances])).select(
            "strategy_id", "strategy_name", "launch_plan_id", "launch_plan_name", "trigger_id", "biz_scene_id",
            "trigger_point_id", "trigger_point_name", "prize_pool_id", "prize_rule_name", "container_name",
            "crowd_id", "strategy_label", "benefit_type",
            pl.when(coupon).then("benefit_id").alias("coupon_template_id"),
            pl.when(~coupon).then("benefit_id").alias("allowance_template_id"),
            "blank_share", "weight",
        ).sort("strategy_id")

    def tasks(self, coupon_templates: pl.DataFrame) -> pl.DataFrame:
        task_coupons = coupon_templates.filter(pl.col("claim_channel") == "task").select(
            pl.lit("task").alias("slot"), pl.col("coupon_template_id").alias("benefit_id"),
            pl.col("threshold_amount").alias("order"),
        )
        coupon_tasks = _bind(
            TASKS.filter(pl.col("benefit_type") == "coupon").with_columns(slot=pl.lit("task")), task_coupons
        )
        return pl.concat([
            coupon_tasks.select(
                "task_id", "task_name", "benefit_type", pl.col("benefit_id").alias("coupon_template_id")
            ),
            TASKS.filter(pl.col("benefit_type") != "coupon").select(
                "task_id", "task_name", "benefit_type", pl.lit(None, pl.Int64).alias("coupon_template_id")
            ),
        ]).sort("task_id")


def _bind(blueprints: pl.DataFrame, benefits: pl.DataFrame) -> pl.DataFrame:
    """Join each blueprint to the ``rank``-th benefit of its slot (ordered by ``order``, id),
    wrapping around; blueprints whose slot has no benefit today are dropped."""
    ranked = benefits.sort("slot", "order", "benefit_id").with_columns(
        pos=pl.int_range(pl.len()).over("slot"), n=pl.len().over("slot")
    )
    counts = ranked.group_by("slot").agg(pl.col("n").first())
    return (
        blueprints.join(counts, on="slot")
        .with_columns(pos=(pl.col("rank") % pl.col("n")).cast(pl.Int64))
        .join(ranked.select("slot", pl.col("pos").cast(pl.Int64), "benefit_id"), on=["slot", "pos"])
    )

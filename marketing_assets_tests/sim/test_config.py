"""The configuration simulator on a tiny world: the landed frames against their models, a
row in every table every day, determinism, the Mongo/MySQL template copies, the live-config
contract (dtypes, references, exclusivity) and the calendar's content.

Two runs: 10 days from 2025-05-28 (618 presale → final payments → sale) and 5 ordinary
days from 2025-11-24 (a monthly campaign's sale, a member day).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from marketing_assets.domains.registry import SPECS_BY_TABLE
from marketing_assets.sim.config import LIVE_SCHEMAS, ConfigSimulator, LiveConfig
from marketing_assets.sim.world import World, build_world

SEED = 11
TABLES = {
    "ods_mongo_35003_coupon_31006_activity_day_inc", "ods_fls_coupon_template_df", "ods_mongo_32004_coupon_template_hi",
    "ods_mongo_32004_coupon_coupon_spu_limit_hourly", "ods_fls_coupon_template_limit_hi",
    "ods_fls_coupon_template_limit_df", "ods_egrowth_main_trigger_df", "ods_egrowth_main_bizscene_df",
    "ods_egrowth_main_rainbow_crowd_config_df", "ods_member_points_template",
    "ods_mongo_35001_ipms_31003_promotion_group", "ods_mongo_35001_ipms_31003_promotion_target_day_inc",
    "ods_mongo_35001_ipms_31003_promotion_benefit_day_inc", "ods_mongo_35001_ipms_31003_promotion_blacklist_target",
    "ods_mongo_35001_ipms_31003_promotion_gift", "ods_mongo_35001_listings_31003_activity",
    "ods_mongo_35001_listings_31003_sub_activity", "ods_mongo_35001_listings_31003_campaign_item",
    "ods_mongo_35001_presale_31006_presale_activity", "ods_mongo_35001_presale_31006_presale_sales",
}
#: incremental exports: the rows inserted or updated that day (after the first day)
INCREMENTAL = {
    "ods_mongo_35003_coupon_31006_activity_day_inc", "ods_mongo_32004_coupon_template_hi",
    "ods_mongo_32004_coupon_coupon_spu_limit_hourly", "ods_fls_coupon_template_limit_hi",
    "ods_mongo_35001_ipms_31003_promotion_target_day_inc", "ods_mongo_35001_ipms_31003_promotion_benefit_day_inc",
    "ods_mongo_35001_listings_31003_campaign_item", "ods_mongo_35001_presale_31006_presale_sales",
}
MONGO_TEMPLATE, MYSQL_TEMPLATE = "ods_mongo_32004_coupon_template_hi", "ods_fls_coupon_template_df"

Day = tuple[dt.date, dict[str, pl.DataFrame], LiveConfig]


def simulate(start: dt.date, days: int) -> tuple[World, list[Day], ConfigSimulator]:
    world = build_world(SEED, "tiny", start)
    sim = ConfigSimulator(world)
    out = []
    for i in range(days):
        day = start + dt.timedelta(i)
        out.append((day, *sim.day(day)))
    return world, out, sim


@pytest.fixture(scope="module")
def presale_run() -> tuple[World, list[Day]]:
    return simulate(dt.date(2025, 5, 28), 10)[:2]


@pytest.fixture(scope="module")
def ordinary_sim() -> tuple[World, list[Day], ConfigSimulator]:
    return simulate(dt.date(2025, 11, 24), 5)


@pytest.fixture(scope="module")
def ordinary_run(ordinary_sim) -> tuple[World, list[Day]]:
    return ordinary_sim[:2]


@pytest.fixture(scope="module", params=["presale_run", "ordinary_run"])
def run(request) -> tuple[World, list[Day]]:
    return request.getfixturevalue(request.param)


# ---- landed frames ---------------------------------------------------------------------------


def test_every_table_validates_with_rows_every_day(run):
    _, days = run
    for day, frames, _ in days:
        assert set(frames) == TABLES
        for table, frame in frames.items():
            spec = SPECS_BY_TABLE[table]
            expected = list(spec.business_columns) + (["sync_hour"] if spec.hourly else [])
            assert frame.columns == expected, table
            spec.model.validate(frame.drop("sync_hour", strict=False))
            assert frame.height >= 1, f"{table} has no row on {day}"
            grain = [*spec.key, *(["sync_hour"] if spec.hourly else [])]
            assert frame.select(grain).is_unique().all(), f"{table} grain not unique on {day}"
            assert frame.equals(frame.sort(grain)), f"{table} not sorted by its grain"


def test_incremental_exports_hold_the_days_changes(run):
    _, days = run
    (first, first_frames, _), later = days[0], days[1:]
    start = dt.datetime.combine(first, dt.time())
    # the first export of a new sync carries the standing state, created before the origin
    assert (first_frames[MONGO_TEMPLATE]["update_time"] < start).any()
    assert (first_frames["ods_mongo_35001_listings_31003_campaign_item"]["signup_time"] < start).any()
    for day, frames, _ in later:
        lo = dt.datetime.combine(day, dt.time())
        for table in INCREMENTAL:
            spec, frame = SPECS_BY_TABLE[table], frames[table]
            stamp = frame[spec.event_time]
            assert stamp.is_between(lo, lo + dt.timedelta(days=1), closed="left").all(), (table, day)
            if spec.hourly:
                assert (frame["sync_hour"] == stamp.dt.hour()).all()


def test_same_world_same_days_same_frames(ordinary_run):
    _, days = ordinary_run
    _, again, _ = simulate(dt.date(2025, 11, 24), 5)
    for (day, frames, live), (_, frames2, live2) in zip(days, again):
        for table in TABLES:
            assert frames[table].equals(frames2[table]), (table, day)
        for name in LIVE_SCHEMAS:
            assert getattr(live, name).equals(getattr(live2, name)), (name, day)


def test_mongo_and_mysql_template_copies_agree(run):
    _, days = run
    columns = list(SPECS_BY_TABLE[MONGO_TEMPLATE].business_columns)
    mongo = pl.DataFrame(schema={c: SPECS_BY_TABLE[MONGO_TEMPLATE].business_columns[c].dtype.type for c in columns})
    for day, frames, _ in days:
        changes = frames[MONGO_TEMPLATE].sort("coupon_template_id", "sync_hour").unique(
            "coupon_template_id", keep="last", maintain_order=True
        ).select(columns)
        mongo = pl.concat([mongo.join(changes, on="coupon_template_id", how="anti"), changes])
        mongo = mongo.sort("coupon_template_id")
        mysql = frames[MYSQL_TEMPLATE].select(columns).sort("coupon_template_id")
        # the read copy holds every template of the system of record, with the same values
        assert mongo.join(mysql.select("coupon_template_id"), on="coupon_template_id").equals(mysql), day
        # and the day's changes are exactly the MySQL rows updated that day
        if day != days[0][0]:
            lo = dt.datetime.combine(day, dt.time())
            updated = mysql.filter(pl.col("update_time") >= lo)
            assert changes.sort("coupon_template_id").equals(updated), day


def test_thresholds_above_discounts(run):
    _, days = run
    for day, frames, live in days:
        templates = frames[MYSQL_TEMPLATE]
        assert (templates["threshold_amount"] > templates["discount_amount"]).all()
        assert (live.coupon_templates["threshold"] > live.coupon_templates["discount"]).all()
        benefits = frames["ods_mongo_35001_ipms_31003_promotion_benefit_day_inc"].filter(
            pl.col("rule") == "full_reduction"
        )
        assert (benefits["threshold"] > benefits["value"]).all()
        allowances = live.allowance_templates
        assert (allowances["step_threshold"] > allowances["step_discount"]).all()


# ---- the live config ---------------------------------------------------------------------------


def test_live_config_dtypes_exactly(run):
    _, days = run
    for _, _, live in days:
        for name, schema in LIVE_SCHEMAS.items():
            frame = getattr(live, name)
            assert dict(frame.schema) == schema, name
            assert frame.height > 0, name


def test_strategies_and_tasks_reference_live_config(run):
    _, days = run
    for day, frames, live in days:
        templates = live.coupon_templates
        strategies = live.strategies
        assert strategies["strategy_id"].is_unique().all()
        for column, table, key in [
            ("trigger_id", "ods_egrowth_main_trigger_df", "trigger_id"),
            ("biz_scene_id", "ods_egrowth_main_bizscene_df", "biz_scene_id"),
            ("crowd_id", "ods_egrowth_main_rainbow_crowd_config_df", "crowd_id"),
        ]:
            assert strategies[column].is_in(frames[table][key].implode()).all(), column
        labels = strategies.join(frames["ods_egrowth_main_rainbow_crowd_config_df"], on="crowd_id")
        assert (labels["strategy_label"] == labels["strategy_label_right"]).all()
        coupon = strategies.filter(pl.col("benefit_type") == "coupon")
        growth = templates.filter(pl.col("claim_channel") == "growth_platform", pl.col("coupon_type") == 1)
        assert coupon["coupon_template_id"].is_in(growth["coupon_template_id"].implode()).all()
        assert coupon["allowance_template_id"].is_null().all()
        allowance = strategies.filter(pl.col("benefit_type") == "allowance")
        online = live.allowance_templates["allowance_template_id"]
        assert allowance["allowance_template_id"].is_in(online.implode()).all()
        assert allowance["coupon_template_id"].is_null().all()
        assert strategies["blank_share"].is_between(0, 1, closed="left").all() and (strategies["weight"] > 0).all()
        tasks = live.phoenix_tasks.filter(pl.col("benefit_type") == "coupon")
        task_templates = templates.filter(pl.col("claim_channel") == "task")["coupon_template_id"]
        assert tasks.height > 0 and tasks["coupon_template_id"].is_in(task_templates.implode()).all()


def test_coupon_templates_and_scope(run):
    world, days = run
    goods = world.goods.select("goods_id", pl.col("seller_id").alias("goods_seller"))
    for day, _, live in days:
        templates = live.coupon_templates
        platform = pl.col("coupon_type") == 1
        assert templates.filter(platform)["seller_id"].is_null().all()
        assert templates.filter(~platform)["seller_id"].is_not_null().all()
        assert ((templates["cost_bearer"] == 1) == (templates["coupon_type"] == 1)).all()
        fixed = templates.filter(pl.col("validity_type") == 1)
        assert fixed["valid_start"].is_not_null().all() and (fixed["valid_end"] > fixed["valid_start"]).all()
        assert templates.filter(pl.col("validity_type") == 2)["valid_days"].is_not_null().all()
        auto = templates.filter("is_auto")
        assert auto.height > 0 and auto["seller_id"].is_unique().all()
        assert (auto["claim_channel"] == "auto").all()
        scope = live.coupon_scope.join(templates, on="coupon_template_id", how="left").join(goods, on="goods_id")
        assert (scope["limit_type"] == 1).all(), "scope of a template that is not item-limited or not live"
        assert (scope["seller_id"] == scope["goods_seller"]).all()
        item = templates.filter(pl.col("limit_type") == 1)["coupon_template_id"]
        assert item.is_in(live.coupon_scope["coupon_template_id"].implode()).all()


def test_promotions_and_their_goods(run):
    world, days = run
    goods = world.goods.select("goods_id", pl.col("seller_id").alias("goods_seller"))
    prices = world.skus.group_by("goods_id").agg(pl.col("price").min().alias("min_price"))
    for day, _, live in days:
        promotions = live.promotions
        assert promotions["promotion_id"].is_unique().all()
        lines = live.promotion_goods.join(promotions, on="promotion_id", how="left").join(goods, on="goods_id")
        assert lines["scope"].is_not_null().all(), "goods of a promotion that is not live"
        store = lines.filter(pl.col("scope") == "store")
        assert (store["seller_id"] == store["goods_seller"]).all()
        multi = lines.filter(pl.col("rule").is_in(["full_reduction", "m_n_discount"]))
        for scope in ("store", "platform"):
            assert multi.filter(pl.col("scope") == scope)["goods_id"].is_unique().all(), scope
        price = lines.filter(pl.col("rule") == "price").join(prices, on="goods_id")
        assert price["goods_id"].is_unique().all()
        assert (price["promo_unit_price"] < price["min_price"]).all() and (price["promo_unit_price"] > 0).all()
        assert lines.filter(pl.col("rule") != "price")["promo_unit_price"].is_null().all()
        assert set(promotions["rule"]) >= {"price", "full_reduction", "m_n_discount", "gift", "interest_free"}


def test_presale_skus_exist_and_are_priced_sensibly(run):
    world, days = run
    for day, frames, live in days:
        skus = live.presale_skus.join(world.skus, on="sku_id", how="left")
        assert skus["price"].is_not_null().all()
        assert (skus["goods_id"] == skus["goods_id_right"]).all()
        assert (skus["seller_id"] == skus["seller_id_right"]).all()
        assert (skus["deposit_amt"] < skus["deduction_amt"]).all()
        assert (skus["deduction_amt"] < skus["presale_price"]).all()
        assert ((skus["presale_price"] <= skus["price"]) & (skus["presale_price"] >= skus["price"] * 0.8)).all()
        assert live.presale_skus["sku_id"].is_unique().all(), "a SKU in two overlapping presales"
        lo = dt.datetime.combine(day, dt.time())
        touching = (pl.col("deposit_start") < lo + dt.timedelta(days=1)) & (pl.col("final_end") >= lo)
        assert live.presale_skus.select(touching.all()).item()


# ---- the calendar's content ------------------------------------------------------------------------


def test_618_presale_then_sale(presale_run):
    _, days = presale_run
    by_day = {day: (frames, live) for day, frames, live in days}
    frames, live = by_day[dt.date(2025, 5, 28)]
    windows = live.presale_skus.join(
        frames["ods_mongo_35001_presale_31006_presale_activity"], on="presale_activity_id"
    )
    assert (windows["presale_type"] == "618").any() and (windows["presale_type"] == "new_product").any()
    assert set(live.coupon_templates.filter(pl.col("coupon_type") == 1)["channel_type"]) >= {1, 2, 3, 4}
    assert not (live.promotions["scope"] == "platform").any()
    frames, live = by_day[dt.date(2025, 6, 1)]
    assert (live.promotions["scope"] == "platform").any()
    assert live.strategies["launch_plan_name"].is_in(["大促"]).any()
    items = pl.concat([f["ods_mongo_35001_listings_31003_campaign_item"] for f, _ in by_day.values()])
    assert set(items["audit_status"]) == {"pending", "approved", "rejected"}
    activities = frames["ods_mongo_35001_listings_31003_activity"]
    subs = frames["ods_mongo_35001_listings_31003_sub_activity"].join(activities, on="activity_id")
    assert set(subs.filter(pl.col("activity_type") == "618")["sub_type"]) == {"venue", "discount", "presale", "coupon"}


def test_ordinary_days(ordinary_run):
    _, days = ordinary_run
    by_day = {day: live for day, _, live in days}
    member = by_day[dt.date(2025, 11, 26)]  # a Wednesday
    assert member.strategies["launch_plan_name"].is_in(["会员日"]).any()
    assert not by_day[dt.date(2025, 11, 27)].strategies["launch_plan_name"].is_in(["会员日"]).any()
    # the monthly campaign's cross-store 满减 runs on the 25th–27th
    assert not (by_day[dt.date(2025, 11, 24)].promotions["scope"] == "platform").any()
    assert (by_day[dt.date(2025, 11, 25)].promotions["scope"] == "platform").any()
    assert not by_day[dt.date(2025, 11, 24)].strategies["launch_plan_name"].is_in(["大促"]).any()


def test_days_must_start_at_the_origin_and_follow_each_other(ordinary_sim):
    world, days, sim = ordinary_sim
    with pytest.raises(ValueError, match="origin"):
        ConfigSimulator(world).day(world.origin + dt.timedelta(1))
    with pytest.raises(ValueError, match="consecutive"):
        sim.day(days[-1][0] + dt.timedelta(2))

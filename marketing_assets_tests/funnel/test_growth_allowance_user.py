"""Growth, allowance and store-level customer transforms on hand-made frames."""

import datetime as dt

import polars as pl

from marketing_assets.derived import compute_days
from marketing_assets.domains.allowance import allowances as atf
from marketing_assets.domains.growth import coupon_offers as gtf
from marketing_assets.domains.tables import DERIVED_TABLES as GROWTH
from marketing_assets.metrics import LOOKBACK_DAYS
from marketing_assets.domains.user import first_orders as utf
from marketing_assets_tests.funnel._hand import sql_day

D = dt.date(2025, 6, 10)


def at(hour: int, day: int = 10) -> dt.datetime:
    return dt.datetime(2025, 6, day, hour)


def _benefit(kind: str, template: int, instance: str) -> str:
    return (f'[{{"benefit_entity_type":"{kind}","benefit_entity_id":{template},'
            f'"benefit_id":7,"instance_id":{instance}}}]')


def _events() -> pl.DataFrame:
    n = 4
    return pl.DataFrame({
        "execution_id": [1, 1, 2, 3],
        "user_id": ["U1", "U1", "U2", "U3"],
        "trigger_id": [5] * n, "biz_scene_id": [6] * n, "strategy_id": [8] * n,
        "launch_plan_id": [9] * n, "trigger_point_id": [10] * n, "prize_pool_id": [7] * n,
        "strategy_name": ["s"] * n, "launch_plan_name": ["p"] * n, "trigger_point_name": ["tp"] * n,
        "prize_rule_name": ["pool"] * n, "crowd_id": [4] * n, "container_name": ["popup"] * n,
        # E1 is claimed by its update event; E2 offered an allowance, not claimed; E3 blank
        "experiment_group": ["A", "A", "B", "blank"],
        "benefit_info": [_benefit("coupon", 100, "null"), _benefit("coupon", 100, "555"),
                         _benefit("allowance", 200, "null"), "[]"],
        "execute_time": [at(9), at(9), at(10), at(11)],
        "op": ["c", "u", "c", "c"],
        "event_time": [at(9), at(9).replace(minute=1), at(10), at(11)],
        "is_late": [False] * n, "_src_file": ["f"] * n, "_src_line": [1, 2, 3, 4],
    })


DIMS = dict(
    triggers=pl.DataFrame({"trigger_id": [5], "trigger_name": ["add to cart"], "trigger_event": ["cart_add"]}),
    scenes=pl.DataFrame({"biz_scene_id": [6], "scene_name": ["cart"]}),
    crowds=pl.DataFrame({"crowd_id": [4], "crowd_name": ["new users"], "strategy_label": ["new"]}),
)


EXECUTIONS = next(t for t in GROWTH if t.table == "dwd_ecm_mkt_user_strategy_execution_di")


def test_executions_keep_the_latest_event_and_the_blank_group():
    ex = sql_day(EXECUTIONS, D, events=_events(), **DIMS)
    assert ex["execution_id"].to_list() == [1, 2, 3]
    assert ex["is_blank"].to_list() == [False, False, True]
    assert ex["benefit_cnt"].to_list() == [1, 1, 0]
    assert ex["trigger_name"].to_list() == ["add to cart"] * 3 and ex["strategy_label"][0] == "new"
    assert '"instance_id":555' in ex["benefit_info"][0]


BENEFITS, COUPON_OFFERS, ALLOWANCE_OFFERS = (
    next(t for t in GROWTH if t.table == f"dwd_ecm_mkt_user_strategy_execution_{name}_di")
    for name in ("benefit", "coupon", "allowance"))


def test_benefits_and_offers():
    ex = sql_day(EXECUTIONS, D, events=_events(), **DIMS)
    b = sql_day(BENEFITS, D, executions=ex)
    assert sorted(b.select("execution_id", "benefit_entity_type", "benefit_entity_id", "instance_id").rows()) == [
        (1, "coupon", 100, 555), (2, "allowance", 200, None),
    ]
    coupon_templates = pl.DataFrame({
        "coupon_template_id": [100], "coupon_type": pl.Series([1], dtype=pl.Int32),
        "channel_type": pl.Series([1], dtype=pl.Int32), "threshold_amount": [5000],
        "discount_amount": [500], "cost_bearer": ["platform"],
    })
    offers = sql_day(COUPON_OFFERS, D, benefits=b, templates=coupon_templates)
    assert offers.select("execution_id", "coupon_id", "is_claimed", "discount_amount").rows() == [(1, 555, True, 500)]
    allowance_templates = pl.DataFrame({
        "allowance_template_id": [200], "amount": [3000], "step_threshold": [9900], "step_discount": [1000],
    })
    a = sql_day(ALLOWANCE_OFFERS, D, benefits=b, templates=allowance_templates)
    assert a.select("execution_id", "allowance_id", "is_claimed", "amount").rows() == [(2, None, False, 3000)]
    # a blank group's benefit (should one be logged) is not an offer
    blank = b.with_columns(experiment_group=pl.lit("blank"))
    assert sql_day(COUPON_OFFERS, D, benefits=blank, templates=coupon_templates).height == 0


D9 = dt.date(2025, 6, 9)
GET_USE = next(t for t in GROWTH if t.table == "dwd_ecm_mkt_user_strategy_execution_coupon_get_use_df")


def test_trigger_claim_use_of_a_growth_coupon():
    # offers (…_coupon_di): E1 (U1, 9 June) claimed 555, E2 (U2, 10 June) claimed 556,
    # E3 (U3, 10 June) and E4 (U4, 9 June) not claimed, E5 (U5) not claimed 600 days
    # before 10 June: out of the window (the first day is 10 June − 599 days)
    old = D - dt.timedelta(days=LOOKBACK_DAYS)
    days = [D9, D, D, D9, old]
    offers = pl.DataFrame({
        **{c: [1, 2, 3, 4, 5] for c in ("execution_id", "strategy_id", "launch_plan_id", "biz_scene_id",
                                         "prize_pool_id")},
        "user_id": ["U1", "U2", "U3", "U4", "U5"], "experiment_group": ["A", "B", "A", "B", "A"],
        "execute_time": [dt.datetime.combine(d, dt.time(9)) for d in days], "execute_date": days,
        "coupon_template_id": [100, 100, 100, 101, 100], "coupon_id": [555, 556, None, None, None],
        "dt": days,
    })
    coupons = pl.DataFrame({
        "coupon_id": [555, 556], "claim_time": [at(9, 9), at(10)], "status": pl.Series([2, 1], dtype=pl.Int32),
        "use_time": [at(12), None], "valid_end_time": [at(0, 20)] * 2,
    })
    claimed = gtf.claimed_coupons(D, offers, coupons)
    assert claimed.select("coupon_id", "trigger_dt", "status").rows() == [
        (555, D9, 2), (556, D, 1),
    ]
    # 555 used on two lines of P1; 556's use on P9 refunded (on a later day): unused
    uses = pl.DataFrame({
        "coupon_id": [555, 555, 556], "package_id": ["P1", "P1", "P9"], "goods_id": [1, 2, 1],
        "seller_id": ["S1"] * 3, "pay_time": [at(12)] * 3, "pay_date": [D] * 3,
        "line_paid_amt": [9000, 6000, 3000], "discount_amt": [300, 200, 500],
        "bearer": ["platform"] * 3, "is_refunded": [False, False, True],
    })
    # through the table's definition: model (coupon_id null), grain, 600-day window
    get_use = compute_days(GET_USE, [D], {
        "claimed": claimed.with_columns(dt=pl.lit(D)), "offers": offers, "uses": uses.with_columns(dt=pl.lit(D)),
    })
    rows = get_use.select("execution_id", "coupon_id", "goods_id", "is_claimed", "is_used", "discount_amt").rows()
    assert sorted(rows, key=str) == sorted([
        (1, 555, 1, True, True, 300), (1, 555, 2, True, True, 200),  # E1: claimed, used on 2 lines
        (2, 556, None, True, False, None),  # E2: claimed, unused
        (3, None, None, False, False, None), (4, None, None, False, False, None),  # not claimed
    ], key=str)
    # each cohort's triggered, claimed and used from this one table
    funnel = (
        get_use.group_by("trigger_dt")
        .agg(
            triggered=pl.struct(gtf.OFFER_KEY).n_unique(),
            claimed=pl.col("coupon_id").drop_nulls().n_unique(),
            used=pl.col("coupon_id").filter("is_used").n_unique(),
        )
        .sort("trigger_dt")
    )
    assert funnel.rows() == [(D9, 2, 1, 1), (D, 2, 1, 0)]


def test_allowance_spent_across_three_orders_and_split_over_lines():
    records = pl.DataFrame({
        "record_id": [11, 12, 13, 14], "record_type": ["use"] * 4, "order_id": ["O1", "O2", "O3", "O4"],
    })
    # A1 (3000) pays 1000 + 1000 + 500 on three orders; O4 is paid by A2 (400) and A3 (600)
    details = pl.DataFrame({
        "record_id": [11, 12, 13, 14, 14], "allowance_id": [1, 1, 1, 2, 3], "amount": [1000, 1000, 500, 400, 600],
    })
    lines = pl.DataFrame({
        "order_id": ["O1", "O2", "O3", "O3", "O4", "O4"],
        "package_id": ["P10", "P11", "P12", "P12", "P13", "P13"],
        "goods_id": [1, 1, 1, 2, 1, 2],
        "seller_id": ["S1"] * 6,
        "pay_time": [at(9, 8), at(9, 9), at(9, 10), at(9, 10), at(11), at(11)],
        "paid_amt": [9000, 9000, 3000, 2000, 6300, 2700],
    })
    discounts = lines.select(
        "package_id", "goods_id", pl.lit("allowance").alias("discount_source"),
        pl.Series("discount_amt", [1000, 1000, 300, 200, 700, 300]),
    )
    allowances = pl.DataFrame({
        "allowance_id": [1, 2, 3, 4], "user_id": ["U1", "U2", "U2", "U3"],
        "allowance_template_id": [200] * 4,
        "claim_time": [at(9, 1), at(9, 2), at(9, 2), at(9, 3)], "expire_time": [at(0, 30)] * 4,
        "amount": [3000, 400, 600, 1000], "balance": [500, 0, 0, 1000],
        "status": pl.Series([1, 2, 2, 1], dtype=pl.Int32),
    })
    templates = pl.DataFrame({"allowance_template_id": [200], "template_name": ["每满99减10"]})
    # O2 (P11) refunded on D, a later day than its payment
    refunds = pl.DataFrame({"package_id": ["P11"], "goods_id": [1], "refund_time": [at(15)]})
    out = atf.allowance_get_use(D, allowances, records, details, discounts, lines, refunds, templates)
    got = sorted(out.select("allowance_id", "package_id", "goods_id", "use_amt").rows(), key=str)
    assert got == sorted([
        (1, "P10", 1, 1000), (1, "P12", 1, 300), (1, "P12", 2, 200),  # P11 refunded: gone
        (2, "P13", 1, 400), (3, "P13", 1, 300), (3, "P13", 2, 300),  # laid end to end
        (4, None, None, None),  # claimed, never used
    ], key=str)
    no_refund = atf.allowance_get_use(D, allowances, records, details, discounts, lines, refunds.clear(), templates)
    assert no_refund.filter(pl.col("allowance_id") == 1)["use_amt"].sum() == 2500


def test_allowance_rule_text():
    t = pl.DataFrame({"step_threshold": [9900, 20000], "step_discount": [1000, 1550]})
    assert atf.template_day(D, t)["rule_text"].to_list() == ["每满 99 减 10 (yuan)", "每满 200 减 15.50 (yuan)"]


def test_new_to_a_store_but_old_to_the_platform():
    lines = pl.DataFrame({
        "user_id": ["U1", "U1", "U2", "U2"], "seller_id": ["S1", "S2", "S1", "S1"], "goods_id": [1, 2, 1, 1],
        "order_id": ["O1", "O2", "O3", "O4"], "package_id": ["P1", "P2", "P3", "P4"],
        "pay_time": [at(9, 5), at(12), at(9), at(10)],
    })
    # U2's first S1 order (P3) was refunded on its pay day: its first paid S1 order is P4
    refunds = pl.DataFrame({"package_id": ["P3"], "goods_id": [1], "pay_time": [at(9)], "refund_time": [at(11)]})
    goods = pl.DataFrame({"goods_id": [1, 2], "industry": ["beauty", "food"], "category": ["skin", "snack"]})
    users = pl.DataFrame({"user_id": ["U1", "U2"], "first_order_time": [dt.datetime(2024, 3, 1), at(10)]})
    out = utf.nitem_labels(D, lines, refunds, goods, users)
    got = {(r["user_id"], r["level"], r["level_id"]): r for r in out.to_dicts()}
    assert got[("U1", "platform", "all")]["customer_type"] == "old"  # bought in 2024
    assert got[("U1", "store", "S2")]["customer_type"] == "new"  # but new to store S2 today
    assert got[("U1", "store", "S1")]["customer_type"] == "old"
    assert got[("U1", "industry", "food")]["first_order_id"] == "O2"
    u2 = got[("U2", "store", "S1")]
    assert (u2["first_package_id"], u2["customer_type"]) == ("P4", "new")
    assert got[("U2", "platform", "all")]["first_order_id"] == "O4"
    assert len(got) == 7 + 4  # U1: platform + 2 × (industry, category, store); U2: 4

"""The coupon tables above ODS (4.1): template and claim facts, uses, 600-day claim → use
tables and the seller-level results."""

import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains import keys
from marketing_assets.domains.coupon import schemas, transforms
from marketing_assets.domains.user.transforms import store_first_orders
from marketing_assets.metrics import LOOKBACK_DAYS, use_fact_headline

GROUP = "coupon"
_COUPON_SOURCES = ", ".join(f"'{s}'" for s in transforms.COUPON_SOURCES)
#: packages with a coupon discount: the only trade rows the use fact needs
_COUPON_PACKAGES = (
    f"package_id IN (SELECT package_id FROM {'.'.join(keys.DISCOUNTS)} "
    f"WHERE discount_source IN ({_COUPON_SOURCES}))"
)
_CLAIM_COLUMNS = ("coupon_id", "coupon_template_id", "user_id", "seller_id", "claim_date", "channel_type")


def _seller_headline(frame: pl.DataFrame) -> dict:
    day = frame.filter(pl.col("stat_period") == 1)
    totals = {m: int(day[m].sum()) for m in ("claim_cnt", "use_cnt", "pay_amt", "discount_amt")}
    return {
        "sellers_1d": day.height,
        **{f"{k}_1d": v for k, v in totals.items()},
        "roi_1d": round(totals["pay_amt"] / totals["discount_amt"], 4) if totals["discount_amt"] else None,
    }


SELLER_LINEAGE = {
    "stat_period": (("uses", "pay_date"), ("claims", "claim_date")),
    "claim_cnt": (("claims", "coupon_id"), ("claims", "claim_date")),
    "claim_user_cnt": (("claims", "user_id"),),
    "use_cnt": (("uses", "use_key"), ("uses", "is_refunded")),
    "use_user_cnt": (("uses", "user_id"),),
    "pay_amt": (("uses", "line_paid_amt"), ("uses", "package_id"), ("uses", "goods_id")),
    "pay_goods_cnt": (("uses", "quantity"), ("uses", "package_id"), ("uses", "goods_id")),
    "merchant_cost_amt": (("uses", "discount_amt"), ("uses", "bearer")),
    "platform_cost_amt": (("uses", "discount_amt"), ("uses", "bearer")),
    "roi": (("uses", "line_paid_amt"), ("uses", "discount_amt")),
    "aov": (("uses", "line_paid_amt"), ("uses", "user_id")),
    "new_buyer_cnt": (("first_orders", "first_package_id"), ("first_orders", "first_pay_date"),
                      ("uses", "package_id"), ("uses", "user_id")),
}


def _seller_table(name: str, model, by: tuple[str, ...], what: str, chinese: str) -> DerivedTable:
    def compute(day, uses, claims, first_orders):
        return transforms.seller_metrics(
            day, uses, claims,
            store_first_orders(first_orders),
            by=by,
        )

    return DerivedTable(
        "redcdm", name,
        model=model,
        grain=("seller_id", *by, "stat_period"),
        group=GROUP,
        layer="dm",
        what=what,
        chinese_name=chinese,
        inputs={
            "uses": Upstream(keys.COUPON_USE),
            "claims": Upstream(keys.GOODS_COUPON_DAY, 1, _CLAIM_COLUMNS),
            "first_orders": Upstream(
                keys.USER_NITEM_LABEL, 1,
                ("user_id", "level", "level_id", "first_pay_date", "first_package_id"),
                where="level = 'store'",
            ),
        },
        compute=compute,
        headline=_seller_headline,
        lineage=SELLER_LINEAGE,
    )


TABLES = [
    DerivedTable(
        *keys.COUPON_TEMPLATE_DAY,
        model=schemas.CouponTemplateDay,
        grain=("coupon_template_id",),
        group=GROUP,
        layer="dw",
        what=(
            "Coupon template dimension from the MySQL copy (system of record): type "
            "(platform / store), item limit, channel, threshold and face value, claim window, "
            "validity rule and cost bearer"
        ),
        chinese_name="薯券模版维表",
        inputs={"templates": Upstream(keys.COUPON_TEMPLATE_MYSQL)},
        compute=transforms.template_day,
        bounded=True,
    ),
    DerivedTable(
        *keys.GOODS_COUPON_DAY,
        model=schemas.GoodsCouponDay,
        grain=("coupon_id",),
        group=GROUP,
        layer="dw",
        what=(
            "Claim fact: every coupon claimed, as of dt, from the MySQL copy: who claimed "
            "which template, when, through which channel, validity window and current state"
        ),
        chinese_name="薯券领取事实表",
        inputs={
            "coupons": Upstream(keys.CLAIMED_COUPON_MYSQL),
            "templates": Upstream(keys.COUPON_TEMPLATE_DAY),
        },
        compute=transforms.goods_coupon_day,
        bounded=True,
    ),
    DerivedTable(
        "redcdm", "dwd_ecm_mkt_coupon_template_item_df",
        model=schemas.CouponTemplateItem,
        grain=("coupon_template_id", "goods_id"),
        group=GROUP,
        layer="dwd",
        what="Goods each online coupon template can be used on (platform-wide templates are not expanded)",
        chinese_name="薯券模版可用商品表",
        inputs={
            "limits": Upstream(keys.COUPON_LIMIT_MYSQL),
            "templates": Upstream(keys.COUPON_TEMPLATE_DAY),
            "goods": Upstream(keys.GOODS, 1, ("goods_id", "seller_id")),
        },
        compute=transforms.template_items,
        bounded=True,
        planned=True,
    ),
    DerivedTable(
        *keys.PHOENIX_DETAIL,
        model=schemas.PhoenixTaskDetail,
        grain=("task_complete_id",),
        group=GROUP,
        layer="dwd",
        what="Interactive-marketing task completions (do a task, get a benefit) with the offered template",
        chinese_name="互动营销触发明细",
        inputs={
            "tasks": Upstream(keys.PHOENIX_LOG),
            "templates": Upstream(keys.COUPON_TEMPLATE_DAY),
        },
        compute=transforms.phoenix_detail,
        planned=True,
    ),
    DerivedTable(
        "redcdm", "dwd_ecm_marketing_coupon_trigger_di",
        model=schemas.CouponTrigger,
        grain=("execution_id", "coupon_template_id"),
        group=GROUP,
        layer="dwd",
        what=(
            "Coupon and surprise-box triggers (old model): growth-platform coupon offers and "
            "phoenix tasks, one row per offered template"
        ),
        chinese_name="营销发券触发明细",
        inputs={
            "offers": Upstream(keys.EXECUTION_COUPON),
            "tasks": Upstream(keys.PHOENIX_DETAIL),
        },
        compute=transforms.coupon_triggers,
    ),
    DerivedTable(
        *keys.COUPON_USE,
        model=schemas.CouponUse,
        grain=("coupon_id", "package_id", "goods_id"),
        group=GROUP,
        layer="dm",
        what=(
            "Use (核销) fact: each coupon's apportioned discount on a paid order line, paid in "
            "the last 600 days, as known on dt (store, item, platform and auto-promoted "
            "coupons; coupon_id null for the auto-promoted one). Lines refunded on their pay "
            "day are not uses; later refunds are flagged from the refund day on"
        ),
        chinese_name="薯券核销明细",
        inputs={
            "details": Upstream(
                keys.DISCOUNTS, LOOKBACK_DAYS, where=f"discount_source IN ({_COUPON_SOURCES})"
            ),
            "lines": Upstream(
                keys.ORDER_LINES, LOOKBACK_DAYS,
                ("package_id", "goods_id", "order_id", "user_id", "seller_id", "pay_time", "quantity", "paid_amt"),
                where=_COUPON_PACKAGES,
            ),
            "refunds": Upstream(
                keys.REFUNDS, LOOKBACK_DAYS, ("package_id", "goods_id", "refund_time"),
                where=_COUPON_PACKAGES,
            ),
            "templates": Upstream(keys.COUPON_TEMPLATE_DAY),
        },
        compute=transforms.coupon_uses,
        bounded=True,
        lineage={
            "coupon_id": (("details", "source_id"), ("details", "discount_source")),
            "coupon_kind": (("details", "discount_source"),),
            "use_key": (("details", "source_id"), ("details", "coupon_template_id"), ("details", "package_id")),
            "line_paid_amt": (("lines", "paid_amt"),),
            "pay_date": (("lines", "pay_time"),),
            "is_refunded": (("refunds", "refund_time"), ("lines", "pay_time")),
        },
        headline=use_fact_headline,
    ),
    DerivedTable(
        *keys.COUPON_GET_USE_600D,
        model=schemas.CouponGetUse600d,
        grain=("coupon_id", "package_id", "goods_id"),
        group=GROUP,
        layer="dm",
        what=(
            "Claims of the last 600 days with their uses as known on dt; uses refunded on a "
            "later day than payment (跨天退款) removed from the refund day on"
        ),
        chinese_name="薯券领用600天明细",
        inputs={
            "claims": Upstream(keys.GOODS_COUPON_DAY),
            "uses": Upstream(keys.COUPON_USE),
        },
        compute=transforms.coupon_get_use_600d,
        bounded=True,
        lineage={"face_amount": (("claims", "discount_amount"),), "coupon_seller_id": (("claims", "seller_id"),),
                 "is_used": (("uses", "package_id"), ("uses", "is_refunded"))},
    ),
    DerivedTable(
        "redcdm", "dm_ecm_mkt_tob_coupon_get_use_600d_di",
        model=schemas.TobCouponGetUse600d,
        grain=("coupon_id", "package_id", "goods_id"),
        group=GROUP,
        layer="dm",
        what="Merchant (toB) cut of the 600-day claim → use table: store and item coupons, merchant cost",
        chinese_name="商家侧薯券领用600天明细",
        inputs={"get_use": Upstream(keys.COUPON_GET_USE_600D)},
        compute=transforms.tob_coupon_get_use_600d,
        bounded=True,
        lineage={"merchant_cost_amt": (("get_use", "discount_amt"), ("get_use", "bearer"))},
    ),
    _seller_table(
        "dm_ecm_trd_mkt_coupon_sellerid_nd_di", schemas.CouponSeller, (),
        "Coupon effect per seller over 1, 7 and 30 days ending dt: claims, uses, pay, cost by bearer, ROI, AOV, new buyers",
        "商家薯券效果",
    ),
    _seller_table(
        "dm_ecm_trd_mkt_coupon_sellerid_channel_nd_di", schemas.CouponSellerChannel, ("channel_type",),
        "Coupon effect per seller and promotion channel over 1, 7 and 30 days (a line with two coupons counts under both)",
        "商家分渠道薯券效果",
    ),
    _seller_table(
        "dm_ecm_trd_mkt_coupon_sellerid_templateid_nd_di", schemas.CouponSellerTemplate, ("coupon_template_id",),
        "Coupon effect per seller and template over 1, 7 and 30 days (a line with two coupons counts under both)",
        "商家分模版薯券效果",
    ),
]

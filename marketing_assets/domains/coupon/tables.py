"""The coupon tables above ODS (4.1): template and claim facts, uses, 600-day claim → use
tables and the seller-level results."""

import datetime as dt

import duckdb
import polars as pl

from marketing_assets.derived import DerivedTable, Sql, Upstream, read_upstream
from marketing_assets.domains import keys
from marketing_assets.domains.coupon import schemas, transforms
from marketing_assets.domains.user.first_orders import store_first_orders
from marketing_assets.incremental import IntervalFact
from marketing_assets.metrics import LOOKBACK_DAYS, use_fact_headline
from marketing_assets.storage.read import Dimension, IntervalTable

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



_GOODS_COUPON_DAY = DerivedTable(
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
)


_USE_TABLE = DerivedTable(
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
)


_GET_USE_600D = DerivedTable(
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
)


_TOB_GET_USE_600D = DerivedTable(
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
)


_LINE_COLUMNS = ("package_id", "goods_id", "order_id", "user_id", "seller_id", "pay_time", "quantity", "paid_amt")


def _date(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


def _use_facts(
    conn: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date, lo: dt.date, replay: bool
) -> pl.DataFrame:
    """The use facts the days ``first`` .. ``last`` made known: their details joined to lines
    of the window (from ``lo``), and their lines joined to details of the window (each
    side's window read only for the other side's packages of the days). ``replay``: every
    fact the sources of ``lo`` .. ``last`` make."""
    coupon = f"discount_source IN ({_COUPON_SOURCES})"
    discounts, order_lines = ".".join(keys.DISCOUNTS), ".".join(keys.ORDER_LINES)
    if replay:
        details = read_upstream(conn, Upstream(keys.DISCOUNTS, where=coupon), lo, last)
        lines = read_upstream(conn, Upstream(keys.ORDER_LINES, 1, _LINE_COLUMNS, where=(
            f"package_id IN (SELECT package_id FROM {discounts} WHERE dt BETWEEN {_date(lo)} AND {_date(last)} AND {coupon})"
        )), lo, last)
        return transforms.use_facts(details, lines)
    before = first - dt.timedelta(days=1)
    days = f"dt BETWEEN {_date(first)} AND {_date(last)}"
    new_details = read_upstream(conn, Upstream(keys.DISCOUNTS, where=coupon), first, last)
    new_lines = read_upstream(conn, Upstream(keys.ORDER_LINES, 1, _LINE_COLUMNS, where=(
        f"package_id IN (SELECT package_id FROM {discounts} WHERE dt BETWEEN {_date(lo)} AND {_date(last)} AND {coupon})"
    )), first, last)
    old_details = read_upstream(conn, Upstream(keys.DISCOUNTS, where=(
        f"{coupon} AND package_id IN (SELECT package_id FROM {order_lines} WHERE {days})"
    )), lo, before) if lo <= before else new_details.clear()
    old_lines = read_upstream(conn, Upstream(keys.ORDER_LINES, 1, _LINE_COLUMNS, where=(
        f"package_id IN (SELECT package_id FROM {discounts} WHERE {days} AND {coupon})"
    )), lo, before) if lo <= before else new_lines.clear()
    facts = transforms.use_facts(
        pl.concat([old_details, new_details], how="vertical_relaxed"),
        pl.concat([old_lines, new_lines], how="vertical_relaxed"),
    )
    return facts.filter(pl.col("dt") >= first)


def _use_changes(
    conn: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date, lo: dt.date, replay: bool
) -> pl.DataFrame:
    """The refunds of coupon lines that landed on the days ``first`` .. ``last``."""
    refunds = read_upstream(conn, Upstream(keys.REFUNDS, 1, ("package_id", "goods_id", "refund_time"),
                                           where=_COUPON_PACKAGES), first, last)
    return transforms.use_changes(refunds)


_USE_COLUMNS = [c for c in schemas.CouponUse.to_schema().columns if c != "dt"]
#: the use fact as known on dt: facts of the 600-day window, the template of dt, the
#: line's first refund known (a refund on the pay day: never a use; later: flagged)
USE_INTERVALS = IntervalTable(
    *keys.COUPON_USE,
    window_days=LOOKBACK_DAYS,
    change_key=("package_id", "goods_id"),
    change_aggregates={"refund_time": "min(x.refund_time)"},
    select={
        c: {"coupon_type": "j.coupon_type", "channel_type": "j.channel_type",
            "is_refunded": "c.refund_time IS NOT NULL", "refund_time": "c.refund_time"}.get(c, f"f.{c}")
        for c in _USE_COLUMNS
    },
    keep="c.refund_time IS NULL OR CAST(c.refund_time AS DATE) > f.pay_date",
    dimensions=(Dimension(keys.COUPON_TEMPLATE_DAY, ("coupon_template_id",)),),
    order=("coupon_id", "package_id", "goods_id"),
)
USE_FACT = IntervalFact(_USE_TABLE, USE_INTERVALS, facts=_use_facts, changes=_use_changes,
                        headline_where="pay_date = dt")


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
    _GOODS_COUPON_DAY,
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
            "offers": Upstream(keys.EXECUTION_COUPON, 1, (
                "execution_id", "coupon_template_id", "user_id", "execute_time", "coupon_id")),
            "tasks": Upstream(keys.PHOENIX_DETAIL, 1, (
                "task_complete_id", "coupon_template_id", "benefit_type", "user_id", "complete_time")),
        },
        compute=Sql(transforms.COUPON_TRIGGERS_SQL),
    ),
    _USE_TABLE,
    _GET_USE_600D,
    _TOB_GET_USE_600D,
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

_GET_USE_COLUMNS = [c for c in schemas.CouponGetUse600d.to_schema().columns if c != "dt"]
_CLAIM_SIDE = {"coupon_seller_id": "f.seller_id", "face_amount": "f.discount_amount", "is_used": "u.package_id IS NOT NULL"}
_USE_SIDE = ("package_id", "goods_id", "order_id", "seller_id", "pay_time", "pay_date", "quantity",
             "line_paid_amt", "discount_amt", "bearer")
#: claims of the 600 days ending dt in the claim fact of dt, with their uses as known on dt
#: (refunded ones gone): read from those two tables of dt, nothing stored but the days
GET_USE_600D_INTERVALS = IntervalTable(
    *keys.COUPON_GET_USE_600D,
    window_days=LOOKBACK_DAYS,
    select={c: _CLAIM_SIDE.get(c, f"u.{c}" if c in _USE_SIDE else f"f.{c}") for c in _GET_USE_COLUMNS},
    driver=Dimension(keys.GOODS_COUPON_DAY, (), alias="f",
                     where=f"f.claim_date BETWEEN d.dt - {LOOKBACK_DAYS - 1} AND d.dt"),
    dimensions=(Dimension(keys.COUPON_USE, ("coupon_id",), alias="u", where="NOT u.is_refunded"),),
    order=_GET_USE_600D.grain,
)
#: the merchant cut of the 600-day table of dt
TOB_GET_USE_600D_INTERVALS = IntervalTable(
    *_TOB_GET_USE_600D.key.path,
    window_days=1,
    select={
        c: "CASE WHEN f.bearer = 'merchant' THEN f.discount_amt WHEN f.is_used THEN 0 END"
        if c == "merchant_cost_amt" else f"f.{c}"
        for c in schemas.TobCouponGetUse600d.to_schema().columns if c != "dt"
    },
    driver=Dimension(keys.COUPON_GET_USE_600D, (), alias="f", where="f.coupon_type = 4"),
    order=_TOB_GET_USE_600D.grain,
)

_STATUS_NAME = " ".join(f"WHEN {code} THEN '{name}'" for code, name in transforms.STATUS_NAMES.items())
_TEMPLATE_ATTRS = ("coupon_type", "limit_type", "channel_type", "cost_bearer")
#: the claim fact of dt: the claimed-coupon snapshot of dt (ODS) with its template's
#: attributes of dt, read from those tables (no second copy of the snapshot is stored)
GOODS_COUPON_DAY_INTERVALS = IntervalTable(
    *keys.GOODS_COUPON_DAY,
    window_days=1,
    select={
        c: {"claim_date": "CAST(f.claim_time AS DATE)", "status_name": f"CASE f.status {_STATUS_NAME} END"}.get(
            c, f"t.{c}" if c in _TEMPLATE_ATTRS else f"f.{c}")
        for c in schemas.GoodsCouponDay.to_schema().columns if c != "dt"
    },
    driver=Dimension(keys.CLAIMED_COUPON_MYSQL, (), alias="f"),
    dimensions=(Dimension(keys.COUPON_TEMPLATE_DAY, ("coupon_template_id",), alias="t"),),
    order=_GOODS_COUPON_DAY.grain,
)

#: tables of this domain stored incrementally or as validity intervals
KINDS = [
    IntervalFact(_GOODS_COUPON_DAY, GOODS_COUPON_DAY_INTERVALS),
    USE_FACT,
    IntervalFact(_GET_USE_600D, GET_USE_600D_INTERVALS),
    IntervalFact(_TOB_GET_USE_600D, TOB_GET_USE_600D_INTERVALS),
]

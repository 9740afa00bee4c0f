"""Trade-user tables built so far (the rest of 4.7 follows with the remaining tables)."""

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains import keys
from marketing_assets.domains.user import schemas, transforms
from marketing_assets.metrics import LOOKBACK_DAYS

LINE_COLUMNS = ("user_id", "seller_id", "goods_id", "order_id", "package_id", "pay_time")

TABLES = [
    DerivedTable(
        *keys.USER_NITEM_LABEL,
        model=schemas.UserNitemLabel,
        grain=("user_id", "level", "level_id"),
        group="user",
        layer="dim",
        what=(
            "New or old customer of each buyer at platform, industry, operating category and "
            "store level: the first paid order at each level as known on dt (the basis of "
            "DNB, 用券拉新 and new buyers of a store)"
        ),
        chinese_name="用户N级新老客标签",
        inputs={
            "lines": Upstream(keys.ORDER_LINES, LOOKBACK_DAYS, LINE_COLUMNS),
            "refunds": Upstream(keys.REFUNDS, LOOKBACK_DAYS, ("package_id", "goods_id", "pay_time", "refund_time")),
            "goods": Upstream(keys.GOODS, 1, ("goods_id", "industry", "category")),
            "users": Upstream(keys.USERS, 1, ("user_id", "first_order_time")),
        },
        compute=transforms.nitem_labels,
        bounded=True,
    ),
]

_REFUND_COLUMNS = ("package_id", "goods_id", "user_id", "refund_amt", "pay_time", "refund_time")
_PLATFORM_FIRSTS = Upstream(
    keys.USER_NITEM_LABEL, 1, ("user_id", "first_pay_time", "first_pay_date", "last_pay_time"),
    where="level = 'platform'",
)

TABLES += [
    DerivedTable(
        *keys.USER_LABEL,
        model=schemas.UserLabel,
        grain=("user_id",),
        group="user",
        layer="dim",
        what="User profile and tags as of dt: registration, demographics, membership, first and last paid order, lifecycle",
        chinese_name="用户标签扩展维表",
        inputs={"users": Upstream(keys.USERS), "firsts": _PLATFORM_FIRSTS},
        compute=transforms.user_labels,
        lineage={
            "register_days": (("users", "register_time"),),
            "is_member": (("users", "member_level"),),
            "lifecycle": (("users", "first_order_time"), ("firsts", "last_pay_time")),
        },
        bounded=True,
    ),
    DerivedTable(
        "reddm", "dm_trd_user_metrics_day",
        model=schemas.UserMetricsDay,
        grain=("user_id",),
        group="user",
        layer="dm",
        what=(
            "Wide table of each active user's e-commerce behaviour on dt: visits, orders, GMV, "
            "discounts, coupon and allowance use, refunds, 30-day spend, first and last order"
        ),
        chinese_name="用户交易行为宽表",
        inputs={
            "visits": Upstream(keys.VISITS, 1, ("user_id", "goods_id", "pv")),
            "lines": Upstream(keys.ORDER_LINES, 30, (*LINE_COLUMNS, "quantity", "paid_amt", "discount_amt")),
            "refunds": Upstream(keys.REFUNDS, 30, _REFUND_COLUMNS),
            "discounts": Upstream(keys.DISCOUNTS, 1, ("package_id", "goods_id", "discount_source", "discount_amt")),
            "uses": Upstream(
                keys.COUPON_USE, 1, ("user_id", "use_key", "discount_amt", "pay_date", "is_refunded"),
                where="pay_date = dt",
            ),
            "firsts": _PLATFORM_FIRSTS,
        },
        compute=transforms.user_metrics,
        lineage={
            "visit_pv": (("visits", "pv"),),
            "visit_goods_cnt": (("visits", "goods_id"),),
            "order_cnt": (("lines", "order_id"), ("refunds", "refund_time")),
            "pay_goods_cnt": (("lines", "quantity"), ("refunds", "refund_time")),
            "pay_amt": (("lines", "paid_amt"), ("refunds", "refund_time")),
            "coupon_use_cnt": (("uses", "use_key"),),
            "coupon_discount_amt": (("uses", "discount_amt"),),
            "allowance_use_amt": (("discounts", "discount_amt"), ("discounts", "discount_source")),
            "pay_amt_30d": (("lines", "paid_amt"), ("refunds", "package_id")),
            "first_order_time": (("firsts", "first_pay_time"),),
            "is_new_buyer": (("firsts", "first_pay_time"),),
        },
    ),
    DerivedTable(
        *keys.TOC_USER_LEVEL,
        model=schemas.TocUserLevel,
        grain=("user_id",),
        group="user",
        layer="app",
        what="User tier of the buyers of the last 90 days by what they paid (net of refunds known on dt)",
        chinese_name="C端用户分层",
        inputs={
            "lines": Upstream(keys.ORDER_LINES, 90, ("user_id", "order_id", "package_id", "goods_id", "paid_amt")),
            "refunds": Upstream(keys.REFUNDS, 90, ("package_id", "goods_id")),
        },
        compute=transforms.user_levels,
        lineage={
            "pay_amt_30d": (("lines", "paid_amt"), ("refunds", "package_id")),
            "pay_amt_90d": (("lines", "paid_amt"), ("refunds", "package_id")),
            "order_cnt_90d": (("lines", "order_id"),),
            "user_level": (("lines", "paid_amt"), ("refunds", "package_id")),
        },
        bounded=True,
    ),
    DerivedTable(
        "redapp", "app_ecm_tob_ou_user_algo_label_base_df",
        model=schemas.TobUserAlgoLabel,
        grain=("user_id",),
        group="user",
        layer="app",
        what="Base tags of the month's active users (visited or paid in dt's month up to dt), for merchant-side algorithms",
        chinese_name="B端算法用户基础标签",
        inputs={
            "visits": Upstream(keys.VISITS, 31, ("user_id", "goods_id", "pv")),
            "lines": Upstream(keys.ORDER_LINES, 31, ("user_id", "package_id", "goods_id", "paid_amt", "pay_time")),
            "refunds": Upstream(keys.REFUNDS, 31, ("package_id", "goods_id", "pay_time", "refund_time")),
            "goods": Upstream(keys.GOODS, 1, ("goods_id", "industry")),
            "labels": Upstream(keys.USER_LABEL),
            "levels": Upstream(keys.TOC_USER_LEVEL, 1, ("user_id", "user_level")),
        },
        compute=transforms.algo_base_labels,
        lineage={
            "active_days_mtd": (("visits", "user_id"), ("lines", "user_id")),
            "visit_pv_mtd": (("visits", "pv"),),
            "pay_amt_mtd": (("lines", "paid_amt"), ("refunds", "refund_time")),
            "top_industry": (("visits", "pv"), ("goods", "industry")),
        },
        bounded=True,
    ),
]

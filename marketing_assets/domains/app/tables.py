"""The app layer (redapp): order-line performance and the platform's daily metrics."""

import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains import keys
from marketing_assets.domains.app import schemas, transforms

LINE_COLUMNS = (
    "package_id", "goods_id", "order_id", "user_id", "seller_id", "sku_id", "quantity", "unit_price",
    "list_amt", "paid_amt", "is_presale", "pay_time",
)
DISCOUNT_COLUMNS = ("package_id", "goods_id", "discount_source", "source_id", "coupon_template_id",
                    "discount_amt", "bearer")
REFUND_COLUMNS = ("package_id", "goods_id", "pay_time", "refund_time")


def _performance_headline(frame: pl.DataFrame) -> dict:
    return {
        "lines": frame.height,
        "pay_amt_fen": int(frame["paid_amt"].sum()),
        "discount_amt_fen": int(frame["total_discount_amt"].sum()),
        "merchant_cost_fen": int(frame["merchant_cost_amt"].sum()),
        "platform_cost_fen": int(frame["platform_cost_amt"].sum()),
    }


def _metrics_headline(frame: pl.DataFrame) -> dict:
    if frame.is_empty():
        return {}
    row = frame.row(0, named=True)
    return {k: row[k] for k in ("dab", "dnb", "coupon_new_buyer_cnt", "pay_amt", "aov", "pcvr",
                                "coupon_roi", "cac", "tool_config_rate")}


TABLES = [
    DerivedTable(
        "redapp", "app_ecm_mkt_ecom_repurchase_performance_df",
        model=schemas.RepurchasePerformance,
        grain=("package_id", "goods_id"),
        group="trade",
        layer="app",
        what=(
            "Every order line paid on dt with its full price breakdown (single-item price, store "
            "and platform multi-item promotions, auto-promoted coupon, 千人一面价, held coupons, "
            "allowance, presale deduction, paid amount), cost per bearer, and first or repeat purchase"
        ),
        chinese_name="电商复购效果明细",
        inputs={
            "lines": Upstream(keys.ORDER_LINES, 1, LINE_COLUMNS),
            "discounts": Upstream(keys.DISCOUNTS, 1, DISCOUNT_COLUMNS),
            "refunds": Upstream(keys.REFUNDS, 1, REFUND_COLUMNS),
            "firsts": Upstream(
                keys.USER_NITEM_LABEL, 1,
                ("user_id", "level", "level_id", "first_order_id", "first_package_id", "first_pay_date"),
                where="level IN ('platform', 'store')",
            ),
        },
        compute=transforms.repurchase_performance,
        headline=_performance_headline,
        lineage={
            **{amount: (("discounts", "discount_amt"), ("discounts", "discount_source"))
               for amount, _, _ in transforms.SOURCES.values()},
            **{id_col: (("discounts", id_source), ("discounts", "discount_source"))
               for _, id_col, id_source in transforms.SOURCES.values() if id_col},
            "shown_amt": (("lines", "list_amt"), ("discounts", "discount_amt"), ("discounts", "discount_source")),
            "total_discount_amt": (("discounts", "discount_amt"),),
            "merchant_cost_amt": (("discounts", "discount_amt"), ("discounts", "bearer")),
            "platform_cost_amt": (("discounts", "discount_amt"), ("discounts", "bearer")),
            "is_platform_new_buyer": (("firsts", "first_order_id"), ("lines", "order_id")),
            "is_store_new_buyer": (("firsts", "first_package_id"), ("lines", "package_id")),
            "is_store_repurchase": (("firsts", "first_pay_date"),),
        },
    ),
    DerivedTable(
        "redapp", "app_ecm_mkt_platform_metrics_1d_di",
        model=schemas.PlatformMetrics,
        grain=(),
        group="platform",
        layer="app",
        what=(
            "The platform's metrics of dt, each defined once here: DAB, DNB, 用券拉新, GMV, AOV, "
            "PCVR, coupon ROI, CAC, growth claim rate and uplift against blank control, tool "
            "configuration rate (not a table of the document: the reports read it)"
        ),
        chinese_name="平台营销指标日表",
        inputs={
            "lines": Upstream(keys.ORDER_LINES, 30, ("package_id", "goods_id", "order_id", "user_id", "seller_id",
                                                     "paid_amt", "pay_time")),
            "refunds": Upstream(keys.REFUNDS, 30, REFUND_COLUMNS),
            "visits": Upstream(keys.VISITS, 1, ("user_id",)),
            "firsts": Upstream(keys.USER_NITEM_LABEL, 1, ("user_id", "first_pay_date", "first_order_id"),
                               where="level = 'platform'"),
            "uses": Upstream(keys.COUPON_USE, 1, where="pay_date = dt"),
            "discounts": Upstream(keys.DISCOUNTS, 1, ("package_id", "goods_id", "discount_source", "discount_amt"),
                                  where="discount_source = 'allowance'"),
            "growth_coupons": Upstream(keys.EXECUTION_COUPON_FULL, 1, ("coupon_id",)),
            "offers": Upstream(keys.EXECUTION_COUPON, 1, ("coupon_id",)),
            "executions": Upstream(keys.EXECUTION, 1, ("user_id", "is_blank")),
            "templates": Upstream(keys.COUPON_TEMPLATE_DAY, 1,
                                  ("seller_id", "coupon_type", "status", "claim_start_time", "claim_end_time")),
            "groups": Upstream(keys.PROMOTION_GROUP, 1, ("seller_id", "owner_type", "status", "start_time", "end_time")),
        },
        compute=transforms.platform_metrics,
        headline=_metrics_headline,
        lineage={
            "visit_user_cnt": (("visits", "user_id"),),
            "dab": (("lines", "user_id"), ("refunds", "refund_time")),
            "order_cnt": (("lines", "order_id"),),
            "pay_amt": (("lines", "paid_amt"), ("refunds", "refund_time")),
            "aov": (("lines", "paid_amt"), ("lines", "user_id")),
            "pcvr": (("lines", "user_id"), ("visits", "user_id")),
            "dnb": (("firsts", "first_pay_date"),),
            "coupon_new_buyer_cnt": (("firsts", "first_order_id"), ("uses", "order_id")),
            "coupon_use_cnt": (("uses", "use_key"),),
            "coupon_pay_amt": (("uses", "line_paid_amt"),),
            "coupon_discount_amt": (("uses", "discount_amt"),),
            "coupon_roi": (("uses", "line_paid_amt"), ("uses", "discount_amt")),
            "growth_benefit_cost_amt": (("uses", "discount_amt"), ("growth_coupons", "coupon_id"),
                                        ("discounts", "discount_amt")),
            "cac": (("uses", "discount_amt"), ("growth_coupons", "coupon_id"), ("discounts", "discount_amt"),
                    ("firsts", "first_pay_date")),
            "triggered_cnt": (("offers", "coupon_id"),),
            "claimed_cnt": (("offers", "coupon_id"),),
            "claim_rate": (("offers", "coupon_id"),),
            "treated_user_cnt": (("executions", "user_id"), ("executions", "is_blank")),
            "treated_pay_rate": (("executions", "user_id"), ("executions", "is_blank"), ("lines", "user_id")),
            "blank_user_cnt": (("executions", "user_id"), ("executions", "is_blank")),
            "blank_pay_rate": (("executions", "user_id"), ("executions", "is_blank"), ("lines", "user_id")),
            "uplift": (("executions", "user_id"), ("executions", "is_blank"), ("lines", "user_id")),
            "active_seller_cnt_30d": (("lines", "seller_id"),),
            "configured_seller_cnt": (("lines", "seller_id"), ("templates", "seller_id"), ("groups", "seller_id")),
            "tool_config_rate": (("lines", "seller_id"), ("templates", "seller_id"), ("groups", "seller_id")),
        },
    ),
]

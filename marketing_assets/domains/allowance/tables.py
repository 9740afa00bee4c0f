"""The allowance tables above ODS (4.3)."""

import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains import keys
from marketing_assets.domains.allowance import schemas, transforms
from marketing_assets.metrics import LOOKBACK_DAYS

GROUP = "allowance"
#: orders with an allowance use: the only trade rows the get/use table needs
_ALLOWANCE_PACKAGES = (
    f"package_id IN (SELECT package_id FROM {'.'.join(keys.DISCOUNTS)} "
    "WHERE discount_source = 'allowance')"
)


def _headline(frame: pl.DataFrame) -> dict:
    return {
        "allowances": frame["allowance_id"].n_unique(),
        "used_allowances": frame.filter("is_used")["allowance_id"].n_unique(),
        "use_amt_fen": int(frame["use_amt"].sum()),
    }


TABLES = [
    DerivedTable(
        *keys.ALLOWANCE_TEMPLATE_DAY,
        model=schemas.AllowanceTemplateDay,
        grain=("allowance_template_id",),
        group=GROUP,
        layer="dim",
        what="Allowance template dimension: amount per claim, 每满 X 减 Y rule, validity",
        chinese_name="津贴模版信息维表",
        inputs={"templates": Upstream(keys.ALLOWANCE_TEMPLATE)},
        compute=transforms.template_day,
        bounded=True,
    ),
    DerivedTable(
        "redcdm", "dm_ecm_trd_mkt_activity_user_allowance_get_use_1d_df",
        model=schemas.AllowanceGetUse,
        grain=("allowance_id", "user_id", "package_id", "goods_id"),
        group=GROUP,
        layer="dm",
        what=(
            "Claim and use of allowances: every allowance claimed in the last 600 days with its "
            "part of each paid line it discounted, as known on dt (refunded lines removed)"
        ),
        chinese_name="用户津贴领用明细",
        inputs={
            "allowances": Upstream(keys.ALLOWANCE),
            "records": Upstream(
                keys.ALLOWANCE_RECORD, 1, ("record_id", "record_type", "order_id"),
                where="record_type = 'use'",
            ),
            "details": Upstream(keys.ALLOWANCE_DETAIL, 1, ("record_id", "allowance_id", "amount")),
            "discounts": Upstream(
                keys.DISCOUNTS, LOOKBACK_DAYS, ("package_id", "goods_id", "discount_source", "discount_amt"),
                where="discount_source = 'allowance'",
            ),
            "lines": Upstream(
                keys.ORDER_LINES, LOOKBACK_DAYS,
                ("order_id", "package_id", "goods_id", "seller_id", "pay_time", "paid_amt"),
                where=_ALLOWANCE_PACKAGES,
            ),
            "refunds": Upstream(
                keys.REFUNDS, LOOKBACK_DAYS, ("package_id", "goods_id", "refund_time"),
                where=_ALLOWANCE_PACKAGES,
            ),
            "templates": Upstream(keys.ALLOWANCE_TEMPLATE_DAY),
        },
        compute=transforms.allowance_get_use,
        bounded=True,
        lineage={
            "line_paid_amt": (("lines", "paid_amt"),),
            "use_amt": (("details", "amount"), ("discounts", "discount_amt")),
            "is_used": (("details", "allowance_id"), ("refunds", "refund_time")),
            "claim_date": (("allowances", "claim_time"),),
            "pay_date": (("lines", "pay_time"),),
        },
        headline=_headline,
    ),
]

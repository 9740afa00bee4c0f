"""The allowance (津贴) tables above ODS, pure polars one day at a time, money in integer
fen: the template dimension (amount per claim, the 每满 X 减 Y rule as shown), and the
claim and use of each allowance, split over the paid lines it discounted (its records and
their details laid end to end against the order's allowance discounts)."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.trade.ods import DISCOUNTS, ORDER_LINES, REFUNDS
from marketing_assets.domains.allowance import ods
from marketing_assets.metrics import LOOKBACK_DAYS, in_period
from marketing_assets.table import TableModel


# ---- the template dimension ---------------------------------------------------------------
class AllowanceTemplateDay(TableModel):
    """One allowance template as of dt."""

    allowance_template_id: pl.Int64 = pa.Field(description="template id")
    template_name: pl.String = pa.Field(description="name")
    channel_type: pl.Int32 = pa.Field(description="promotion channel")
    amount: pl.Int64 = pa.Field(gt=0, description="amount granted per claim, fen")
    step_threshold: pl.Int64 = pa.Field(gt=0, description="每满 X: step threshold, fen")
    step_discount: pl.Int64 = pa.Field(gt=0, description="减 Y: discount per step, fen")
    rule_text: pl.String = pa.Field(description="the rule as shown, e.g. 每满 99 减 10 (yuan)")
    valid_days: pl.Int32 = pa.Field(gt=0, description="days valid after claim")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 online, 2 offline")
    create_time: pl.Datetime("us") = pa.Field(description="created")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")
    dt: pl.Date = pa.Field(description="snapshot day")


def _yuan(column: str) -> pl.Expr:
    fen = pl.col(column)
    whole = (fen // 100).cast(pl.String)
    cents = (fen % 100).cast(pl.String).str.zfill(2)
    return pl.when(fen % 100 == 0).then(whole).otherwise(pl.concat_str(whole, pl.lit("."), cents))


def template_day(day: dt.date, templates: pl.DataFrame) -> pl.DataFrame:
    """The template dimension from the template dump."""
    return templates.with_columns(
        rule_text=pl.concat_str(
            pl.lit("每满 "), _yuan("step_threshold"), pl.lit(" 减 "), _yuan("step_discount"), pl.lit(" (yuan)")
        )
    )


ALLOWANCE_TEMPLATE_DAY = DerivedTable(
    "redcdm", "dim_trd_allowance_template_day",
    model=AllowanceTemplateDay,
    grain=("allowance_template_id",),
    group=ods.DOMAIN,
    layer="dim",
    what="Allowance template dimension: amount per claim, 每满 X 减 Y rule, validity",
    chinese_name="津贴模版信息维表",
    inputs={"templates": Upstream(ods.ALLOWANCE_TEMPLATE)},
    compute=template_day,
    bounded=True,
)


# ---- claim and use ------------------------------------------------------------------------
class AllowanceGetUse(TableModel):
    """One allowance claimed in the window with one paid line it discounted (or none)."""

    allowance_id: pl.Int64 = pa.Field(description="allowance (one grant)")
    user_id: pl.String = pa.Field(description="holder")
    allowance_template_id: pl.Int64 = pa.Field(description="template")
    template_name: pl.String = pa.Field(nullable=True, description="template name")
    claim_time: pl.Datetime("us") = pa.Field(description="claimed")
    claim_date: pl.Date = pa.Field(description="claim day")
    expire_time: pl.Datetime("us") = pa.Field(description="expires")
    amount: pl.Int64 = pa.Field(ge=0, description="granted, fen")
    balance: pl.Int64 = pa.Field(ge=0, description="balance as of dt, fen")
    status: pl.Int32 = pa.Field(description="1 usable, 2 used up, 3 expired (as of dt)")
    is_used: pl.Boolean = pa.Field(description="spent on a paid line not refunded as of dt")
    package_id: pl.String = pa.Field(nullable=True, description="package of the line")
    goods_id: pl.Int64 = pa.Field(nullable=True, description="goods of the line")
    order_id: pl.String = pa.Field(nullable=True, description="order")
    seller_id: pl.String = pa.Field(nullable=True, description="seller of the line")
    pay_time: pl.Datetime("us") = pa.Field(nullable=True, description="paid")
    pay_date: pl.Date = pa.Field(nullable=True, description="pay day")
    line_paid_amt: pl.Int64 = pa.Field(nullable=True, description="line's paid amount, fen")
    use_amt: pl.Int64 = pa.Field(nullable=True, description="this allowance's part of the line's allowance discount, fen")
    dt: pl.Date = pa.Field(description="snapshot day")


def _intervals(frame: pl.DataFrame, group: str, order: list[str], amount: str, prefix: str) -> pl.DataFrame:
    """Cumulative [lo, hi) of ``amount`` within ``group``, rows in ``order``."""
    hi = pl.col(amount).cum_sum().over(group, order_by=order)
    return frame.with_columns(hi.alias(f"{prefix}hi")).with_columns(
        (pl.col(f"{prefix}hi") - pl.col(amount)).alias(f"{prefix}lo")
    )


def allowance_line_uses(
    records: pl.DataFrame, details: pl.DataFrame, allowance_lines: pl.DataFrame
) -> pl.DataFrame:
    """Each allowance's part of each line of an order it paid for.

    ``records``: use actions (record_id, order_id); ``details``: what each action took from
    each allowance; ``allowance_lines``: (order_id, package_id, goods_id, line_allowance_amt).
    An order's allowance amounts and its lines' allowance discounts are laid end to end
    (allowances by id, lines by package and goods) and each allowance gets the overlap with
    each line: integer fen, per line summing to the line's discount and per allowance to what
    the action took from it.
    """
    taken = (
        details.join(records.select("record_id", "order_id"), on="record_id")
        .group_by("order_id", "allowance_id")
        .agg(pl.col("amount").sum())
    )
    taken = _intervals(taken, "order_id", ["allowance_id"], "amount", "a_")
    lines = _intervals(allowance_lines, "order_id", ["package_id", "goods_id"], "line_allowance_amt", "l_")
    return (
        taken.join(lines, on="order_id")
        .with_columns(
            use_amt=(pl.min_horizontal("a_hi", "l_hi") - pl.max_horizontal("a_lo", "l_lo")).clip(lower_bound=0)
        )
        .filter(pl.col("use_amt") > 0)
        .select("allowance_id", "order_id", "package_id", "goods_id", "use_amt")
    )


def allowance_get_use(
    day: dt.date,
    allowances: pl.DataFrame,
    records: pl.DataFrame,
    details: pl.DataFrame,
    discounts: pl.DataFrame,
    lines: pl.DataFrame,
    refunds: pl.DataFrame,
    templates: pl.DataFrame,
) -> pl.DataFrame:
    """Every allowance claimed in the last 600 days with the lines it paid for, as known on
    ``day``. Lines refunded on their pay day never count; lines refunded later drop out
    from the refund day on (the allowance keeps a row, unused, if nothing else is left)."""
    line = lines.select(
        "order_id", "package_id", "goods_id", "seller_id", "pay_time",
        pl.col("paid_amt").alias("line_paid_amt"),
    )
    allowance_lines = discounts.filter(pl.col("discount_source") == "allowance").select(
        "package_id", "goods_id", pl.col("discount_amt").alias("line_allowance_amt")
    ).join(line.select("order_id", "package_id", "goods_id"), on=["package_id", "goods_id"])
    uses = allowance_line_uses(
        records.filter(pl.col("record_type") == "use"), details, allowance_lines
    )
    refund = refunds.group_by("package_id", "goods_id").agg(pl.col("refund_time").min())
    uses = (
        uses.join(line.drop("order_id"), on=["package_id", "goods_id"])
        .join(refund, on=["package_id", "goods_id"], how="left")
        .with_columns(pay_date=pl.col("pay_time").dt.date())
        .filter(pl.col("refund_time").is_null())  # same-day refunds and later ones known by day
        .drop("refund_time")
    )
    names = templates.select("allowance_template_id", "template_name")
    return (
        allowances.with_columns(claim_date=pl.col("claim_time").dt.date())
        .filter(in_period("claim_date", day, LOOKBACK_DAYS))
        .select(
            "allowance_id", "user_id", "allowance_template_id", "claim_time", "claim_date",
            "expire_time", "amount", "balance", "status",
        )
        .join(names, on="allowance_template_id", how="left", maintain_order="left")
        .join(uses, on="allowance_id", how="left", maintain_order="left")
        .with_columns(is_used=pl.col("package_id").is_not_null())
    )


#: packages with an allowance use in the window (the ``discounts`` input): the only trade
#: rows the get/use table needs
_ALLOWANCE_PACKAGES = "package_id IN (SELECT package_id FROM discounts)"


def _headline(frame: pl.DataFrame) -> dict:
    return {
        "allowances": frame["allowance_id"].n_unique(),
        "used_allowances": frame.filter("is_used")["allowance_id"].n_unique(),
        "use_amt_fen": int(frame["use_amt"].sum()),
    }


ALLOWANCE_GET_USE = DerivedTable(
    "redcdm", "dm_ecm_trd_mkt_activity_user_allowance_get_use_1d_df",
    model=AllowanceGetUse,
    grain=("allowance_id", "user_id", "package_id", "goods_id"),
    group=ods.DOMAIN,
    layer="dm",
    what=(
        "Claim and use of allowances: every allowance claimed in the last 600 days with its "
        "part of each paid line it discounted, as known on dt (refunded lines removed)"
    ),
    chinese_name="用户津贴领用明细",
    inputs={
        "allowances": Upstream(ods.ALLOWANCE),
        "records": Upstream(
            ods.ALLOWANCE_RECORD, 1, ("record_id", "record_type", "order_id"),
            where="record_type = 'use'",
        ),
        "details": Upstream(ods.ALLOWANCE_DETAIL, 1, ("record_id", "allowance_id", "amount")),
        "discounts": Upstream(
            DISCOUNTS, LOOKBACK_DAYS, ("package_id", "goods_id", "discount_source", "discount_amt"),
            where="discount_source = 'allowance'",
        ),
        "lines": Upstream(
            ORDER_LINES, LOOKBACK_DAYS,
            ("order_id", "package_id", "goods_id", "seller_id", "pay_time", "paid_amt"),
            where=_ALLOWANCE_PACKAGES,
        ),
        "refunds": Upstream(
            REFUNDS, LOOKBACK_DAYS, ("package_id", "goods_id", "refund_time"),
            where=_ALLOWANCE_PACKAGES,
        ),
        "templates": Upstream(ALLOWANCE_TEMPLATE_DAY),
    },
    compute=allowance_get_use,
    bounded=True,
    lineage={
        "line_paid_amt": (("lines", "paid_amt"),),
        "use_amt": (("details", "amount"), ("discounts", "discount_amt")),
        "is_used": (("details", "allowance_id"), ("refunds", "refund_time")),
        "claim_date": (("allowances", "claim_time"),),
        "pay_date": (("lines", "pay_time"),),
    },
    headline=_headline,
)

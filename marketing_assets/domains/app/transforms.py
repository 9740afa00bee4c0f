"""App-layer transforms: order-line price breakdown and the platform's daily metrics.

Every metric of the catalog's Metrics section that is platform-wide is computed here and
only here (``platform_metrics``); reports read its table.
"""

import datetime as dt

import polars as pl

from marketing_assets.domains.app.schemas import DISCOUNT_COLUMNS
from marketing_assets.domains.user.transforms import paid_lines
from marketing_assets.metrics import average_fen, ratio

#: discount_source of the trade's discount detail → (amount column, id column, id source)
SOURCES = {
    "store_promotion": ("store_promo_amt", "store_promotion_id", "source_id"),
    "platform_promotion": ("platform_promo_amt", "platform_promotion_id", "source_id"),
    "auto_coupon": ("auto_coupon_amt", "auto_coupon_template_id", "coupon_template_id"),
    "store_coupon": ("store_coupon_amt", "store_coupon_id", "source_id"),
    "platform_coupon": ("platform_coupon_amt", "platform_coupon_id", "source_id"),
    "allowance": ("allowance_amt", None, None),
    "presale": ("presale_discount_amt", None, None),
}
KEYS = ["package_id", "goods_id"]


def line_breakdown(lines: pl.DataFrame, discounts: pl.DataFrame) -> pl.DataFrame:
    """Each line with one column per discount of the pricing steps, the ids of the tools
    applied and the cost per bearer (a line has at most one discount per source)."""
    src = pl.col("discount_source")
    amounts = [
        pl.col("discount_amt").filter(src == source).sum().alias(amount)
        for source, (amount, _, _) in SOURCES.items()
    ]
    ids = [
        pl.col(id_source).filter(src == source).first().alias(id_col)
        for source, (_, id_col, id_source) in SOURCES.items()
        if id_col
    ]
    per_line = discounts.group_by(KEYS).agg(
        *amounts,
        *ids,
        merchant_cost_amt=pl.col("discount_amt").filter(pl.col("bearer") == "merchant").sum(),
        platform_cost_amt=pl.col("discount_amt").filter(pl.col("bearer") == "platform").sum(),
    )
    zero = [*DISCOUNT_COLUMNS, "merchant_cost_amt", "platform_cost_amt"]
    return (
        lines.drop("discount_amt", "shown_amt", strict=False)
        .join(per_line, on=KEYS, how="left", maintain_order="left")
        .with_columns([pl.col(c).fill_null(0).cast(pl.Int64) for c in zero])
        .with_columns(
            shown_amt=pl.col("list_amt") - pl.col("store_promo_amt") - pl.col("platform_promo_amt")
            - pl.col("auto_coupon_amt"),
            total_discount_amt=pl.sum_horizontal(DISCOUNT_COLUMNS),
        )
    )


def repurchase_performance(
    day: dt.date,
    lines: pl.DataFrame,
    discounts: pl.DataFrame,
    refunds: pl.DataFrame,
    firsts: pl.DataFrame,
) -> pl.DataFrame:
    """redapp.app_ecm_mkt_ecom_repurchase_performance_df: every line paid on ``day`` (a
    line refunded the same day never counts as paid) with its full price breakdown, cost
    per bearer and whether it is a first or a repeat purchase. The blocking check
    ``price_minus_discounts_is_paid`` holds every line to price − discounts = paid, the
    千人一面价 rule and cost per bearer = discounts."""
    paid = paid_lines(lines, refunds)
    platform = firsts.filter(pl.col("level") == "platform").select(
        "user_id", pl.col("first_order_id").alias("_first_order")
    )
    store = firsts.filter(pl.col("level") == "store").select(
        "user_id", pl.col("level_id").alias("seller_id"), pl.col("first_package_id").alias("_first_package"),
        pl.col("first_pay_date").alias("_first_store_day"),
    )
    return (
        line_breakdown(paid, discounts)
        .join(platform, on="user_id", how="left", maintain_order="left")
        .join(store, on=["user_id", "seller_id"], how="left", maintain_order="left")
        .with_columns(
            is_platform_new_buyer=(pl.col("order_id") == pl.col("_first_order")).fill_null(False),
            is_store_new_buyer=(pl.col("package_id") == pl.col("_first_package")).fill_null(False),
            is_store_repurchase=(pl.col("_first_store_day") < day).fill_null(False),
        )
    )


def platform_metrics(
    day: dt.date,
    lines: pl.DataFrame,
    refunds: pl.DataFrame,
    visits: pl.DataFrame,
    firsts: pl.DataFrame,
    uses: pl.DataFrame,
    discounts: pl.DataFrame,
    growth_coupons: pl.DataFrame,
    offers: pl.DataFrame,
    executions: pl.DataFrame,
    templates: pl.DataFrame,
    groups: pl.DataFrame,
) -> pl.DataFrame:
    """redapp.app_ecm_mkt_platform_metrics_1d_di: one row of the platform's metrics on
    ``day`` (catalog, Metrics). ``lines``/``refunds`` hold the 30 days ending ``day``; the
    other inputs are ``day``'s partitions."""
    paid30 = paid_lines(lines, refunds)
    today = paid30.filter(pl.col("dt") == day)
    buyers = today.select("user_id").unique()
    dab, visitors = buyers.height, visits["user_id"].n_unique()

    new = firsts.filter(pl.col("first_pay_date") == day)
    used_today = uses.filter((pl.col("pay_date") == day) & ~pl.col("is_refunded"))
    coupon_orders = used_today.select("order_id").unique()
    coupon_new = new.join(coupon_orders, left_on="first_order_id", right_on="order_id", how="semi")
    coupon_lines = used_today.unique(KEYS)

    growth_coupon_cost = used_today.join(growth_coupons.select("coupon_id"), on="coupon_id", how="semi")[
        "discount_amt"
    ].sum()
    allowance_cost = discounts.filter(pl.col("discount_source") == "allowance").join(
        today.select(KEYS), on=KEYS, how="semi"
    )["discount_amt"].sum()

    treated = executions.filter(~pl.col("is_blank")).select("user_id").unique()
    blank = executions.filter(pl.col("is_blank")).select("user_id").unique().join(treated, on="user_id", how="anti")

    start, end = dt.datetime.combine(day, dt.time()), dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    live_coupon = templates.filter(
        (pl.col("coupon_type") == 4) & (pl.col("status") == 1)
        & (pl.col("claim_start_time") < end) & (pl.col("claim_end_time") >= start)
    ).select("seller_id")
    live_promotion = groups.filter(
        (pl.col("owner_type") == "seller") & (pl.col("status") == 1)
        & (pl.col("start_time") < end) & (pl.col("end_time") >= start)
    ).select("seller_id")
    sellers = paid30.select("seller_id").unique()
    configured = sellers.join(pl.concat([live_coupon, live_promotion]).drop_nulls().unique(), on="seller_id", how="semi")

    row = pl.DataFrame({
        "visit_user_cnt": [visitors],
        "dab": [dab],
        "order_cnt": [today["order_id"].n_unique()],
        "pay_amt": [today["paid_amt"].sum()],
        "dnb": [new.height],
        "coupon_new_buyer_cnt": [coupon_new.height],
        "coupon_use_cnt": [used_today["use_key"].n_unique()],
        "coupon_pay_amt": [coupon_lines["line_paid_amt"].sum()],
        "coupon_discount_amt": [used_today["discount_amt"].sum()],
        "growth_benefit_cost_amt": [growth_coupon_cost + allowance_cost],
        "triggered_cnt": [offers.height],
        "claimed_cnt": [offers["coupon_id"].count()],
        "treated_user_cnt": [treated.height],
        "treated_paid": [treated.join(buyers, on="user_id", how="semi").height],
        "blank_user_cnt": [blank.height],
        "blank_paid": [blank.join(buyers, on="user_id", how="semi").height],
        "active_seller_cnt_30d": [sellers.height],
        "configured_seller_cnt": [configured.height],
    }, schema_overrides={c: pl.Int64 for c in ("pay_amt", "coupon_pay_amt", "coupon_discount_amt", "growth_benefit_cost_amt")})
    return row.with_columns(
        aov=average_fen("pay_amt", "dab"),
        pcvr=ratio("dab", "visit_user_cnt"),
        coupon_roi=ratio("coupon_pay_amt", "coupon_discount_amt"),
        cac=average_fen("growth_benefit_cost_amt", "dnb"),
        claim_rate=ratio("claimed_cnt", "triggered_cnt"),
        treated_pay_rate=ratio("treated_paid", "treated_user_cnt"),
        blank_pay_rate=ratio("blank_paid", "blank_user_cnt"),
    ).with_columns(
        uplift=pl.col("treated_pay_rate") - pl.col("blank_pay_rate"),
        tool_config_rate=ratio("configured_seller_cnt", "active_seller_cnt_30d"),
    ).drop("treated_paid", "blank_paid")

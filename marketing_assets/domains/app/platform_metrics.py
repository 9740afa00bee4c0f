"""Platform metrics (平台营销指标日表): the platform's metrics of dt, each defined once here
(DAB, DNB, 用券拉新, GMV, AOV, PCVR, coupon ROI, CAC, growth claim rate and uplift against
blank control, tool configuration rate). Every metric of the catalog's Metrics section that
is platform-wide is computed here and only here (``platform_metrics``); reports read its
table."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.coupon.templates import COUPON_TEMPLATE_DAY
from marketing_assets.domains.coupon.uses import COUPON_USE
from marketing_assets.domains.growth.coupon_offers import EXECUTION_COUPON, EXECUTION_COUPON_FULL
from marketing_assets.domains.growth.executions import EXECUTION
from marketing_assets.domains.promotion.ods import GROUP_ODS
from marketing_assets.domains.app.repurchase_performance import KEYS, REFUND_COLUMNS
from marketing_assets.domains.trade.ods import DISCOUNTS, ORDER_LINES, REFUNDS, VISITS
from marketing_assets.domains.user.first_orders import USER_NITEM_LABEL, paid_lines
from marketing_assets.metrics import average_fen, ratio
from marketing_assets.table import TableModel

class PlatformMetrics(TableModel):
    """One row of the platform's metrics of dt."""

    visit_user_cnt: pl.Int64 = pa.Field(ge=0, description="users who viewed a goods page on dt")
    dab: pl.Int64 = pa.Field(ge=0, description="DAB: distinct paying buyers of dt (same-day refunds excluded)")
    order_cnt: pl.Int64 = pa.Field(ge=0, description="orders paid on dt")
    pay_amt: pl.Int64 = pa.Field(ge=0, description="GMV paid on dt, fen")
    aov: pl.Int64 = pa.Field(nullable=True, description="AOV 客单价 = pay_amt / dab, fen")
    pcvr: pl.Float64 = pa.Field(nullable=True, description="PCVR = paying users / visiting users")
    dnb: pl.Int64 = pa.Field(ge=0, description="DNB: buyers whose first paid order on the platform is on dt")
    coupon_new_buyer_cnt: pl.Int64 = pa.Field(ge=0, description="用券拉新: DNB buyers whose first order used a coupon")
    coupon_use_cnt: pl.Int64 = pa.Field(ge=0, description="coupons used on lines paid on dt")
    coupon_pay_amt: pl.Int64 = pa.Field(ge=0, description="paid amount of the lines using a coupon, fen")
    coupon_discount_amt: pl.Int64 = pa.Field(ge=0, description="coupon discount on those lines, fen")
    coupon_roi: pl.Float64 = pa.Field(nullable=True, description="ROI = coupon_pay_amt / coupon_discount_amt")
    growth_benefit_cost_amt: pl.Int64 = pa.Field(
        ge=0, description="platform benefit cost: growth-platform coupons and allowances used on dt, fen"
    )
    cac: pl.Int64 = pa.Field(nullable=True, description="CAC = growth_benefit_cost_amt / dnb, fen")
    triggered_cnt: pl.Int64 = pa.Field(ge=0, description="growth coupon offers landed on dt (non-blank groups)")
    claimed_cnt: pl.Int64 = pa.Field(ge=0, description="of those, claimed in the same session")
    claim_rate: pl.Float64 = pa.Field(nullable=True, description="claimed / triggered")
    treated_user_cnt: pl.Int64 = pa.Field(ge=0, description="users triggered on dt in an offer group")
    treated_pay_rate: pl.Float64 = pa.Field(nullable=True, description="share of them who paid on dt")
    blank_user_cnt: pl.Int64 = pa.Field(ge=0, description="users triggered on dt in a blank-control group only")
    blank_pay_rate: pl.Float64 = pa.Field(nullable=True, description="share of them who paid on dt")
    uplift: pl.Float64 = pa.Field(nullable=True, description="treated_pay_rate − blank_pay_rate")
    active_seller_cnt_30d: pl.Int64 = pa.Field(ge=0, description="sellers with a paid order in the 30 days ending dt")
    configured_seller_cnt: pl.Int64 = pa.Field(ge=0, description="of those, with a live store coupon or store promotion on dt")
    tool_config_rate: pl.Float64 = pa.Field(nullable=True, description="configured_seller_cnt / active_seller_cnt_30d")
    dt: pl.Date = pa.Field(description="day")


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
    """One row of the platform's metrics on ``day`` (catalog, Metrics). ``lines``/``refunds``
    hold the 30 days ending ``day``; the other inputs are ``day``'s partitions."""
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


def _metrics_headline(frame: pl.DataFrame) -> dict:
    if frame.is_empty():
        return {}
    row = frame.row(0, named=True)
    return {k: row[k] for k in ("dab", "dnb", "coupon_new_buyer_cnt", "pay_amt", "aov", "pcvr",
                                "coupon_roi", "cac", "tool_config_rate")}


PLATFORM_METRICS = DerivedTable(
    "redapp", "app_ecm_mkt_platform_metrics_1d_di",
    model=PlatformMetrics,
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
        "lines": Upstream(ORDER_LINES, 30, ("package_id", "goods_id", "order_id", "user_id", "seller_id",
                                            "paid_amt", "pay_time")),
        "refunds": Upstream(REFUNDS, 30, REFUND_COLUMNS),
        "visits": Upstream(VISITS, 1, ("user_id",)),
        "firsts": Upstream(USER_NITEM_LABEL, 1, ("user_id", "first_pay_date", "first_order_id"),
                           where="level = 'platform'"),
        "uses": Upstream(COUPON_USE, 1, where="pay_date = dt"),
        "discounts": Upstream(DISCOUNTS, 1, ("package_id", "goods_id", "discount_source", "discount_amt"),
                              where="discount_source = 'allowance'"),
        "growth_coupons": Upstream(EXECUTION_COUPON_FULL, 1, ("coupon_id",)),
        "offers": Upstream(EXECUTION_COUPON, 1, ("coupon_id",)),
        "executions": Upstream(EXECUTION, 1, ("user_id", "is_blank")),
        "templates": Upstream(COUPON_TEMPLATE_DAY, 1,
                              ("seller_id", "coupon_type", "status", "claim_start_time", "claim_end_time")),
        "groups": Upstream(GROUP_ODS, 1, ("seller_id", "owner_type", "status", "start_time", "end_time")),
    },
    compute=platform_metrics,
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
)

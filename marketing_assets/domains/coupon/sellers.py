"""Coupon effect per seller (and per seller and channel, per seller and template) over the
1, 7 and 30 days ending dt: claims, uses, pay, cost by bearer, ROI, AOV and new buyers;
built by the shared seller-table builder (``domains.sellers``)."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import Upstream
from marketing_assets.domains.user.first_orders import USER_NITEM_LABEL
from marketing_assets.domains.coupon.claims import GOODS_COUPON_DAY
from marketing_assets.domains.coupon.uses import COUPON_USE
from marketing_assets.domains.sellers import seller_headline, seller_table
from marketing_assets.domains.user.first_orders import store_first_orders
from marketing_assets.metrics import STAT_PERIODS, aov, in_period, roi, seller_use_metrics
from marketing_assets.table import TableCheck, TableModel, partition_day

GROUP = "coupon"



class _SellerMetrics(TableModel):
    seller_id: pl.String = pa.Field(description="seller")
    stat_period: pl.Int32 = pa.Field(isin=[1, 7, 30], description="days of the window ending dt")
    claim_cnt: pl.Int64 = pa.Field(ge=0, description="claims of the seller's coupons, by claim day")
    claim_user_cnt: pl.Int64 = pa.Field(ge=0, description="distinct claimers")
    use_cnt: pl.Int64 = pa.Field(ge=0, description="distinct coupons used on the seller's lines, by pay day, net of refunds known on dt")
    use_user_cnt: pl.Int64 = pa.Field(ge=0, description="distinct buyers of those lines")
    pay_amt: pl.Int64 = pa.Field(ge=0, description="paid amount of the distinct lines using a coupon, fen")
    pay_goods_cnt: pl.Int64 = pa.Field(ge=0, description="quantity of those lines")
    discount_amt: pl.Int64 = pa.Field(ge=0, description="coupon discount on those lines, fen")
    merchant_cost_amt: pl.Int64 = pa.Field(ge=0, description="part the merchant pays, fen")
    platform_cost_amt: pl.Int64 = pa.Field(ge=0, description="part the platform pays, fen")
    roi: pl.Float64 = pa.Field(nullable=True, description="pay_amt / discount_amt; null when no discount")
    aov: pl.Int64 = pa.Field(nullable=True, description="pay_amt / use_user_cnt, fen (half up); null when no buyer")
    new_buyer_cnt: pl.Int64 = pa.Field(
        ge=0, description="buyers whose first paid order in the store (600-day look-back) used a coupon on its lines"
    )


class CouponSeller(_SellerMetrics):
    """A seller's coupon effect over one stat period ending dt."""

    dt: pl.Date = partition_day()


class CouponSellerChannel(_SellerMetrics):
    """A seller's coupon effect in one promotion channel over one stat period ending dt."""

    channel_type: pl.Int32 = pa.Field(
        nullable=True, description="promotion channel of the template (null: template unknown)"
    )
    dt: pl.Date = partition_day()


class CouponSellerTemplate(_SellerMetrics):
    """A seller's coupon effect of one template over one stat period ending dt."""

    coupon_template_id: pl.Int64 = pa.Field(description="template")
    dt: pl.Date = partition_day()


_METRICS = ["claim_cnt", "claim_user_cnt", "use_cnt", "use_user_cnt", "pay_amt",
            "pay_goods_cnt", "discount_amt", "merchant_cost_amt", "platform_cost_amt",
            "new_buyer_cnt"]


def seller_metrics(
    day: dt.date,
    uses: pl.DataFrame,
    claims: pl.DataFrame,
    first_orders: pl.DataFrame,
    by: tuple[str, ...] = (),
    periods: tuple[int, ...] = STAT_PERIODS,
) -> pl.DataFrame:
    """Coupon effect per seller (and ``by``: channel_type or coupon_template_id) for each
    window of ``periods`` days ending on ``day``.

    ``uses``: the use fact as known on ``day``; ``claims``: the claim fact as of ``day``;
    ``first_orders``: user × store first paid order (user_id, seller_id, first_pay_date,
    first_package_id). A line with two coupons counts once in the seller total and under
    each coupon in the ``by`` cuts.
    """
    keys = ["seller_id", *by]
    frames = []
    for period in periods:
        claimed = claims.filter(pl.col("seller_id").is_not_null() & in_period("claim_date", day, period))
        claim = claimed.group_by(keys).agg(
            claim_cnt=pl.len().cast(pl.Int64), claim_user_cnt=pl.col("user_id").n_unique()
        )
        used = seller_use_metrics(day, uses, first_orders, keys, period)
        table = claim.join(used, on=keys, how="full", coalesce=True, nulls_equal=True)
        frames.append(table.with_columns(stat_period=pl.lit(period, pl.Int32)))
    out = pl.concat(frames, how="diagonal_relaxed")
    return out.with_columns(
        [pl.col(m).fill_null(0).cast(pl.Int64) for m in _METRICS]
    ).with_columns(roi(), aov())


def _metrics(day, uses, claims, first_orders, by):
    return seller_metrics(day, uses, claims, store_first_orders(first_orders), by=by)


_CLAIM_COLUMNS = ("coupon_id", "coupon_template_id", "user_id", "seller_id", "claim_date", "channel_type")
_INPUTS = {
    "uses": Upstream(COUPON_USE),
    "claims": Upstream(GOODS_COUPON_DAY, 1, _CLAIM_COLUMNS),
    "first_orders": Upstream(
        USER_NITEM_LABEL, 1,
        ("user_id", "level", "level_id", "first_pay_date", "first_package_id"),
        where="level = 'store'",
    ),
}
_HEADLINE = seller_headline(("claim_cnt", "use_cnt", "pay_amt", "discount_amt"))

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


def _seller_totals(wh, first, last):
    return wh.query(
        f"""
        WITH recount AS (
            SELECT dt, seller_id, count(DISTINCT use_key) AS use_cnt, sum(discount_amt) AS discount_amt
            FROM {COUPON_USE.sql}
            WHERE dt BETWEEN ? AND ? AND pay_date = dt AND NOT is_refunded GROUP BY 1, 2
        ), lines AS (
            SELECT dt, seller_id, sum(line_paid_amt) AS pay_amt FROM (
                SELECT DISTINCT dt, seller_id, package_id, goods_id, line_paid_amt
                FROM {COUPON_USE.sql}
                WHERE dt BETWEEN ? AND ? AND pay_date = dt AND NOT is_refunded) GROUP BY 1, 2
        ), seller AS (
            SELECT dt, seller_id, use_cnt, discount_amt, pay_amt
            FROM {COUPON_SELLER.sql}
            WHERE dt BETWEEN ? AND ? AND stat_period = 1 AND use_cnt > 0
        )
        SELECT coalesce(s.dt, r.dt) AS dt, coalesce(s.seller_id, r.seller_id) AS seller_id,
               s.use_cnt, r.use_cnt AS recount_use_cnt, s.pay_amt, l.pay_amt AS recount_pay_amt,
               s.discount_amt, r.discount_amt AS recount_discount_amt
        FROM seller s FULL JOIN recount r ON s.dt = r.dt AND s.seller_id = r.seller_id
        LEFT JOIN lines l ON l.dt = coalesce(s.dt, r.dt) AND l.seller_id = coalesce(s.seller_id, r.seller_id)
        WHERE s.use_cnt IS DISTINCT FROM r.use_cnt OR s.pay_amt IS DISTINCT FROM l.pay_amt
           OR s.discount_amt IS DISTINCT FROM r.discount_amt
        ORDER BY ALL
        """,
        [first, last, first, last, first, last],
    )


COUPON_SELLER = seller_table(
    "redcdm", "dm_ecm_trd_mkt_coupon_sellerid_nd_di", CouponSeller, (),
    "Coupon effect per seller over 1, 7 and 30 days ending dt: claims, uses, pay, cost by bearer, ROI, AOV, new buyers",
    "商家薯券效果",
    group=GROUP, inputs=_INPUTS, metrics=_metrics, headline=_HEADLINE, lineage=SELLER_LINEAGE,
    checks=(
        TableCheck("seller_totals_reconcile",
                   "1-day use_cnt, pay_amt and discount_amt of each seller equal a recount of the use fact",
                   _seller_totals, True, reads=(COUPON_USE,)),
    ),
)
COUPON_SELLER_CHANNEL = seller_table(
    "redcdm", "dm_ecm_trd_mkt_coupon_sellerid_channel_nd_di", CouponSellerChannel, ("channel_type",),
    "Coupon effect per seller and promotion channel over 1, 7 and 30 days (a line with two coupons counts under both)",
    "商家分渠道薯券效果",
    group=GROUP, inputs=_INPUTS, metrics=_metrics, headline=_HEADLINE, lineage=SELLER_LINEAGE,
)
COUPON_SELLER_TEMPLATE = seller_table(
    "redcdm", "dm_ecm_trd_mkt_coupon_sellerid_templateid_nd_di", CouponSellerTemplate, ("coupon_template_id",),
    "Coupon effect per seller and template over 1, 7 and 30 days (a line with two coupons counts under both)",
    "商家分模版薯券效果",
    group=GROUP, inputs=_INPUTS, metrics=_metrics, headline=_HEADLINE, lineage=SELLER_LINEAGE,
)

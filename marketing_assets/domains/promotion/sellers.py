"""Promotion effect per seller (and per seller × group, seller × promotion) over 1, 7 and
30 days ending dt, from the use detail: uses, buyers, pay, discount by bearer, ROI, AOV and
new buyers; by pay day, net of refunds known on dt."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.coupon.sellers import SELLER_LINEAGE
from marketing_assets.domains.promotion.groups import GROUP
from marketing_assets.domains.promotion.uses import PROMOTION_USE
from marketing_assets.domains.sellers import seller_headline, seller_table
from marketing_assets.domains.user.first_orders import USER_NITEM_LABEL, store_first_orders
from marketing_assets.metrics import STAT_PERIODS, aov, roi, seller_use_metrics
from marketing_assets.table import TableModel, partition_day


class _SellerMetrics(TableModel):
    seller_id: pl.String = pa.Field(description="seller of the lines")
    stat_period: pl.Int32 = pa.Field(isin=[1, 7, 30], description="days of the window ending dt")
    use_cnt: pl.Int64 = pa.Field(
        ge=0, description="promotion applications (distinct promotion × package) on the seller's lines, by pay day, net of refunds known on dt"
    )
    use_user_cnt: pl.Int64 = pa.Field(ge=0, description="distinct buyers of those lines")
    pay_amt: pl.Int64 = pa.Field(ge=0, description="paid amount of the distinct lines with a promotion discount, fen")
    pay_goods_cnt: pl.Int64 = pa.Field(ge=0, description="quantity of those lines")
    discount_amt: pl.Int64 = pa.Field(ge=0, description="promotion discount on those lines, fen")
    merchant_cost_amt: pl.Int64 = pa.Field(ge=0, description="part the merchant pays, fen")
    platform_cost_amt: pl.Int64 = pa.Field(ge=0, description="part the platform pays, fen")
    roi: pl.Float64 = pa.Field(nullable=True, description="pay_amt / discount_amt; null when no discount")
    aov: pl.Int64 = pa.Field(nullable=True, description="pay_amt / use_user_cnt, fen (half up); null when no buyer")
    new_buyer_cnt: pl.Int64 = pa.Field(
        ge=0, description="buyers whose first paid order in the store (600-day look-back) had a promotion discount on its lines"
    )


class PromotionSeller(_SellerMetrics):
    """Promotion effect per seller: one row per seller × stat period."""

    dt: pl.Date = partition_day()


class PromotionSellerGroup(_SellerMetrics):
    """Promotion effect per seller and group: one row per seller × group × stat period."""

    group_id: pl.Int64 = pa.Field(nullable=True, description="promotion group (null: promotion not in the dimension)")
    dt: pl.Date = partition_day()


class PromotionSellerPromotion(_SellerMetrics):
    """Promotion effect per seller and promotion: one row per seller × promotion × stat period."""

    promotion_id: pl.Int64 = pa.Field(description="promotion")
    dt: pl.Date = partition_day()


_METRICS = ["use_cnt", "use_user_cnt", "pay_amt", "pay_goods_cnt", "discount_amt",
            "merchant_cost_amt", "platform_cost_amt", "new_buyer_cnt"]


def seller_metrics(
    day: dt.date,
    uses: pl.DataFrame,
    first_orders: pl.DataFrame,
    by: tuple[str, ...] = (),
    periods: tuple[int, ...] = STAT_PERIODS,
) -> pl.DataFrame:
    """Promotion effect per seller (and ``by``: group_id or promotion_id) for each window of
    ``periods`` days ending on ``day``, by pay day, net of refunds known on ``day``.

    ``uses``: the use fact as known on ``day``; ``first_orders``: user × store first paid
    order (user_id, seller_id, first_pay_date, first_package_id). A line with a store and a
    platform promotion counts once in the seller total (pay_amt, pay_goods_cnt) and under
    each in the ``by`` cuts; its discount is the sum of both.
    """
    keys = ["seller_id", *by]
    frames = [
        seller_use_metrics(day, uses, first_orders, keys, period).with_columns(
            stat_period=pl.lit(period, pl.Int32)
        )
        for period in periods  # three windows
    ]
    out = pl.concat(frames, how="diagonal_relaxed")
    return out.with_columns(
        [pl.col(m).fill_null(0).cast(pl.Int64) for m in _METRICS]
    ).with_columns(roi(), aov())


def _metrics(day, uses, first_orders, by):
    return seller_metrics(day, uses, store_first_orders(first_orders), by=by)


_INPUTS = {
    "uses": Upstream(
        PROMOTION_USE, 1,
        ("promotion_id", "group_id", "use_key", "package_id", "goods_id", "user_id", "seller_id",
         "pay_date", "quantity", "line_paid_amt", "discount_amt", "bearer", "is_refunded"),
        # the longest stat period is 30 days
        where="pay_date >= dt - INTERVAL 29 DAY AND NOT is_refunded",
    ),
    "first_orders": Upstream(
        USER_NITEM_LABEL, 1,
        ("user_id", "level", "level_id", "first_pay_date", "first_package_id"),
        where="level = 'store' AND first_pay_date >= dt - INTERVAL 29 DAY",
    ),
}
_HEADLINE = seller_headline(("use_cnt", "pay_amt", "discount_amt"), rows="rows_1d")
#: the coupon seller tables' lineage without the claims input
_LINEAGE = {k: v for k, v in SELLER_LINEAGE.items() if not k.startswith("claim")} | {
    "stat_period": (("uses", "pay_date"),)}


def _seller_table(name: str, model, by: tuple[str, ...], what: str, chinese: str) -> DerivedTable:
    return seller_table("redcdm", name, model, by, what, chinese, group=GROUP, inputs=_INPUTS,
                        metrics=_metrics, headline=_HEADLINE, lineage=_LINEAGE)


PROMOTION_SELLER = _seller_table(
    "dm_ecm_trd_mkt_promotion_sellerid_nd_di", PromotionSeller, (),
    "Promotion effect per seller over 1, 7 and 30 days ending dt: uses (promotion × package), "
    "buyers, pay, discount by bearer, ROI, AOV, new buyers; by pay day, net of refunds known on dt",
    "商家促销效果",
)
PROMOTION_SELLER_GROUP = _seller_table(
    "dm_ecm_trd_mkt_promotion_sellerid_promotion_group_nd_di", PromotionSellerGroup, ("group_id",),
    "Promotion effect per seller and promotion group over 1, 7 and 30 days (a line with a "
    "store and a platform promotion counts under both groups)",
    "商家分活动组促销效果",
)
PROMOTION_SELLER_PROMOTION = _seller_table(
    "dm_ecm_trd_mkt_promotion_sellerid_promotionid_nd_di", PromotionSellerPromotion, ("promotion_id",),
    "Promotion effect per seller and promotion over 1, 7 and 30 days (a line with a store "
    "and a platform promotion counts under both)",
    "商家分促销活动效果",
)

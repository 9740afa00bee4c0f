"""The promotion (促销) tables above ODS: group, promotion (target × benefit tier), blacklist
and gift dimensions, the goods each live promotion covers, the 500-day use detail and the
seller-level results."""

import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.coupon.sellers import SELLER_LINEAGE
from marketing_assets.domains import keys as shared
from marketing_assets.domains.promotion import keys, schemas, transforms
from marketing_assets.domains.user.transforms import store_first_orders
from marketing_assets.metrics import LOOKBACK_DAYS, use_fact_headline

GROUP = "promotion"
_SOURCES = ", ".join(f"'{s}'" for s in transforms.PROMOTION_SOURCES)
#: packages with a promotion discount: the only trade rows the use fact needs
_PROMOTION_PACKAGES = (
    f"package_id IN (SELECT package_id FROM {'.'.join(shared.DISCOUNTS)} "
    f"WHERE discount_source IN ({_SOURCES}))"
)
#: group rows worth reading from 600 daily dumps: the first dump (groups set up before the
#: warehouse began) and each group's rows of the days just after a change (its new state)
_GROUP_CHANGES = (
    f"update_time >= dt - INTERVAL {transforms.GROUP_SLACK_DAYS} DAY "
    f"OR dt = (SELECT min(dt) FROM {'.'.join(keys.GROUP_ODS)})"
)
_TARGET_COLUMNS = ("promotion_id", "group_id", "target_type", "target_id", "seller_id", "status",
                   "create_time", "update_time", "_src_file", "_src_line")
_BENEFIT_COLUMNS = ("promotion_id", "tier", "rule", "threshold", "value", "update_time", "_src_file", "_src_line")
_DIM_COLUMNS = ("promotion_id", "tier", "group_id", "target_type", "target_id", "seller_id",
                "owner_type", "promotion_type", "rule", "threshold", "is_live")


def _live_headline(frame: pl.DataFrame) -> dict:
    live = frame.filter("is_live")
    return {"live": live.height}


def _dim_headline(frame: pl.DataFrame) -> dict:
    live = frame.filter("is_live")
    return {"promotions": frame["promotion_id"].n_unique(), "live_promotions": live["promotion_id"].n_unique()}


def _seller_headline(frame: pl.DataFrame) -> dict:
    day = frame.filter(pl.col("stat_period") == 1)
    totals = {m: int(day[m].sum()) for m in ("use_cnt", "pay_amt", "discount_amt")}
    return {
        "rows_1d": day.height,
        **{f"{k}_1d": v for k, v in totals.items()},
        "roi_1d": round(totals["pay_amt"] / totals["discount_amt"], 4) if totals["discount_amt"] else None,
    }


def _seller_table(name: str, model, by: tuple[str, ...], what: str, chinese: str) -> DerivedTable:
    def compute(day, uses, first_orders):
        return transforms.seller_metrics(
            day, uses,
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
            "uses": Upstream(
                keys.PROMOTION_USE, 1,
                ("promotion_id", "group_id", "use_key", "package_id", "goods_id", "user_id", "seller_id",
                 "pay_date", "quantity", "line_paid_amt", "discount_amt", "bearer", "is_refunded"),
                # the longest stat period is 30 days
                where="pay_date >= dt - INTERVAL 29 DAY AND NOT is_refunded",
            ),
            "first_orders": Upstream(
                shared.USER_NITEM_LABEL, 1,
                ("user_id", "level", "level_id", "first_pay_date", "first_package_id"),
                where="level = 'store' AND first_pay_date >= dt - INTERVAL 29 DAY",
            ),
        },
        compute=compute,
        lineage={k: v for k, v in SELLER_LINEAGE.items() if not k.startswith("claim")}
        | {"stat_period": (("uses", "pay_date"),)},
        headline=_seller_headline,
    )


TABLES: list[DerivedTable] = [
    DerivedTable(
        *keys.GROUP_DAY,
        model=schemas.PromotionGroupDay,
        grain=("group_id",),
        group=GROUP,
        layer="dw",
        what=(
            "Promotion group dimension: each group's latest known state (name, owner, promotion "
            "type, store-wide, start/end, status, live on dt) over the 600-day look-back; groups "
            "deleted from the source (45 days after their end) keep their last state, groups "
            "untouched for longer than the look-back drop out"
        ),
        chinese_name="促销活动组维表",
        inputs={"groups": Upstream(keys.GROUP_ODS, LOOKBACK_DAYS, where=_GROUP_CHANGES)},
        compute=transforms.group_day,
        bounded=True,
        planned=True,
        headline=_live_headline,
    ),
    DerivedTable(
        *keys.TARGET_BENEFIT_DAY,
        model=schemas.PromotionTargetBenefitDay,
        grain=("promotion_id", "target_id", "tier"),
        group=GROUP,
        layer="dw",
        what=(
            "Promotion config dimension: the current state of each promotion (a target added to "
            "a group: latest row per promotion over the 600-day look-back of the daily changes) "
            "with its group (type: super single-item, single-item, multi-item, interest-free) "
            "and its benefit tiers (rule, threshold, value). Config untouched for longer than "
            "the look-back drops out"
        ),
        chinese_name="促销活动商品优惠维表",
        inputs={
            "targets": Upstream(keys.TARGET_INC, LOOKBACK_DAYS, _TARGET_COLUMNS),
            "benefits": Upstream(keys.BENEFIT_INC, LOOKBACK_DAYS, _BENEFIT_COLUMNS),
            "groups": Upstream(keys.GROUP_DAY),
        },
        compute=transforms.target_benefit_day,
        bounded=True,
        headline=_dim_headline,
    ),
    DerivedTable(
        *keys.BLACKLIST_DAY,
        model=schemas.PromotionBlacklistTargetDay,
        grain=("blacklist_id",),
        group=GROUP,
        layer="dw",
        what="Goods excluded from store-wide promotion groups (the day's dump) with their group",
        chinese_name="全店促销黑名单维表",
        inputs={
            "blacklist": Upstream(keys.BLACKLIST_ODS),
            "groups": Upstream(keys.GROUP_DAY),
        },
        compute=transforms.blacklist_target_day,
        bounded=True,
        planned=True,
    ),
    DerivedTable(
        *keys.GIFT_DAY,
        model=schemas.PromotionGiftDay,
        grain=("gift_id",),
        group=GROUP,
        layer="dw",
        what="Gifts of gift-with-purchase (满赠) promotions (the day's dump) with the promotion's group, seller and threshold",
        chinese_name="促销赠品维表",
        inputs={
            "gifts": Upstream(keys.GIFT_ODS),
            "promotions": Upstream(keys.TARGET_BENEFIT_DAY, 1, _DIM_COLUMNS),
        },
        compute=transforms.gift_day,
        bounded=True,
        planned=True,
    ),
    DerivedTable(
        *keys.PROMOTION_ITEM,
        model=schemas.PromotionItem,
        grain=("promotion_id", "goods_id"),
        group=GROUP,
        layer="dwd",
        what=(
            "Goods each live promotion covers on dt: the goods of an sku target, the goods "
            "target, or every goods of a store-wide seller target minus the group's valid blacklist"
        ),
        chinese_name="促销活动商品明细",
        inputs={
            "promotions": Upstream(keys.TARGET_BENEFIT_DAY, 1, _DIM_COLUMNS, where="is_live"),
            "blacklist": Upstream(keys.BLACKLIST_DAY, 1, ("group_id", "goods_id", "is_valid")),
            "goods": Upstream(shared.GOODS, 1, ("goods_id", "seller_id")),
            "skus": Upstream(keys.GOODS_SKU, 1, ("sku_id", "goods_id")),
        },
        compute=transforms.promotion_items,
        bounded=True,
        planned=True,
    ),
    DerivedTable(
        *keys.PROMOTION_USE,
        model=schemas.PromotionUse500d,
        grain=("promotion_id", "package_id", "goods_id"),
        group=GROUP,
        layer="dm",
        what=(
            "Promotion use detail: each store or platform promotion's apportioned discount on a "
            "paid order line, paid in the 500 days ending dt, as known on dt, with the "
            "promotion's group and type. Lines refunded on their pay day are not uses; later "
            "refunds are flagged from the refund's landing day on. use_key counts one use per "
            "promotion × package"
        ),
        chinese_name="促销核销明细500天",
        inputs={
            "details": Upstream(
                shared.DISCOUNTS, transforms.USE_DAYS,
                ("package_id", "goods_id", "discount_source", "source_id", "discount_amt", "bearer"),
                where=f"discount_source IN ({_SOURCES})",
            ),
            "lines": Upstream(
                shared.ORDER_LINES, transforms.USE_DAYS,
                ("package_id", "goods_id", "order_id", "user_id", "seller_id", "pay_time", "quantity", "paid_amt"),
                where=_PROMOTION_PACKAGES,
            ),
            "refunds": Upstream(
                shared.REFUNDS, transforms.USE_DAYS, ("package_id", "goods_id", "refund_time"),
                where=_PROMOTION_PACKAGES,
            ),
            "promotions": Upstream(keys.TARGET_BENEFIT_DAY, 1, _DIM_COLUMNS),
        },
        compute=transforms.promotion_uses,
        bounded=True,
        headline=use_fact_headline,
        lineage={
            "promotion_id": (("details", "source_id"),),
            "use_key": (("details", "source_id"), ("details", "package_id")),
            "line_paid_amt": (("lines", "paid_amt"),),
            "pay_date": (("lines", "pay_time"),),
            "is_refunded": (("refunds", "refund_time"), ("lines", "pay_time")),
        },
    ),
    _seller_table(
        "dm_ecm_trd_mkt_promotion_sellerid_nd_di", schemas.PromotionSeller, (),
        "Promotion effect per seller over 1, 7 and 30 days ending dt: uses (promotion × package), "
        "buyers, pay, discount by bearer, ROI, AOV, new buyers; by pay day, net of refunds known on dt",
        "商家促销效果",
    ),
    _seller_table(
        "dm_ecm_trd_mkt_promotion_sellerid_promotion_group_nd_di", schemas.PromotionSellerGroup, ("group_id",),
        "Promotion effect per seller and promotion group over 1, 7 and 30 days (a line with a "
        "store and a platform promotion counts under both groups)",
        "商家分活动组促销效果",
    ),
    _seller_table(
        "dm_ecm_trd_mkt_promotion_sellerid_promotionid_nd_di", schemas.PromotionSellerPromotion, ("promotion_id",),
        "Promotion effect per seller and promotion over 1, 7 and 30 days (a line with a store "
        "and a platform promotion counts under both)",
        "商家分促销活动效果",
    ),
]

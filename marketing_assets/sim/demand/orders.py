"""Orders: visitors buy, lines are priced by the shared pricing engine, discounts detailed.

Lines are priced with the promotions live today, the seller's auto-promoted store coupon,
the coupons the buyer holds (claimed, unexpired, unused) and the buyer's allowance
balance. Goods in a presale deposit window sell only through their presale SKU, as
deposits (``sim.demand.presale``); converted deposits come back as final-payment lines.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from marketing_assets.pricing import price_orders
from marketing_assets.sim.config.rates import RATES
from marketing_assets.sim.demand import allowances, coupons, presale
from marketing_assets.sim.demand.clock import US, last_second
from marketing_assets.sim.demand.state import DemandState
from marketing_assets.sim.world import World


def orders(
    world: World, state: DemandState, rng: np.random.Generator, day: dt.date, visits: pl.DataFrame, live
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Today's order lines (before pricing) and today's presale deposits."""
    last = last_second(day)
    conversion = pl.col("page").replace_strict(dict(RATES.conversion), return_dtype=pl.Float64)
    # goods in a presale deposit window sell (only) through their presale SKU, and
    # attract buyers: a deposit locks in the 膨胀 deduction
    noon = dt.datetime.combine(day, dt.time(12))
    presale_goods = (
        live.presale_skus.filter((pl.col("deposit_start") <= noon) & (noon <= pl.col("deposit_end")))
        .sort("sku_id")
        .unique("goods_id", keep="first", maintain_order=True)
        .select("goods_id", pl.col("sku_id").alias("_presale_sku"))
    )
    visits = visits.join(presale_goods, on="goods_id", how="left", maintain_order="left")
    boost = pl.when(pl.col("_presale_sku").is_not_null()).then(RATES.presale_boost).otherwise(1.0)
    bought = (
        visits.with_columns(_r=pl.Series(rng.random(visits.height)))
        .filter(pl.col("_r") < conversion * boost)
        .unique(["user_id", "goods_id"], keep="first", maintain_order=True)
    )
    skus = world.skus.sort("sku_id").group_by("goods_id", maintain_order=True).agg("sku_id", "price")
    bought = bought.join(skus, on="goods_id", how="left", maintain_order="left")
    pick = (pl.Series(rng.random(bought.height)) * bought["sku_id"].list.len()).cast(pl.Int64)
    pay_lag = pl.Series(rng.integers(*RATES.pay_lag_s, bought.height) * US)
    bought = bought.with_columns(
        sku_id=pl.coalesce("_presale_sku", pl.col("sku_id").list.get(pick)),
        unit_price=pl.col("price").list.get(pick),
        quantity=pl.Series(rng.poisson(RATES.extra_quantity_mean, bought.height) + 1, dtype=pl.Int64),
        pay_time=pl.min_horizontal(
            pl.col("first_visit_time") + pl.duration(microseconds=pay_lag), pl.lit(last)
        ),
    ).with_columns(pl.col("pay_time").max().over("user_id"))
    # presale SKUs in their deposit window become deposits, not orders
    presale_skus = live.presale_skus.select(
        "sku_id", "presale_activity_id", "presale_price", "deposit_amt", "deduction_amt",
        "deposit_start", "deposit_end", "final_start", "final_end",
    ).unique("sku_id", keep="first", maintain_order=True)
    bought = bought.join(presale_skus, on="sku_id", how="left", maintain_order="left")
    in_deposit = (pl.col("deposit_start") <= pl.col("pay_time")) & (pl.col("pay_time") <= pl.col("deposit_end"))
    deposits = bought.filter(in_deposit.fill_null(False))
    lines = bought.filter(~in_deposit.fill_null(False))
    deposits = presale.new_deposits(state, rng, day, deposits)
    finals = presale.final_payments(state, rng, day)
    lines = lines.select(
        "user_id", "goods_id", "seller_id", "sku_id", "quantity", "unit_price", "pay_time",
        pl.col("pay_time").alias("order_time"), pl.col("user_id").alias("_order_key"),
        pl.lit(None, pl.Int64).alias("deposit_amt"), pl.lit(None, pl.Int64).alias("deduction_amt"),
        pl.lit(False).alias("is_presale"),
    )
    return pl.concat([lines, finals], how="vertical_relaxed"), deposits


def _promotion_columns(live) -> pl.DataFrame:
    """Per goods: its store and platform multi-item promotion and promo unit price."""
    pg = live.promotion_goods.join(
        live.promotions.select("promotion_id", "scope", "rule"), on="promotion_id"
    )
    multi = pl.col("rule").is_in(["full_reduction", "m_n_discount"])
    return pg.group_by("goods_id").agg(
        pl.col("promotion_id").filter(multi & (pl.col("scope") == "store")).min().alias("store_promotion_id"),
        pl.col("promotion_id").filter(multi & (pl.col("scope") == "platform")).min().alias("platform_promotion_id"),
        pl.col("promo_unit_price").filter(pl.col("rule") == "price").min().alias("promo_unit_price"),
    )


def price(state: DemandState, day: dt.date, lines: pl.DataFrame, live):
    """Order and package ids for the lines, priced by the pricing engine; returns the
    engine's result and per line its order time and presale flag."""
    lines = lines.join(_promotion_columns(live), on="goods_id", how="left")
    is_presale = pl.col("is_presale")
    lines = lines.with_columns(
        unit_price=pl.when(~is_presale & pl.col("promo_unit_price").is_not_null())
        .then(pl.min_horizontal("unit_price", "promo_unit_price"))
        .otherwise("unit_price"),
        store_promotion_id=pl.when(~is_presale).then("store_promotion_id"),
        platform_promotion_id=pl.when(~is_presale).then("platform_promotion_id"),
    ).sort("pay_time", "_order_key", "seller_id", "goods_id", "sku_id")
    lines = lines.with_columns(
        _first=pl.col("pay_time").min().over("_order_key"),
    ).with_columns(
        order_id=pl.format(
            "o{}{}", pl.lit(day.strftime("%Y%m%d")),
            pl.struct("_first", "_order_key").rank("dense").cast(pl.String).str.zfill(8),
        )
    ).with_columns(
        package_id=pl.format("{}-{}", "order_id", pl.col("seller_id").rank("dense").over("order_id").cast(pl.String)),
    )
    # the same goods twice in a package (two SKUs) is one line per goods: keep the first
    lines = lines.unique(["package_id", "goods_id"], keep="first", maintain_order=True)
    buyers = lines.select("user_id").unique()
    held = coupons.held(state, buyers)
    state.scope = pl.concat([state.scope, live.coupon_scope]).unique()
    promotions = live.promotions.filter(pl.col("rule").is_in(["full_reduction", "m_n_discount"])).select(
        "promotion_id", "scope", "rule", "threshold", "value"
    )
    auto = live.coupon_templates.filter("is_auto").select(
        "seller_id", "coupon_template_id", "threshold", "discount"
    ).unique("seller_id", keep="first", maintain_order=True)
    priced = price_orders(
        lines.select(
            "order_id", "package_id", "user_id", "seller_id", "goods_id", "sku_id", "quantity",
            "unit_price", "pay_time", "store_promotion_id", "platform_promotion_id",
            "deposit_amt", "deduction_amt",
        ),
        promotions,
        auto,
        held,
        state.scope.sort("coupon_template_id", "goods_id"),
        allowances.balances(state, day, buyers),
    )
    return priced, lines.select("package_id", "goods_id", "order_time", "is_presale")


def order_lines(lines: pl.DataFrame) -> pl.DataFrame:
    """The trade system's order lines (one per package and goods)."""
    return lines.select(
        "order_id", "package_id", "goods_id", "sku_id", "user_id", "seller_id", "quantity",
        "unit_price", "list_amt", "shown_amt", pl.col("total_discount_amt").alias("discount_amt"),
        "paid_amt", "is_presale", "order_time", "pay_time",
    ).sort("package_id", "goods_id")


#: (discount source, amount column, source id column, template column, who bears it)
_DISCOUNT_PARTS = [
    ("store_promotion", "store_promo_amt", "store_promotion_id", None, "merchant"),
    ("platform_promotion", "platform_promo_amt", "platform_promotion_id", None, "platform"),
    ("auto_coupon", "auto_coupon_amt", None, "auto_coupon_template_id", "merchant"),
    ("store_coupon", "store_coupon_amt", "store_coupon_id", "coupon", "merchant"),
    ("platform_coupon", "platform_coupon_amt", "platform_coupon_id", "coupon", "platform"),
    ("allowance", "allowance_amt", None, None, "platform"),
    ("presale", "presale_discount_amt", None, None, "merchant"),
]


def discount_detail(lines: pl.DataFrame, uses: pl.DataFrame) -> pl.DataFrame:
    """The trade system's discount detail: one row per line and discount source."""
    templates = uses.select("coupon_id", "coupon_template_id").unique("coupon_id")
    frames = []
    for source, amount, source_id, template, bearer in _DISCOUNT_PARTS:
        frame = lines.filter(pl.col(amount) > 0).select(
            "package_id", "goods_id",
            pl.lit(source).alias("discount_source"),
            (pl.col(source_id) if source_id else pl.lit(None, pl.Int64)).alias("source_id"),
            (pl.col(template) if template and template != "coupon" else pl.lit(None, pl.Int64)).alias("coupon_template_id"),
            pl.col(amount).alias("discount_amt"),
            pl.lit(bearer).alias("bearer"),
            "pay_time",
        )
        if template == "coupon":
            frame = frame.drop("coupon_template_id").join(
                templates.rename({"coupon_id": "source_id"}), on="source_id", how="left"
            ).select(frames[0].columns if frames else frame.columns)
        frames.append(frame)
    columns = frames[0].columns
    return pl.concat([f.select(columns) for f in frames]).sort("package_id", "goods_id", "discount_source")

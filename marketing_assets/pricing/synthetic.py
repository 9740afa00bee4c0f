"""Seeded random inputs of ``price_orders`` (tests, benchmarks), generated vectorised.

Randomness is a hash of (row index, salt) under the seed: deterministic for one polars
version, no numpy needed. The world is small and dense on purpose (few sellers, buyers
with several orders) so that promotions, coupons, item scopes, coupon conflicts across a
buyer's orders, allowances and presale all occur.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

_BASE_DAY = datetime(2025, 6, 1)


def _rnd(col: str, salt: int, modulo: int, seed: int) -> pl.Expr:
    """Pseudo-random Int64 in [0, modulo) from a column of row numbers."""
    return ((pl.col(col) * 1_000_003 + salt).hash(seed) % modulo).cast(pl.Int64)


def _ids(prefix: str, col: str) -> pl.Expr:
    return pl.format("{}{}", pl.lit(prefix), pl.col(col).cast(pl.String).str.zfill(9))


def random_inputs(
    n_orders: int, seed: int = 0, *, n_users: int | None = None, n_sellers: int = 40
) -> dict[str, pl.DataFrame]:
    """Keyword arguments for ``price_orders``: about 5 lines per order (1-3 packages of
    1-4 lines), buyers with ~4 orders each, ``n_sellers`` (≥ 3) sellers of 40 goods."""
    if n_sellers < 3:
        raise ValueError("n_sellers must be at least 3 (up to 3 packages per order)")
    n_users = n_users or max(1, n_orders // 4)

    def r(col: str, salt: int, modulo: int) -> pl.Expr:
        return _rnd(col, salt, modulo, seed)

    orders = pl.select(pl.int_range(n_orders, dtype=pl.Int64).alias("o")).with_columns(
        r("o", 1, n_users).alias("u"),
        (1 + r("o", 2, 3)).alias("n_pkg"),
        pl.when(r("o", 4, 25) == 0)
        .then(None)
        .otherwise(pl.lit(_BASE_DAY) + pl.duration(hours=r("o", 3, 240)))
        .cast(pl.Datetime("us"))
        .alias("pay_time"),
    )
    packages = (
        orders.with_columns(pl.int_ranges(0, "n_pkg", dtype=pl.Int64).alias("k"))
        .explode("k")
        .with_row_index("p")
        .with_columns(pl.col("p").cast(pl.Int64))
        .with_columns(
            ((r("o", 5, n_sellers) + pl.col("k")) % n_sellers).alias("s"),
            (1 + r("p", 6, 4)).alias("n_lines"),
        )
    )
    lines = (
        packages.with_columns(pl.int_ranges(0, "n_lines", dtype=pl.Int64).alias("j"))
        .explode("j")
        .with_row_index("l")
        .with_columns(pl.col("l").cast(pl.Int64))
        .with_columns(((r("p", 7, 40) + pl.col("j")) % 40).alias("g_local"))
        .with_columns((pl.col("s") * 100 + pl.col("g_local")).alias("goods_id"))
        .with_columns(
            (pl.col("goods_id") * 10 + r("l", 8, 3)).alias("sku_id"),
            (1 + r("l", 9, 3)).alias("quantity"),
            pl.when(r("l", 10, 5) == 0)
            .then(1 + r("l", 11, 300))
            .otherwise(100 + r("l", 12, 30_000))
            .alias("unit_price"),
            pl.when((pl.col("s") % 3 == 0) & (r("goods_id", 13, 2) == 0))
            .then(1000 + pl.col("s"))
            .alias("store_promotion_id"),
            pl.when(r("l", 14, 3) == 0)
            .then(1 + r("goods_id", 15, 4))
            .alias("platform_promotion_id"),
            (r("l", 16, 12) == 0).alias("presale"),
        )
        .with_columns(
            pl.when("presale").then(pl.col("unit_price") // 10).alias("deposit_amt"),
            pl.when("presale")
            .then(pl.col("unit_price") // 10 * (2 + r("l", 17, 3)))
            .alias("deduction_amt"),
        )
    )
    line_frame = lines.select(
        _ids("o", "o").alias("order_id"),
        _ids("p", "p").alias("package_id"),
        _ids("u", "u").alias("user_id"),
        _ids("s", "s").alias("seller_id"),
        "goods_id",
        "sku_id",
        "quantity",
        "unit_price",
        "pay_time",
        "store_promotion_id",
        "platform_promotion_id",
        "deposit_amt",
        "deduction_amt",
    )

    sellers = pl.select(pl.int_range(n_sellers, dtype=pl.Int64).alias("s"))
    store_promos = sellers.filter(pl.col("s") % 3 == 0).select(
        (1000 + pl.col("s")).alias("promotion_id"),
        pl.lit("store").alias("scope"),
        pl.when(pl.col("s") % 2 == 0)
        .then(pl.lit("full_reduction"))
        .otherwise(pl.lit("m_n_discount"))
        .alias("rule"),
        pl.when(pl.col("s") % 2 == 0)
        .then(10_000 + (pl.col("s") % 5) * 5_000)
        .otherwise(2 + pl.col("s") % 2)
        .alias("threshold"),
        pl.when(pl.col("s") % 2 == 0)
        .then(1_000 + (pl.col("s") % 4) * 500)
        .otherwise(8 + pl.col("s") % 2)
        .alias("value"),
    )
    platform_promos = pl.DataFrame(
        {
            "promotion_id": [1, 2, 3, 4],
            "scope": ["platform"] * 4,
            "rule": ["full_reduction", "full_reduction", "m_n_discount", "m_n_discount"],
            "threshold": [30_000, 10_000, 3, 2],
            "value": [3_000, 500, 9, 8],
        }
    )
    promotions = pl.concat([store_promos, platform_promos])

    auto_coupons = sellers.filter(pl.col("s") % 4 == 1).select(
        _ids("s", "s").alias("seller_id"),
        (5_000 + pl.col("s")).alias("coupon_template_id"),
        ((pl.col("s") % 3) * 5_000).alias("threshold"),
        (300 + (pl.col("s") % 7) * 100).alias("discount"),
    )

    # store coupons drawn from lines (so that many apply), template k = 0 item-limited
    store_coupons = lines.filter(r("l", 18, 3) == 0).select(
        (10**10 + pl.col("l")).alias("coupon_id"),
        (20_000 + pl.col("s") * 10 + r("l", 19, 3)).alias("coupon_template_id"),
        _ids("u", "u").alias("user_id"),
        pl.lit(4, pl.Int32).alias("coupon_type"),
        _ids("s", "s").alias("seller_id"),
        pl.lit([0, 5_000, 10_000, 20_000]).list.get(r("l", 20, 4)).alias("threshold"),
        pl.lit([300, 500, 1_000, 3_000]).list.get(r("l", 21, 4)).alias("discount"),
        "l",
    )
    store_coupons = store_coupons.with_columns(
        (pl.col("coupon_template_id") % 10 == 0).cast(pl.Int32).alias("limit_type")
    )
    platform_coupons = orders.filter(r("o", 22, 2) == 0).select(
        (2 * 10**10 + pl.col("o")).alias("coupon_id"),
        (90_000 + r("o", 23, 3)).alias("coupon_template_id"),
        _ids("u", "u").alias("user_id"),
        pl.lit(1, pl.Int32).alias("coupon_type"),
        pl.lit(None, pl.String).alias("seller_id"),
        pl.lit([0, 10_000, 30_000, 50_000]).list.get(r("o", 24, 4)).alias("threshold"),
        pl.lit([500, 1_000, 2_000, 5_000]).list.get(r("o", 25, 4)).alias("discount"),
        pl.col("o").alias("l"),
    )
    platform_coupons = platform_coupons.with_columns(
        (pl.col("coupon_template_id") == 90_000).cast(pl.Int32).alias("limit_type")
    )
    held = (
        pl.concat([store_coupons, platform_coupons], how="diagonal")
        .with_columns(
            (pl.lit(_BASE_DAY) + pl.duration(hours=r("coupon_id", 26, 480) - 120))
            .cast(pl.Datetime("us"))
            .alias("valid_start")
        )
        .with_columns(
            (pl.col("valid_start") + pl.duration(hours=24 + r("coupon_id", 27, 240))).alias(
                "valid_end"
            )
        )
        .select(
            "coupon_id",
            "coupon_template_id",
            "user_id",
            "coupon_type",
            "limit_type",
            "seller_id",
            "threshold",
            "discount",
            "valid_start",
            "valid_end",
        )
    )

    goods = sellers.join(pl.select(pl.int_range(40, dtype=pl.Int64).alias("g")), how="cross")
    coupon_scope = pl.concat(
        [
            goods.filter(pl.col("g") % 3 == 0).select(
                (20_000 + pl.col("s") * 10).alias("coupon_template_id"),
                (pl.col("s") * 100 + pl.col("g")).alias("goods_id"),
            ),
            goods.filter(pl.col("g") % 7 == 0).select(
                pl.lit(90_000, pl.Int64).alias("coupon_template_id"),
                (pl.col("s") * 100 + pl.col("g")).alias("goods_id"),
            ),
        ]
    )

    users = pl.select(pl.int_range(n_users, dtype=pl.Int64).alias("u"))
    allowances = users.filter(r("u", 28, 2) == 0).select(
        _ids("u", "u").alias("user_id"),
        r("u", 29, 6_000).alias("balance"),
        (10_000 * (1 + r("u", 30, 3))).alias("step_threshold"),
        (500 * (1 + r("u", 31, 3))).alias("step_discount"),
    )
    return {
        "lines": line_frame,
        "promotions": promotions,
        "auto_coupons": auto_coupons,
        "held_coupons": held,
        "coupon_scope": coupon_scope,
        "allowances": allowances,
    }

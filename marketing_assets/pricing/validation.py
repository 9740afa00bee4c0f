"""Consistency checks of the pricing inputs, and the package numbering they share with
the engine."""

from __future__ import annotations

import polars as pl

from .schemas import PLATFORM_COUPON, STORE_COUPON


def package_number() -> pl.Expr:
    """Number of the (order_id, package_id) run in lines sorted in output order."""
    new = (pl.col("order_id") != pl.col("order_id").shift()) | (
        pl.col("package_id") != pl.col("package_id").shift()
    )
    return (new.fill_null(True).cum_sum() - 1).cast(pl.get_index_type())


def validate_inputs(
    lines: pl.DataFrame,
    promotions: pl.DataFrame,
    auto_coupons: pl.DataFrame,
    held: pl.DataFrame,
    allowances: pl.DataFrame,
) -> None:
    """Raise ``ValueError`` listing every inconsistency. ``lines`` is sorted by (order_id,
    package_id, goods_id), so the checks of lines compare each row with the one before."""
    c = pl.col

    def neg(*cols: str) -> pl.Expr:
        return pl.any_horizontal([(c(x) < 0).any() for x in cols])

    def nulls(*cols: str) -> pl.Expr:
        return pl.any_horizontal([c(x).is_null().any() for x in cols])

    def changed(col: str) -> pl.Expr:
        return c(col) != c(col).shift()

    same_package = ~changed("order_id") & ~changed("package_id")
    line_keys = ("order_id", "package_id", "user_id", "seller_id", "goods_id")
    checks: list[tuple[str, pl.DataFrame, pl.Expr]] = [
        ("lines: null key, quantity or price", lines, nulls(*line_keys, "quantity", "unit_price")),
        (
            "lines: negative quantity, price, deposit or deduction",
            lines,
            neg("quantity", "unit_price", "deposit_amt", "deduction_amt"),
        ),
        (
            "lines: (order_id, package_id, goods_id) not unique",
            lines,
            (same_package & ~changed("goods_id")).any(),
        ),
        (
            "lines: an order with several buyers",
            lines,
            (~changed("order_id") & changed("user_id")).any(),
        ),
        ("lines: a package of several sellers", lines, (same_package & changed("seller_id")).any()),
        (
            "lines: a package_id in several orders",
            lines,
            c("package_id").n_unique() != package_number().max() + 1,
        ),
        (
            "promotions: promotion_id not unique",
            promotions,
            c("promotion_id").is_duplicated().any(),
        ),
        (
            "promotions: unknown scope or rule",
            promotions,
            (
                ~c("scope").is_in(["store", "platform"])
                | ~c("rule").is_in(["full_reduction", "m_n_discount"])
            ).any(),
        ),
        (
            "promotions: negative threshold or value, or N above 10",
            promotions,
            neg("threshold", "value") | ((c("rule") == "m_n_discount") & (c("value") > 10)).any(),
        ),
        ("auto_coupons: several per seller", auto_coupons, c("seller_id").is_duplicated().any()),
        (
            "auto_coupons: negative threshold or discount",
            auto_coupons,
            neg("threshold", "discount"),
        ),
        ("held_coupons: coupon_id not unique", held, c("coupon_id").is_duplicated().any()),
        (
            "held_coupons: coupon_type not 1/4 or limit_type not 0/1",
            held,
            (
                ~c("coupon_type").is_in([PLATFORM_COUPON, STORE_COUPON])
                | ~c("limit_type").is_in([0, 1])
            ).any(),
        ),
        (
            "held_coupons: store coupon without seller_id, or no user_id",
            held,
            (
                ((c("coupon_type") == STORE_COUPON) & c("seller_id").is_null())
                | c("user_id").is_null()
            ).any(),
        ),
        ("held_coupons: negative threshold or discount", held, neg("threshold", "discount")),
        ("allowances: several rows per user", allowances, c("user_id").is_duplicated().any()),
        (
            "allowances: negative balance, X or Y",
            allowances,
            neg("balance", "step_threshold", "step_discount"),
        ),
    ]
    problems = [name for name, frame, bad in checks if frame.height and frame.select(bad).item()]
    for scope in ("store", "platform"):
        id_col = f"{scope}_promotion_id"
        ids = lines.select(c(id_col).drop_nulls().unique())
        known = promotions.filter(c("scope") == scope).select(c("promotion_id").alias(id_col))
        if ids.join(known, on=id_col, how="anti").height:
            problems.append(f"lines: {id_col} not among the {scope} promotions")
    if problems:
        raise ValueError("pricing inputs are inconsistent: " + "; ".join(problems))

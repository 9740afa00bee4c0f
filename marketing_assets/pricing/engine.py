"""The pricing engine (catalog, "Pricing 结算价格规则 (2.5)").

``price_orders`` prices paid order lines (package_id × goods_id) step by step:

1. 千人一面价 ``shown_amt`` = list amount (``unit_price × quantity``, single-item promotion
   already in the unit price) − store multi-item promotion − platform multi-item promotion
   − the seller's auto-promoted store coupon (全网自动推广券, no claimed coupon);
2. the buyer's held coupons: at most one store or item coupon per package (store), then at
   most one platform coupon per order;
3. allowances (每满 X 减 Y, repeating, limited by the balance);
4. presale (a deposit deducting more than it costs: the difference is a merchant discount).

Each step works on the amounts left by the one before: a discount is capped by what is
left of its lines at its step (no line below zero) and a discount covering several lines
is split on those amounts by ``split.split_columns``. The thresholds of coupons and
allowances (满 X, 每满 X) are judged on the amounts they cover after promotions, the
千人一面价 ``shown_amt`` of step 1, not after other coupons or allowances: a 满150减20
platform coupon applies to lines worth 150.00 after promotions even when a store coupon
took 10.00 off them. Money is Int64 fen throughout, no float, and every
step is a handful of vectorised polars operations (joins, group_by, window functions): no
Python loop over rows, orders or coupons. The only loop runs the rounds of the coupon
assignment (``_assign_exclusive``); each round is vectorised and one round settles every
group of a call unless one of a buyer's coupons is applicable to several of his orders.

How it is fast: the lines are sorted once by (order_id, package_id, goods_id), the output
order (position ``__pos``), and numbered by order (``__o``) and package (``__pk``). Each
step works on a narrow subset of the lines it concerns (lines with a promotion, of a
seller with an auto coupon, of a group with a chosen coupon…), in split order (each
discount group's rows in ascending goods_id: already so within a package, sorted by
(``__o``, goods_id) for order-level discounts), and scatters its result back by position.
Groups are keyed by those integer numbers, not by the string ids, which are gathered into
the use frames at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from . import schemas as S
from .split import split_columns
from .schemas import PLATFORM_COUPON, STORE_COUPON
from .validation import package_number, validate_inputs

#: Row order of the priced lines and of the use frames.
OUTPUT_ORDER = ["order_id", "package_id", "goods_id"]

_LINE_KEYS = ["user_id", "seller_id", "order_id", "package_id", "goods_id"]
_RULE = pl.Enum(["full_reduction", "m_n_discount"])


@dataclass(frozen=True)
class PricedOrders:
    """Result of ``price_orders``; every frame sorted by its keys (see ``schemas``)."""

    lines: pl.DataFrame  # schemas.PRICED_LINES
    coupon_uses: pl.DataFrame  # schemas.COUPON_USES: held coupons, one row per line share
    auto_coupon_uses: pl.DataFrame  # schemas.AUTO_COUPON_USES
    allowance_uses: pl.DataFrame  # schemas.ALLOWANCE_USES
    promotion_uses: pl.DataFrame  # schemas.PROMOTION_USES: multi-item promotions

    def validate(self) -> None:
        """Dtypes of every frame, values and identities of the lines (pandera)."""
        S.PricedLine.validate(self.lines, lazy=True)
        S.assert_schema(self.coupon_uses, S.COUPON_USES, "coupon_uses")
        S.assert_schema(self.auto_coupon_uses, S.AUTO_COUPON_USES, "auto_coupon_uses")
        S.assert_schema(self.allowance_uses, S.ALLOWANCE_USES, "allowance_uses")
        S.assert_schema(self.promotion_uses, S.PROMOTION_USES, "promotion_uses")


def price_orders(
    lines: pl.DataFrame,
    promotions: pl.DataFrame | None = None,
    auto_coupons: pl.DataFrame | None = None,
    held_coupons: pl.DataFrame | None = None,
    coupon_scope: pl.DataFrame | None = None,
    allowances: pl.DataFrame | None = None,
    *,
    validate: bool = True,
) -> PricedOrders:
    """Price order lines; see the module docstring and ``schemas`` for the columns.

    ``None`` stands for an empty input frame. Several orders of one buyer can be priced
    in one call: his coupons and his allowance balance are then consumed in ascending
    order_id (a coupon is used at most once; the balance by a cumulative sum).
    ``validate`` checks the inputs' consistency first (``ValueError``).
    """
    lines = S.conform(lines, S.LINES, "lines").sort(OUTPUT_ORDER)
    promotions = S.conform(promotions, S.PROMOTIONS, "promotions")
    auto_coupons = S.conform(auto_coupons, S.AUTO_COUPONS, "auto_coupons")
    held_coupons = S.conform(held_coupons, S.HELD_COUPONS, "held_coupons")
    coupon_scope = S.conform(coupon_scope, S.COUPON_SCOPE, "coupon_scope").unique()
    allowances = S.conform(allowances, S.ALLOWANCES, "allowances")
    if validate:
        validate_inputs(lines, promotions, auto_coupons, held_coupons, allowances)

    df = (
        lines.with_row_index("__pos")
        .with_columns(
            pl.col("order_id").rle_id().alias("__o"),
            package_number().alias("__pk"),
            (pl.col("unit_price") * pl.col("quantity")).alias("list_amt"),
        )
    )
    df, store_promo_uses = _promotion_step(df, promotions, "store", "list_amt")
    df = df.with_columns((pl.col("list_amt") - pl.col("store_promo_amt")).alias("__a1"))
    df, platform_promo_uses = _promotion_step(df, promotions, "platform", "__a1")
    df = df.with_columns((pl.col("__a1") - pl.col("platform_promo_amt")).alias("__a2"))
    df, auto_coupon_uses = _auto_coupon_step(df, auto_coupons, "__a2")
    df = df.with_columns((pl.col("__a2") - pl.col("auto_coupon_amt")).alias("shown_amt"))
    df, store_uses = _held_coupon_step(df, held_coupons, coupon_scope, "store", "shown_amt")
    df = df.with_columns((pl.col("shown_amt") - pl.col("store_coupon_amt")).alias("__a3"))
    df, platform_uses = _held_coupon_step(df, held_coupons, coupon_scope, "platform", "__a3")
    df = df.with_columns((pl.col("__a3") - pl.col("platform_coupon_amt")).alias("__a4"))
    df, allowance_uses = _allowance_step(df, allowances, "__a4")
    df = df.with_columns((pl.col("__a4") - pl.col("allowance_amt")).alias("__a5"))
    df = _presale_step(df, "__a5")

    b = S.DISCOUNT_BEARERS
    df = df.with_columns(
        pl.sum_horizontal(list(b)).alias("total_discount_amt"),
        pl.sum_horizontal([c for c in b if b[c] == "merchant"]).alias("merchant_cost_amt"),
        pl.sum_horizontal([c for c in b if b[c] == "platform"]).alias("platform_cost_amt"),
    )
    return PricedOrders(
        lines=df.select(list(S.PRICED_LINES)),
        coupon_uses=_uses(
            df,
            S.COUPON_USES,
            (store_uses, {"coupon_type": STORE_COUPON, "bearer": b["store_coupon_amt"]}),
            (platform_uses, {"coupon_type": PLATFORM_COUPON, "bearer": b["platform_coupon_amt"]}),
        ),
        auto_coupon_uses=_uses(
            df, S.AUTO_COUPON_USES, (auto_coupon_uses, {"bearer": b["auto_coupon_amt"]})
        ),
        allowance_uses=_uses(df, S.ALLOWANCE_USES, (allowance_uses, {})),
        promotion_uses=_uses(
            df,
            S.PROMOTION_USES,
            (store_promo_uses, {"scope": "store", "bearer": b["store_promo_amt"]}),
            (platform_promo_uses, {"scope": "platform", "bearer": b["platform_promo_amt"]}),
        ),
    )


def allowance_balances_after(allowances: pl.DataFrame, priced: PricedOrders) -> pl.DataFrame:
    """``allowances`` with each balance less what ``priced`` used: the caller's update
    between two calls (within one call the engine consumes the balance itself)."""
    allowances = S.conform(allowances, S.ALLOWANCES, "allowances")
    spent = priced.allowance_uses.group_by("user_id").agg(
        pl.col("allowance_amt").sum().alias("__spent")
    )
    return (
        allowances.join(spent, on="user_id", how="left")
        .with_columns((pl.col("balance") - pl.col("__spent").fill_null(0)).alias("balance"))
        .drop("__spent")
        .sort("user_id")
    )


def _uses(
    df: pl.DataFrame, schema: S.Schema, *parts: tuple[pl.DataFrame, dict[str, Any]]
) -> pl.DataFrame:
    """A use frame from the steps' rows (line position ``__pos`` and their own columns),
    each part with its constant columns: in output order, on one line in the order of the
    parts (store before platform); the line's keys gathered from ``df``. Sorting only
    integers, adding strings after: cheap."""
    n = len(parts)
    uses = pl.concat(
        frame.select(
            (pl.col("__pos").cast(pl.UInt64) * n + i).alias("__key"),
            pl.lit(i, pl.UInt8).alias("__part"),
            pl.all(),
        )
        for i, (frame, _) in enumerate(parts)
    ).sort("__key")
    consts = {
        name: pl.col("__part").replace_strict(
            {i: const[name] for i, (_, const) in enumerate(parts)}, return_dtype=schema[name]
        )
        for name in parts[0][1]
    }
    keys = df.select(pl.col([c for c in _LINE_KEYS if c in schema]).gather(uses["__pos"]))
    uses = uses.with_columns(keys, **consts)
    return uses.select(pl.col(c).cast(t) for c, t in schema.items())


def _scattered(
    n: int, pos: pl.Series, values: pl.Series, name: str, fill_null: bool = False
) -> pl.Series:
    """A column of ``n`` zeros (or nulls) with ``values`` at positions ``pos``."""
    if fill_null:
        base = pl.repeat(None, n, dtype=values.dtype, eager=True)
    else:
        base = pl.zeros(n, values.dtype, eager=True)
    if len(pos):
        base.scatter(pos, values)
    return base.alias(name)


def _subset(df: pl.DataFrame, *cols: str, by_order: bool = False) -> pl.DataFrame:
    """Narrow copy of some columns of the lines with their position ``__pos`` (output
    order), in split order: ``df`` is in output order, where each package's lines are
    already in ascending goods_id; ``by_order`` sorts each order's lines by goods_id
    (order-level discounts). Integer columns only unless asked: cheap to sort and join."""
    sub = df.select(*dict.fromkeys(["__pos", "__o", "goods_id", *cols]))
    return sub.sort("__o", "goods_id", maintain_order=True) if by_order else sub


# ---------------------------------------------------------------------------------------
# step 1: multi-item promotions and the auto-promoted coupon (千人一面价)


def _promotion_step(
    df: pl.DataFrame, promotions: pl.DataFrame, scope: str, amount_col: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``{scope}_promo_amt``: the store promotion over its lines of a package, the
    platform one over its lines of the order, on ``amount_col``.

    full_reduction 满X减Y: covered amount ≥ threshold (and > 0) → value off once (at most
    the amount), split over the lines. m_n_discount M件N折: covered quantity ≥ M → each
    line pays ``amount × N // 10``; its discount is the rest (no split needed).
    """
    id_col, out = f"{scope}_promotion_id", f"{scope}_promo_amt"
    group = ["__pk" if scope == "store" else "__o", id_col]
    rules = promotions.filter(pl.col("scope") == scope).select(
        pl.col("promotion_id").alias(id_col),
        pl.col("rule").cast(_RULE).alias("__pr_rule"),
        pl.col("threshold").alias("__pr_thr"),
        pl.col("value").alias("__pr_val"),
    )
    sub = (
        _subset(df, group[0], "quantity", amount_col, id_col, by_order=scope == "platform")
        .filter(pl.col(id_col).is_not_null())
        .join(rules, on=id_col, how="inner", maintain_order="left")
    )
    amount, rule = pl.col(amount_col), pl.col("__pr_rule")
    thr, val, grp_amt = pl.col("__pr_thr"), pl.col("__pr_val"), pl.col("__pr_amt")
    sub = sub.with_columns(
        amount.sum().over(group).alias("__pr_amt"),
        pl.col("quantity").sum().over(group).alias("__pr_qty"),
    ).with_columns(
        pl.when((rule == "full_reduction") & (grp_amt >= thr) & (grp_amt > 0))
        .then(pl.min_horizontal(val, grp_amt))
        .otherwise(0)
        .alias("__pr_total"),
        pl.when((rule == "m_n_discount") & (pl.col("__pr_qty") >= thr))
        .then((amount - amount * val // 10).clip(lower_bound=0))
        .otherwise(0)
        .alias("__pr_mn"),
    )
    sub = split_columns(sub, group, amount_col, "__pr_total", "__pr_fr")
    sub = sub.with_columns((pl.col("__pr_fr") + pl.col("__pr_mn")).alias("discount_amt"))
    df = df.with_columns(_scattered(df.height, sub["__pos"], sub["discount_amt"], out))
    uses = sub.filter(pl.col("discount_amt") > 0).select(
        "__pos",
        pl.col(id_col).alias("promotion_id"),
        pl.col("__pr_rule").alias("rule"),
        "discount_amt",
    )
    return df, uses


def _auto_coupon_step(
    df: pl.DataFrame, auto_coupons: pl.DataFrame, amount_col: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The seller's auto-promoted coupon over the whole package, on the amount after
    promotions: applies when that amount reaches its threshold (and is > 0), for at most
    that amount."""
    tpl = auto_coupons.select(
        "seller_id",
        pl.col("coupon_template_id").alias("__ac_tpl"),
        pl.col("threshold").alias("__ac_thr"),
        pl.col("discount").alias("__ac_disc"),
    )
    sub = _subset(df, "__pk", "seller_id", amount_col).join(
        tpl, on="seller_id", how="inner", maintain_order="left"
    )
    covered = pl.col("__ac_cov")
    sub = sub.with_columns(pl.col(amount_col).sum().over("__pk").alias("__ac_cov")).with_columns(
        pl.when((covered >= pl.col("__ac_thr")) & (covered > 0))
        .then(pl.min_horizontal(pl.col("__ac_disc"), covered))
        .otherwise(0)
        .alias("__ac_total")
    )
    sub = split_columns(sub, ["__pk"], amount_col, "__ac_total", "discount_amt")
    used = sub.filter(pl.col("discount_amt") > 0)
    df = df.with_columns(
        _scattered(df.height, used["__pos"], used["discount_amt"], "auto_coupon_amt"),
        _scattered(df.height, used["__pos"], used["__ac_tpl"], "auto_coupon_template_id", True),
    )
    uses = used.select(
        "__pos",
        pl.col("__ac_tpl").alias("coupon_template_id"),
        "discount_amt",
    )
    return df, uses


# ---------------------------------------------------------------------------------------
# step 2: held coupons


def _held_coupon_step(
    df: pl.DataFrame,
    held: pl.DataFrame,
    coupon_scope: pl.DataFrame,
    slot: str,
    amount_col: str,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``{slot}_coupon_amt`` / ``_id``: the store slot takes one store or item coupon
    (coupon_type 4) per package, the platform slot one platform coupon (type 1) per order.

    A candidate is a coupon of the buyer (and, store slot, of the package's seller) valid
    at the pay time (the group's earliest; null: no test). It covers the group's lines,
    or with limit_type 1 those of its template's goods; it applies when the covered
    千人一面价 (``shown_amt``, after promotions, not after the other coupon) reaches its
    threshold and is > 0, for min(discount, covered ``amount_col``: what is left of those
    lines at this step), split on the lines' ``amount_col``. Each group
    takes its largest applicable discount (ties: smallest coupon_id), a coupon going to at
    most one group (``_assign_exclusive``, groups ranked by (order_id, package_id)).
    """
    if slot == "store":
        key, ctype, match = "__pk", STORE_COUPON, ["user_id", "seller_id"]
    else:
        key, ctype, match = "__o", PLATFORM_COUPON, ["user_id"]
    out_amt, out_id = f"{slot}_coupon_amt", f"{slot}_coupon_id"
    amount, shown = pl.col(amount_col), pl.col("shown_amt")
    sums = [amount.sum().alias("__left"), shown.sum().alias("__shown")]

    coupons = held.filter(pl.col("coupon_type") == ctype).select(
        *match, "coupon_id", "coupon_template_id", "limit_type", "threshold", "discount",
        "valid_start", "valid_end",
    )
    groups = df.group_by(key).agg(
        *[pl.col(c).first() for c in match],
        pl.col("pay_time").min().alias("__pay_time"),
        *sums,
    )
    cand = (
        groups.lazy()
        .join(coupons.lazy(), on=match, how="inner")
        .filter(
            pl.col("__pay_time").is_null()
            | pl.col("__pay_time").is_between(pl.col("valid_start"), pl.col("valid_end"))
        )
        .drop(*match, "__pay_time", "valid_start", "valid_end")
        .collect()
    )
    # (line, item coupon of its group) pairs, kept where the goods is in the coupon's
    # scope: bounded by the buyer's own coupons, whatever the size of a template's scope
    item_cand = cand.filter(pl.col("limit_type") == 1).select(
        key, "coupon_id", "coupon_template_id"
    )
    item_goods = coupon_scope.join(item_cand, on="coupon_template_id", how="semi")["goods_id"]
    item_amt = (
        df.select(*dict.fromkeys([key, "goods_id", amount_col, "shown_amt"]))
        .filter(pl.col("goods_id").is_in(item_goods.unique().implode()))
        .join(item_cand, on=key)
        .join(coupon_scope, on=["coupon_template_id", "goods_id"], how="semi")
        .group_by(key, "coupon_id")
        .agg(*sums)
    )

    def covered(col: str) -> pl.Expr:  # the coupon's lines: its goods (item) or the group
        item = pl.col(f"{col}_item").fill_null(0)
        return pl.when(pl.col("limit_type") == 1).then(item).otherwise(pl.col(col))

    cov_shown, cov_left = pl.col("__cov_shown"), pl.col("__cov_left")
    cand = (
        cand.join(item_amt, on=[key, "coupon_id"], how="left", suffix="_item")
        .with_columns(
            covered("__shown").alias("__cov_shown"), covered("__left").alias("__cov_left")
        )
        .with_columns(
            pl.when((cov_shown >= pl.col("threshold")) & (cov_shown > 0))
            .then(pl.min_horizontal(pl.col("discount"), cov_left))
            .otherwise(0)
            .alias("__eff")
        )
        .filter(pl.col("__eff") > 0)
        .select(pl.col(key).alias("__g"), "coupon_id", "coupon_template_id", "limit_type", "__eff")
    )
    chosen = _assign_exclusive(cand).select(
        pl.col("__g").alias(key),
        pl.col("coupon_id").alias("__c_id"),
        pl.col("coupon_template_id").alias("__c_tpl"),
        pl.col("limit_type").alias("__c_lim"),
        pl.col("__eff").alias("__c_eff"),
    )

    # the chosen coupon's lines, and its split over them
    sub = _subset(df, key, amount_col, by_order=slot == "platform").join(
        chosen, on=key, how="inner", maintain_order="left"
    )
    in_scope = (
        coupon_scope.rename({"coupon_template_id": "__c_tpl"})
        .join(
            chosen.filter(pl.col("__c_lim") == 1).select("__c_tpl").unique(),
            on="__c_tpl",
            how="semi",
        )
        .with_columns(pl.lit(True).alias("__c_in"))
    )
    sub = sub.join(in_scope, on=["__c_tpl", "goods_id"], how="left", maintain_order="left")
    covers = (pl.col("__c_lim") == 0) | pl.col("__c_in").fill_null(False)
    sub = sub.with_columns(pl.when(covers).then(amount).otherwise(0).alias("__c_amt"))
    sub = split_columns(sub, [key], "__c_amt", "__c_eff", "discount_amt")
    used = sub.filter(pl.col("discount_amt") > 0)
    df = df.with_columns(
        _scattered(df.height, used["__pos"], used["discount_amt"], out_amt),
        _scattered(df.height, used["__pos"], used["__c_id"], out_id, True),
    )
    uses = used.select(
        "__pos",
        pl.col("__c_id").alias("coupon_id"),
        pl.col("__c_tpl").alias("coupon_template_id"),
        "discount_amt",
    )
    return df, uses


def _assign_exclusive(cand: pl.DataFrame) -> pl.DataFrame:
    """One coupon per group, each coupon to at most one group, as if the groups took
    their best coupon one after the other in ascending group rank ``__g``.

    ``cand`` has one row per applicable (group ``__g``, coupon_id) with its discount
    ``__eff`` > 0. Each round (vectorised), every group picks its best remaining coupon
    (largest ``__eff``, then smallest coupon_id); a pick is final when no lower-ranked
    group still has that coupon among its candidates. The lowest-ranked group always
    settles, so the rounds end; with no coupon applicable to two groups (the usual case:
    one order per buyer, or a buyer's orders at different sellers) there is one round.
    Returns the winning rows.
    """
    won: list[pl.DataFrame] = [cand.clear()]
    while cand.height:
        best = cand.sort(["__g", "__eff", "coupon_id"], descending=[False, True, False]).filter(
            pl.col("__g").is_first_distinct()
        )
        first_claim = cand.group_by("coupon_id").agg(pl.col("__g").min().alias("__g_min"))
        settled = (
            best.join(first_claim, on="coupon_id")
            .filter(pl.col("__g") == pl.col("__g_min"))
            .drop("__g_min")
        )
        won.append(settled)
        cand = cand.join(settled.select("__g"), on="__g", how="anti").join(
            settled.select("coupon_id"), on="coupon_id", how="anti"
        )
    return pl.concat(won)


# ---------------------------------------------------------------------------------------
# steps 3 and 4: allowances, presale


def _allowance_step(
    df: pl.DataFrame, allowances: pl.DataFrame, amount_col: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """每满 X 减 Y judged on the order's 千人一面价 (``shown_amt``, after promotions, not after
    coupons): floor(shown / X) × Y, at most what is left of the order at this step
    (``amount_col``), limited by what is left of the buyer's balance after his earlier
    orders (in ascending order_id): a cumulative sum over the buyer's orders."""
    x, y, bal = pl.col("step_threshold"), pl.col("step_discount"), pl.col("balance")
    amt, shown, raw, cum = pl.col("__o_amt"), pl.col("__o_shown"), pl.col("__raw"), pl.col("__cum")
    orders = (
        df.group_by("__o")
        .agg(
            pl.col("user_id").first(),
            pl.col(amount_col).sum().alias("__o_amt"),
            pl.col("shown_amt").sum().alias("__o_shown"),
        )
        .join(allowances, on="user_id", how="inner")
        .sort("user_id", "__o")
        .with_columns(
            pl.when((x > 0) & (y > 0))
            .then(pl.min_horizontal(amt, shown // x * y))
            .otherwise(0)
            .alias("__raw")
        )
        .with_columns(raw.cum_sum().over("user_id").alias("__cum"))
        .select(
            "__o",
            (bal - cum + raw).clip(lower_bound=0).alias("balance_before"),
            (bal - cum).clip(lower_bound=0).alias("balance_after"),
        )
        .with_columns(
            (pl.col("balance_before") - pl.col("balance_after")).alias("order_allowance_amt")
        )
        .filter(pl.col("order_allowance_amt") > 0)
    )
    sub = _subset(df, amount_col, by_order=True).join(
        orders, on="__o", how="inner", maintain_order="left"
    )
    sub = split_columns(sub, ["__o"], amount_col, "order_allowance_amt", "allowance_amt")
    df = df.with_columns(_scattered(df.height, sub["__pos"], sub["allowance_amt"], "allowance_amt"))
    uses = sub.filter(pl.col("allowance_amt") > 0).select(
        "__pos", "allowance_amt", "order_allowance_amt", "balance_before", "balance_after"
    )
    return df, uses


def _presale_step(df: pl.DataFrame, amount_col: str) -> pl.DataFrame:
    """A presale line (deposit_amt and deduction_amt both set): its deposit deducts more
    than it costs; the difference × quantity is the presale discount (merchant).

    Price 200, deposit 30 deducting 80: discount 50, paid 150 = deposit 30 + final 120.
    Bounded so that nothing goes below zero: the discount is at most what is left after
    the deposit (amount − deposit), the deposit at most the paid amount. A line that is
    not presale is paid in one payment, counted as its final payment.
    """
    q = pl.col("quantity")
    presale = pl.col("deposit_amt").is_not_null() & pl.col("deduction_amt").is_not_null()
    deposit = pl.col("deposit_amt") * q
    inflation = ((pl.col("deduction_amt") - pl.col("deposit_amt")) * q).clip(lower_bound=0)
    room = (pl.col(amount_col) - deposit).clip(lower_bound=0)
    df = df.with_columns(
        pl.when(presale).then(pl.min_horizontal(inflation, room)).otherwise(0).alias(
            "presale_discount_amt"
        )
    ).with_columns((pl.col(amount_col) - pl.col("presale_discount_amt")).alias("paid_amt"))
    df = df.with_columns(
        pl.when(presale)
        .then(pl.min_horizontal(deposit, pl.col("paid_amt")))
        .otherwise(0)
        .alias("deposit_paid_amt")
    )
    return df.with_columns(
        (pl.col("paid_amt") - pl.col("deposit_paid_amt")).alias("final_paid_amt")
    )

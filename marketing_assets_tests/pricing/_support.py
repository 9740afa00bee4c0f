"""Builders of pricing inputs for hand-made cases, and a plain-Python reference pricer.

The reference pricer walks orders, packages, lines and coupons one by one (fine in a test,
on a few hundred orders): it is written from the catalog's rules, independently of the
vectorised engine, so that the two can be compared on random inputs.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import polars as pl

from marketing_assets.pricing import PricedOrders, price_orders
from marketing_assets.pricing import schemas as S

PAY = datetime(2025, 6, 18, 20, 0)  # pay time of the hand-made orders
JUNE_1, JUNE_30 = datetime(2025, 6, 1), datetime(2025, 6, 30, 23, 59, 59)


def lines(*rows: dict[str, Any]) -> pl.DataFrame:
    """Order lines; each row gives at least goods_id and unit_price (fen)."""
    defaults = {
        "order_id": "o1",
        "package_id": "p1",
        "user_id": "u1",
        "seller_id": "s1",
        "quantity": 1,
        "pay_time": PAY,
        "store_promotion_id": None,
        "platform_promotion_id": None,
        "deposit_amt": None,
        "deduction_amt": None,
    }
    full = [{**defaults, "sku_id": r["goods_id"] * 10, **r} for r in rows]
    return pl.DataFrame(full, schema=dict(S.LINES))


def coupons(*rows: dict[str, Any]) -> pl.DataFrame:
    """Held coupons; each row gives at least coupon_id, threshold and discount.
    Default: a store coupon (type 4) of s1 held by u1, valid all June."""
    out = []
    for r in rows:
        ctype = r.get("coupon_type", 4)
        out.append(
            {
                "coupon_template_id": r["coupon_id"] * 10,
                "user_id": "u1",
                "coupon_type": ctype,
                "limit_type": 0,
                "seller_id": "s1" if ctype == 4 else None,
                "valid_start": JUNE_1,
                "valid_end": JUNE_30,
                **r,
            }
        )
    return pl.DataFrame(out, schema=dict(S.HELD_COUPONS))


def promotions(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=dict(S.PROMOTIONS))


def auto_coupons(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=dict(S.AUTO_COUPONS))


def scope(template_id: int, *goods_ids: int) -> pl.DataFrame:
    return pl.DataFrame(
        {"coupon_template_id": [template_id] * len(goods_ids), "goods_id": list(goods_ids)},
        schema=dict(S.COUPON_SCOPE),
    )


def allowances(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=dict(S.ALLOWANCES))


def price(line_frame: pl.DataFrame, **inputs: pl.DataFrame) -> PricedOrders:
    """``price_orders`` with the outputs checked (pandera model, dtypes of every frame)."""
    result = price_orders(line_frame, **inputs)
    result.validate()
    return result


def column(frame: pl.DataFrame, name: str) -> list[Any]:
    return frame.get_column(name).to_list()


def by_goods(frame: pl.DataFrame, name: str) -> dict[int, Any]:
    """{goods_id: value} (for frames of one package or of goods unique in the call)."""
    return dict(zip(frame["goods_id"].to_list(), frame[name].to_list(), strict=True))


# ---------------------------------------------------------------------------------------
# the reference pricer


def _split(amounts: list[int], discount: int) -> list[int]:
    """Rule 4, lines already in goods order: floor shares, the remainder from the last
    line back (each line at most its amount)."""
    total = sum(amounts)
    shares = [discount * a // total if total else 0 for a in amounts]
    rest = discount - sum(shares)
    for i in reversed(range(len(amounts))):
        take = min(rest, amounts[i] - shares[i])
        shares[i] += take
        rest -= take
    assert rest == 0
    return shares


_MERCHANT = ("store_promo_amt", "auto_coupon_amt", "store_coupon_amt", "presale_discount_amt")
_PLATFORM = ("platform_promo_amt", "platform_coupon_amt", "allowance_amt")


def reference_price(inputs: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Priced lines (the engine's columns), computed line by line in plain Python."""
    promo = {p["promotion_id"]: p for p in inputs["promotions"].to_dicts()}
    auto = {a["seller_id"]: a for a in inputs["auto_coupons"].to_dicts()}
    in_scope = {(r["coupon_template_id"], r["goods_id"]) for r in inputs["coupon_scope"].to_dicts()}
    balance = {a["user_id"]: dict(a) for a in inputs["allowances"].to_dicts()}
    held_by_user: dict[str, list[dict]] = defaultdict(list)
    for c in inputs["held_coupons"].to_dicts():
        held_by_user[c["user_id"]].append(c)
    used: set[int] = set()
    orders: dict[str, list[dict]] = defaultdict(list)
    for line in inputs["lines"].to_dicts():
        orders[line["order_id"]].append(line)

    cols = [c for c in S.PRICED_AMOUNTS if c.endswith("_amt")]
    out = []
    for order_id in sorted(orders):
        ol = sorted(orders[order_id], key=lambda r: (r["goods_id"], r["package_id"]))
        for r in ol:
            r.update({c: 0 for c in cols})
            r["list_amt"] = r["amt"] = r["unit_price"] * r["quantity"]
            r["auto_coupon_template_id"] = r["store_coupon_id"] = r["platform_coupon_id"] = None

        def take(group: list[dict], shares: list[int], col: str) -> None:
            for r, s in zip(group, shares, strict=True):
                r[col] += s
                r["amt"] -= s

        for scope_name, group_key in (("store", "package_id"), ("platform", None)):
            groups: dict[tuple, list[dict]] = defaultdict(list)
            for r in ol:
                pid = r[f"{scope_name}_promotion_id"]
                if pid is not None:
                    groups[(r[group_key] if group_key else None, pid)].append(r)
            for (_, pid), group in groups.items():
                p, amounts = promo[pid], [r["amt"] for r in group]
                shares = [0] * len(group)
                total, pieces = sum(amounts), sum(r["quantity"] for r in group)
                if p["rule"] == "full_reduction" and total >= p["threshold"] and total > 0:
                    shares = _split(amounts, min(p["value"], total))
                if p["rule"] == "m_n_discount" and pieces >= p["threshold"]:
                    shares = [max(0, a - a * p["value"] // 10) for a in amounts]
                take(group, shares, f"{scope_name}_promo_amt")

        packages: dict[str, list[dict]] = defaultdict(list)
        for r in ol:
            packages[r["package_id"]].append(r)
        for group in packages.values():
            a = auto.get(group[0]["seller_id"])
            covered = sum(r["amt"] for r in group)
            if a and covered >= a["threshold"] and covered > 0:
                shares = _split([r["amt"] for r in group], min(a["discount"], covered))
                take(group, shares, "auto_coupon_amt")
                for r in group:
                    if r["auto_coupon_amt"]:
                        r["auto_coupon_template_id"] = a["coupon_template_id"]
        for r in ol:
            r["shown_amt"] = r["amt"]

        def best_coupon(group: list[dict], ctype: int) -> None:
            pays = [r["pay_time"] for r in group if r["pay_time"] is not None]
            pay = min(pays) if pays else None
            best = None
            for c in held_by_user[group[0]["user_id"]]:
                if c["coupon_id"] in used or c["coupon_type"] != ctype:
                    continue
                if ctype == 4 and c["seller_id"] != group[0]["seller_id"]:
                    continue
                if pay is not None and not (c["valid_start"] <= pay <= c["valid_end"]):
                    continue
                cover = [
                    r for r in group
                    if c["limit_type"] == 0 or (c["coupon_template_id"], r["goods_id"]) in in_scope
                ]
                # threshold on the 千人一面价, capped by what is left at this step
                shown = sum(r["shown_amt"] for r in cover)
                left = sum(r["amt"] for r in cover)
                if shown >= c["threshold"] and shown > 0 and min(c["discount"], left) > 0:
                    rank = (-min(c["discount"], left), c["coupon_id"])
                    if best is None or rank < best[0]:
                        best = (rank, c, cover)
            if best is None:
                return
            _, c, cover = best
            used.add(c["coupon_id"])
            slot = "store" if ctype == 4 else "platform"
            take(cover, _split([r["amt"] for r in cover], -best[0][0]), f"{slot}_coupon_amt")
            for r in cover:
                if r[f"{slot}_coupon_amt"]:
                    r[f"{slot}_coupon_id"] = c["coupon_id"]

        for package_id in sorted(packages):
            best_coupon(packages[package_id], 4)
        best_coupon(ol, 1)

        user = ol[0]["user_id"]
        if user in balance:
            b = balance[user]
            amount = sum(r["amt"] for r in ol)
            shown = sum(r["shown_amt"] for r in ol)
            x, y = b["step_threshold"], b["step_discount"]
            raw = min(amount, shown // x * y) if x > 0 and y > 0 else 0
            use = min(raw, b["balance"])
            b["balance"] -= use
            take(ol, _split([r["amt"] for r in ol], use), "allowance_amt")

        for r in ol:
            if r["deposit_amt"] is not None and r["deduction_amt"] is not None:
                deposit = r["deposit_amt"] * r["quantity"]
                inflation = max(0, (r["deduction_amt"] - r["deposit_amt"]) * r["quantity"])
                r["presale_discount_amt"] = min(inflation, max(0, r["amt"] - deposit))
                r["paid_amt"] = r["amt"] - r["presale_discount_amt"]
                r["deposit_paid_amt"] = min(deposit, r["paid_amt"])
            else:
                r["paid_amt"] = r["amt"]
            r["final_paid_amt"] = r["paid_amt"] - r["deposit_paid_amt"]
            r["merchant_cost_amt"] = sum(r[c] for c in _MERCHANT)
            r["platform_cost_amt"] = sum(r[c] for c in _PLATFORM)
            r["total_discount_amt"] = r["merchant_cost_amt"] + r["platform_cost_amt"]
            out.append(r)
    frame = pl.DataFrame(out).select(list(S.PRICED_LINES)).cast(dict(S.PRICED_LINES))
    return frame.sort("order_id", "package_id", "goods_id")

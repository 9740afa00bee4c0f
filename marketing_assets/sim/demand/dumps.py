"""Daily full dumps of the trade system's users, goods, SKUs and sellers."""

from __future__ import annotations

import polars as pl

from marketing_assets.sim import exports
from marketing_assets.sim.demand.state import DemandState
from marketing_assets.sim.world import World


def record_first_orders(state: DemandState, lines: pl.DataFrame, same_day_refunds: pl.DataFrame) -> None:
    """A user's first order is the first paid line not refunded the same day."""
    kept = lines.join(same_day_refunds.select("package_id"), on="package_id", how="anti")
    first = kept.group_by("user_id").agg(pl.col("pay_time").min().alias("_t"))
    fo = state.first_order.join(first, on="user_id", how="left", maintain_order="left")
    state.first_order = fo.select("user_id", pl.coalesce("first_order_time", "_t").alias("first_order_time"))


def dumps(world: World, state: DemandState) -> dict[str, pl.DataFrame]:
    users = world.users.drop("first_order_time").join(
        state.first_order, on="user_id", how="left", maintain_order="left"
    )
    return {
        exports.USERS: users.select(
            "user_id", "register_time", "gender", "age_band", "city_tier", "member_level",
            "first_order_time",
        ),
        exports.GOODS: world.goods.select(
            "goods_id", "seller_id", "goods_name", "industry", "category", "list_price",
            "is_new", "create_time",
        ),
        exports.SKUS: world.skus.select("sku_id", "goods_id", "price", "stock"),
        exports.SELLERS: world.sellers.select(
            "seller_id", "shop_name", "industry", "is_self_operated", "open_time"
        ),
    }

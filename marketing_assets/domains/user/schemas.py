"""Pandera models of the trade-user tables (交易用户标签)."""

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import WarehouseModel

LEVELS = ["platform", "industry", "category", "store"]


class UserNitemLabel(WarehouseModel):
    """redcdm.dim_ecm_user_nitem_label_extend_df"""

    user_id: pl.String = pa.Field(description="buyer")
    level: pl.String = pa.Field(isin=LEVELS, description="platform, industry, operating category or store")
    level_id: pl.String = pa.Field(description="'all' for platform; the industry, category or seller_id")
    first_pay_time: pl.Datetime("us") = pa.Field(description="first paid order at this level")
    first_pay_date: pl.Date = pa.Field(description="day of the first paid order")
    first_order_id: pl.String = pa.Field(
        nullable=True, description="order of the first purchase (null: before the look-back)"
    )
    first_package_id: pl.String = pa.Field(
        nullable=True, description="store level: package of the first purchase in the store"
    )
    last_pay_time: pl.Datetime("us") = pa.Field(nullable=True, description="latest paid order in the look-back")
    customer_type: pl.String = pa.Field(isin=["new", "old"], description="new: first paid order on dt")
    dt: pl.Date = pa.Field(description="snapshot day")

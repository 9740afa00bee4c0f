"""Pandera models of the allowance (津贴) tables above ODS. Money in integer fen."""

import pandera.polars as pa
import polars as pl

from marketing_assets.table import TableModel


class AllowanceTemplateDay(TableModel):
    """redcdm.dim_trd_allowance_template_day"""

    allowance_template_id: pl.Int64 = pa.Field(description="template id")
    template_name: pl.String = pa.Field(description="name")
    channel_type: pl.Int32 = pa.Field(description="promotion channel")
    amount: pl.Int64 = pa.Field(gt=0, description="amount granted per claim, fen")
    step_threshold: pl.Int64 = pa.Field(gt=0, description="每满 X: step threshold, fen")
    step_discount: pl.Int64 = pa.Field(gt=0, description="减 Y: discount per step, fen")
    rule_text: pl.String = pa.Field(description="the rule as shown, e.g. 每满 99 减 10 (yuan)")
    valid_days: pl.Int32 = pa.Field(gt=0, description="days valid after claim")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 online, 2 offline")
    create_time: pl.Datetime("us") = pa.Field(description="created")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")
    dt: pl.Date = pa.Field(description="snapshot day")


class AllowanceGetUse(TableModel):
    """redcdm.dm_ecm_trd_mkt_activity_user_allowance_get_use_1d_df"""

    allowance_id: pl.Int64 = pa.Field(description="allowance (one grant)")
    user_id: pl.String = pa.Field(description="holder")
    allowance_template_id: pl.Int64 = pa.Field(description="template")
    template_name: pl.String = pa.Field(nullable=True, description="template name")
    claim_time: pl.Datetime("us") = pa.Field(description="claimed")
    claim_date: pl.Date = pa.Field(description="claim day")
    expire_time: pl.Datetime("us") = pa.Field(description="expires")
    amount: pl.Int64 = pa.Field(ge=0, description="granted, fen")
    balance: pl.Int64 = pa.Field(ge=0, description="balance as of dt, fen")
    status: pl.Int32 = pa.Field(description="1 usable, 2 used up, 3 expired (as of dt)")
    is_used: pl.Boolean = pa.Field(description="spent on a paid line not refunded as of dt")
    package_id: pl.String = pa.Field(nullable=True, description="package of the line")
    goods_id: pl.Int64 = pa.Field(nullable=True, description="goods of the line")
    order_id: pl.String = pa.Field(nullable=True, description="order")
    seller_id: pl.String = pa.Field(nullable=True, description="seller of the line")
    pay_time: pl.Datetime("us") = pa.Field(nullable=True, description="paid")
    pay_date: pl.Date = pa.Field(nullable=True, description="pay day")
    line_paid_amt: pl.Int64 = pa.Field(nullable=True, description="line's paid amount, fen")
    use_amt: pl.Int64 = pa.Field(nullable=True, description="this allowance's part of the line's allowance discount, fen")
    dt: pl.Date = pa.Field(description="snapshot day")

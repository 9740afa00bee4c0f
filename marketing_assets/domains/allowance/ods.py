"""ODS tables of the allowance system (津贴): their source specs and the pandera models of
the landed records. Money in fen."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from marketing_assets.landing.spec import OdsKind, OdsSpec, SourceFormat
from marketing_assets.table import TableModel

DOMAIN = "allowance"
_BINLOG = "allowance centre MySQL fls_allowance.{} binlog"


class Allowance(TableModel):
    """MySQL ``allowance``: one grant to a user; balance updated in place."""

    allowance_id: pl.Int64 = pa.Field(metadata={"src": "id"}, description="allowance id")
    user_id: pl.String = pa.Field(description="holder")
    allowance_template_id: pl.Int64 = pa.Field(description="template granted from")
    channel_type: pl.Int32 = pa.Field(description="promotion channel")
    amount: pl.Int64 = pa.Field(ge=0, description="granted amount, fen")
    balance: pl.Int64 = pa.Field(ge=0, description="remaining balance, fen")
    status: pl.Int32 = pa.Field(isin=[1, 2, 3], description="1 usable, 2 used up, 3 expired")
    claim_time: pl.Datetime("us") = pa.Field(description="claimed")
    expire_time: pl.Datetime("us") = pa.Field(description="expires")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


class AllowanceRecord(TableModel):
    """MySQL ``allowance_record``: one claim, use, expiry or return action."""

    record_id: pl.Int64 = pa.Field(metadata={"src": "id"}, description="record id")
    user_id: pl.String = pa.Field(description="user")
    record_type: pl.String = pa.Field(
        isin=["claim", "use", "expire", "return"], description="action"
    )
    amount: pl.Int64 = pa.Field(ge=0, description="amount of the action, fen")
    order_id: pl.String = pa.Field(nullable=True, description="order of a use or return")
    create_time: pl.Datetime("us") = pa.Field(description="action time")


class AllowanceRecordDetail(TableModel):
    """MySQL ``allowance_record_detail``: one row per allowance touched by an action."""

    record_id: pl.Int64 = pa.Field(description="action")
    allowance_id: pl.Int64 = pa.Field(description="allowance touched")
    amount: pl.Int64 = pa.Field(ge=0, description="amount taken from / given to it, fen")
    create_time: pl.Datetime("us") = pa.Field(description="action time")


class MemberPointsTemplate(TableModel):
    """MySQL ``member_points_template``: allowance templates."""

    allowance_template_id: pl.Int64 = pa.Field(metadata={"src": "id"}, description="template id")
    template_name: pl.String = pa.Field(description="name")
    channel_type: pl.Int32 = pa.Field(description="promotion channel")
    amount: pl.Int64 = pa.Field(gt=0, description="amount granted per claim, fen")
    step_threshold: pl.Int64 = pa.Field(gt=0, description="每满 X: step threshold, fen")
    step_discount: pl.Int64 = pa.Field(gt=0, description="减 Y: discount per step, fen")
    valid_days: pl.Int32 = pa.Field(gt=0, description="days valid after claim")
    status: pl.Int32 = pa.Field(isin=[1, 2], description="1 online, 2 offline")
    create_time: pl.Datetime("us") = pa.Field(description="created")
    update_time: pl.Datetime("us") = pa.Field(description="last updated")


ALLOWANCE = OdsSpec(
    table="ods_binlog_fls_allowance_allowance_allowance_df",
    domain=DOMAIN,
    fmt=SourceFormat.BINLOG,
    kind=OdsKind.SNAPSHOT,
    model=Allowance,
    key=("allowance_id",),
    description="Allowances granted to users, balance updated in place on use, expiry, return",
    chinese_name="用户领津贴记录",
    source_system=_BINLOG.format("allowance"),
)
ALLOWANCE_RECORD = OdsSpec(
    table="ods_binlog_fls_allowance_allowance_allowance_record_df",
    domain=DOMAIN,
    fmt=SourceFormat.BINLOG,
    kind=OdsKind.SNAPSHOT,
    model=AllowanceRecord,
    key=("record_id",),
    description="Allowance actions: one claim or one use (expiry, return) each",
    chinese_name="津贴领取使用动作记录",
    source_system=_BINLOG.format("allowance_record"),
)
ALLOWANCE_DETAIL = OdsSpec(
    table="ods_binlog_fls_allowance_allowance_allowance_record_detail_df",
    domain=DOMAIN,
    fmt=SourceFormat.BINLOG,
    kind=OdsKind.SNAPSHOT,
    model=AllowanceRecordDetail,
    key=("record_id", "allowance_id"),
    description="One row per allowance touched by an action (an order using 3: 1 record, 3 details)",
    chinese_name="津贴领用明细",
    source_system=_BINLOG.format("allowance_record_detail"),
)
ALLOWANCE_TEMPLATE = OdsSpec(
    table="ods_member_points_template",
    domain=DOMAIN,
    fmt=SourceFormat.CSV,
    model=MemberPointsTemplate,
    key=("allowance_template_id",),
    description="Allowance templates, full dump",
    chinese_name="津贴模版信息维表",
    source_system="allowance centre MySQL member_points_template",
)
SPECS = [ALLOWANCE, ALLOWANCE_RECORD, ALLOWANCE_DETAIL, ALLOWANCE_TEMPLATE]

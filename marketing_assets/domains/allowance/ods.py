"""ODS tables of the allowance system (津贴)."""

from __future__ import annotations

from marketing_assets.domains.allowance import models
from marketing_assets.landing.spec import OdsKind, OdsSpec, SourceFormat

DOMAIN = "allowance"
_BINLOG = "allowance centre MySQL fls_allowance.{} binlog"
SPECS = [
    OdsSpec(
        table="ods_binlog_fls_allowance_allowance_allowance_df",
        domain=DOMAIN,
        fmt=SourceFormat.BINLOG,
        kind=OdsKind.SNAPSHOT,
        model=models.Allowance,
        key=("allowance_id",),
        description="Allowances granted to users, balance updated in place on use, expiry, return",
        chinese_name="用户领津贴记录",
        source_system=_BINLOG.format("allowance"),
    ),
    OdsSpec(
        table="ods_binlog_fls_allowance_allowance_allowance_record_df",
        domain=DOMAIN,
        fmt=SourceFormat.BINLOG,
        kind=OdsKind.SNAPSHOT,
        model=models.AllowanceRecord,
        key=("record_id",),
        description="Allowance actions: one claim or one use (expiry, return) each",
        chinese_name="津贴领取使用动作记录",
        source_system=_BINLOG.format("allowance_record"),
    ),
    OdsSpec(
        table="ods_binlog_fls_allowance_allowance_allowance_record_detail_df",
        domain=DOMAIN,
        fmt=SourceFormat.BINLOG,
        kind=OdsKind.SNAPSHOT,
        model=models.AllowanceRecordDetail,
        key=("record_id", "allowance_id"),
        description="One row per allowance touched by an action (an order using 3: 1 record, 3 details)",
        chinese_name="津贴领用明细",
        source_system=_BINLOG.format("allowance_record_detail"),
    ),
    OdsSpec(
        table="ods_member_points_template",
        domain=DOMAIN,
        fmt=SourceFormat.CSV,
        model=models.MemberPointsTemplate,
        key=("allowance_template_id",),
        description="Allowance templates, full dump",
        chinese_name="津贴模版信息维表",
        source_system="allowance centre MySQL member_points_template",
    ),
]

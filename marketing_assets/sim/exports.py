"""What each simulated source system exports: the simulator's own contract with the world.

The simulator plays the platform's source systems; this module alone says what they write
and under which table names (every other sim module takes the names from here). The
warehouse declares what it *reads* on its own (``domains/*/ods.py``); nothing here is
imported from it, so a field-mapping mistake on one side shows up as quarantine or drift
on the other, and the hand-written landing files in the tests pin both.

An export is one source table landing under ``<root>/<table>/dt=YYYY-MM-DD/``:

- ``fields``: the simulator's frame columns in the order the source writes them, each with
  its polars dtype (money in integer fen, datetimes naive Asia/Shanghai wall clock) and
  the field name in the export (``src``; dots nest objects) when it differs; ``yuan``
  money leaves the system as decimal yuan, ``json`` text is a JSON value of the document;
- ``fmt``: mongoexport canonical Extended JSON lines, Debezium change events (JSON lines
  with ``op``/``ts_ms``/``before``/``after``/``source``), a MySQL dump as CSV with a
  header, or a service log as plain JSON lines (see ``sim.writers`` for each encoding);
- layout: ``part-00000.<ext>`` (large days split every ``ROWS_PER_FILE`` records), or for
  ``hourly_by`` exports 24 files ``part-HH.<ext>``, a record landing in the hour of that
  column; a day without records lands only the ``_EMPTY`` marker;
- ``order``: the source's primary key, the order a dump lists its rows in;
- ``binlog_source``: ``(db, table)`` of the MySQL table a binlog stream comes from.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from pathlib import Path

import polars as pl

#: the platform's clock: every wall-clock time the sources write is Asia/Shanghai
TIMEZONE = "Asia/Shanghai"
#: the file a day without records lands instead of data files
EMPTY_MARKER = "_EMPTY"
#: Debezium operations: c insert, u update, d delete, r snapshot read
BINLOG_OPS = ("c", "u", "d", "r")
#: large days are split into files of at most this many records (readers stay bounded)
ROWS_PER_FILE = 1_000_000


class Format(enum.Enum):
    MONGO = "mongoexport canonical Extended JSON Lines"
    BINLOG = "Debezium change events, JSON Lines"
    CSV = "MySQL dump, CSV with a header"
    JSONL = "service log, plain JSON Lines"

    @property
    def ext(self) -> str:
        return "csv" if self is Format.CSV else "jsonl"


I64, I32, STR, BOOL, TS = pl.Int64, pl.Int32, pl.String, pl.Boolean, pl.Datetime("us")


@dataclass(frozen=True)
class F:
    """One field of an export: frame column ``name`` of ``dtype``, written as ``src``."""

    name: str
    dtype: pl.DataType
    src: str | None = None
    yuan: bool = False
    json: bool = False

    @property
    def source(self) -> str:
        return self.src or self.name


@dataclass(frozen=True)
class Export:
    table: str
    fmt: Format
    system: str
    order: tuple[str, ...]
    fields: tuple[F, ...]
    #: hourly export: the column whose hour picks the file ``part-HH``
    hourly_by: str | None = None
    binlog_source: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        unknown = [c for c in (*self.order, self.hourly_by) if c and c not in names]
        if unknown or len(set(names)) != len(names):
            raise ValueError(f"{self.table}: order/hourly columns {unknown} not among the fields, or a field twice")
        if (self.fmt is Format.BINLOG) != (self.binlog_source is not None):
            raise ValueError(f"{self.table}: a binlog export (and only one) names its binlog_source")

    @property
    def hourly(self) -> bool:
        return self.hourly_by is not None

    @property
    def field(self) -> dict[str, F]:
        return {f.name: f for f in self.fields}

    @property
    def schema(self) -> dict[str, pl.DataType]:
        """Polars schema of the export's frame columns (business columns, export order)."""
        return {f.name: f.dtype for f in self.fields}


def day_folder(root: Path, table: str, day: dt.date) -> Path:
    """Where a source lands one day of one table."""
    return Path(root) / table / f"dt={day.isoformat()}"


def schema(table: str) -> dict[str, pl.DataType]:
    return EXPORTS[table].schema


# ---- table names (the only place they are spelled) ----
EXECUTIONS = "ods_binlog_fls_usergrowth__egrowth_main_user_strategy_execution_di"
TRIGGERS = "ods_egrowth_main_trigger_df"
BIZ_SCENES = "ods_egrowth_main_bizscene_df"
CROWDS = "ods_egrowth_main_rainbow_crowd_config_df"
COUPON_ACTIVITIES = "ods_mongo_35003_coupon_31006_activity_day_inc"
COUPON_TEMPLATES = "ods_fls_coupon_template_df"
COUPON_TEMPLATES_MONGO = "ods_mongo_32004_coupon_template_hi"
CLAIMED_COUPONS_MONGO = "ods_mongo_35003_coupon_31006_goods_coupon"
CLAIMED_COUPONS = "ods_binlog_fls_co_limitsalecart__fls_coupon_coupon_df"
COUPON_SPU_LIMITS = "ods_mongo_32004_coupon_coupon_spu_limit_hourly"
COUPON_LIMITS_HOURLY = "ods_fls_coupon_template_limit_hi"
COUPON_LIMITS = "ods_fls_coupon_template_limit_df"
TASK_COMPLETIONS = "ods_marketing_interact_service_phoenix_task_complete_detail_df"
ALLOWANCES = "ods_binlog_fls_allowance_allowance_allowance_df"
ALLOWANCE_RECORDS = "ods_binlog_fls_allowance_allowance_allowance_record_df"
ALLOWANCE_RECORD_DETAILS = "ods_binlog_fls_allowance_allowance_allowance_record_detail_df"
ALLOWANCE_TEMPLATES = "ods_member_points_template"
PROMOTION_GROUPS = "ods_mongo_35001_ipms_31003_promotion_group"
PROMOTION_TARGETS = "ods_mongo_35001_ipms_31003_promotion_target_day_inc"
PROMOTION_BENEFITS = "ods_mongo_35001_ipms_31003_promotion_benefit_day_inc"
PROMOTION_BLACKLIST = "ods_mongo_35001_ipms_31003_promotion_blacklist_target"
PROMOTION_GIFTS = "ods_mongo_35001_ipms_31003_promotion_gift"
CAMPAIGNS = "ods_mongo_35001_listings_31003_activity"
SUB_ACTIVITIES = "ods_mongo_35001_listings_31003_sub_activity"
SIGNUPS = "ods_mongo_35001_listings_31003_campaign_item"
PRESALE_ACTIVITIES = "ods_mongo_35001_presale_31006_presale_activity"
PRESALE_SALES = "ods_mongo_35001_presale_31006_presale_sales"
ORDER_LINES = "ods_trd_order_package_goods_di"
DISCOUNTS = "ods_trd_order_discount_detail_di"
DEPOSITS = "ods_trd_presale_deposit_di"
REFUNDS = "ods_trd_refund_di"
VISITS = "ods_trd_goods_visit_di"
USERS = "ods_trd_user_info_df"
GOODS = "ods_trd_goods_info_df"
SKUS = "ods_trd_goods_sku_df"
SELLERS = "ods_trd_seller_info_df"

#: a coupon template's limit, as the hourly incremental export and the daily full dump
#: of fls_coupon.coupon_template_limit both write it
_COUPON_LIMIT = (
    F("limit_id", I64, "id"),
    F("coupon_template_id", I64),
    F("limit_type", STR),
    F("limit_target_id", STR),
    F("status", I32),
    F("create_time", TS),
    F("update_time", TS),
)

#: a claimed coupon as both the Mongo read copy and the MySQL binlog carry it (they
#: differ in the key's name and the binlog's create_time)
_CLAIMED_COUPON = (
    F("coupon_template_id", I64),
    F("user_id", STR),
    F("seller_id", STR),
    F("claim_channel", STR),
    F("status", I32),
    F("claim_time", TS),
    F("valid_start_time", TS),
    F("valid_end_time", TS),
    F("use_time", TS),
    F("package_id", STR),
    F("threshold_amount", I64),
    F("discount_amount", I64),
    F("update_time", TS),
)

EXPORTS: dict[str, Export] = {e.table: e for e in (
    Export(
        EXECUTIONS,
        Format.BINLOG,
        "growth platform MySQL egrowth_main.user_strategy_execution binlog",
        order=("execution_id", "user_id"),
        binlog_source=("egrowth_main", "user_strategy_execution"),
        fields=(
            F("execution_id", I64, "id"),
            F("user_id", STR),
            F("trigger_id", I64),
            F("biz_scene_id", I64),
            F("strategy_id", I64),
            F("launch_plan_id", I64),
            F("trigger_point_id", I64),
            F("prize_pool_id", I64),
            F("strategy_name", STR),
            F("launch_plan_name", STR),
            F("trigger_point_name", STR),
            F("prize_rule_name", STR),
            F("crowd_id", I64),
            F("container_name", STR),
            F("experiment_group", STR),
            F("benefit_info", STR, json=True),
            F("execute_time", TS),
        ),
    ),
    Export(
        TRIGGERS,
        Format.CSV,
        "growth platform MySQL egrowth_main.triggger",
        order=("trigger_id",),
        fields=(
            F("trigger_id", I64, "id"),
            F("trigger_name", STR),
            F("trigger_event", STR),
            F("status", I32),
            F("create_time", TS),
            F("update_time", TS),
        ),
    ),
    Export(
        BIZ_SCENES,
        Format.CSV,
        "growth platform MySQL egrowth_main.bizscene",
        order=("biz_scene_id",),
        fields=(
            F("biz_scene_id", I64, "id"),
            F("scene_name", STR),
            F("scene_code", STR),
            F("create_time", TS),
            F("update_time", TS),
        ),
    ),
    Export(
        CROWDS,
        Format.CSV,
        "growth platform MySQL egrowth_main.rainbow_crowd_config",
        order=("crowd_id",),
        fields=(
            F("crowd_id", I64, "id"),
            F("crowd_name", STR),
            F("strategy_label", STR),
            F("rule_json", STR, json=True),
            F("create_time", TS),
            F("update_time", TS),
        ),
    ),
    Export(
        COUPON_ACTIVITIES,
        Format.MONGO,
        "coupon centre Mongo 35003 coupon_31006 activity",
        order=("activity_id",),
        fields=(
            F("activity_id", I64, "_id"),
            F("activity_name", STR),
            F("activity_type", STR),
            F("owner_type", STR),
            F("seller_id", STR),
            F("budget_amount", I64),
            F("start_time", TS),
            F("end_time", TS),
            F("status", I32),
            F("create_time", TS),
            F("update_time", TS),
        ),
    ),
    Export(
        COUPON_TEMPLATES,
        Format.CSV,
        "coupon centre MySQL fls_coupon.coupon_template",
        order=("coupon_template_id",),
        fields=(
            F("coupon_template_id", I64, "id"),
            F("activity_id", I64),
            F("template_name", STR),
            F("coupon_type", I32),
            F("limit_type", I32),
            F("channel_type", I32),
            F("seller_id", STR),
            F("threshold_amount", I64),
            F("discount_amount", I64),
            F("claim_start_time", TS),
            F("claim_end_time", TS),
            F("validity_type", I32),
            F("valid_start_time", TS),
            F("valid_end_time", TS),
            F("valid_days", I32),
            F("cost_bearer", I32),
            F("total_count", I64),
            F("status", I32),
            F("create_time", TS),
            F("update_time", TS),
        ),
    ),
    Export(
        COUPON_TEMPLATES_MONGO,
        Format.MONGO,
        "coupon centre Mongo 32004 coupon_template",
        order=("coupon_template_id",),
        hourly_by="update_time",
        fields=(
            F("coupon_template_id", I64, "_id"),
            F("template_name", STR, "name"),
            F("coupon_type", I32),
            F("seller_id", STR),
            F("threshold_amount", I64, "threshold", yuan=True),
            F("discount_amount", I64, "discount", yuan=True),
            F("status", I32),
            F("update_time", TS),
        ),
    ),
    Export(
        CLAIMED_COUPONS_MONGO,
        Format.MONGO,
        "coupon centre Mongo 35003 goods_coupon",
        order=("coupon_id",),
        fields=(*_CLAIMED_COUPON, F("coupon_id", I64)),
    ),
    Export(
        CLAIMED_COUPONS,
        Format.BINLOG,
        "coupon centre MySQL fls_coupon.coupon binlog",
        order=("coupon_id",),
        binlog_source=("fls_coupon", "coupon"),
        fields=(*_CLAIMED_COUPON, F("coupon_id", I64, "id"), F("create_time", TS)),
    ),
    Export(
        COUPON_SPU_LIMITS,
        Format.MONGO,
        "coupon centre Mongo 32004 coupon_spu_limit",
        order=("coupon_template_id", "spu_id"),
        hourly_by="update_time",
        fields=(
            F("coupon_template_id", I64),
            F("spu_id", I64),
            F("status", I32),
            F("update_time", TS),
        ),
    ),
    Export(
        COUPON_LIMITS_HOURLY,
        Format.CSV,
        "coupon centre MySQL fls_coupon.coupon_template_limit",
        order=("limit_id",),
        hourly_by="update_time",
        fields=_COUPON_LIMIT,
    ),
    Export(
        COUPON_LIMITS,
        Format.CSV,
        "coupon centre MySQL fls_coupon.coupon_template_limit",
        order=("limit_id",),
        fields=_COUPON_LIMIT,
    ),
    Export(
        TASK_COMPLETIONS,
        Format.JSONL,
        "phoenix interactive-marketing service log",
        order=("task_complete_id",),
        fields=(
            F("task_complete_id", STR, "id"),
            F("user_id", STR),
            F("task_id", I64),
            F("task_name", STR),
            F("benefit_type", STR),
            F("coupon_template_id", I64),
            F("complete_time", TS),
        ),
    ),
    Export(
        ALLOWANCES,
        Format.BINLOG,
        "allowance centre MySQL fls_allowance.allowance binlog",
        order=("allowance_id",),
        binlog_source=("fls_allowance", "allowance"),
        fields=(
            F("allowance_id", I64, "id"),
            F("user_id", STR),
            F("allowance_template_id", I64),
            F("channel_type", I32),
            F("amount", I64),
            F("balance", I64),
            F("status", I32),
            F("claim_time", TS),
            F("expire_time", TS),
            F("update_time", TS),
        ),
    ),
    Export(
        ALLOWANCE_RECORDS,
        Format.BINLOG,
        "allowance centre MySQL fls_allowance.allowance_record binlog",
        order=("record_id",),
        binlog_source=("fls_allowance", "allowance_record"),
        fields=(
            F("record_id", I64, "id"),
            F("user_id", STR),
            F("record_type", STR),
            F("amount", I64),
            F("order_id", STR),
            F("create_time", TS),
        ),
    ),
    Export(
        ALLOWANCE_RECORD_DETAILS,
        Format.BINLOG,
        "allowance centre MySQL fls_allowance.allowance_record_detail binlog",
        order=("record_id", "allowance_id"),
        binlog_source=("fls_allowance", "allowance_record_detail"),
        fields=(
            F("record_id", I64),
            F("allowance_id", I64),
            F("amount", I64),
            F("create_time", TS),
        ),
    ),
    Export(
        ALLOWANCE_TEMPLATES,
        Format.CSV,
        "allowance centre MySQL member_points_template",
        order=("allowance_template_id",),
        fields=(
            F("allowance_template_id", I64, "id"),
            F("template_name", STR),
            F("channel_type", I32),
            F("amount", I64),
            F("step_threshold", I64),
            F("step_discount", I64),
            F("valid_days", I32),
            F("status", I32),
            F("create_time", TS),
            F("update_time", TS),
        ),
    ),
    Export(
        PROMOTION_GROUPS,
        Format.MONGO,
        "promotion system IPMS Mongo 35001 ipms_31003 promotion_group",
        order=("group_id",),
        fields=(
            F("group_id", I64, "_id"),
            F("group_name", STR),
            F("owner_type", STR),
            F("seller_id", STR),
            F("promotion_type", STR),
            F("store_wide", BOOL),
            F("start_time", TS),
            F("end_time", TS),
            F("status", I32),
            F("create_time", TS),
            F("update_time", TS),
        ),
    ),
    Export(
        PROMOTION_TARGETS,
        Format.MONGO,
        "promotion system IPMS Mongo 35001 ipms_31003 promotion_target",
        order=("promotion_id",),
        fields=(
            F("promotion_id", I64, "_id"),
            F("group_id", I64),
            F("target_type", STR),
            F("target_id", STR),
            F("seller_id", STR),
            F("status", I32),
            F("create_time", TS),
            F("update_time", TS),
        ),
    ),
    Export(
        PROMOTION_BENEFITS,
        Format.MONGO,
        "promotion system IPMS Mongo 35001 ipms_31003 promotion_benefit",
        order=("promotion_id", "tier"),
        fields=(
            F("promotion_id", I64),
            F("tier", I32),
            F("rule", STR),
            F("threshold", I64),
            F("value", I64),
            F("update_time", TS),
        ),
    ),
    Export(
        PROMOTION_BLACKLIST,
        Format.MONGO,
        "promotion system IPMS Mongo 35001 ipms_31003 promotion_blacklist_target",
        order=("blacklist_id",),
        fields=(
            F("blacklist_id", I64, "_id"),
            F("group_id", I64),
            F("goods_id", I64),
            F("seller_id", STR),
            F("status", I32),
            F("update_time", TS),
        ),
    ),
    Export(
        PROMOTION_GIFTS,
        Format.MONGO,
        "promotion system IPMS Mongo 35001 ipms_31003 promotion_gift",
        order=("gift_id",),
        fields=(
            F("gift_id", I64, "_id"),
            F("promotion_id", I64),
            F("gift_goods_id", I64),
            F("gift_count", I32),
            F("status", I32),
            F("update_time", TS),
        ),
    ),
    Export(
        CAMPAIGNS,
        Format.MONGO,
        "listings Mongo 35001 listings_31003 activity",
        order=("activity_id",),
        fields=(
            F("activity_id", I64, "_id"),
            F("activity_name", STR),
            F("activity_type", STR),
            F("signup_start", TS),
            F("signup_end", TS),
            F("start_time", TS),
            F("end_time", TS),
            F("gmv_target", I64),
            F("budget", I64),
            F("status", I32),
            F("update_time", TS),
        ),
    ),
    Export(
        SUB_ACTIVITIES,
        Format.MONGO,
        "listings Mongo 35001 listings_31003 sub_activity",
        order=("sub_activity_id",),
        fields=(
            F("sub_activity_id", I64, "_id"),
            F("activity_id", I64),
            F("sub_activity_name", STR),
            F("sub_type", STR),
            F("start_time", TS),
            F("end_time", TS),
            F("status", I32),
            F("update_time", TS),
        ),
    ),
    Export(
        SIGNUPS,
        Format.MONGO,
        "listings Mongo 35001 listings_31003 campaign_item",
        order=("signup_id",),
        fields=(
            F("signup_id", I64, "_id"),
            F("sub_activity_id", I64),
            F("activity_id", I64),
            F("goods_id", I64),
            F("seller_id", STR),
            F("audit_status", STR),
            F("signup_time", TS),
            F("audit_time", TS),
            F("update_time", TS),
        ),
    ),
    Export(
        PRESALE_ACTIVITIES,
        Format.MONGO,
        "presale Mongo 35001 presale_31006 presale_activity",
        order=("presale_activity_id",),
        fields=(
            F("presale_activity_id", I64, "_id"),
            F("activity_name", STR),
            F("presale_type", STR),
            F("deposit_start", TS),
            F("deposit_end", TS),
            F("final_start", TS),
            F("final_end", TS),
            F("status", I32),
            F("update_time", TS),
        ),
    ),
    Export(
        PRESALE_SALES,
        Format.MONGO,
        "presale Mongo 35001 presale_31006 presale_sales",
        order=("presale_activity_id", "sku_id"),
        fields=(
            F("presale_activity_id", I64),
            F("sku_id", I64),
            F("goods_id", I64),
            F("seller_id", STR),
            F("presale_price", I64, yuan=True),
            F("deposit_amt", I64, yuan=True),
            F("deduction_amt", I64, yuan=True),
            F("stock", I64),
            F("status", I32),
            F("update_time", TS),
        ),
    ),
    Export(
        ORDER_LINES,
        Format.CSV,
        "trade MySQL order_package_goods",
        order=("package_id", "goods_id"),
        fields=(
            F("order_id", STR),
            F("package_id", STR),
            F("goods_id", I64),
            F("sku_id", I64),
            F("user_id", STR),
            F("seller_id", STR),
            F("quantity", I64),
            F("unit_price", I64),
            F("list_amt", I64),
            F("shown_amt", I64),
            F("discount_amt", I64),
            F("paid_amt", I64),
            F("is_presale", BOOL),
            F("order_time", TS),
            F("pay_time", TS),
        ),
    ),
    Export(
        DISCOUNTS,
        Format.CSV,
        "trade MySQL order_discount_detail",
        order=("package_id", "goods_id", "discount_source"),
        fields=(
            F("package_id", STR),
            F("goods_id", I64),
            F("discount_source", STR),
            F("source_id", I64),
            F("coupon_template_id", I64),
            F("discount_amt", I64),
            F("bearer", STR),
            F("pay_time", TS),
        ),
    ),
    Export(
        DEPOSITS,
        Format.CSV,
        "trade MySQL presale_deposit",
        order=("deposit_id",),
        fields=(
            F("deposit_id", STR),
            F("user_id", STR),
            F("seller_id", STR),
            F("presale_activity_id", I64),
            F("sku_id", I64),
            F("goods_id", I64),
            F("quantity", I64),
            F("deposit_amt", I64),
            F("deduction_amt", I64),
            F("pay_time", TS),
        ),
    ),
    Export(
        REFUNDS,
        Format.CSV,
        "trade MySQL refund",
        order=("refund_id",),
        fields=(
            F("refund_id", STR),
            F("order_id", STR),
            F("package_id", STR),
            F("goods_id", I64),
            F("user_id", STR),
            F("seller_id", STR),
            F("refund_amt", I64),
            F("pay_time", TS),
            F("refund_time", TS),
        ),
    ),
    Export(
        VISITS,
        Format.CSV,
        "trade MySQL goods_visit",
        order=("user_id", "goods_id", "page"),
        fields=(
            F("user_id", STR),
            F("goods_id", I64),
            F("seller_id", STR),
            F("page", STR),
            F("pv", I64),
            F("first_visit_time", TS),
        ),
    ),
    Export(
        USERS,
        Format.CSV,
        "trade MySQL user_info",
        order=("user_id",),
        fields=(
            F("user_id", STR),
            F("register_time", TS),
            F("gender", STR),
            F("age_band", STR),
            F("city_tier", STR),
            F("member_level", I32),
            F("first_order_time", TS),
        ),
    ),
    Export(
        GOODS,
        Format.CSV,
        "trade MySQL goods",
        order=("goods_id",),
        fields=(
            F("goods_id", I64),
            F("seller_id", STR),
            F("goods_name", STR),
            F("industry", STR),
            F("category", STR),
            F("list_price", I64),
            F("is_new", BOOL),
            F("create_time", TS),
        ),
    ),
    Export(
        SKUS,
        Format.CSV,
        "trade MySQL goods_sku",
        order=("sku_id",),
        fields=(
            F("sku_id", I64),
            F("goods_id", I64),
            F("price", I64),
            F("stock", I64),
        ),
    ),
    Export(
        SELLERS,
        Format.CSV,
        "trade MySQL seller",
        order=("seller_id",),
        fields=(
            F("seller_id", STR),
            F("shop_name", STR),
            F("industry", STR),
            F("is_self_operated", BOOL),
            F("open_time", TS),
        ),
    ),
)}

"""The claim fact: every claimed coupon as of dt (the coupon centre's MySQL snapshot) with
its template's attributes of dt, read from those two tables (no second copy of the
snapshot is stored); checked against the Mongo read copy of the claims."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.coupon import ods
from marketing_assets.domains.coupon.templates import COUPON_TEMPLATE_DAY
from marketing_assets.incremental import IntervalFact
from marketing_assets.storage.read import Dimension, IntervalTable
from marketing_assets.table import TableCheck, TableModel, partition_day, table_key

GROUP = "coupon"
STATUS_NAMES = {1: "unused", 2: "used", 3: "expired", 4: "void"}


class GoodsCouponDay(TableModel):
    """A claimed coupon as of dt."""

    coupon_id: pl.Int64 = pa.Field(description="claimed coupon")
    coupon_template_id: pl.Int64 = pa.Field(description="template claimed from")
    user_id: pl.String = pa.Field(description="buyer who claimed it")
    seller_id: pl.String = pa.Field(nullable=True, description="seller of a store coupon")
    claim_channel: pl.String = pa.Field(description="page or system it was claimed through")
    claim_time: pl.Datetime("us") = pa.Field(description="claimed")
    claim_date: pl.Date = pa.Field(description="claim day (claims count by claim day)")
    valid_start_time: pl.Datetime("us") = pa.Field(description="usable from")
    valid_end_time: pl.Datetime("us") = pa.Field(description="usable until")
    status: pl.Int32 = pa.Field(isin=[1, 2, 3, 4], description="1 unused, 2 used, 3 expired, 4 void")
    status_name: pl.String = pa.Field(isin=["unused", "used", "expired", "void"], description="status as text")
    use_time: pl.Datetime("us") = pa.Field(nullable=True, description="used at (as of dt)")
    package_id: pl.String = pa.Field(nullable=True, description="package used on (as of dt)")
    threshold_amount: pl.Int64 = pa.Field(ge=0, description="threshold, fen")
    discount_amount: pl.Int64 = pa.Field(ge=0, description="face value, fen")
    coupon_type: pl.Int32 = pa.Field(nullable=True, description="template's type (null: template unknown)")
    limit_type: pl.Int32 = pa.Field(nullable=True, description="template's item limit")
    channel_type: pl.Int32 = pa.Field(nullable=True, description="template's channel")
    cost_bearer: pl.String = pa.Field(nullable=True, description="template's cost bearer")
    dt: pl.Date = partition_day()


def goods_coupon_day(day: dt.date, coupons: pl.DataFrame, templates: pl.DataFrame) -> pl.DataFrame:
    """Every claimed coupon as of ``day`` (the MySQL snapshot) with its template's type,
    limit, channel and bearer."""
    attrs = templates.select(
        "coupon_template_id", "coupon_type", "limit_type", "channel_type", "cost_bearer"
    )
    return coupons.join(attrs, on="coupon_template_id", how="left", maintain_order="left").with_columns(
        claim_date=pl.col("claim_time").dt.date(),
        status_name=pl.col("status").replace_strict(STATUS_NAMES),
    )


def _claims_agree(wh, first, last):
    return wh.query(
        f"""
        SELECT m.dt, m.coupon_id, m.status AS mongo_status, s.status AS mysql_status,
               m.package_id AS mongo_package, s.package_id AS mysql_package
        FROM {ods.GOODS_COUPON_MONGO.sql} m
        LEFT JOIN {ods.CLAIMED_COUPON_MYSQL.sql} s ON s.dt = m.dt AND s.coupon_id = m.coupon_id
        WHERE m.dt BETWEEN ? AND ? AND (s.coupon_id IS NULL OR m.status <> s.status
              OR m.package_id IS DISTINCT FROM s.package_id OR m.user_id <> s.user_id
              OR m.coupon_template_id <> s.coupon_template_id)
        ORDER BY ALL
        """,
        [first, last],
    )


GOODS_COUPON_DAY = DerivedTable(
    "reddw", "dw_trd_goods_coupon_day",
    model=GoodsCouponDay,
    grain=("coupon_id",),
    group=GROUP,
    layer="dw",
    what=(
        "Claim fact: every coupon claimed, as of dt, from the MySQL copy: who claimed "
        "which template, when, through which channel, validity window and current state"
    ),
    chinese_name="薯券领取事实表",
    inputs={
        "coupons": Upstream(ods.CLAIMED_COUPON_MYSQL),
        "templates": Upstream(COUPON_TEMPLATE_DAY),
    },
    compute=goods_coupon_day,
    bounded=True,
    checks=(
        TableCheck("mongo_mysql_claims_agree",
                   "Claimed coupons changed in the Mongo read copy on dt agree with the MySQL snapshot of dt",
                   _claims_agree, False, reads=(ods.GOODS_COUPON_MONGO, ods.CLAIMED_COUPON_MYSQL)),
    ),
)

_STATUS_NAME = " ".join(f"WHEN {code} THEN '{name}'" for code, name in STATUS_NAMES.items())
_TEMPLATE_ATTRS = ("coupon_type", "limit_type", "channel_type", "cost_bearer")
#: the claim fact of dt: the claimed-coupon snapshot of dt (ODS) with its template's
#: attributes of dt, read from those tables (no second copy of the snapshot is stored)
GOODS_COUPON_DAY_INTERVALS = IntervalTable(
    *table_key(GOODS_COUPON_DAY),
    window_days=1,
    select={
        c: {"claim_date": "CAST(f.claim_time AS DATE)", "status_name": f"CASE f.status {_STATUS_NAME} END"}.get(
            c, f"t.{c}" if c in _TEMPLATE_ATTRS else f"f.{c}")
        for c in GoodsCouponDay.to_schema().columns if c != "dt"
    },
    driver=Dimension(ods.CLAIMED_COUPON_MYSQL, (), alias="f"),
    dimensions=(Dimension(COUPON_TEMPLATE_DAY, ("coupon_template_id",), alias="t"),),
    order=GOODS_COUPON_DAY.grain,
)
GOODS_COUPON_DAY_FACT = IntervalFact(GOODS_COUPON_DAY, GOODS_COUPON_DAY_INTERVALS)

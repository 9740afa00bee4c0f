"""The campaign (大促活动) tables above ODS: the activity ↔ sub-activity relation, the goods
sign-up detail and the supply (sign-ups and audits) per activity and sub-activity."""

import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains import keys as shared
from marketing_assets.domains.campaign import keys, schemas, transforms
from marketing_assets.metrics import LOOKBACK_DAYS

GROUP = "campaign"
_SIGNUP_COLUMNS = (
    "signup_id", "sub_activity_id", "activity_id", "goods_id", "seller_id", "audit_status",
    "signup_time", "audit_time", "update_time", "_src_file", "_src_line",
)


def _goods_headline(frame: pl.DataFrame) -> dict:
    status = frame["audit_status"].value_counts()
    return {
        "signed_up_goods": frame["goods_id"].n_unique(),
        **{f"{s}_signups": int(n) for s, n in status.iter_rows()},
        "resubmitted_signups": int((frame["signup_cnt"] > 1).sum()),
    }


def _supply_headline(frame: pl.DataFrame) -> dict:
    totals = frame.filter(pl.col("sub_activity_id").is_null())
    return {
        "activities": totals.height,
        "sub_activities": frame.height - totals.height,
        "signup_goods_cnt": int(totals["signup_goods_cnt"].sum()),
        "approved_goods_cnt": int(totals["approved_goods_cnt"].sum()),
        "signup_goods_cnt_1d": int(totals["signup_goods_cnt_1d"].sum()),
    }


_SIGNUP_STATE = (("goods", "audit_status"), ("goods", "signup_date"), ("goods", "audit_date"))
_SUPPLY_LINEAGE = {
    f"{state}_{who}_cnt{suffix}": ((("goods", f"{who}_id"),) + _SIGNUP_STATE)
    for state in ("signup", "approved", "rejected", "pending")
    for who in ("goods", "seller")
    for suffix in ("", "_1d")
} | {"approve_rate": (("goods", "audit_status"),)}


TABLES = [
    DerivedTable(
        *keys.ACTIVITY_RELATION,
        model=schemas.ActivitySubActivityRelation,
        grain=("sub_activity_id",),
        group=GROUP,
        layer="dim",
        what=(
            "Activity ↔ sub-activity relation as of dt: every sub-activity of the listings "
            "system's collection (venue, discount, presale, coupon) with its name, type, "
            "window and status, and its parent activity's name, type, sign-up and sale "
            "windows, status, GMV target and budget (null when the parent is missing)"
        ),
        chinese_name="活动与子活动关系维表",
        inputs={
            "activities": Upstream(keys.ACTIVITY),
            "subs": Upstream(keys.SUB_ACTIVITY),
        },
        compute=transforms.activity_relation,
        bounded=True,
        planned=True,
    ),
    DerivedTable(
        *keys.PARTICIPATE_GOODS,
        model=schemas.ParticipateGoods,
        grain=("goods_id", "sub_activity_id"),
        group=GROUP,
        layer="dwd",
        what=(
            "Goods sign-ups to campaign sub-activities as of dt: per goods and sub-activity "
            "the latest sign-up (a goods re-submitted after a rejection: the latest wins; "
            "signup_cnt counts all) with its audit status and times, the sub-activity's and "
            "activity's names, types and windows and the goods' industry and category. The "
            "sign-up log lands only changed sign-ups: a sign-up's state is its latest row by "
            f"update_time over the last {LOOKBACK_DAYS} days, so sign-ups untouched for longer "
            "drop out; sign-ups of sub-activities no longer in the collection are left out"
        ),
        chinese_name="活动报名商品明细",
        inputs={
            "signups": Upstream(keys.CAMPAIGN_ITEM, LOOKBACK_DAYS, _SIGNUP_COLUMNS),
            "relation": Upstream(keys.ACTIVITY_RELATION),
            "goods": Upstream(shared.GOODS, 1, ("goods_id", "industry", "category")),
        },
        compute=transforms.participate_goods,
        bounded=True,
        headline=_goods_headline,
    ),
    DerivedTable(
        *keys.ACTIVITY_SUPPLY,
        model=schemas.ActivitySupply,
        grain=("activity_id", "sub_activity_id"),
        group=GROUP,
        layer="dm",
        what=(
            "Campaign supply as of dt per activity × sub-activity (sub_activity_id null: the "
            "activity total, distinct over its sub-activities): distinct goods and sellers "
            "signed up, approved, rejected and pending (by the latest sign-up's audit state), "
            "signed up on dt and approved on dt, and the approval rate of the audited "
            "sign-ups. Every sub-activity of the day's collection has a row (zeros when "
            "nothing is signed up)"
        ),
        chinese_name="活动报名供给汇总",
        inputs={
            "goods": Upstream(
                keys.PARTICIPATE_GOODS, 1,
                ("goods_id", "sub_activity_id", "activity_id", "seller_id", "audit_status",
                 "signup_date", "audit_date"),
            ),
            "relation": Upstream(keys.ACTIVITY_RELATION),
        },
        compute=transforms.activity_supply,
        headline=_supply_headline,
        lineage=_SUPPLY_LINEAGE,
    ),
]

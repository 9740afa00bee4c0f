"""The growth platform's tables above ODS (4.6): executions, their benefits, coupon and
allowance offers, claims and trigger → claim → use."""

import datetime as dt
from collections.abc import Callable

import duckdb
import polars as pl
from dagster import AssetKey

from marketing_assets.derived import DerivedTable, Sql, Upstream, read_upstream
from marketing_assets.domains import keys
from marketing_assets.domains.growth import schemas, transforms
from marketing_assets.incremental import IncrementalTable, IntervalFact
from marketing_assets.metrics import LOOKBACK_DAYS
from marketing_assets.storage.read import Dimension, IntervalTable

GROUP = "growth"


def _execution_headline(frame: pl.DataFrame) -> dict:
    return {
        "executions": frame.height,
        "blank_executions": int(frame["is_blank"].sum()),
        "benefits_offered": int(frame["benefit_cnt"].sum()),
    }


def _offer_headline(frame: pl.DataFrame) -> dict:
    claimed = int(frame["is_claimed"].sum())
    return {
        "triggered": frame.height,
        "claimed": claimed,
        "claim_rate": round(claimed / frame.height, 4) if frame.height else None,
    }


def _get_use_headline(frame: pl.DataFrame) -> dict:
    offers = frame.select(*transforms.OFFER_KEY).n_unique()
    coupons = frame["coupon_id"].drop_nulls().n_unique()
    used = frame.filter("is_used")["coupon_id"].n_unique()
    return {
        "triggered_offers": offers,
        "claimed_coupons": coupons,
        "used_coupons": used,
        "claim_rate": round(coupons / offers, 4) if offers else None,
        "use_rate": round(used / coupons, 4) if coupons else None,
    }


TABLES = [
    DerivedTable(
        *keys.EXECUTION,
        model=schemas.StrategyExecution,
        grain=("execution_id", "user_id"),
        group=GROUP,
        layer="dwd",
        what=(
            "Every growth-platform trigger (strategy execution) landed on dt, joined with "
            "trigger, business scene, container, strategy, crowd label, launch plan, touch "
            "point, prize pool and experiment group. Blank-control executions stay here "
            "(is_blank) so a strategy's control group can be counted for uplift"
        ),
        chinese_name="用户策略执行明细",
        inputs={
            "events": Upstream(keys.EXECUTION_EVENTS),
            "triggers": Upstream(keys.TRIGGER),
            "scenes": Upstream(keys.BIZSCENE),
            "crowds": Upstream(keys.CROWD),
        },
        compute=Sql(transforms.EXECUTIONS_SQL, headline_columns=("is_blank", "benefit_cnt")),
        headline=_execution_headline,
    ),
    DerivedTable(
        *keys.EXECUTION_BENEFIT,
        model=schemas.ExecutionBenefit,
        grain=("user_id", "execution_id", "benefit_entity_type", "benefit_entity_id", "benefit_id"),
        group=GROUP,
        layer="dwd",
        what="Benefits offered by each trigger, parsed out of the execution's benefit_info",
        chinese_name="用户策略执行权益明细",
        inputs={"executions": Upstream(keys.EXECUTION, 1, (*transforms.OFFER, "benefit_info"))},
        compute=Sql(transforms.BENEFITS_SQL),
    ),
    DerivedTable(
        *keys.EXECUTION_COUPON,
        model=schemas.ExecutionCoupon,
        grain=("execution_id", "user_id", "coupon_template_id", "coupon_id"),
        group=GROUP,
        layer="dwd",
        what=(
            "Coupon offers of the triggers (blank-control groups have none); coupon_id is the "
            "coupon claimed in the same session, null when the offer was not claimed"
        ),
        chinese_name="用户策略执行发券明细",
        inputs={
            "benefits": Upstream(keys.EXECUTION_BENEFIT),
            "templates": Upstream(keys.COUPON_TEMPLATE_DAY),
        },
        compute=Sql(transforms.COUPON_OFFERS_SQL, headline_columns=("is_claimed",)),
        headline=_offer_headline,
    ),
    DerivedTable(
        *keys.EXECUTION_ALLOWANCE,
        model=schemas.ExecutionAllowance,
        grain=("execution_id", "user_id", "allowance_id", "allowance_template_id"),
        group=GROUP,
        layer="dwd",
        what="Allowance offers of the triggers (blank-control groups have none); allowance_id null when not claimed",
        chinese_name="用户策略执行发津贴明细",
        inputs={
            "benefits": Upstream(keys.EXECUTION_BENEFIT),
            "templates": Upstream(keys.ALLOWANCE_TEMPLATE_DAY),
        },
        compute=Sql(transforms.ALLOWANCE_OFFERS_SQL, headline_columns=("is_claimed",)),
        headline=_offer_headline,
    ),
    DerivedTable(
        *keys.EXECUTION_COUPON_FULL,
        model=schemas.ExecutionCouponFull,
        grain=("coupon_id",),
        group=GROUP,
        layer="dwd",
        what="Growth coupon offers that were claimed (last 600 days), with the coupon's state as of dt",
        chinese_name="用户策略执行领券全量表",
        inputs={
            "offers": Upstream(keys.EXECUTION_COUPON, LOOKBACK_DAYS, where="coupon_id IS NOT NULL"),
            "coupons": Upstream(
                keys.GOODS_COUPON_DAY, 1,
                ("coupon_id", "claim_time", "status", "use_time", "valid_end_time"),
                where="claim_channel = 'growth_platform'",
            ),
        },
        compute=transforms.claimed_coupons,
        bounded=True,
    ),
    DerivedTable(
        "redcdm", "dwd_ecm_mkt_user_strategy_execution_allowance_df",
        model=schemas.ExecutionAllowanceFull,
        grain=("allowance_id",),
        group=GROUP,
        layer="dwd",
        what="Growth allowance offers that were claimed (last 600 days), with balance and state as of dt",
        chinese_name="用户策略执行领津贴全量表",
        inputs={
            "offers": Upstream(keys.EXECUTION_ALLOWANCE, LOOKBACK_DAYS, where="allowance_id IS NOT NULL"),
            "allowances": Upstream(
                keys.ALLOWANCE, 1,
                ("allowance_id", "amount", "balance", "status", "claim_time", "expire_time"),
            ),
        },
        compute=transforms.claimed_allowances,
        bounded=True,
    ),
    DerivedTable(
        "redcdm", "dwd_ecm_mkt_user_strategy_execution_coupon_get_use_df",
        model=schemas.ExecutionCouponGetUse,
        grain=("execution_id", "user_id", "coupon_template_id", "coupon_id", "package_id", "goods_id"),
        group=GROUP,
        layer="dwd",
        what=(
            "Trigger → claim → use of growth coupons, the whole funnel (触发 → 领取 → 核销的全量"
            f"记录): every coupon offer of a non-blank group triggered in the last {LOOKBACK_DAYS} "
            "days, as known on dt. A claimed coupon has one row per paid line it was used on "
            "(refunded uses removed), or one row without a line while unused; an offer not "
            "claimed has one row with coupon_id null. Triggered (distinct offers), claimed "
            "(count of distinct coupon_id) and used (distinct coupon_id with is_used) of a "
            "trigger-day cohort (trigger_dt) are read from this table alone"
        ),
        chinese_name="用户策略执行领用券全量表",
        inputs={
            "claimed": Upstream(keys.EXECUTION_COUPON_FULL),
            "offers": Upstream(keys.EXECUTION_COUPON, LOOKBACK_DAYS, where="coupon_id IS NULL"),
            "uses": Upstream(keys.COUPON_USE, 1, where="coupon_id IS NOT NULL AND NOT is_refunded"),
        },
        compute=transforms.coupon_get_use,
        lineage={
            "trigger_dt": (("claimed", "trigger_dt"), ("offers", "dt")),
            "is_claimed": (("claimed", "coupon_id"), ("offers", "coupon_id")),
            "is_used": (("uses", "package_id"),),
        },
        bounded=True,
        headline=_get_use_headline,
    ),
]

_BY_KEY = {t.key: t for t in TABLES}
_CLAIMED = _BY_KEY[AssetKey(list(keys.EXECUTION_COUPON_FULL))]
_ALLOWANCES = _BY_KEY[AssetKey(["redcdm", "dwd_ecm_mkt_user_strategy_execution_allowance_df"])]
_GET_USE = _BY_KEY[AssetKey(["redcdm", "dwd_ecm_mkt_user_strategy_execution_coupon_get_use_df"])]
_OFFER_COLUMNS = (*transforms.OFFER, "coupon_template_id", "coupon_id")


def _offer_reader(where: str | None) -> Callable:
    def facts(conn: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date, lo: dt.date, replay: bool) -> pl.DataFrame:
        """Coupon offers of non-blank groups, once, in their trigger day's partition (an
        offer never changes: its claim happens in the same session)."""
        up = Upstream(keys.EXECUTION_COUPON, 1, _OFFER_COLUMNS, where=where)
        return read_upstream(conn, up, lo if replay else first, last).with_columns(first_dt=pl.col("dt"))

    return facts


#: claimed growth coupons as known on dt: the claimed offers of the window with the
#: coupon's state in the claim fact of dt
CLAIMED_INTERVALS = IntervalTable(
    *keys.EXECUTION_COUPON_FULL,
    window_days=LOOKBACK_DAYS,
    select={
        c: f"f.{c}" if c in _OFFER_COLUMNS else "f.dt" if c == "trigger_dt" else f"k.{c}"
        for c in schemas.ExecutionCouponFull.to_schema().columns if c != "dt"
    },
    dimensions=(Dimension(keys.GOODS_COUPON_DAY, ("coupon_id",), alias="k",
                          where="k.claim_channel = 'growth_platform'"),),
    order=_CLAIMED.grain,
)
_USE_COLUMNS = ("package_id", "goods_id", "seller_id", "pay_time", "pay_date", "line_paid_amt", "discount_amt", "bearer")
#: trigger → claim → use as known on dt: the offers of the window, the claimed coupon of dt
#: (``…_coupon_df``) and its uses as known on dt, refunded ones gone
GET_USE_INTERVALS = IntervalTable(
    *_GET_USE.key.path,
    window_days=LOOKBACK_DAYS,
    select={
        **{c: f"f.{c}" for c in _OFFER_COLUMNS},
        "trigger_dt": "f.dt",
        "claim_time": "k.claim_time",
        "is_claimed": "f.coupon_id IS NOT NULL",
        "is_used": "u.package_id IS NOT NULL",
        **{c: f"u.{c}" for c in _USE_COLUMNS},
    },
    dimensions=(
        Dimension(keys.EXECUTION_COUPON_FULL, ("coupon_id",), alias="k"),
        Dimension(keys.COUPON_USE, ("coupon_id",), alias="u", where="NOT u.is_refunded"),
    ),
    order=_GET_USE.grain,
)
#: tables of this domain stored incrementally or as validity intervals
KINDS = [
    IntervalFact(_CLAIMED, CLAIMED_INTERVALS, facts=_offer_reader("coupon_id IS NOT NULL")),
    IncrementalTable(
        _ALLOWANCES,
        changes={
            "offers": Upstream(keys.EXECUTION_ALLOWANCE, 1, where="allowance_id IS NOT NULL"),
            "allowances": _ALLOWANCES.inputs["allowances"],
        },
        step=transforms.claimed_allowances_step,
    ),
    IntervalFact(_GET_USE, GET_USE_INTERVALS, facts=_offer_reader(None)),
]

"""Pandera models of the growth platform's tables above ODS (用增, the funnel spine)."""

import pandera.polars as pa
import polars as pl

from marketing_assets.table import TableModel


def _dt() -> pa.Field:
    return pa.Field(description="partition day (Asia/Shanghai): the day the execution landed")


class StrategyExecution(TableModel):
    """redcdm.dwd_ecm_mkt_user_strategy_execution_di"""

    execution_id: pl.Int64 = pa.Field(description="execution (one trigger for one user)")
    user_id: pl.String = pa.Field(description="triggered user")
    trigger_id: pl.Int64 = pa.Field(description="trigger")
    trigger_name: pl.String = pa.Field(nullable=True, description="触发名称 (null: trigger unknown)")
    trigger_event: pl.String = pa.Field(nullable=True, description="event code of the trigger")
    biz_scene_id: pl.Int64 = pa.Field(description="business scene")
    scene_name: pl.String = pa.Field(nullable=True, description="business scene name")
    container_name: pl.String = pa.Field(description="container style shown")
    strategy_id: pl.Int64 = pa.Field(description="strategy")
    strategy_name: pl.String = pa.Field(description="strategy name")
    crowd_id: pl.Int64 = pa.Field(description="target crowd")
    crowd_name: pl.String = pa.Field(nullable=True, description="crowd name")
    strategy_label: pl.String = pa.Field(nullable=True, description="crowd label: new, repurchase, churn, activity")
    launch_plan_id: pl.Int64 = pa.Field(description="launch plan")
    launch_plan_name: pl.String = pa.Field(description="launch plan name")
    trigger_point_id: pl.Int64 = pa.Field(description="touch point")
    trigger_point_name: pl.String = pa.Field(description="touch point name")
    prize_pool_id: pl.Int64 = pa.Field(description="prize pool (权益池)")
    prize_rule_name: pl.String = pa.Field(description="prize pool name")
    experiment_group: pl.String = pa.Field(description="experiment group; 'blank' = control")
    is_blank: pl.Boolean = pa.Field(description="blank-control group: triggered, offered nothing")
    benefit_cnt: pl.Int64 = pa.Field(ge=0, description="benefits offered")
    benefit_info: pl.String = pa.Field(description="benefits offered (JSON, as landed)")
    execute_time: pl.Datetime("us") = pa.Field(description="triggered at")
    execute_date: pl.Date = pa.Field(description="trigger day (the funnel cohort)")
    is_late: pl.Boolean = pa.Field(description="landed after its day")
    dt: pl.Date = _dt()


class _Offer(TableModel):
    execution_id: pl.Int64 = pa.Field(description="execution")
    user_id: pl.String = pa.Field(description="triggered user")
    strategy_id: pl.Int64 = pa.Field(description="strategy")
    launch_plan_id: pl.Int64 = pa.Field(description="launch plan")
    biz_scene_id: pl.Int64 = pa.Field(description="business scene")
    prize_pool_id: pl.Int64 = pa.Field(description="prize pool of the execution")
    experiment_group: pl.String = pa.Field(description="experiment group")
    execute_time: pl.Datetime("us") = pa.Field(description="triggered at")
    execute_date: pl.Date = pa.Field(description="trigger day (cohort)")


class ExecutionBenefit(_Offer):
    """redcdm.dwd_ecm_mkt_user_strategy_execution_benefit_di"""

    benefit_entity_type: pl.String = pa.Field(description="coupon or allowance")
    benefit_entity_id: pl.Int64 = pa.Field(description="template offered")
    benefit_id: pl.Int64 = pa.Field(description="prize pool the benefit was drawn from")
    instance_id: pl.Int64 = pa.Field(nullable=True, description="coupon or allowance claimed; null: not claimed")
    dt: pl.Date = _dt()


class ExecutionCoupon(_Offer):
    """redcdm.dwd_ecm_mkt_user_strategy_execution_coupon_di"""

    coupon_template_id: pl.Int64 = pa.Field(description="template offered")
    coupon_id: pl.Int64 = pa.Field(nullable=True, description="coupon claimed in the session; null: not claimed")
    is_claimed: pl.Boolean = pa.Field(description="the offer became a coupon")
    coupon_type: pl.Int32 = pa.Field(nullable=True, description="1 platform, 4 store")
    channel_type: pl.Int32 = pa.Field(nullable=True, description="template's channel")
    threshold_amount: pl.Int64 = pa.Field(nullable=True, description="threshold, fen")
    discount_amount: pl.Int64 = pa.Field(nullable=True, description="face value, fen")
    cost_bearer: pl.String = pa.Field(nullable=True, description="who pays")
    dt: pl.Date = _dt()


class ExecutionAllowance(_Offer):
    """redcdm.dwd_ecm_mkt_user_strategy_execution_allowance_di"""

    allowance_template_id: pl.Int64 = pa.Field(description="template offered")
    allowance_id: pl.Int64 = pa.Field(nullable=True, description="allowance claimed; null: not claimed")
    is_claimed: pl.Boolean = pa.Field(description="the offer became an allowance")
    amount: pl.Int64 = pa.Field(nullable=True, description="amount granted per claim, fen")
    step_threshold: pl.Int64 = pa.Field(nullable=True, description="每满 X, fen")
    step_discount: pl.Int64 = pa.Field(nullable=True, description="减 Y, fen")
    dt: pl.Date = _dt()


class ExecutionCouponFull(_Offer):
    """redcdm.dwd_ecm_mkt_user_strategy_execution_coupon_df"""

    coupon_id: pl.Int64 = pa.Field(description="coupon claimed from a growth offer")
    coupon_template_id: pl.Int64 = pa.Field(description="template")
    trigger_dt: pl.Date = pa.Field(description="partition the offer landed in")
    claim_time: pl.Datetime("us") = pa.Field(nullable=True, description="claimed (null: not in the claim fact)")
    status: pl.Int32 = pa.Field(nullable=True, description="coupon state as of dt")
    use_time: pl.Datetime("us") = pa.Field(nullable=True, description="used at, as of dt")
    valid_end_time: pl.Datetime("us") = pa.Field(nullable=True, description="usable until")
    dt: pl.Date = pa.Field(description="snapshot day")


class ExecutionAllowanceFull(_Offer):
    """redcdm.dwd_ecm_mkt_user_strategy_execution_allowance_df"""

    allowance_id: pl.Int64 = pa.Field(description="allowance claimed from a growth offer")
    allowance_template_id: pl.Int64 = pa.Field(description="template")
    trigger_dt: pl.Date = pa.Field(description="partition the offer landed in")
    amount: pl.Int64 = pa.Field(nullable=True, description="granted, fen")
    balance: pl.Int64 = pa.Field(nullable=True, description="balance as of dt, fen")
    status: pl.Int32 = pa.Field(nullable=True, description="1 usable, 2 used up, 3 expired (as of dt)")
    claim_time: pl.Datetime("us") = pa.Field(nullable=True, description="claimed")
    expire_time: pl.Datetime("us") = pa.Field(nullable=True, description="expires")
    dt: pl.Date = pa.Field(description="snapshot day")


class ExecutionCouponGetUse(_Offer):
    """redcdm.dwd_ecm_mkt_user_strategy_execution_coupon_get_use_df"""

    coupon_template_id: pl.Int64 = pa.Field(description="template offered")
    coupon_id: pl.Int64 = pa.Field(nullable=True, description="coupon claimed; null: offer not claimed")
    trigger_dt: pl.Date = pa.Field(description="partition the offer landed in (the trigger-day cohort)")
    claim_time: pl.Datetime("us") = pa.Field(nullable=True, description="claimed (null: not claimed)")
    is_claimed: pl.Boolean = pa.Field(description="the offer became a coupon (coupon_id not null)")
    is_used: pl.Boolean = pa.Field(description="used on a paid line not refunded as of dt")
    package_id: pl.String = pa.Field(nullable=True, description="package used on")
    goods_id: pl.Int64 = pa.Field(nullable=True, description="line used on")
    seller_id: pl.String = pa.Field(nullable=True, description="seller of the line")
    pay_time: pl.Datetime("us") = pa.Field(nullable=True, description="paid")
    pay_date: pl.Date = pa.Field(nullable=True, description="pay day")
    line_paid_amt: pl.Int64 = pa.Field(nullable=True, description="line's paid amount, fen")
    discount_amt: pl.Int64 = pa.Field(nullable=True, description="coupon's share on the line, fen")
    bearer: pl.String = pa.Field(nullable=True, description="who pays")
    dt: pl.Date = pa.Field(description="snapshot day")

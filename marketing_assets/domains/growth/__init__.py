"""The growth platform (用增 / 智能营销): strategy executions, the benefits they offer, and
the coupon and allowance offers from trigger to claim to use (the funnel spine)."""

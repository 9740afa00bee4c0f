"""The day's funnel and coupon results for the whole platform, read from the warehouse
(printed by ``make demo``; the platform metrics table of the app layer supersedes it)."""

import datetime as dt

from marketing_assets.domains.coupon.uses import COUPON_USE
from marketing_assets.domains.growth.coupon_offers import EXECUTION_COUPON, EXECUTION_COUPON_GET_USE
from marketing_assets.storage import WarehouseResource

FUNNEL_SQL = f"""
WITH offers AS (
    SELECT coupon_id FROM {EXECUTION_COUPON.sql} WHERE dt = $day
), used AS (
    SELECT DISTINCT coupon_id FROM {EXECUTION_COUPON_GET_USE.sql}
    WHERE dt = $as_of AND is_used
)
SELECT count(*) AS triggered, count(o.coupon_id) AS claimed, count(u.coupon_id) AS used
FROM offers o LEFT JOIN used u USING (coupon_id)
"""
COUPON_SQL = f"""
WITH uses AS (
    SELECT * FROM {COUPON_USE.sql}
    WHERE dt = $as_of AND pay_date = $day AND NOT is_refunded
), lines AS (SELECT DISTINCT package_id, goods_id, line_paid_amt FROM uses)
SELECT (SELECT count(DISTINCT use_key) FROM uses) AS uses,
       (SELECT count(DISTINCT user_id) FROM uses) AS buyers,
       (SELECT coalesce(sum(line_paid_amt), 0)::BIGINT FROM lines) AS pay_amt,
       (SELECT coalesce(sum(discount_amt), 0)::BIGINT FROM uses) AS discount_amt,
       (SELECT coalesce(sum(discount_amt) FILTER (WHERE bearer = 'merchant'), 0)::BIGINT FROM uses) AS merchant_cost,
       (SELECT coalesce(sum(discount_amt) FILTER (WHERE bearer = 'platform'), 0)::BIGINT FROM uses) AS platform_cost
"""


def _pct(num: int, den: int) -> str:
    return f"{100 * num / den:.1f}%" if den else "n/a"


def funnel_summary(warehouse: WarehouseResource, day: dt.date, as_of: dt.date) -> str:
    """Growth funnel of the cohort triggered on ``day`` and the coupons used on lines paid
    on ``day``, both as known on ``as_of``. Money comes back as integer fen (BIGINT, not
    DuckDB's Decimal(38, 0) sums); every rate and the ROI are float quotients."""
    params = {"day": day, "as_of": as_of}
    triggered, claimed, used = warehouse.query(FUNNEL_SQL, params).row(0)
    uses, buyers, pay, discount, merchant, platform = warehouse.query(COUPON_SQL, params).row(0)
    roi = f"{pay / discount:.2f}" if discount else "n/a"
    return "\n".join([
        f"growth funnel, cohort {day} as known on {as_of}: triggered {triggered:,} → claimed "
        f"{claimed:,} ({_pct(claimed, triggered)}) → used {used:,} ({_pct(used, claimed)} of claimed)",
        f"coupons used on lines paid {day} (whole platform): {uses:,} uses by {buyers:,} buyers, "
        f"pay_amt {pay / 100:,.2f} yuan, discount {discount / 100:,.2f} yuan "
        f"(merchant {merchant / 100:,.2f}, platform {platform / 100:,.2f}), ROI {roi}",
    ])

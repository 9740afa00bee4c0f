"""Every source table of every domain: the one list the ODS assets are built from."""

from __future__ import annotations

from marketing_assets.domains.allowance.ods import SPECS as ALLOWANCE
from marketing_assets.domains.campaign.ods import SPECS as CAMPAIGN
from marketing_assets.domains.coupon.ods import SPECS as COUPON
from marketing_assets.domains.growth.ods import SPECS as GROWTH
from marketing_assets.domains.presale.ods import SPECS as PRESALE
from marketing_assets.domains.promotion.ods import SPECS as PROMOTION
from marketing_assets.domains.trade.ods import SPECS as TRADE
from marketing_assets.landing.spec import OdsSpec

ODS_SPECS: list[OdsSpec] = [
    *GROWTH, *COUPON, *ALLOWANCE, *PROMOTION, *CAMPAIGN, *PRESALE, *TRADE
]
SPECS_BY_TABLE: dict[str, OdsSpec] = {spec.table: spec for spec in ODS_SPECS}

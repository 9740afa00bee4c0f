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

#: each domain's sources (its ``ods.SPECS``)
SPECS_BY_DOMAIN: dict[str, list[OdsSpec]] = {
    "growth": GROWTH, "coupon": COUPON, "allowance": ALLOWANCE, "promotion": PROMOTION,
    "campaign": CAMPAIGN, "presale": PRESALE, "trade": TRADE,
}
ODS_SPECS: list[OdsSpec] = [spec for specs in SPECS_BY_DOMAIN.values() for spec in specs]
SPECS_BY_TABLE: dict[str, OdsSpec] = {spec.table: spec for spec in ODS_SPECS}

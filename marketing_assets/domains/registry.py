"""Every source table of every domain: the one list the ODS assets are built from."""

from __future__ import annotations

from marketing_assets.domains.coupon.ods import SPECS as COUPON
from marketing_assets.domains.growth.ods import SPECS as GROWTH
from marketing_assets.landing.spec import OdsSpec

ODS_SPECS: list[OdsSpec] = [*GROWTH, *COUPON]

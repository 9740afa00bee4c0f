"""Every table above ODS, by domain and in dependency order: the one list the derived
assets are built from (each domain's ``catalog.TABLES``)."""

from marketing_assets.derived import DerivedTable
from marketing_assets.domains.allowance.catalog import TABLES as ALLOWANCE
from marketing_assets.domains.app.catalog import TABLES as APP
from marketing_assets.domains.campaign.catalog import TABLES as CAMPAIGN
from marketing_assets.domains.coupon.catalog import TABLES as COUPON
from marketing_assets.domains.growth.catalog import TABLES as GROWTH
from marketing_assets.domains.presale.catalog import TABLES as PRESALE
from marketing_assets.domains.promotion.catalog import TABLES as PROMOTION
from marketing_assets.domains.user.catalog import TABLES as USER
from marketing_assets.incremental import Table, declaration

#: each domain's tables as they are built: a plain derived table, an incremental table
#: (from its previous day) or an interval fact (stored once, read "as known on dt")
TABLES_BY_DOMAIN: dict[str, list[Table]] = {
    "coupon": COUPON, "allowance": ALLOWANCE, "growth": GROWTH, "user": USER,
    "promotion": PROMOTION, "campaign": CAMPAIGN, "presale": PRESALE, "app": APP,
}
BUILT_TABLES: list[Table] = [t for tables in TABLES_BY_DOMAIN.values() for t in tables]
#: their declarations
DERIVED_TABLES: list[DerivedTable] = [declaration(t) for t in BUILT_TABLES]
TABLES_BY_KEY = {(t.database, t.table): t for t in DERIVED_TABLES}

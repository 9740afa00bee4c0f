"""Every table above ODS, in dependency order: the one list the derived assets are built from."""

from marketing_assets.derived import DerivedTable
from marketing_assets.domains.allowance.catalog import TABLES as ALLOWANCE
from marketing_assets.domains.app.tables import TABLES as APP
from marketing_assets.domains.campaign.tables import TABLES as CAMPAIGN
from marketing_assets.domains.coupon.tables import KINDS as COUPON_KINDS
from marketing_assets.domains.coupon.tables import TABLES as COUPON
from marketing_assets.domains.growth.catalog import TABLES as GROWTH_KINDS
from marketing_assets.domains.presale.tables import TABLES as PRESALE
from marketing_assets.domains.promotion.tables import TABLES as PROMOTION
from marketing_assets.domains.user.tables import TABLES as USER
from marketing_assets.incremental import Table, declaration

DERIVED_TABLES: list[DerivedTable] = [*COUPON, *ALLOWANCE, *map(declaration, GROWTH_KINDS), *USER, *PROMOTION, *CAMPAIGN, *PRESALE, *APP]
TABLES_BY_KEY = {(t.database, t.table): t for t in DERIVED_TABLES}
#: the tables above ODS, each as the kind it is built as: a plain derived table, an
#: incremental table (from its previous day) or an interval fact (stored once, read "as
#: known on dt"); DERIVED_TABLES holds their declarations
_KINDS = {t.key: t for t in [*COUPON_KINDS, *GROWTH_KINDS]}
BUILT_TABLES: list[Table] = [_KINDS.get(t.key, t) for t in DERIVED_TABLES]

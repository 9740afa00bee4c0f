"""Every table above ODS, in dependency order: the one list the derived assets are built from."""

from marketing_assets.derived import DerivedTable
from marketing_assets.domains.allowance.tables import TABLES as ALLOWANCE
from marketing_assets.domains.app.catalog import TABLES as APP
from marketing_assets.domains.campaign.catalog import TABLES as CAMPAIGN
from marketing_assets.domains.coupon.catalog import TABLES as COUPON_TABLES
from marketing_assets.domains.growth.tables import KINDS as GROWTH_KINDS
from marketing_assets.domains.growth.tables import TABLES as GROWTH
from marketing_assets.domains.presale.catalog import TABLES as PRESALE
from marketing_assets.domains.promotion.catalog import TABLES as PROMOTION
from marketing_assets.domains.user.catalog import TABLES as USER
from marketing_assets.incremental import Table, declaration

COUPON = [declaration(t) for t in COUPON_TABLES]
COUPON_KINDS = [t for t in COUPON_TABLES if not isinstance(t, DerivedTable)]

DERIVED_TABLES: list[DerivedTable] = [*COUPON, *ALLOWANCE, *GROWTH, *USER, *PROMOTION, *CAMPAIGN, *PRESALE, *APP]
TABLES_BY_KEY = {(t.database, t.table): t for t in DERIVED_TABLES}
#: the tables above ODS, each as the kind it is built as: a plain derived table, an
#: incremental table (from its previous day) or an interval fact (stored once, read "as
#: known on dt"); DERIVED_TABLES holds their declarations
_KINDS = {t.key: t for t in [*COUPON_KINDS, *GROWTH_KINDS]}
BUILT_TABLES: list[Table] = [_KINDS.get(t.key, t) for t in DERIVED_TABLES]

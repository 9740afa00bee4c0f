"""`defs`: the one entry point that workspace.yaml (and `dagster dev`) loads.

Each domain's definitions are assembled from its own package (its sources ``ods.SPECS``
and its tables ``catalog.TABLES``) with a partitioned job of its own (``<domain>_job``),
then merged with what spans the domains: the quarantine, the ODS quality checks, the
reports, the daily job, schedules, sensors, resources and the executor.
"""

from __future__ import annotations

from dagster import AssetSelection, Definitions, define_asset_job

from marketing_assets import incremental
from marketing_assets.automation.freshness import build_freshness_sensor, is_read_table, with_freshness
from marketing_assets.automation.jobs import daily_job
from marketing_assets.automation.schedules import daily_schedule
from marketing_assets.automation.sensors import landing_sensor, run_failure_alert
from marketing_assets.derived import check_filters
from marketing_assets.domains.registry import ODS_SPECS, SPECS_BY_DOMAIN
from marketing_assets.domains.tables import BUILT_TABLES, DERIVED_TABLES, TABLES_BY_DOMAIN
from marketing_assets.landing.assets import build_ods_assets, quarantine_asset
from marketing_assets.landing.quality import ods_quality_checks
from marketing_assets.landing.resource import LandingResource
from marketing_assets.landing.spec import OdsKind
from marketing_assets.reports.assets import report_assets
from marketing_assets.storage import WarehouseIOManager, WarehouseResource
from marketing_assets.storage.executor import EXECUTOR

#: every table's schema: what lineage and the input filters are checked against
SCHEMAS = {("redods", spec.events_table): spec.landed_schema() for spec in ODS_SPECS} | {
    ("redods", spec.table): spec.snapshot_schema() for spec in ODS_SPECS if spec.kind is OdsKind.SNAPSHOT
} | {(t.database, t.table): t.schema for t in DERIVED_TABLES}
COLUMNS = {key: list(schema.columns) for key, schema in SCHEMAS.items()}
check_filters(DERIVED_TABLES, SCHEMAS)
FACTS = [t for t in BUILT_TABLES if isinstance(t, incremental.IntervalFact)]


def domain_definitions(domain: str) -> Definitions:
    """The domain's source and table assets, their checks and ``<domain>_job``."""
    ods = [a for spec in SPECS_BY_DOMAIN.get(domain, []) for a in build_ods_assets(spec)]
    derived, checks = incremental.build(TABLES_BY_DOMAIN.get(domain, []), COLUMNS, FACTS)
    assets = with_freshness([*ods, *derived])
    job = define_asset_job(
        f"{domain}_job", selection=AssetSelection.assets(*assets),
        description=f"The {domain} domain's sources and tables with their checks, for a day or a range (one run)",
    )
    return Definitions(assets=assets, asset_checks=checks, jobs=[job])


DOMAIN_DEFS = {d: domain_definitions(d) for d in dict.fromkeys([*SPECS_BY_DOMAIN, *TABLES_BY_DOMAIN])}
ods_assets = [a for d in DOMAIN_DEFS.values() for a in d.assets if a.key.path[0] == "redods"]
derived_assets = [a for d in DOMAIN_DEFS.values() for a in d.assets if a.key.path[0] != "redods"]
quarantine = quarantine_asset(ODS_SPECS)
#: the DM, APP and report assets carry the freshness policy "yesterday's partition by 09:00"
reports = with_freshness(report_assets)
shared_assets = [quarantine, *reports]
all_assets = [*ods_assets, quarantine, *derived_assets, *reports]
freshness_alert = build_freshness_sensor(k for a in all_assets for k in a.keys if is_read_table(k))
shared_checks = [ods_quality_checks(ODS_SPECS)]
all_checks = [*(c for d in DOMAIN_DEFS.values() for c in d.asset_checks), *shared_checks]


def build_resources() -> dict:
    """Resources that resolve their paths from the environment when a step runs."""
    return {
        "io_manager": WarehouseIOManager(),
        "warehouse": WarehouseResource(),
        "landing": LandingResource(),
    }


defs = Definitions.merge(
    *DOMAIN_DEFS.values(),
    Definitions(
        assets=shared_assets,
        asset_checks=shared_checks,
        jobs=[daily_job],
        schedules=[daily_schedule],
        sensors=[landing_sensor, run_failure_alert, freshness_alert],
        resources=build_resources(),
        executor=EXECUTOR,
    ),
)

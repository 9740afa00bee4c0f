"""The landing sensor (new days, and restatement of re-landed past days) and the
run-failure alert."""

import datetime as dt
import json
import os
import urllib.request

from dagster import (
    AssetKey,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from marketing_assets import config
from marketing_assets.automation.jobs import daily_job
from marketing_assets.automation.landing_state import complete_days, fingerprint
from marketing_assets.domains.registry import ODS_SPECS
from marketing_assets.landing.resource import LandingResource

TABLES = [s.table for s in ODS_SPECS]
#: the asset whose materialised partitions say a day has been loaded (it runs after every
#: landed ODS asset of the day)
LOADED_MARKER = AssetKey(["redods", "quarantine"])
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def _request(first: dt.date, last: dt.date, run_key: str, reason: str) -> RunRequest:
    return RunRequest(
        run_key=run_key,
        tags={RANGE_START: first.isoformat(), RANGE_END: last.isoformat(), "marketing/trigger": reason},
    )


def plan_runs(
    days: list[dt.date], fingerprints: dict[str, str], cursor: dict[str, str], loaded: set[str]
) -> tuple[list[RunRequest], dict[str, str]]:
    """The runs for the complete ``days`` given what the cursor has seen.

    - a day never seen and never loaded: a new day; consecutive new days are one range run;
    - a day never seen but already loaded (the sensor was just turned on, or the day was
      run by hand): adopted into the cursor without a run;
    - a seen day whose fingerprint changed (a corrected file re-landed): restated — that
      day and every later day, as one run, because every window that contains the day
      (1/7/30-day, 500/600-day, snapshots) ends on one of them.
    The run key holds the days and the fingerprint, so the same landing never runs twice.
    """
    seen = dict(cursor)
    new, changed = [], []
    for day in days:
        key, fp = day.isoformat(), fingerprints[day.isoformat()]
        if key not in seen:
            if key in loaded:
                seen[key] = fp
            else:
                new.append(day)
        elif seen[key] != fp:
            changed.append(day)
        seen[key] = fp
    requests = []
    latest = max(days) if days else None
    if changed:
        first = min(changed)
        prints = "-".join(fingerprints[d.isoformat()] for d in sorted(changed))
        requests.append(_request(first, latest, f"restate:{first}:{latest}:{prints}", "restatement"))
    elif new:
        first, last = min(new), max(new)
        prints = "-".join(fingerprints[d.isoformat()] for d in new)
        requests.append(_request(first, last, f"landed:{first}:{last}:{prints}", "landing"))
    return requests, seen


@sensor(
    job=daily_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description=(
        "Starts the run of a day when its landing is complete (every source present, or "
        "the marker <landing>/_complete/dt=YYYY-MM-DD); when a past day's files change "
        "(a corrected file re-landed) it restates that day and every later day in one run."
    ),
)
def landing_sensor(context: SensorEvaluationContext, landing: LandingResource):
    root = landing.path()
    days = complete_days(root, TABLES)
    if not days:
        return SkipReason(f"no complete landing day under {root}")
    cursor = json.loads(context.cursor) if context.cursor else {}
    prints = {d.isoformat(): fingerprint(root, TABLES, d) for d in days}
    loaded = set()
    if context.instance is not None:
        loaded = set(context.instance.get_materialized_partitions(LOADED_MARKER))
    requests, seen = plan_runs(days, prints, cursor, loaded)
    return SensorResult(run_requests=requests, cursor=json.dumps(seen, sort_keys=True))


def alert_line(context: RunFailureSensorContext) -> dict:
    run = context.dagster_run
    tags = run.tags
    return {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "job": run.job_name,
        "run_id": run.run_id,
        "partition": tags.get("dagster/partition")
        or f"{tags.get(RANGE_START, '?')}..{tags.get(RANGE_END, '?')}",
        "error": context.failure_event.message,
    }


@run_failure_sensor(
    name="run_failure_alert",
    default_status=DefaultSensorStatus.RUNNING,
    description="Every failed run: a line in data/alerts.log and, if MARKETING_ALERT_WEBHOOK is set, a JSON POST to it.",
)
def run_failure_alert(context: RunFailureSensorContext):
    alert = alert_line(context)
    path = config.alerts_log()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        log.write(json.dumps(alert, ensure_ascii=False) + "\n")
    url = os.environ.get(config.ALERT_WEBHOOK_ENV)
    if url:
        request = urllib.request.Request(
            url, data=json.dumps(alert).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (operator's URL)
            context.log.info(f"alert posted to the webhook: HTTP {response.status}")

"""The landing sensor (new days, and restatement of re-landed past days) and the
run-failure alert."""

import datetime as dt
import hashlib
import json

from dagster import (
    AssetKey,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    run_failure_sensor,
    sensor,
)

from marketing_assets.automation.alerts import now_utc, send_alert
from marketing_assets.automation.jobs import daily_job
from marketing_assets.automation.landing_state import fingerprint, scan
from marketing_assets.domains.registry import ODS_SPECS
from marketing_assets.landing.resource import LandingResource
from marketing_assets.partitions import DAILY

TABLES = [s.table for s in ODS_SPECS]
#: the asset whose materialised partitions say a day has been loaded (it runs after every
#: landed ODS asset of the day)
LOADED_MARKER = AssetKey(["redods", "quarantine"])
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"
#: the cursor's value for a day that must run again: a day before it changed after it ran
STALE = "stale"


def _request(first: dt.date, last: dt.date, run_key: str, reason: str) -> RunRequest:
    return RunRequest(
        run_key=run_key,
        tags={RANGE_START: first.isoformat(), RANGE_END: last.isoformat(), "marketing/trigger": reason},
    )


def _consecutive_from(days: list[dt.date], first: dt.date) -> list[dt.date]:
    """``first`` and the days of ``days`` that follow it without a gap."""
    run = [first]
    for day in sorted(days):
        if day > run[-1] + dt.timedelta(days=1):
            break
        if day == run[-1] + dt.timedelta(days=1):
            run.append(day)
    return run


def plan_runs(
    days: list[dt.date], fingerprints: dict[str, str], cursor: dict[str, str], loaded: set[str]
) -> tuple[list[RunRequest], dict[str, str]]:
    """The run for the complete ``days`` (all of them partitions) given what the cursor has
    seen: at most one per evaluation.

    A day needs a run when it is new (never seen, never loaded) or changed (its fingerprint
    differs from the cursor's, or the cursor marks it stale). The run starts at the earliest
    such day and covers every later complete day up to the first gap, because every window
    that contains a day (1/7/30-day, 500/600-day, snapshots) ends on one of them. Days after
    a gap are marked stale: the next evaluation runs them, so every complete day is in a run
    after its last change (and after the last change of any day before it). A day never
    seen but already loaded (the sensor was just turned on, or the day was run by hand) is
    adopted without a run, unless a run must restate it. The run key holds the range and
    the fingerprints of every day up to its end, so the same landing never runs twice.
    """
    days = sorted(days)
    keys = {d: d.isoformat() for d in days}

    def needs_run(day: dt.date) -> bool:
        key = keys[day]
        return cursor[key] != fingerprints[key] if key in cursor else key not in loaded

    pending = [d for d in days if needs_run(d)]
    seen = dict(cursor)
    if not pending:
        for day in days:
            seen.setdefault(keys[day], fingerprints[keys[day]])  # adopted
        return [], seen
    first = pending[0]
    run = _consecutive_from([d for d in days if d > first], first)
    new = all(keys[d] not in cursor and keys[d] not in loaded for d in run)
    reason = "landing" if new else "restatement"
    for day in days:
        key = keys[day]
        if day < first:
            seen.setdefault(key, fingerprints[key])  # adopted
        elif day <= run[-1]:
            seen[key] = fingerprints[key]
        else:
            seen[key] = STALE
    inputs = "\n".join(f"{keys[d]}:{fingerprints[keys[d]]}" for d in days if d <= run[-1])
    digest = hashlib.sha256(inputs.encode()).hexdigest()[:16]
    prefix = "landed" if reason == "landing" else "restate"
    return [_request(first, run[-1], f"{prefix}:{first}:{run[-1]}:{digest}", reason)], seen


def read_cursor(cursor: str | None) -> tuple[dict[str, str], list[str]]:
    """(day → fingerprint or STALE, the invalid folders already reported). A cursor of the
    earlier format (a bare day → fingerprint mapping) is read as the days."""
    state = json.loads(cursor) if cursor else {}
    if "days" not in state:
        return state, []
    return state["days"], state.get("invalid", [])


def report_invalid_folders(context, folders: list[str], root) -> None:
    """A log warning and one alert for folders that look like days but are not (``dt=2025-13-40``)."""
    message = (f"{len(folders)} landing folder(s) under {root} are not named dt=YYYY-MM-DD with a "
               f"valid day and are skipped (rename or remove them): {', '.join(folders)}")
    context.log.warning(message)
    send_alert({"time": now_utc(), "kind": "landing_folder", "sensor": "landing_sensor",
                "folders": folders, "error": message}, context.log)


@sensor(
    job=daily_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description=(
        "Starts the run of a day when its landing is complete (every source present, or "
        "the marker <landing>/_complete/dt=YYYY-MM-DD) and the day is a partition (it has "
        "ended in Asia/Shanghai); when a past day's files change (a corrected file "
        "re-landed) or a past day completes late, it restates that day and every later "
        "day in one run. Files the loader ignores do not count; a folder that is not a "
        "valid day is reported (log and alert) and skipped."
    ),
)
def landing_sensor(context: SensorEvaluationContext, landing: LandingResource):
    root = landing.path()
    found = scan(root, TABLES)
    days_seen, reported = read_cursor(context.cursor)
    new_invalid = sorted(set(found.invalid) - set(reported))
    if new_invalid:
        report_invalid_folders(context, new_invalid, root)
    complete = found.complete(TABLES)
    partitions = [d for d in complete if DAILY.has_partition_key(d.isoformat())]
    outside = sorted(set(complete) - set(partitions))
    waiting = [d for d in outside if d >= DAILY.start.date()]
    if outside:
        bounds = f"partitions {DAILY.start.date()}..{DAILY.get_last_partition_key()}"
        context.log.info(
            f"complete landing days that are not partitions ({bounds}): "
            f"{', '.join(map(str, waiting)) or 'none'} wait until they are; "
            f"{', '.join(str(d) for d in outside if d not in waiting) or 'none'} are before the start")
    prints = {d.isoformat(): fingerprint(root, TABLES, d) for d in partitions}
    loaded = set()
    if partitions and context.instance is not None:
        loaded = set(context.instance.get_materialized_partitions(LOADED_MARKER))
    requests, seen = plan_runs(partitions, prints, days_seen, loaded)
    cursor = json.dumps({"days": seen, "invalid": found.invalid}, sort_keys=True)
    if requests:
        return SensorResult(run_requests=requests, cursor=cursor)
    if not complete:
        reason = f"no complete landing day under {root}"
    elif not partitions:
        reason = f"the complete landing days {', '.join(map(str, outside))} are not partitions"
    else:
        reason = "every complete day has run since its last change"
    return SensorResult(skip_reason=reason, cursor=cursor)


def alert_line(context: RunFailureSensorContext) -> dict:
    run = context.dagster_run
    tags = run.tags
    return {
        "time": now_utc(),
        "kind": "run_failure",
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
    send_alert(alert_line(context), context.log)

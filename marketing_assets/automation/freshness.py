"""Freshness of the tables people read: yesterday's partition by 09:00 Asia/Shanghai.

Two parts, because the open-source freshness daemon judges an asset by the time of its
latest materialisation of any partition:
- ``FRESHNESS_POLICY``, a ``FreshnessPolicy.cron`` put on every DM (``redcdm.dm_*``,
  ``reddm.*``), APP (``redapp.*``) and report asset: the UI shows each one's state (the
  daemon of `dagster dev` evaluates it). A materialisation between 00:00 (the day before
  has ended) and 09:00 keeps it fresh until the next 09:00.
- ``build_freshness_sensor``: the partition-aware judgement and the alert. After 09:00 of
  day T a table is late while its partition T-1 has no materialisation (a restatement of
  older days at 01:00 does not make it fresh); the sensor alerts (alerts log and webhook)
  once when a table turns late, and logs when it is fresh again.
A freshness policy is not an asset check: "every check green" is unaffected.
"""

import datetime as dt
import json
import zoneinfo
from collections.abc import Callable, Iterable

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DefaultSensorStatus,
    FreshnessPolicy,
    SensorEvaluationContext,
    SkipReason,
    apply_freshness_policy,
    map_asset_specs,
    sensor,
)

from marketing_assets.automation.alerts import now_utc, send_alert
from marketing_assets.partitions import DAILY, TIMEZONE

DEADLINE = dt.time(9, 0)
FRESHNESS_POLICY = FreshnessPolicy.cron(
    deadline_cron=f"{DEADLINE.minute} {DEADLINE.hour} * * *",
    lower_bound_delta=dt.timedelta(hours=DEADLINE.hour, minutes=DEADLINE.minute),
    timezone=TIMEZONE,
)


def is_read_table(key: AssetKey) -> bool:
    """The DM, APP and report assets: the tables and boards people read."""
    schema, name = key.path[0], key.path[-1]
    return schema in {"reddm", "redapp", "reports"} or (schema == "redcdm" and name.startswith("dm_"))


def with_freshness(assets: list) -> list:
    """The assets, the read tables among them carrying ``FRESHNESS_POLICY``."""
    return list(map_asset_specs(
        lambda spec: apply_freshness_policy(spec, FRESHNESS_POLICY) if is_read_table(spec.key) else spec,
        assets,
    ))


def due_partition(now: dt.datetime) -> dt.date:
    """The partition that must be there at ``now``: the day before the last 09:00 passed
    (Asia/Shanghai)."""
    local = now.astimezone(zoneinfo.ZoneInfo(TIMEZONE))
    return local.date() - dt.timedelta(days=1 if local.time() >= DEADLINE else 2)


def _materialised(instance, key: AssetKey, day: dt.date) -> bool:
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=key, asset_partitions=[day.isoformat()]), limit=1
    ).records
    return bool(records)


def build_freshness_sensor(
    keys: Iterable[AssetKey], clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
):
    keys = sorted(keys, key=lambda k: k.to_user_string())

    @sensor(
        name="freshness_alert",
        minimum_interval_seconds=300,
        default_status=DefaultSensorStatus.RUNNING,
        description=(
            "Alerts (a line in the alerts log and, if MARKETING_ALERT_WEBHOOK is set, a JSON "
            "POST) when a DM, APP or report table turns late: after 09:00 Asia/Shanghai, "
            "yesterday's partition is not materialised. Once per table turning late."
        ),
    )
    def freshness_alert(context: SensorEvaluationContext):
        day = due_partition(clock())
        if not DAILY.has_partition_key(day.isoformat()):
            return SkipReason(f"{day} is not a partition: nothing is due")
        late = sorted(k.to_user_string() for k in keys if not _materialised(context.instance, k, day))
        before = set(json.loads(context.cursor)["late"]) if context.cursor else set()
        turned = [k for k in late if k not in before]
        recovered = sorted(before - set(late))
        if turned:
            message = (f"{len(turned)} table(s) late: partition {day} not materialised by "
                       f"{DEADLINE:%H:%M} {TIMEZONE}: {', '.join(turned)}")
            context.log.warning(message)
            send_alert({"time": now_utc(), "kind": "freshness", "partition": day.isoformat(),
                        "late": turned, "error": message}, context.log)
        if recovered:
            context.log.info(f"fresh again: {', '.join(recovered)}")
        context.update_cursor(json.dumps({"partition": day.isoformat(), "late": late}))
        return SkipReason(f"partition {day}: {len(late)} of {len(keys)} tables late")

    return freshness_alert

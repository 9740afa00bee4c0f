"""The data-quality checks of every landed source (ODS), declared beside the ODS assets.

- Per landed source (one step for all of them): ``quarantine_share`` (ERROR
  severity, not blocking: the bad records are already held out of the table, and the ODS
  checks share one step, so blocking would stop every source's downstream for one
  source's fault), ``row_volume`` against the trailing 7-day median, ``late_share`` and
  ``schema_drift`` (warnings: a person should look).
- A derived table declares its own checks beside itself: ``grain_unique`` (blocking) and
  its ``TableCheck``s (``marketing_assets.table``).
Every check reads only the partitions it judges (and, for volume, the week before), and
records one result per day it judged (``derived.check_results``): Passed or Failed, the
day in its metadata, ``judged`` false where it cannot judge yet (too little history, a
source's first landing, a table not built). The ODS step queries only the sources whose
checks are selected, and never a table that does not exist.
"""

import datetime as dt
import os

import polars as pl
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    AssetRecordsFilter,
    MetadataValue,
    multi_asset_check,
)

from marketing_assets.derived import Verdict, check_results
from marketing_assets.landing.spec import OdsSpec
from marketing_assets.partitions import DAILY, partition_days
from marketing_assets.storage import WarehouseResource

QUARANTINE_SHARE_ENV = "MARKETING_QUARANTINE_MAX_SHARE"
#: of the trailing 7-day median: a loss of half the rows is an alert; campaign days reach
#: 2–3× an ordinary day (measured: discount details 2.1–2.6× on the demo's late-November
#: promotion days), and duplicated records are the quarantine's and grain checks' to catch
VOLUME_LOW, VOLUME_HIGH = 0.5, 3.0
LATE_MAX_SHARE = 0.05
MIN_HISTORY_DAYS = 3  # days of history the volume check needs before it judges
MIN_MEDIAN_ROWS = 100  # below this a day's volume is noise (a few config changes): not judged


def quarantine_max_share() -> float:
    return float(os.environ.get(QUARANTINE_SHARE_ENV) or 0.01)


#: name → (blocking, severity, description)
ODS_CHECKS = {
    "quarantine_share": (False, AssetCheckSeverity.ERROR, "share of the day's landed records sent to quarantine ≤ MARKETING_QUARANTINE_MAX_SHARE (default 1 %); ERROR severity"),
    "row_volume": (False, AssetCheckSeverity.WARN, f"rows of the day within {VOLUME_LOW:.0%}–{VOLUME_HIGH:.0%} of the trailing 7-day median (judged from {MIN_HISTORY_DAYS} days of history and {MIN_MEDIAN_ROWS} rows a day)"),
    "late_share": (False, AssetCheckSeverity.WARN, f"share of late records (event time before the landing day) ≤ {LATE_MAX_SHARE:.0%} (a source's first landing is not judged)"),
    "schema_drift": (False, AssetCheckSeverity.WARN, "no unknown fields in the landed records"),
}


def _ods_key(spec) -> AssetKey:
    return AssetKey(["redods", spec.events_table])


def _count(daily: pl.DataFrame, day: dt.date, column: str = "n") -> int:
    return int(daily.filter(pl.col("dt") == day)[column].sum())


def quarantine_verdicts(days: list[dt.date], daily: pl.DataFrame, quarantined: pl.DataFrame) -> dict[dt.date, Verdict]:
    """Share of each day's landed records (stored + quarantined) held in quarantine."""
    limit = quarantine_max_share()
    out = {}
    for day in days:
        rows, bad = _count(daily, day), _count(quarantined, day)
        share = bad / (rows + bad) if rows + bad else 0.0
        out[day] = Verdict(share <= limit, {"quarantined": bad, "landed": rows + bad,
                                            "share": round(share, 6), "threshold": limit})
    return out


def volume_verdicts(
    days: list[dt.date], daily: pl.DataFrame, campaign_driven: bool = False,
    initial: dt.date | None = None,
) -> dict[dt.date, Verdict]:
    """Rows of each day against the median of the landed days among the 7 before it; not
    judged with fewer than MIN_HISTORY_DAYS such days, a median under MIN_MEDIAN_ROWS, or
    for a source whose volume follows the campaign calendar (``OdsSpec.campaign_driven``).
    A source's first landing (``initial``) that is mostly late records (a share over
    LATE_MAX_SHARE: the standing state of a dump or an incremental copy, not a day's
    changes) is left out of every history, as ``late_share`` does not judge it; a first
    day of ordinary events stays in."""
    standing = initial is not None and daily.filter(
        (pl.col("dt") == initial) & (pl.col("late") > LATE_MAX_SHARE * pl.col("n"))
    ).height > 0
    out = {}
    for day in days:
        rows = _count(daily, day)
        history = daily.filter(pl.col("dt").is_between(day - dt.timedelta(days=7), day - dt.timedelta(days=1)))
        if standing:
            history = history.filter(pl.col("dt") != initial)
        if history.height < MIN_HISTORY_DAYS:
            out[day] = Verdict(True, {"rows": rows, "history_days": history.height,
                                      "note": f"fewer than {MIN_HISTORY_DAYS} days of history"}, judged=False)
            continue
        median = float(history["n"].median())
        ratio = rows / median
        meta = {"rows": rows, "trailing_7d_median": median, "ratio": round(ratio, 4)}
        if median < MIN_MEDIAN_ROWS:
            out[day] = Verdict(True, {**meta, "note": f"median under {MIN_MEDIAN_ROWS} rows"}, judged=False)
        elif campaign_driven:
            out[day] = Verdict(True, {**meta, "note": "volume follows the campaign calendar"}, judged=False)
        else:
            out[day] = Verdict(VOLUME_LOW <= ratio <= VOLUME_HIGH, meta)
    return out


def late_verdicts(days: list[dt.date], daily: pl.DataFrame, initial: dt.date | None) -> dict[dt.date, Verdict]:
    """Share of late records of each day. A source's first landing carries its standing
    state (everything "late"): an initial load, not late data, so that day is not judged."""
    out = {}
    for day in days:
        late, rows = _count(daily, day, "late"), _count(daily, day)
        share = late / rows if rows else 0.0
        out[day] = Verdict(share <= LATE_MAX_SHARE or day == initial,
                           {"late_rows": late, "rows": rows, "share": round(share, 6),
                            "initial_load_day": str(initial)}, judged=day != initial)
    return out


def drift_verdicts(context: AssetCheckExecutionContext, key: AssetKey, days: list[dt.date]) -> dict[dt.date, Verdict]:
    """Unknown fields counted by the ODS asset's materialisation of each day."""
    partitions = [d.isoformat() for d in days]
    records = context.instance.fetch_materializations(
        AssetRecordsFilter(asset_key=key, asset_partitions=partitions), limit=len(days) * 4
    ).records
    latest = {}
    for record in records:  # newest first
        latest.setdefault(record.partition_key, record.asset_materialization.metadata.get("schema_drift"))
    out = {}
    for day in days:
        if day.isoformat() not in latest:
            out[day] = Verdict(True, {"note": "no materialisation of this day"}, judged=False)
            continue
        value = latest[day.isoformat()]
        drift = dict(value.value) if value is not None else {}
        out[day] = Verdict(not drift, {"unknown_fields": MetadataValue.json(drift)})
    return out


def ods_quality_checks(landed: list[OdsSpec]):
    """One multi-check step for the four checks of every landed source (it judges only the
    selected ones)."""
    specs = [
        AssetCheckSpec(name, asset=_ods_key(spec), blocking=blocking, description=text, partitions_def=DAILY)
        for spec in landed
        for name, (blocking, _, text) in ODS_CHECKS.items()
    ]

    @multi_asset_check(specs=specs, name="ods_quality", can_subset=True,
                       description="Quarantine share, row volume, late share and schema drift of every landed source, per day")
    def _ods_quality(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
        days = partition_days(context)
        first, last = days[0], days[-1]
        wanted = {(k.asset_key, k.name) for k in context.selected_asset_check_keys}
        selected = [spec for spec in landed if any((_ods_key(spec), name) in wanted for name in ODS_CHECKS)]
        quarantined = warehouse.query(
            "SELECT source_table, dt, count(*) AS n FROM redods.quarantine "
            "WHERE dt BETWEEN ? AND ? AND source_table IN (SELECT UNNEST(?::VARCHAR[])) GROUP BY ALL",
            [first, last, [spec.table for spec in selected]],
        ) if selected and warehouse.table_exists("redods", "quarantine") else pl.DataFrame(
            schema={"source_table": pl.String, "dt": pl.Date, "n": pl.Int64})
        for spec in selected:
            key = _ods_key(spec)
            if not warehouse.table_exists("redods", spec.events_table):
                missing = {d: Verdict(True, {"note": f"redods.{spec.events_table} does not exist"}, judged=False)
                           for d in days}
                verdicts = dict.fromkeys(ODS_CHECKS, missing)
            else:
                table = f"redods.{spec.events_table}"
                daily = warehouse.query(
                    f"SELECT dt, count(*) AS n, count(*) FILTER (WHERE is_late) AS late FROM {table} "
                    "WHERE dt BETWEEN ? AND ? GROUP BY dt ORDER BY dt",
                    [first - dt.timedelta(days=7), last],
                )
                initial = warehouse.query(f"SELECT min(dt) AS d FROM {table}")["d"][0]
                checks = {
                    "quarantine_share": lambda: quarantine_verdicts(
                        days, daily, quarantined.filter(pl.col("source_table") == spec.table)),
                    "row_volume": lambda: volume_verdicts(days, daily, spec.campaign_driven, initial),
                    "late_share": lambda: late_verdicts(days, daily, initial),
                    "schema_drift": lambda: drift_verdicts(context, key, days),
                }
                verdicts = {name: judge() for name, judge in checks.items() if (key, name) in wanted}
            for name, by_day in verdicts.items():
                if (key, name) in wanted:
                    yield from check_results(context, key, name, by_day, ODS_CHECKS[name][1])

    return _ods_quality

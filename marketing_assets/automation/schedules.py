"""The daily schedule: 02:00 Asia/Shanghai, the previous day's partition."""

from dagster import build_schedule_from_partitioned_job

from marketing_assets.automation.jobs import daily_job

daily_schedule = build_schedule_from_partitioned_job(
    daily_job,
    name="daily_job_0200_shanghai",
    description=(
        "Runs the whole graph for yesterday (Asia/Shanghai) at 02:00. The landing sensor "
        "usually starts the day earlier, as soon as its files are complete; the run key "
        "of a schedule run differs, so a day already run by the sensor runs again only here."
    ),
    hour_of_day=2,
    minute_of_hour=0,
)

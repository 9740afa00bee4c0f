"""The main job: every asset of the graph, for one day or a range of days in one run."""

from dagster import define_asset_job

#: every asset and check; a range of days is one run (every asset has a single-run policy)
daily_job = define_asset_job("daily_job", selection="*")

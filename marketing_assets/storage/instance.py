"""Forgetting partitions in the Dagster instance once their rows are gone from the warehouse.

``DagsterInstance.wipe_asset_partitions`` exists in dagster 1.13.27, but the event log
storages of open-source Dagster (SQLite, Postgres, the in-memory one of tests) raise
``NotImplementedError: Partitioned asset wipe is not supported yet``. For those SQL storages
the partitions' asset events (materialisations, planned and failed materialisations) are
deleted from the event log's index and the asset's cached partition status is dropped, so
the status (and the UI's partition bar) is rebuilt without them. The runs' own logs keep
their events (a run's history is not rewritten).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as db
from dagster import AssetKey, DagsterInstance
from dagster._core.events import DagsterEventType
from dagster._core.storage.event_log.schema import AssetEventTagsTable, SqlEventLogStorageTable
from dagster._core.storage.event_log.sql_event_log import SqlEventLogStorage

#: the events that make a partition look materialised, in progress or failed
PARTITION_STATUS_EVENTS = (
    DagsterEventType.ASSET_MATERIALIZATION.value,
    DagsterEventType.ASSET_MATERIALIZATION_PLANNED.value,
    DagsterEventType.ASSET_FAILED_TO_MATERIALIZE.value,
)


def wipe_partitions(
    instance: DagsterInstance, asset_key: AssetKey, partition_keys: Sequence[str]
) -> None:
    """Make ``partition_keys`` of ``asset_key`` unmaterialised in ``instance``."""
    if not partition_keys:
        return
    try:
        instance.wipe_asset_partitions(asset_key, list(partition_keys))
        return
    except NotImplementedError:
        storage = instance.event_log_storage
        if not isinstance(storage, SqlEventLogStorage):
            raise
    events = SqlEventLogStorageTable
    with storage.index_connection() as conn:
        condition = db.and_(
            events.c.asset_key == asset_key.to_string(),
            events.c.partition.in_(list(partition_keys)),
            events.c.dagster_event_type.in_(PARTITION_STATUS_EVENTS),
        )
        ids = [row[0] for row in conn.execute(db.select(events.c.id).where(condition))]
        if ids:
            conn.execute(AssetEventTagsTable.delete().where(AssetEventTagsTable.c.event_id.in_(ids)))
            conn.execute(events.delete().where(events.c.id.in_(ids)))
    instance.wipe_asset_cached_status([asset_key])

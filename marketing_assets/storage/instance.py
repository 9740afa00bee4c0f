"""The Dagster instance's event log on SQLite, cheaper per event; forgetting partitions in
the instance once their rows are gone from the warehouse.

``FastSqliteEventLogStorage`` is Dagster's own ``SqliteEventLogStorage`` (a database per run
plus the index database, in WAL mode) with two costs cut. The stock storage creates an
SQLAlchemy engine for every connection (and for every ``has_table``, asked before each asset
check event is stored) and commits every event with ``synchronous=FULL``:
an fsync of the write-ahead log per event, and an asset event is written twice (its run's
database and the index). Measured here, 300 materialisation events: see
``marketing_assets.bench``. This storage keeps one engine per database and sets
``synchronous=NORMAL`` on each connection: in WAL mode a commit is then durable when the
process dies (a killed run keeps every event it stored) and only an operating-system crash
or power loss can lose the last commits, never corrupt the database (SQLite's documented
guarantee). The schema, the files and every query are Dagster's own, so the webserver, the
daemon and ``dagster`` commands read it as they read the stock storage.

``DagsterInstance.wipe_asset_partitions`` exists in dagster 1.13.27, but the event log
storages of open-source Dagster (SQLite, Postgres, the in-memory one of tests) raise
``NotImplementedError: Partitioned asset wipe is not supported yet``. For those SQL storages
the partitions' asset events (materialisations, planned and failed materialisations) are
deleted from the event log's index and the asset's cached partition status is dropped, so
the status (and the UI's partition bar) is rebuilt without them. The runs' own logs keep
their events (a run's history is not rewritten).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as db
from dagster import AssetKey, DagsterInstance
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.events import DagsterEventType
from dagster._core.storage.event_log.schema import AssetEventTagsTable, SqlEventLogStorageTable
from dagster._core.storage.event_log.sql_event_log import SqlEventLogStorage



def _synchronous_normal(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


#: databases (runs' and the index) whose connection stays open in one process
OPEN_SHARDS = 8


class FastSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with one engine per database file and ``synchronous=NORMAL``
    (see the module docstring). Configure it in ``dagster.yaml``::

        event_log_storage:
          module: marketing_assets.storage.instance
          class: FastSqliteEventLogStorage
          config:
            base_dir: <DAGSTER_HOME>/history/runs
    """

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: dict[str, db.engine.Engine] = {}
        self._engines_guard = threading.Lock()
        self._tables_found: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> FastSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)  # the parent builds its own class

    def _engine(self, shard: str) -> db.engine.Engine:
        """The shard's engine, holding its one connection open (least recently used shards'
        engines are disposed beyond ``OPEN_SHARDS``)."""
        with self._engines_guard:
            engine = self._engines.pop(shard, None)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=db.pool.StaticPool,
                    # one connection, used by one thread at a time (under ``_db_lock``)
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                )
                db.event.listen(engine, "connect", _synchronous_normal)
            self._engines[shard] = engine  # most recently used last
            while len(self._engines) > OPEN_SHARDS:
                oldest = next(iter(self._engines))
                self._engines.pop(oldest).dispose()
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[db.engine.Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        """Whether the index database has the table, asked of the database once per process
        and table once found (the parent builds an engine and a connection for every call:
        it is asked before every asset check event is stored, 2.5 ms each here). The parent
        asks on a connection of its own, not under ``_db_lock``: it is called while an event
        is being stored, with the lock held."""
        if table_name in self._tables_found:
            return True
        found = super().has_table(table_name)
        if found:
            self._tables_found.add(table_name)
        return found


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

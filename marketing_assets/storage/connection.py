"""Opening the warehouse: resolve the file at run time, lock, connect, always close.

A connection costs an open of the file and, when the last one closes, a checkpoint (25–37 ms
each measured, 404 of them in one demo day's run). A run executed in one process therefore
opens a ``warehouse_session``: one connection held, under the warehouse lock, for the whole
run, and every ``warehouse_connection`` of that process to that file inside it is a cursor
of it (a cursor is a connection of its own to the same open database: its own transaction,
closed when the block ends, and nothing to open or checkpoint). Outside a session, or in the
step processes of the multiprocess executor, every connection opens and closes the file as
before.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import duckdb

from marketing_assets.config import duckdb_memory_limit, duckdb_path
from marketing_assets.storage.lock import warehouse_lock

_sessions: dict[str, duckdb.DuckDBPyConnection] = {}  # resolved database → its session's connection
_sessions_guard = threading.Lock()


def resolve_database(database: str) -> str:
    """The configured path, or (when empty) ``config.duckdb_path()`` read now, at run time."""
    return database or str(duckdb_path())


def _connect(database: str, read_only: bool, config: Mapping[str, Any] | None) -> duckdb.DuckDBPyConnection:
    # `duckdb.connect` looked up at call time, so tests can wrap it.
    settings = {"memory_limit": duckdb_memory_limit(), **(config or {})}
    return duckdb.connect(database=database, read_only=read_only, config=settings)


@contextmanager
def warehouse_session(database: str = "") -> Iterator[None]:
    """Keep one connection to ``database`` (empty: the configured one) open for the block,
    holding the warehouse lock all along: other processes wait for the block to end, as they
    would for one long connection. The connection opens at the first ``warehouse_connection``
    inside the block (so a bad setting fails that step, inside the run, not the run's set-up);
    every one of them, in any thread of this process, is a cursor of it. Re-entrant: an
    inner session on the same file is the outer one."""
    database = resolve_database(database)
    if database == ":memory:" or database in _sessions:
        yield
        return
    with warehouse_lock(database, timeout_s=None):
        with _sessions_guard:
            _sessions[database] = None  # opened on first use
        try:
            yield
        finally:
            with _sessions_guard:
                conn = _sessions.pop(database, None)
            if conn is not None:
                conn.close()


def in_session(database: str = "") -> bool:
    """Whether this process holds a ``warehouse_session`` on ``database``."""
    return resolve_database(database) in _sessions


@contextmanager
def warehouse_connection(
    database: str, *, read_only: bool = False, config: Mapping[str, Any] | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to ``database`` held under ``warehouse_lock`` and closed in ``finally``:
    a cursor of the session's connection inside a ``warehouse_session`` (``read_only`` and
    ``config`` are then those of the session: read-write, the configured memory limit).

    Within one process DuckDB refuses a second connection to an open file with a different
    configuration (``read_only`` included), so nest connections with the same settings.
    """
    if database in _sessions:
        with _sessions_guard:
            session = _sessions[database]
            if session is None:
                session = _sessions[database] = _connect(database, read_only=False, config=None)
        cursor = session.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
        return
    with warehouse_lock(database):
        conn = _connect(database, read_only, config)
        try:
            yield conn
        finally:
            conn.close()


def table_exists(
    conn: duckdb.DuckDBPyConnection, schema: str, table: str, *, views: bool = True
) -> bool:
    """Whether ``schema.table`` exists on ``conn`` (any kind; ``views=False``: a stored table
    only, not a view). The one way the package asks; the resource's ``table_exists`` is this
    on a connection of its own."""
    stored = " AND table_type = 'BASE TABLE'" if not views else ""
    found = conn.execute(
        "SELECT count(*) FROM information_schema.tables"
        f" WHERE table_schema = ? AND table_name = ?{stored}",
        [schema, table],
    ).fetchall()
    return bool(found[0][0])

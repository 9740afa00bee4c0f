"""Opening the warehouse: resolve the file at run time, lock, connect, always close."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import duckdb

from marketing_assets.config import duckdb_memory_limit, duckdb_path
from marketing_assets.storage.lock import warehouse_lock


def resolve_database(database: str) -> str:
    """The configured path, or (when empty) ``config.duckdb_path()`` read now, at run time."""
    return database or str(duckdb_path())


@contextmanager
def warehouse_connection(
    database: str, *, read_only: bool = False, config: Mapping[str, Any] | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to ``database`` held under ``warehouse_lock`` and closed in ``finally``.

    Within one process DuckDB refuses a second connection to an open file with a different
    configuration (``read_only`` included), so nest connections with the same settings.
    """
    with warehouse_lock(database):
        # `duckdb.connect` looked up at call time, so tests can wrap it.
        settings = {"memory_limit": duckdb_memory_limit(), **(config or {})}
        conn = duckdb.connect(database=database, read_only=read_only, config=settings)
        try:
            yield conn
        finally:
            conn.close()

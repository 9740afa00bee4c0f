"""`WarehouseResource`: the one way code that needs SQL reaches the DuckDB warehouse."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import polars as pl
from dagster import ConfigurableResource
from pydantic import Field

from marketing_assets.storage.connection import resolve_database, table_exists, warehouse_connection


class WarehouseResource(ConfigurableResource):
    """Locked, always-closed connections to the warehouse file, and a query helper."""

    database: str = Field(
        default="",
        description="Path of the DuckDB file; empty: marketing_assets.config.duckdb_path() at run time.",
    )

    @contextmanager
    def get_connection(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the warehouse lock, connect, and close the connection whatever happens.

        Nested use in one thread is fine (the lock is re-entrant) as long as every nested
        connection has the same ``read_only`` (DuckDB refuses mixed configurations).
        """
        with warehouse_connection(resolve_database(self.database), read_only=read_only) as conn:
            yield conn

    def query(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> pl.DataFrame:
        """Run one statement (``?`` or ``$name`` parameters) and return its rows as polars."""
        with self.get_connection() as conn:
            return conn.sql(sql, params=params).pl()

    def table_exists(self, schema: str, table: str) -> bool:
        """Whether ``schema.table`` exists in the warehouse (``storage.table_exists``)."""
        with self.get_connection() as conn:
            return table_exists(conn, schema, table)

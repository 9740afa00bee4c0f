"""What every table of the warehouse shares, source or derived: its base model, how it is
named, who owns it, where it is declared, and the checks it declares beside itself.

A table is an object (a ``DerivedTable``, an ``OdsSpec`` or a kind wrapping a
``DerivedTable``): an input, a check or a report names the upstream by that object, never
by a string, so each table's name is written once, in its declaration.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pandera.polars as pa
import polars as pl
from dagster import AssetKey, CodeReferencesMetadataValue, LocalFileCodeReference

if TYPE_CHECKING:
    from marketing_assets.storage import WarehouseResource

#: the kinds and owner every asset of the warehouse carries
KINDS = {"polars", "duckdb"}
OWNER = "team:marketing-data"
PACKAGE = Path(__file__).resolve().parent


class TableModel(pa.DataFrameModel):
    """Base of every model, source and warehouse: strict columns, values coerced to the
    model's dtypes."""

    class Config:
        strict = True
        coerce = True


def partition_day() -> pa.Field:
    """The field of every model's last column, ``dt``."""
    return pa.Field(description="partition day (Asia/Shanghai)")


class Named(Protocol):
    """A table object: its database and its name (or a declaration that has them)."""

    @property
    def table(self) -> Any: ...


def table_key(table: Named | tuple[str, str]) -> tuple[str, str]:
    """(database, table) of a table object: a ``DerivedTable`` or ``OdsSpec`` (whose
    ``table`` is its name), or a kind whose ``table`` is its declaration."""
    if isinstance(table, tuple):
        return table
    name = table.table
    if isinstance(name, str):
        return (table.database, name)
    return table_key(name)


def sql_name(table: Named | tuple[str, str]) -> str:
    """``database.table`` as SQL names it."""
    return ".".join(table_key(table))


def asset_key(table: Named | tuple[str, str]) -> AssetKey:
    return AssetKey(list(table_key(table)))


def declared_at() -> tuple[str, int] | None:
    """(file, line) of the module-level statement that is declaring a table: the first
    frame outside this package's factories that runs a module body (a table built by a
    helper function points at the line that calls it)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "<module>":
            return (frame.f_code.co_filename, frame.f_lineno)
        frame = frame.f_back
    return None


def code_references(where: tuple[str, int] | None) -> dict:
    """``dagster/code_references`` pointing at a declaration (the UI's "view code")."""
    if where is None:
        return {}
    path, line = where
    return {"dagster/code_references": CodeReferencesMetadataValue(
        code_references=[LocalFileCodeReference(file_path=str(Path(path).resolve()), line_number=line)]
    )}


@dataclass(frozen=True)
class TableCheck:
    """A data-quality check a table declares beside itself: ``query(warehouse, first,
    last)`` returns the offending rows of the days ``first`` .. ``last``, each with its day
    in ``dt``; a day with none passes. ``reads``: the other tables it reads (while one of
    them, or the table, does not exist the check cannot judge and passes, ``judged``
    false). ``blocking``: a failure stops the table's downstream (ERROR); else a warning."""

    name: str
    description: str
    query: Callable[[WarehouseResource, dt.date, dt.date], pl.DataFrame]
    blocking: bool = True
    reads: tuple[Named, ...] = ()

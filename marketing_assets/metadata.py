"""Dagster metadata derived from pandera schemas (the single source of a table's columns)."""

from __future__ import annotations

import pandera.polars as pa
from dagster import TableColumn, TableColumnConstraints, TableSchema


def column_schema(schema: pa.DataFrameSchema) -> TableSchema:
    """``dagster/column_schema`` of a table: name, type, nullability and description."""
    return TableSchema(
        columns=[
            TableColumn(
                name=name,
                type=str(column.dtype),
                description=column.description,
                constraints=TableColumnConstraints(nullable=bool(column.nullable)),
            )
            for name, column in schema.columns.items()
        ]
    )

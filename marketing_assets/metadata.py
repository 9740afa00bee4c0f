"""Dagster metadata derived from pandera schemas (the single source of a table's columns) and
the readable form of a table's column lineage."""

from __future__ import annotations

import pandera.polars as pa
from dagster import TableColumn, TableColumnConstraints, TableColumnLineage, TableSchema


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


def column_lineage_markdown(lineage: TableColumnLineage) -> str:
    """A markdown table "output column ← input table.column" of ``dagster/column_lineage``
    (which the open-source UI does not render), one row per output column; empty when no
    column has lineage."""
    if not lineage.deps_by_column:
        return ""
    rows = [
        f"| `{column}` | "
        + ", ".join(f"`{'.'.join(dep.asset_key.path)}.{dep.column_name}`" for dep in deps)
        + " |"
        for column, deps in lineage.deps_by_column.items()
    ]
    return "\n\n**Column lineage**\n\n| output column | ← input table.column |\n| --- | --- |\n" + "\n".join(rows)

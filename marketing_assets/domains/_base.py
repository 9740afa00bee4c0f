"""The base of every source model: strict columns, values coerced to the model's dtypes."""

from __future__ import annotations

import pandera.polars as pa


class SourceModel(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = True

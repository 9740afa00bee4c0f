"""Declarative specification of one landed source table and the ODS table it becomes.

Adding a source table is a pandera model of its business columns plus one ``OdsSpec``:
the readers, typing, quarantine, late-data flag, drift report, snapshot merge and the
Dagster asset all follow from it (see ``landing.ingest`` and ``landing.assets``).

Column conventions of the business model (``pandera.polars.DataFrameModel``):
- the model's dtype is the ODS type; money is ``pl.Int64`` in fen;
- ``Field(metadata={"src": "a.b"})`` names the source field (default: the column name;
  dots reach into nested documents);
- ``metadata={"unit": "yuan"}`` on an ``Int64`` column: the source holds decimal yuan
  (``"12.50"``), stored exactly as fen (1250); more than two decimals is a wrong type;
- ``metadata={"json": True}`` on a ``String`` column: an object or array value is kept as
  its JSON text (a MySQL JSON column, a list of benefits);
- ``nullable=True`` marks an optional field; every other field is required.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import cached_property

import pandera.polars as pa
import polars as pl
from pandera.api.polars.components import Column

from marketing_assets.table import declared_at


class SourceFormat(enum.Enum):
    MONGO = "mongoexport Extended JSON Lines"
    BINLOG = "Debezium change events (JSON Lines)"
    CSV = "MySQL dump, CSV with a header"
    JSONL = "service log, plain JSON Lines"


class OdsKind(enum.Enum):
    LANDED = "the day's landed records"  # mongo / csv / jsonl: what the export held
    EVENTS = "append-only change events"  # binlog `_di`: the events are the table
    SNAPSHOT = "full snapshot merged from change events"  # binlog `_df`


#: Standard columns every ODS table carries after its business columns.
LANDED_SYSTEM = {
    "dt": (pl.Date, "landing day (Asia/Shanghai): the partition"),
    "is_late": (pl.Boolean, "event time before the landing day: late data, kept and flagged"),
    "_src_file": (pl.String, "landed file, relative to the landing root"),
    "_src_line": (pl.Int64, "1-based line of the record in its file"),
}
SYNC_HOUR = {"sync_hour": (pl.Int32, "hour (0-23) of the hourly batch the record came in")}
EVENT_SYSTEM = {
    "op": (pl.String, "change operation: c insert, u update, d delete, r snapshot read"),
    "event_time": (pl.Datetime("us"), "ts_ms of the change, Asia/Shanghai wall clock"),
}
SNAPSHOT_SYSTEM = {
    "dt": (pl.Date, "snapshot day (Asia/Shanghai): state as of the end of dt"),
    "last_event_time": (pl.Datetime("us"), "time of the change that produced this state"),
}

BINLOG_OPS = ("c", "u", "d", "r")


def _system_columns(columns: dict[str, tuple[pl.DataType, str]]) -> dict[str, Column]:
    return {
        name: Column(dtype, nullable=False, description=description)
        for name, (dtype, description) in columns.items()
    }


@dataclass(frozen=True)
class OdsSpec:
    """One source table landing under ``<landing>/<table>/dt=YYYY-MM-DD/``."""

    table: str
    domain: str
    fmt: SourceFormat
    model: type[pa.DataFrameModel]
    key: tuple[str, ...]
    description: str
    chinese_name: str = ""
    kind: OdsKind = OdsKind.LANDED
    #: business column whose value dates the record; earlier than the landing day = late
    event_time: str | None = None
    #: 24 hourly files ``part-HH.*`` a day; the hour becomes column ``sync_hour``
    hourly: bool = False
    source_system: str = ""
    #: the day's volume follows the campaign calendar (presale deposits exist only while a
    #: presale takes deposits): ``row_volume`` records the ratio but does not judge it
    campaign_driven: bool = False
    extra_metadata: dict = field(default_factory=dict, compare=False)
    #: (file, line) of the declaration: the asset's code reference (set when declared)
    declared_at: tuple[str, int] | None = field(default=None, compare=False, repr=False)

    #: every source lands in the ODS database
    database = "redods"

    def __post_init__(self) -> None:
        if self.declared_at is None:
            object.__setattr__(self, "declared_at", declared_at())
        business = set(self.model.to_schema().columns)
        unknown = [k for k in (*self.key, self.event_time) if k and k not in business]
        if unknown:
            raise ValueError(f"{self.table}: key/event_time columns {unknown} not in the model")
        if self.kind is not OdsKind.LANDED and self.fmt is not SourceFormat.BINLOG:
            raise ValueError(f"{self.table}: {self.kind.name} needs binlog change events")

    # ---- columns -------------------------------------------------------------------------
    @cached_property
    def business_columns(self) -> dict[str, Column]:
        return dict(self.model.to_schema().columns)

    @property
    def sql(self) -> str:
        """``redods.table`` for SQL."""
        return f"{self.database}.{self.table}"

    @property
    def events(self) -> tuple[str, str]:
        """(database, table) of the day's change events (the ODS table itself unless a snapshot)."""
        return (self.database, self.events_table)

    @property
    def events_table(self) -> str:
        """Table of the day's change events (the ODS table itself unless a snapshot)."""
        if self.kind is OdsKind.SNAPSHOT:
            return self.table.removesuffix("_df") + "_event_di"
        return self.table

    @cached_property
    def grain(self) -> tuple[str, ...]:
        """Unique key of one landed day (events: one row per landed line)."""
        if self.fmt is SourceFormat.BINLOG:
            return ("_src_file", "_src_line")
        return (*self.key, "sync_hour") if self.hourly else self.key

    def _schema(self, system: dict, name: str) -> pa.DataFrameSchema:
        columns = {**self.business_columns, **_system_columns(system)}
        return pa.DataFrameSchema(columns, strict=True, coerce=True, name=name)

    def landed_schema(self) -> pa.DataFrameSchema:
        """Schema of the table the landed records become (the events table for binlog);
        built once (every batch of a load validates with it)."""
        return self._landed_schema

    @cached_property
    def _landed_schema(self) -> pa.DataFrameSchema:
        system = dict(LANDED_SYSTEM)
        if self.hourly:
            system = {**SYNC_HOUR, **system}
        if self.fmt is SourceFormat.BINLOG:
            system = {**EVENT_SYSTEM, **system}
        return self._schema(system, self.events_table)

    def snapshot_schema(self) -> pa.DataFrameSchema:
        """Schema of a binlog ``_df`` snapshot table."""
        return self._schema(SNAPSHOT_SYSTEM, self.table)

    def source_field(self, column: str) -> str:
        return (self.business_columns[column].metadata or {}).get("src", column)

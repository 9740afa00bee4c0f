"""Small hand-made source tables for the landing tests: one spec per export shape."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pandera.polars as pa
import polars as pl
import pytest

from marketing_assets.landing.spec import OdsKind, OdsSpec, SourceFormat

DAY = dt.date(2025, 6, 2)


class Order(pa.DataFrameModel):
    order_id: pl.Int64 = pa.Field(metadata={"src": "_id"})
    user_id: pl.String = pa.Field()
    amount: pl.Int64 = pa.Field(ge=0, description="fen")
    note: pl.String = pa.Field(nullable=True)
    update_time: pl.Datetime("us") = pa.Field()

    class Config:
        strict = True
        coerce = True


class Price(pa.DataFrameModel):
    sku_id: pl.Int64 = pa.Field(metadata={"src": "id"})
    price: pl.Int64 = pa.Field(ge=0, metadata={"unit": "yuan"})
    on_sale: pl.Boolean = pa.Field()
    start_date: pl.Date = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


class Item(pa.DataFrameModel):
    item_id: pl.Int64 = pa.Field(metadata={"src": "id"})
    name: pl.String = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


class Account(pa.DataFrameModel):
    account_id: pl.Int64 = pa.Field(metadata={"src": "id"})
    balance: pl.Int64 = pa.Field(ge=0)
    modified: pl.Datetime("us") = pa.Field()

    class Config:
        strict = True
        coerce = True


MONGO = OdsSpec(
    table="ods_mongo_test_order",
    domain="test",
    fmt=SourceFormat.MONGO,
    model=Order,
    key=("order_id",),
    event_time="update_time",
    description="test orders",
)
CSV = OdsSpec(
    table="ods_test_price_df",
    domain="test",
    fmt=SourceFormat.CSV,
    model=Price,
    key=("sku_id",),
    description="test prices",
)
CSV_ITEM = OdsSpec(
    table="ods_test_item_df",
    domain="test",
    fmt=SourceFormat.CSV,
    model=Item,
    key=("item_id",),
    description="test items",
)
JSONL = OdsSpec(
    table="ods_test_log",
    domain="test",
    fmt=SourceFormat.JSONL,
    model=Order,
    key=("order_id",),
    event_time="update_time",
    description="test log",
)
BINLOG = OdsSpec(
    table="ods_binlog_test_account_df",
    domain="test",
    fmt=SourceFormat.BINLOG,
    kind=OdsKind.SNAPSHOT,
    model=Account,
    key=("account_id",),
    description="test accounts",
)


def land(root: Path, spec: OdsSpec, day: dt.date, content: bytes | str, name="part-00000.jsonl"):
    """Write one landed file and return its path."""
    folder = root / spec.table / f"dt={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    data = content.encode() if isinstance(content, str) else content
    path = folder / name
    path.write_bytes(gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
    return path


def order(oid: int, amount='{"$numberLong":"100"}', user='"u1"', t="2025-06-02T02:00:00Z", extra=""):
    return (
        f'{{"_id":{{"$numberLong":"{oid}"}},"user_id":{user},"amount":{amount},'
        f'"note":null,"update_time":{{"$date":"{t}"}}{extra}}}'
    )


def event(op: str, ts_ms: int, before: str | None, after: str | None) -> str:
    return (
        f'{{"op":"{op}","ts_ms":{ts_ms},"before":{before or "null"},'
        f'"after":{after or "null"},"source":{{"table":"account"}}}}'
    )


def account(aid: int, balance: int, modified_ms: int) -> str:
    return f'{{"id":{aid},"balance":{balance},"modified":{modified_ms}}}'


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "landing"


@pytest.fixture(params=["fast", "line"])
def ods_path(request, monkeypatch):
    """Run a test on each ODS read path: the fast path (DuckDB ``read_json``/``read_csv``
    of whole files, the default) and the line path it falls back to."""
    from marketing_assets.landing.fast import FAST_ENV

    monkeypatch.setenv(FAST_ENV, "1" if request.param == "fast" else "0")
    return request.param

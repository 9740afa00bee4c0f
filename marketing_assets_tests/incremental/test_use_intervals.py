"""The coupon use fact stored once as validity intervals (facts + refund change rows) and
read "as known on dt" (storage.read) equals the whole-window definition (the old compute),
on hand-made trade rows: a refund landing on a later day, a same-day refund that lands a
day late, a line landing after its discount, a template changing its channel, and facts
leaving the window. The window is 2 days here so that leaving it is visible."""

import dataclasses
import datetime as dt

import duckdb
import polars as pl
import pytest

from marketing_assets.derived import compute_days
from marketing_assets.domains.coupon.uses import USE_FACT
from marketing_assets.incremental import write_intervals
from marketing_assets.storage.read import read_as_known
from marketing_assets_tests import _keys
from marketing_assets_tests._keys import COUPON_TEMPLATE_DAY, DISCOUNTS, ORDER_LINES

D1, D2, D3, D4 = (dt.date(2025, 6, d) for d in (1, 2, 3, 4))
DAYS = [D1, D2, D3, D4]
WINDOW = 2


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


DETAILS = pl.DataFrame({
    "package_id": ["P1", "P2", "P3"],
    "goods_id": [1, 2, 3],
    "discount_source": ["store_coupon", "platform_coupon", "auto_coupon"],
    "source_id": [101, 102, 9],
    "coupon_template_id": [7, 8, 9],
    "discount_amt": [500, 300, 200],
    "bearer": ["merchant", "platform", "merchant"],
    "dt": [D1, D2, D3],
})
LINES = pl.DataFrame({
    "package_id": ["P1", "P2", "P3"],
    "goods_id": [1, 2, 3],
    "order_id": ["O1", "O2", "O3"],
    "user_id": ["u1", "u2", "u3"],
    "seller_id": ["s1", "s2", "s1"],
    "pay_time": [at(D1, 10), at(D2, 11), at(D3, 12)],
    "quantity": [1, 2, 1],
    "paid_amt": [4500, 9700, 1800],
    # P2's line lands a day after its discount: the use is known from D3
    "dt": [D1, D3, D3],
})
REFUNDS = pl.DataFrame({
    "package_id": ["P1", "P3"],
    "goods_id": [1, 3],
    # P1 refunded on D2 (a later day than its payment); P3 refunded on its pay day D3,
    # but the refund lands on D4
    "refund_time": [at(D2, 15), at(D3, 23)],
    "dt": [D2, D4],
})
TEMPLATES = pl.DataFrame({
    "coupon_template_id": [7, 8, 9] * 4,
    "coupon_type": [4, 1, 4] * 4,
    # template 7 moves from the live room (11) to the shop page (12) on D2
    "channel_type": [11, 2, 15] + [12, 2, 15] * 3,
    "dt": [d for d in DAYS for _ in range(3)],
}).with_columns(pl.col("coupon_type", "channel_type").cast(pl.Int32))


def _warehouse() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    for key, frame in [(DISCOUNTS, DETAILS), (ORDER_LINES, LINES), (_keys.REFUNDS, REFUNDS),
                       (COUPON_TEMPLATE_DAY, TEMPLATES)]:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {key[0]}")
        conn.register("_frame", frame)
        conn.execute(f"CREATE TABLE {'.'.join(key)} AS SELECT * FROM _frame")
        conn.unregister("_frame")
    return conn


FACT = dataclasses.replace(USE_FACT, spec=dataclasses.replace(USE_FACT.spec, window_days=WINDOW))


def _oracle(day: dt.date) -> pl.DataFrame:
    """The old compute of the use fact (whole windows, here of WINDOW days) for ``day``."""
    table = dataclasses.replace(
        USE_FACT.table,
        inputs={n: dataclasses.replace(up, days=WINDOW if up.days > 1 else 1) for n, up in USE_FACT.table.inputs.items()},
    )
    frames = {"details": DETAILS, "lines": LINES, "refunds": REFUNDS, "templates": TEMPLATES}
    return compute_days(table, [day], {n: f.filter(pl.col("dt") <= day) for n, f in frames.items()})


def _stored(conn, days) -> dict[dt.date, pl.DataFrame]:
    frame = read_as_known(conn, FACT.spec, days[0], days[-1])
    return {d: frame.filter(pl.col("dt") == d) for d in days}


@pytest.mark.parametrize("how", ["day by day", "one range", "replay each day"])
def test_as_known_equals_the_window_definition(how):
    conn = _warehouse()
    if how == "one range":
        write_intervals(conn, FACT, D1, D4, replay=True, bounded=False)
    else:
        for day in DAYS:  # the first day replays (nothing before it), the others step
            write_intervals(conn, FACT, day, day, replay=how == "replay each day" or day == D1, bounded=False)
    stored = _stored(conn, DAYS)
    by_hand = {
        d: stored[d].select("coupon_id", "package_id", "channel_type", "is_refunded").rows() for d in DAYS
    }
    assert by_hand == {
        D1: [(101, "P1", 11, False)],
        D2: [(101, "P1", 12, True)],  # refunded on D2, the template's channel of D2
        # P1's line (D1) left the 2-day window; P2 known once its line landed; P3 (auto:
        # no coupon id, nulls last) not yet known to be refunded
        D3: [(102, "P2", 2, False), (None, "P3", 15, False)],
        # P2's discount (D2) left the window; P3's refund on its pay day landed: never a use
        D4: [],
    }
    assert stored[D2]["refund_time"].to_list() == [at(D2, 15)]
    for day in DAYS:
        assert stored[day].equals(_oracle(day)), day


def test_facts_are_stored_once():
    conn = _warehouse()
    for day in DAYS:
        write_intervals(conn, FACT, day, day, replay=day == D1, bounded=False)
    facts = conn.sql(f"SELECT package_id, dt, first_dt FROM {FACT.spec.part('facts')} ORDER BY ALL").fetchall()
    assert facts == [("P1", D1, D1), ("P2", D3, D2), ("P3", D3, D3)]
    changes = conn.sql(f"SELECT package_id, dt FROM {FACT.spec.part('changes')} ORDER BY ALL").fetchall()
    assert changes == [("P1", D2), ("P3", D4)]


def test_a_stored_table_of_the_old_layout_becomes_the_view():
    conn = _warehouse()
    conn.execute("CREATE SCHEMA redcdm")
    conn.execute(f"CREATE TABLE {FACT.spec.name} AS SELECT 1 AS x, DATE '2025-06-01' AS dt")
    write_intervals(conn, FACT, D1, D1, replay=True, bounded=False)
    kind = conn.sql("SELECT table_type FROM information_schema.tables WHERE table_name = ?",
                    params=[FACT.spec.table]).fetchall()
    assert kind == [("VIEW",)]
    assert conn.sql(f"SELECT package_id FROM {FACT.spec.name} WHERE dt = ?", params=[D1]).fetchall() == [("P1",)]

"""Incremental tables: the table of dt from the table of dt − 1 and the day's changes
equals the replay of the whole windows (the table's own compute), on hand-made frames of
the growth platform's claimed allowances; the claimed coupons and the trigger → claim →
use table, stored as their offers once and read as known on dt, equal their compute; and
the table of dt − 1 is built on only when a finished run (or this one) wrote it."""

import datetime as dt

import duckdb
import polars as pl
from dagster import AssetKey, DagsterInstance, asset, materialize

from marketing_assets.derived import compute_days
from marketing_assets.domains.growth.allowance_offers import EXECUTION_ALLOWANCE_FULL as ALLOWANCES
from marketing_assets.domains.growth.coupon_offers import EXECUTION_COUPON_FULL as CLAIMED
from marketing_assets.domains.growth.coupon_offers import EXECUTION_COUPON_GET_USE as GET_USE
from marketing_assets.incremental import days_from_previous, previous_trusted, write_intervals
from marketing_assets.storage.read import read_as_known
from marketing_assets.metrics import LOOKBACK_DAYS
from marketing_assets.partitions import DAILY
from marketing_assets_tests._keys import COUPON_USE, EXECUTION_COUPON, EXECUTION_COUPON_FULL, GOODS_COUPON_DAY

D0, D1, D2 = dt.date(2025, 6, 1), dt.date(2025, 6, 2), dt.date(2025, 6, 3)
OLD = D0 - dt.timedelta(days=LOOKBACK_DAYS - 1)  # in D0's window, out of D1's


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def offers() -> pl.DataFrame:
    days = [OLD, D0, D0, D1, D2]
    return pl.DataFrame({
        "execution_id": [1, 2, 3, 4, 5],
        "user_id": ["a", "b", "c", "d", "e"],
        "strategy_id": [7] * 5, "launch_plan_id": [70] * 5, "biz_scene_id": [700] * 5,
        "prize_pool_id": [9] * 5, "experiment_group": ["test"] * 5,
        "execute_time": [at(d) for d in days], "execute_date": days,
        "coupon_template_id": [11, 12, 13, 14, 15],
        "coupon_id": [1, 2, None, 4, None],
        "dt": days,
    })


def coupons() -> pl.DataFrame:
    rows = []
    for day in (D0, D1, D2):
        for coupon, claimed in ((1, OLD), (2, D0), (4, D1)):
            if claimed <= day:
                used = coupon == 2 and day >= D1
                rows.append({"coupon_id": coupon, "claim_time": at(claimed), "status": 2 if used else 1,
                             "use_time": at(D1, 20) if used else None, "valid_end_time": at(D2, 23), "dt": day})
    return pl.DataFrame(rows).with_columns(pl.col("status").cast(pl.Int32))


def uses() -> pl.DataFrame:
    # coupon 2 used on D1 on package P9; the line is refunded on D2
    return pl.DataFrame({
        "coupon_id": [2, 2], "package_id": ["P9", "P9"], "goods_id": [90, 90], "seller_id": ["s", "s"],
        "pay_time": [at(D1, 20)] * 2, "pay_date": [D1, D1], "line_paid_amt": [5000, 5000],
        "discount_amt": [300, 300], "bearer": ["platform"] * 2, "is_refunded": [False, True], "dt": [D1, D2],
    })


def _reader(frames: dict[str, pl.DataFrame]):
    def read(name, up, day):
        first = day - dt.timedelta(days=up.days - 1)
        return frames[name].filter(pl.col("dt").is_between(first, day))
    return read


def _both_paths(inc, frames):
    """Each day as stepped from the day before (D0 replayed) and as a replay of its windows."""
    read = _reader(frames)
    stepped, built = days_from_previous(inc, [D0, D1, D2], read, None)
    replayed = {
        d: compute_days(inc.table, [d], {n: read(n, up, d) for n, up in inc.table.inputs.items()})
        for d in (D0, D1, D2)
    }
    assert built == {D0: "replay of the windows", D1: "previous day + the day's changes",
                     D2: "previous day + the day's changes"}
    return stepped, replayed


def allowance_offers() -> pl.DataFrame:
    return offers().rename({"coupon_id": "allowance_id", "coupon_template_id": "allowance_template_id"})


def allowances() -> pl.DataFrame:
    # allowance 2 is spent down on D1 (balance 0, status 2)
    return coupons().select(
        pl.col("coupon_id").alias("allowance_id"), pl.lit(500).alias("amount"),
        pl.when(pl.col("status") == 2).then(0).otherwise(500).alias("balance"), "status",
        "claim_time", pl.col("valid_end_time").alias("expire_time"), "dt",
    )


def test_claimed_allowances_step_equals_replay():
    stepped, replayed = _both_paths(ALLOWANCES, {"offers": allowance_offers(), "allowances": allowances()})
    by_hand = {d: stepped[d].select("allowance_id", "balance").rows() for d in stepped}
    # allowance 1 (claimed 599 days before D0) leaves on D1; allowance 2 is spent from D1
    assert by_hand == {D0: [(1, 500), (2, 500)], D1: [(2, 0), (4, 500)], D2: [(2, 0), (4, 500)]}
    for day in stepped:
        assert stepped[day].equals(replayed[day]), day


def _warehouse(frames: dict[tuple[str, str], pl.DataFrame]) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    for key, frame in frames.items():
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {key[0]}")
        conn.register("_f", frame)
        conn.execute(f"CREATE TABLE {'.'.join(key)} AS SELECT * FROM _f")
        conn.unregister("_f")
    return conn


def _as_known(conn, kind) -> dict[dt.date, pl.DataFrame]:
    for day in (D0, D1, D2):  # D0 replays the window (the offer of OLD), then day by day
        write_intervals(conn, kind, day, day, replay=day == D0, bounded=False)
    frame = read_as_known(conn, kind.spec, D0, D2)
    return {d: frame.filter(pl.col("dt") == d) for d in (D0, D1, D2)}


def _computed(kind, frames) -> dict[dt.date, pl.DataFrame]:
    read = _reader(frames)
    return {
        d: compute_days(kind.table, [d], {n: read(n, up, d) for n, up in kind.table.inputs.items()})
        for d in (D0, D1, D2)
    }


def test_claimed_coupons_as_known_equal_their_compute():
    conn = _warehouse({EXECUTION_COUPON: offers(), GOODS_COUPON_DAY: coupons().with_columns(
        claim_channel=pl.lit("growth_platform"))})
    stored, computed = _as_known(conn, CLAIMED), _computed(CLAIMED, {"offers": offers(), "coupons": coupons()})
    by_hand = {d: stored[d].select("coupon_id", "status").rows() for d in stored}
    # coupon 1 (claimed 599 days before D0) leaves on D1; coupon 2 is used from D1
    assert by_hand == {D0: [(1, 1), (2, 1)], D1: [(2, 2), (4, 1)], D2: [(2, 2), (4, 1)]}
    for day in stored:
        assert stored[day].equals(computed[day]), day


def test_growth_get_use_as_known_equals_its_compute():
    claimed = pl.concat(_computed(CLAIMED, {"offers": offers(), "coupons": coupons()}).values())
    frames = {"claimed": claimed, "offers": offers(), "uses": uses()}
    conn = _warehouse({EXECUTION_COUPON: offers(), EXECUTION_COUPON_FULL: claimed,
                       COUPON_USE: uses()})
    stepped, replayed = _as_known(conn, GET_USE), _computed(GET_USE, frames)
    by_hand = {d: stepped[d].select("execution_id", "coupon_id", "is_used").rows() for d in stepped}
    assert by_hand == {
        D0: [(1, 1, False), (2, 2, False), (3, None, False)],
        D1: [(2, 2, True), (3, None, False), (4, 4, False)],  # execution 1 left the window
        D2: [(2, 2, False), (3, None, False), (4, 4, False), (5, None, False)],  # the use was refunded
    }
    for day in stepped:
        assert stepped[day].equals(replayed[day]), day


class _Context:
    def __init__(self, instance, run_id):
        self.instance, self.run = instance, type("Run", (), {"run_id": run_id})


def test_previous_day_is_trusted_only_from_a_finished_run_or_this_run():
    @asset(key=["test", "t"], partitions_def=DAILY)
    def t():
        return None

    instance = DagsterInstance.ephemeral()
    key = AssetKey(["test", "t"])
    result = materialize([t], instance=instance, partition_key=D0.isoformat())
    assert previous_trusted(_Context(instance, "another-run"), key, D0)  # finished
    assert previous_trusted(_Context(instance, result.run_id), key, D0)  # this run
    assert not previous_trusted(_Context(instance, "another-run"), key, D1)  # never written
    # the run that wrote it is still going (a re-run rewriting it, say)
    from dagster._core.storage.dagster_run import DagsterRunStatus
    run = instance.get_run_by_id(result.run_id)
    instance.run_storage.delete_run(run.run_id)
    instance.run_storage.add_run(run.with_status(DagsterRunStatus.STARTED))
    assert instance.get_materialized_partitions(key) == {D0.isoformat()}  # still recorded
    assert not previous_trusted(_Context(instance, "another-run"), key, D0)
    assert previous_trusted(_Context(instance, result.run_id), key, D0)

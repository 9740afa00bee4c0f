"""``python -m marketing_assets.sim --scale demo --start 2025-06-01 --days 14``

The world is saved after the last day in ``--state`` (default: ``sim_state`` beside the
landing root); ``--start`` on the day after the last simulated day continues it, giving the
same files as one longer run with the same seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path

from tqdm import tqdm

from marketing_assets.config import landing_dir
from marketing_assets.sim.faults import FAULTS, inject
from marketing_assets.sim.run import DEFAULT_SEED, simulate
from marketing_assets.sim.state import WorldStateError, default_state_dir
from marketing_assets.sim.world import SCALES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m marketing_assets.sim", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
    parser.add_argument("--start", type=dt.date.fromisoformat, required=True, help="first day, YYYY-MM-DD")
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=None, help="landing root (default: $MARKETING_LANDING_DIR or data/landing)")
    parser.add_argument("--state", type=Path, default=None,
                        help="where the world is saved between runs (default: sim_state beside the landing root)")
    parser.add_argument("--new-world", action="store_true",
                        help="start a new world at --start even if the state or the landing root holds an earlier one")
    parser.add_argument("--gzip", action="store_true", help="land .jsonl.gz / .csv.gz files")
    parser.add_argument("--inject", choices=sorted(FAULTS), action="append", default=[],
                        help="break the landed files of --inject-day (default: the last day); repeatable")
    parser.add_argument("--inject-day", type=dt.date.fromisoformat, default=None)
    args = parser.parse_args(argv)
    out = args.out or landing_dir()
    state = args.state or default_state_dir(out)
    began = time.perf_counter()
    total_rows = total_bytes = 0
    with tqdm(total=args.days, unit="day", desc=f"{args.scale} world", file=sys.stderr) as bar:
        def on_day(report):
            nonlocal total_rows, total_bytes
            rows = sum(report.rows.values())
            total_rows += rows
            total_bytes += report.bytes
            bar.set_postfix_str(f"{report.day} {rows:,} rows {report.bytes / 2**20:,.1f} MiB {report.seconds:.1f}s")
            bar.update(1)

        try:
            simulate(args.scale, args.start, args.days, out, seed=args.seed, gzip=args.gzip, on_day=on_day,
                     state=state, new_world=args.new_world)
        except WorldStateError as exc:
            parser.exit(2, f"error: {exc}\n")
    day = args.inject_day or args.start + dt.timedelta(days=args.days - 1)
    for kind in args.inject:
        print(f"injected {kind} ({FAULTS[kind][0]}): {inject(kind, out, day)}")
    elapsed = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(
        f"landed {args.days} day(s) of the {args.scale} world under {out}: {total_rows:,} rows, "
        f"{total_bytes / 2**20:,.1f} MiB in {elapsed:.1f}s ({total_rows / elapsed:,.0f} rows/s), "
        f"peak memory {peak:.2f} GiB; world saved in {state}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

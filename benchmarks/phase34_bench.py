"""Benchmark: a full rebuild of Phases 3-4 over four real seasons on 2 cores.

Usage::

    uv run python benchmarks/phase34_bench.py [--home DIR] [--seasons 2022-23,...] [--cores 2]

Step 1 (not timed, skipped when DIR already holds it) loads the schedule and the Phase-2 raw
tables for the seasons from ``../shared/data/nba``.  Step 2 runs in a fresh child process
pinned to `--cores` CPUs with DuckDB limited to as many threads: every Phase-3 and Phase-4
processor over every date of the seasons with ``force`` (a full rebuild through the runner,
ledger and gates included).  It prints the wall time, the child's peak resident memory and
the rows and runs per processor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from nbaprops.core.config import Settings
from nbaprops.ops import gates
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import DuckDBWarehouse

__all__ = ["main"]

SEASONS = ("2022-23", "2023-24", "2024-25", "2025-26")
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "nba"
TODAY = dt.date(2026, 11, 25)


def _runner(home: Path, cores: int) -> Runner:
    s = Settings(home=home, data_dir=DATA, today=TODAY, duckdb_threads=cores)
    return gates.install(Runner(settings=s, warehouse=DuckDBWarehouse(s.warehouse_url, threads=cores)))


def _dates(runner: Runner, seasons: list[str]) -> list[dt.date]:
    out: list[dt.date] = []
    for season in seasons:
        first, last = runner.calendar.season_bounds(season)
        out += runner.calendar.dates(first, last)
    return out


def setup(home: Path, seasons: list[str], cores: int) -> None:
    """Load the schedule and the raw tables (not part of the measurement)."""
    runner = _runner(home, cores)
    reg = default_registry()
    runner.run([reg.get("schedule")], [dt.date(int(s[:4]), 12, 1) for s in seasons])
    days = _dates(runner, seasons)
    t = time.perf_counter()
    report = runner.run(reg.select(phases=[2]), days)
    print(
        f"setup: phase 2 over {len(days)} dates in {time.perf_counter() - t:.1f}s "
        f"({report.count('success')} ran, {report.count('skipped')} skipped, {len(report.failed)} failed)"
    )


def rebuild(home: Path, seasons: list[str], cores: int) -> dict[str, object]:
    """The measured part: every Phase-3/4 processor over every date, forced."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:cores]))
    runner = _runner(home, cores)
    days = _dates(runner, seasons)
    procs = default_registry().select(phases=[3, 4])
    t = time.perf_counter()
    report = runner.run(procs, days, force=True)
    wall = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    status = Counter(o.status for o in report.outcomes)
    rows = {p.name: runner.wh.count(p.output) for p in procs}
    return {
        "seasons": seasons,
        "dates": len(days),
        "processors": len(procs),
        "runs": len(report.outcomes),
        "status": dict(status),
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(peak_mb, 1),
        "cores": cores,
        "rows": rows,
        "failed": [f"{o.processor} {o.partition}: {o.error}" for o in report.failed[:5]],
    }


def main() -> None:
    """Parse arguments, set up once, measure the rebuild in a child process, print the result."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, default=None)
    ap.add_argument("--seasons", default=",".join(SEASONS))
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    seasons = a.seasons.split(",")
    home = a.home or Path(tempfile.gettempdir()) / "nbaprops-phase34-bench"
    if a.child:
        print(json.dumps(rebuild(home, seasons, a.cores)))
        return
    if not (home / "warehouse.duckdb").exists():
        setup(home, seasons, a.cores)
    cmd = [
        sys.executable,
        __file__,
        "--child",
        "--home",
        str(home),
        "--seasons",
        a.seasons,
        "--cores",
        str(a.cores),
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    res = json.loads(out.strip().splitlines()[-1])
    print(
        f"phases 3-4 full rebuild: {res['dates']} dates x {res['processors']} processors "
        f"= {res['runs']} partition runs {res['status']}"
    )
    print(f"wall time {res['wall_s']} s, peak RSS {res['peak_rss_mb']} MB, {res['cores']} cores")
    for name, n in res["rows"].items():
        print(f"  {name:32s} {n:>9,d} rows")
    for f in res["failed"]:
        print("  FAILED", f)


if __name__ == "__main__":
    main()

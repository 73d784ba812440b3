"""Benchmark: the 4-season backfill, then one date's passes on the warm warehouse.

    uv run python benchmarks/daily_bench.py                 # backfill + 3 repeats of each pass
    uv run python benchmarks/daily_bench.py --home H        # reuse (or keep) a warm home
    uv run python benchmarks/daily_bench.py --profile out   # also cProfile one night pass

The backfill covers 2021-22..2024-25 (phases 2-5, 2 workers).  Each pass is then timed on a
fresh copy of that warm warehouse (so every repeat does the date's work for the first time,
never a skip-only re-run), in a child process: wall time includes start-up; CPU time (user +
system of the child, every thread) is printed too, as it says more than wall time on a shared
machine.  ``--date 2026-01-01 --home H`` on a home backfilled through 2025-12-31 measures a
mid-season night (70 game days of history to find unchanged).  The date is
2025-10-22, the opener of the next season, as in issue #14 ("`run --date 2025-10-22` after
the 4 seasons takes 3.5 s").  Figures go to stdout; nothing here is asserted.  The load
average is printed with each figure: the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from run_all import DATA, SEASONS, season_range  # noqa: E402

DAY = "2025-10-22"
COMMANDS: dict[str, tuple[str, ...]] = {
    "run --date": ("run", "--date", DAY),
    "daily --pass morning": ("daily", "--pass", "morning", "--date", DAY),
    "daily --pass night": ("daily", "--pass", "night", "--date", DAY),
    "daily --pass night (after morning)": ("daily", "--pass", "night", "--date", DAY),
}


def run(home: Path, data: Path, *args: str) -> tuple[float, float, int, float]:
    """(wall s, peak RSS MiB, exit code, CPU s: user + system) of one nbaprops command."""
    env = {**os.environ, "NBAPROPS_HOME": str(home), "NBAPROPS_DATA_DIR": str(data)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nbaprops.cli.__main__", *args],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0 and proc.stderr is not None:
        print(proc.stderr.read().decode()[-2000:], file=sys.stderr)
    return wall, usage.ru_maxrss / 1024, code, usage.ru_utime + usage.ru_stime


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def warm_copy(src: Path, dst: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for f in src.iterdir():
        if f.is_file():
            shutil.copy2(f, dst / f.name)
        else:
            shutil.copytree(f, dst / f.name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", type=Path, help="warm home to reuse (backfilled when empty)")
    ap.add_argument("--date", default=DAY, help=f"the date of the passes (default {DAY})")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", choices=sorted(COMMANDS), action="append", help="time only these")
    ap.add_argument("--profile", type=Path, help="write a cProfile of one night pass here")
    args = ap.parse_args()
    if args.date != DAY:
        for k, v in COMMANDS.items():
            COMMANDS[k] = tuple(args.date if x == DAY else x for x in v)
    tmp = Path(tempfile.mkdtemp(prefix="nbaprops-daily-"))
    home = args.home or tmp / "warm"
    if not (home / "warehouse.duckdb").exists():
        first, _ = season_range(DATA, SEASONS)
        _, last = season_range(DATA, (SEASONS[-1],))
        walls = []
        for i in range(max(1, args.repeats if args.home is None else 1)):
            h = home if i == 0 else tmp / f"backfill{i}"
            wall, rss, code = run(
                h, DATA, "backfill", "--start-date", first, "--end-date", last, "--workers", "2"
            )
            walls.append(wall)
            print(f"backfill {SEASONS[0]}..{SEASONS[-1]}: {wall:.1f} s, peak RSS {rss:.0f} MiB, "
                  f"exit {code}, load {load()}", flush=True)  # fmt: skip
            if i:
                shutil.rmtree(h, ignore_errors=True)
        print(f"backfill median {statistics.median(walls):.1f} s over {len(walls)}", flush=True)
    for name, cmd in COMMANDS.items():
        if args.only and name not in args.only:
            continue
        walls = []
        for _ in range(args.repeats):
            h = tmp / "pass"
            warm_copy(home, h)
            if name.endswith("(after morning)"):
                run(h, DATA, *COMMANDS["daily --pass morning"])
            wall, rss, code = run(h, DATA, *cmd)
            walls.append(wall)
            print(
                f"{name} {DAY}: {wall:.2f} s, peak RSS {rss:.0f} MiB, exit {code}, load {load()}", flush=True
            )
        print(f"{name}: median {statistics.median(walls):.2f} s, min {min(walls):.2f} s", flush=True)
    if args.profile:
        h = tmp / "pass"
        warm_copy(home, h)
        env = {**os.environ, "NBAPROPS_HOME": str(h), "NBAPROPS_DATA_DIR": str(DATA)}
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "cProfile", "-o", str(args.profile), "-m", "nbaprops.cli.__main__",
             *COMMANDS["daily --pass night"]],
            env=env, check=False, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        print(f"profiled night pass: {time.perf_counter() - t0:.2f} s -> {args.profile}")
    if args.home is None:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        shutil.rmtree(tmp / "pass", ignore_errors=True)


if __name__ == "__main__":
    main()

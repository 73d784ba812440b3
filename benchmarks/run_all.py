"""Pipeline benchmarks: printed as a table, never asserted.

    uv run python benchmarks/run_all.py                # 4 seasons, daily, 1 vs 2 workers
    uv run python benchmarks/run_all.py --scale 10     # also the 10x synthetic data set

Each measurement runs ``nbaprops`` in a fresh child process with its own
NBAPROPS_HOME, so wall time includes start-up and peak RSS is the child's own
(from ``os.wait4``).  Rows/s counts the rows the ledger says were written (which the
engine counted).  The 10x data set is *synthetic*: the real seasons copied with dates
shifted by whole multiples of 364 days (weekday-preserving), labelled as such in the output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from nbaprops.core.calendar import season_label

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "nba"
SEASONS = ("2021-22", "2022-23", "2023-24", "2024-25")


def run(home: Path, data: Path, *args: str) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MiB, exit code) of one nbaprops command."""
    env = {**os.environ, "NBAPROPS_HOME": str(home), "NBAPROPS_DATA_DIR": str(data)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nbaprops.cli.__main__", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0 and proc.stderr is not None:
        print(proc.stderr.read().decode()[-2000:], file=sys.stderr)
    return wall, usage.ru_maxrss / 1024, code


def rows_written(home: Path) -> int:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return int(
            con.sql(
                "SELECT coalesce(sum(rows_written), 0) FROM ops_ledger WHERE status = 'success'"
            ).fetchall()[0][0]
        )
    finally:
        con.close()


def season_range(data: Path, seasons: tuple[str, ...]) -> tuple[str, str]:
    got = duckdb.sql(
        f"SELECT min(game_date)::DATE, max(game_date)::DATE FROM read_parquet('{data / 'games.parquet'}') "
        f"WHERE season IN {seasons}"
    ).fetchall()[0]
    return str(got[0]), str(got[1])


def game_days(data: Path, seasons: tuple[str, ...]) -> list[str]:
    got = duckdb.sql(
        f"SELECT DISTINCT game_date::DATE FROM read_parquet('{data / 'games.parquet'}') "
        f"WHERE season IN {seasons} ORDER BY 1"
    ).fetchall()
    return [str(r[0]) for r in got]


def scaled_copy(data: Path, out: Path, copies: int, seasons: tuple[str, ...] = SEASONS) -> Path:
    """SYNTHETIC: the given seasons repeated `copies` times, copy k shifted 10*k 'years' (3640*k days)
    into the past.

    Dates, game keys and season labels are shifted together so copies never collide;
    NBA.com game ids are dropped from the copies (they would).  The copies go back in
    time, not forward: dates after today are upcoming games to the pipeline (a different
    workload: no grading, pre-game context instead of box scores).
    """
    out.mkdir(parents=True, exist_ok=True)
    for name in ("games", "player_boxscores", "props_points"):
        parts = []
        for k in range(copies):
            days, years = -3640 * k, -10 * k
            shifted = f"(game_date + INTERVAL ({days}) DAY)"
            cols = [
                f"{shifted} AS game_date",
                f"strftime({shifted}, '%Y-%m-%d') || substr(game_key, 11) AS game_key",
            ]
            if name != "props_points":
                start = f"(CAST(left(season, 4) AS INT) + {years})"
                cols.append(
                    f"{start}::VARCHAR || '-' || lpad((({start} + 1) % 100)::VARCHAR, 2, '0') AS season"
                )
                if k:
                    cols.append("NULL::VARCHAR AS game_id")
            src = f"read_parquet('{data / (name + '.parquet')}')"
            keep = (  # only the benchmark's seasons (props: the games of those seasons)
                f"season IN {seasons}"
                if name != "props_points"
                else f"game_key IN (SELECT game_key FROM read_parquet('{data / 'games.parquet'}') "
                f"WHERE season IN {seasons})"
            )
            parts.append(f"SELECT * REPLACE ({', '.join(cols)}) FROM (SELECT * FROM {src} WHERE {keep})")
        duckdb.sql(f"COPY ({' UNION ALL '.join(parts)}) TO '{out / (name + '.parquet')}' (FORMAT parquet)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, default=0, help="also run the N-times synthetic data set")
    ap.add_argument("--keep", action="store_true", help="keep the temporary homes")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="nbaprops-bench-"))
    console = Console()
    table = Table(title=f"nbaprops benchmarks ({os.cpu_count()} cores, {dt.date.today()})")
    for col in ("benchmark", "wall s", "rows written", "rows/s", "peak RSS MiB"):
        table.add_column(col)

    def row(*cells: str) -> None:
        table.add_row(*cells)
        console.print(" | ".join(cells), highlight=False)  # as it completes

    first, _ = season_range(DATA, SEASONS)

    # the last game day is held back from the backfill and then run as the daily increment
    days = game_days(DATA, SEASONS)
    home = tmp / "full"
    wall, rss, code = run(
        home, DATA, "backfill", "--start-date", first, "--end-date", days[-2], "--workers", "2"
    )
    n = rows_written(home)
    row(
        f"full backfill {SEASONS[0]}..{SEASONS[-1]} (phases 2-5){' FAILED' if code else ''}",
        f"{wall:.1f}",
        f"{n:,}",
        f"{n / wall:,.0f}",
        f"{rss:.0f}",
    )

    wall, rss, code = run(home, DATA, "run", "--date", days[-1])
    n_day = rows_written(home) - n
    row(
        f"incremental daily run {days[-1]}, warm warehouse{' FAILED' if code else ''}",
        f"{wall:.1f}",
        f"{n_day:,}",
        "",
        f"{rss:.0f}",
    )

    one = {}
    for workers in (1, 2):
        h = tmp / f"w{workers}"
        f1, l1 = season_range(DATA, ("2024-25",))
        one[workers], rss, code = run(
            h, DATA, "backfill", "--start-date", f1, "--end-date", l1, "--workers", str(workers)
        )
        row(
            f"one season 2024-25, {workers} worker(s){' FAILED' if code else ''}",
            f"{one[workers]:.1f}",
            f"{rows_written(h):,}",
            "",
            f"{rss:.0f}",
        )
    row("ratio 1 worker / 2 workers", f"{one[1] / one[2]:.2f}", "", "", "")

    if args.scale:
        data = scaled_copy(DATA, tmp / "scaled-data", args.scale)
        seasons = tuple(season_label(int(s[:4]) - 10 * k) for k in range(args.scale) for s in SEASONS)
        first_s, last_s = season_range(data, seasons)
        h = tmp / "scaled"
        wall, rss, code = run(
            h, data, "backfill", "--start-date", first_s, "--end-date", last_s, "--workers", "2"
        )
        n = rows_written(h)
        row(
            f"SYNTHETIC {args.scale}x copies of the 4 seasons{' FAILED' if code else ''}",
            f"{wall:.1f}",
            f"{n:,}",
            f"{n / wall:,.0f}",
            f"{rss:.0f}",
        )
    console.print(table)
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

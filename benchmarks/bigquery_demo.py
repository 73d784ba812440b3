"""The pipeline on DuckDB vs emulated BigQuery + GCS: wall time and per-table rows (printed, never asserted).

    scripts/emulators.sh                                   # once: the emulators' own environment
    uv run python benchmarks/bigquery_demo.py --days 5     # the first N dates of 2025-26

Starts bqemulator and gcp-storage-emulator on free 127.0.0.1 ports from ``build/emulators``,
runs every default processor over the same real dates on a fresh DuckDB file and on a fresh
emulated BigQuery dataset (raw store on emulated GCS), and prints both wall times and whether
every table holds the same number of rows.  The emulator answers each statement as an HTTP job
that it transpiles back to DuckDB, so its wall time measures the emulator, not BigQuery.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "nba"
EMULATORS = REPO / "build" / "emulators" / "bin"
OPENING_NIGHT = dt.date(2025, 10, 21)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(cmd: list[str], ready: str, log: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    for _ in range(450):
        try:
            if httpx.get(ready, timeout=2).status_code < 500:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{cmd[0]} did not start; see {log}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=5, help="dates from 2025-26 opening night (default 5)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="nbaprops-bq-bench-"))
    bq_port, gcs_port = _port(), _port()
    bq = _start(
        [
            str(EMULATORS / "bqemulator"),
            "start",
            "--rest-port",
            str(bq_port),
            "--grpc-port",
            str(_port()),
            "--project",
            "bench",
            "--log-level",
            "warning",
        ],
        f"http://127.0.0.1:{bq_port}/bigquery/v2/projects/bench/datasets",
        tmp / "bq.log",
    )
    gcs = _start(
        [
            str(EMULATORS / "gcp-storage-emulator"),
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(gcs_port),
            "--in-memory",
            "--default-bucket",
            "bench",
            "-q",
        ],
        f"http://127.0.0.1:{gcs_port}/storage/v1/b",
        tmp / "gcs.log",
    )
    os.environ |= {
        "STORAGE_EMULATOR_HOST": f"http://127.0.0.1:{gcs_port}",
        "FSSPEC_GS_TOKEN": "anon",
        "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false",
    }
    try:
        from nbaprops.core.config import Settings
        from nbaprops.ops.runner import Runner
        from nbaprops.pipeline.registry import default_registry
        from nbaprops.storage import DuckDBWarehouse, Warehouse
        from nbaprops.storage.bigquery import BigQueryWarehouse

        days = [OPENING_NIGHT + dt.timedelta(days=i) for i in range(args.days)]
        procs = default_registry().select()

        def run(name: str, wh: Warehouse, **kw: str) -> tuple[float, dict[str, int], int]:
            s = Settings(home=tmp / name, data_dir=DATA, today=dt.date(2026, 11, 25), **kw)  # type: ignore[arg-type]
            t0 = time.perf_counter()
            report = Runner(settings=s, warehouse=wh, code_version="bench").run(procs, days)
            wall = time.perf_counter() - t0
            return wall, {p.output: wh.count(p.output) for p in procs}, len(report.failed)

        duck = run("duck", DuckDBWarehouse(tmp / "duck.duckdb"))
        bigq = run(
            "bq",
            BigQueryWarehouse(
                f"bigquery://bench/b_{uuid.uuid4().hex[:6]}", api_endpoint=f"http://127.0.0.1:{bq_port}"
            ),
            raw=f"gs://bench/{uuid.uuid4().hex[:6]}/raw",
        )
    finally:
        bq.terminate()
        gcs.terminate()
    out = Table(title=f"{args.days} dates from {OPENING_NIGHT} (2025-26), every default processor")
    for col in ("engine", "wall s", "s / date", "failed", "rows (all tables)"):
        out.add_column(col)
    for name, (wall, counts, failed) in (("DuckDB", duck), ("BigQuery emulator + GCS emulator", bigq)):
        out.add_row(name, f"{wall:.1f}", f"{wall / args.days:.1f}", str(failed), f"{sum(counts.values()):,}")
    console = Console()
    console.print(out)
    same = duck[1] == bigq[1]
    console.print(f"per-table row counts equal: {same}")
    if not same:
        for t in duck[1]:
            if duck[1][t] != bigq[1][t]:
                console.print(f"  {t}: DuckDB {duck[1][t]} vs BigQuery {bigq[1][t]}")


if __name__ == "__main__":
    main()

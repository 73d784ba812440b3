"""API latency benchmark (not a test): p50/p95 of ``/picks`` and ``/grades`` under a bounded local load.

    uv run python benchmarks/api_latency.py --home /tmp/demo-home          # 2,000 requests, 4 clients
    uv run python benchmarks/api_latency.py --home H --requests 500 --clients 2

The server is ``nbaprops serve`` in its own process on 127.0.0.1 (a free port) over the
warehouse in ``--home`` (build one first, e.g. ``NBAPROPS_HOME=H nbaprops demo``).  This
process sends the requests, half to each endpoint, from ``--clients`` threads, and stops
after ``--requests`` or ``--max-seconds``, whichever comes first.  Each ``/picks`` request
asks for a date that has calls (cycling through the warehouse's dates); each ``/grades``
request asks for the default range (the 60 days up to the latest graded date).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import httpx
from rich.console import Console
from rich.table import Table


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call_dates(home: Path) -> list[str]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "SELECT DISTINCT game_date FROM predictions WHERE line IS NOT NULL ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    return [d.isoformat() for (d,) in rows]


def _start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NBAPROPS_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "nbaprops.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the server did not start: {proc.stderr.read().decode() if proc.stderr else ''}")


def _pct(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", type=Path, required=True, help="NBAPROPS_HOME holding a built warehouse")
    ap.add_argument("--requests", type=int, default=2000, help="requests in all (half per endpoint)")
    ap.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    ap.add_argument("--max-seconds", type=float, default=300.0, help="stop sending after this long")
    args = ap.parse_args()

    dates = _call_dates(args.home)
    if not dates:
        raise SystemExit(f"no calls in {args.home}: build the warehouse first (nbaprops demo)")
    port = _free_port()
    server = _start_server(args.home, port)
    base = f"http://127.0.0.1:{port}"
    timings: dict[str, list[float]] = {"/picks": [], "/grades": []}
    errors: dict[str, int] = {"/picks": 0, "/grades": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + args.max_seconds
    local = threading.local()

    def one(i: int) -> None:
        if time.monotonic() > stop_at:
            return
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=base, timeout=30)
        path = "/picks" if i % 2 == 0 else "/grades"
        params = {"date": dates[(i // 2) % len(dates)], "limit": 100} if path == "/picks" else {}
        t0 = time.perf_counter()
        r = client.get(path, params=params)
        took = (time.perf_counter() - t0) * 1000
        with lock:
            if r.status_code == 200:
                timings[path].append(took)
            else:
                errors[path] += 1

    try:
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(one, range(args.requests)))
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=10)

    table = Table(
        title=f"API latency: {args.clients} clients, {sum(map(len, timings.values()))} requests in {wall:.1f}s"
    )
    for col in ("endpoint", "ok", "errors", "p50 ms", "p95 ms", "max ms"):
        table.add_column(col, justify="right" if col != "endpoint" else "left")
    for path, got in timings.items():
        if got:
            table.add_row(
                path,
                str(len(got)),
                str(errors[path]),
                f"{_pct(got, 50):.1f}",
                f"{_pct(got, 95):.1f}",
                f"{max(got):.1f}",
            )
        else:
            table.add_row(path, "0", str(errors[path]), "", "", "")
    Console().print(table)


if __name__ == "__main__":
    main()

"""Scrape benchmark (not a test): a season of schedule days from a local server, sequential vs concurrent.

    uv run python benchmarks/scrape_bench.py                       # 174 days, 8 workers, no rate limit
    uv run python benchmarks/scrape_bench.py --workers 16 --rate 20  # 20 req/s per host
    uv run python benchmarks/scrape_bench.py --latency 0.05

A threaded HTTP server on 127.0.0.1 answers every ``scoreboardV2`` request with
the recorded NBA.com scoreboard (after ``--latency`` seconds, standing in for
the network).  Each request goes through the real client (retries, checks,
rate limit, breaker) and the payload is stored in a throwaway raw store, as
the scrape processors do.  Prints requests/s for both runs and the speed-up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from rich.console import Console
from rich.table import Table

from nbaprops.core.config import HttpSettings
from nbaprops.pipeline.scrape.scrape import scrape_requests
from nbaprops.sources import nbac
from nbaprops.sources.http import HttpClient
from nbaprops.storage import RawStore

REPO = Path(__file__).resolve().parents[1]
PAYLOAD = (
    REPO.parent / "shared" / "fixtures" / "payloads" / "nbac_scoreboard_v2" / "raw_055ff78d.json"
).read_bytes()
SEASON = (dt.date(2024, 10, 22), dt.date(2025, 4, 13))


def serve(latency: float) -> ThreadingHTTPServer:
    """A local server answering every request with the scoreboard after `latency` seconds."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(latency)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def scrape(days: list[dt.date], workers: int, base: str, rate: float, root: str) -> tuple[float, int]:
    """(seconds, payloads stored) for scraping every day with `workers` threads."""
    client = HttpClient(settings=HttpSettings(rate_per_host=rate, base_urls={"nbac_stats": base}))
    raw = RawStore(root)

    def one(day: dt.date) -> int:
        rows, failures = scrape_requests([nbac.scoreboard(day)], day=day, client=client, raw=raw)
        if failures:
            raise SystemExit(f"scrape failed: {failures[0]}")
        return len(rows)

    t0 = time.perf_counter()
    if workers <= 1:
        stored = sum(one(d) for d in days)
    else:
        with ThreadPoolExecutor(workers) as pool:
            stored = sum(pool.map(one, days))
    took = time.perf_counter() - t0
    client.close()
    return took, stored


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=8, help="concurrent requests (default 8)")
    ap.add_argument("--rate", type=float, default=0.0, help="requests/s per host (0: no limit)")
    ap.add_argument("--latency", type=float, default=0.02, help="server delay per request, seconds")
    ap.add_argument(
        "--days", type=int, default=0, help="days to scrape (default: the 2024-25 regular season)"
    )
    args = ap.parse_args()
    first, last = SEASON
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    if args.days:
        days = days[: args.days]
    server = serve(args.latency)
    base = f"http://127.0.0.1:{server.server_address[1]}/stats"
    results = []
    for workers in (1, args.workers):
        with tempfile.TemporaryDirectory() as tmp:
            took, n = scrape(days, workers, base, args.rate, tmp)
        results.append((workers, n, took, n / took))
    server.shutdown()
    table = Table(
        title=f"Scrape {len(days)} schedule days (latency {args.latency}s, rate {args.rate or 'none'}/s)"
    )
    for col in ("workers", "requests", "seconds", "requests/s", "vs sequential"):
        table.add_column(col, justify="right")
    base_rps = results[0][3]
    for workers, n, took, rps in results:
        table.add_row(str(workers), str(n), f"{took:.2f}", f"{rps:.1f}", f"{rps / base_rps:.2f}x")
    Console().print(table)


if __name__ == "__main__":
    main()

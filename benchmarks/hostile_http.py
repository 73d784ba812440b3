"""Hostile upstreams against the scrape path: a slow-loris drip and an oversized body.

Runs one scrape request (``scrape_requests``: fetch + store in a raw folder)
against a local server on 127.0.0.1 and prints the wall time to fail (or to
succeed), what was stored and the process's peak RSS.  One scenario per process
so peak memory is the scenario's own:

    uv run python benchmarks/hostile_http.py slowloris
    uv run python benchmarks/hostile_http.py oversized

``PYTHONPATH=<an older checkout>/src`` runs the same against older code (the
script only uses APIs both have; the deadline is set only where it exists).
Measured figures are in ``docs/operations.md``.
"""

from __future__ import annotations

import datetime as dt
import resource
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

from nbaprops.core.config import HttpSettings
from nbaprops.pipeline.scrape.scrape import scrape_requests
from nbaprops.sources.base import Request
from nbaprops.sources.http import HttpClient, SourceProfile
from nbaprops.storage.rawstore import RawStore

DRIP_BYTES = 120
"""Slow-loris: a valid 120-byte JSON body, one byte every 0.5 s (60 s), never idle 2 s."""
HUGE_MB = 200
"""Oversized: a 200 MB JSON array, streamed without a Content-Length."""


def slowloris(conn: socket.socket) -> None:
    body = b'{"resultSets": [' + b" " * (DRIP_BYTES - 19) + b"]}\n"
    conn.sendall(
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    )
    for i in range(len(body)):
        conn.sendall(body[i : i + 1])
        time.sleep(0.5)


def oversized(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"1," * 32768
    sent = 0
    conn.sendall(b"1\r\n[\r\n")
    while sent < HUGE_MB * 1_000_000:
        conn.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        sent += len(chunk)
    conn.sendall(b"1\r\n1\r\n1\r\n]\r\n0\r\n\r\n")


def serve(behaviour: object) -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)

    def loop() -> None:
        while True:
            conn, _ = sock.accept()

            def one(c: socket.socket = conn) -> None:
                try:
                    c.recv(65536)
                    behaviour(c)  # type: ignore[operator]
                except OSError:
                    pass
                finally:
                    c.close()

            threading.Thread(target=one, daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return int(sock.getsockname()[1])


def main(scenario: str) -> None:
    port = serve(slowloris if scenario == "slowloris" else oversized)
    knobs: dict[str, object] = {
        "read_timeout": 2.0,
        "max_attempts": 2,
        "backoff_base": 0.1,
        "rate_per_host": 0,
    }
    if "deadline" in HttpSettings.model_fields:
        knobs["deadline"] = 10.0  # the figure quoted: 10 s per attempt (default 60 s)
    settings = HttpSettings(**knobs)  # type: ignore[arg-type]
    req = Request(
        kind="bench", profile=SourceProfile(name="bench", base_url=f"http://127.0.0.1:{port}"), endpoint="x"
    )
    with tempfile.TemporaryDirectory() as tmp, HttpClient(settings=settings) as client:
        raw = RawStore(str(Path(tmp) / "raw"))
        t0 = time.perf_counter()
        _rows, failures = scrape_requests([req], day=dt.date(2025, 1, 5), client=client, raw=raw)
        took = time.perf_counter() - t0
        stored = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    outcome = f"failed: {failures[0][:140]}" if failures else "succeeded"
    print(f"{scenario}: {outcome}")
    print(f"  wall {took:.1f} s, stored {stored:,} bytes, peak RSS {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "slowloris")

"""``nbaprops serve``: the app under uvicorn in its own process, on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from _support import DATA, TODAY


def test_serve_answers_on_the_given_port(api_home: Path, day: str, free_port: int) -> None:
    port = free_port
    env = {
        **os.environ,
        "NBAPROPS_HOME": str(api_home),
        "NBAPROPS_DATA_DIR": str(DATA),
        "NBAPROPS_TODAY": TODAY.isoformat(),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "nbaprops.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = None
        deadline = time.monotonic() + 60
        while health is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
            except httpx.HTTPError:
                time.sleep(0.2)
        assert health is not None and health.status_code == 200, proc.poll()
        assert health.json()["warehouse_reachable"]
        picks = httpx.get(
            f"http://127.0.0.1:{port}/picks", params={"date": day, "limit": 3}, timeout=10
        ).json()
        assert len(picks["items"]) == 3
        page = httpx.get(f"http://127.0.0.1:{port}/", follow_redirects=True, timeout=10)
        assert page.status_code == 200 and "<title>Calls" in page.text
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/dashboard" in out

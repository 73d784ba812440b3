"""kill -9 at random points of real CLI runs, then resume: the end state equals a clean run's.

A subprocess runs ``nbaprops run`` over phase 1 (scrape NBA.com's scoreboard from a local
127.0.0.1 server serving the recorded payload -> store the raw payload -> parse -> write)
and then ``nbaprops backfill`` over a few real dates (phases 2-5 from the public data).  Each
command is launched up to `KILLS_PER_COMMAND` times, each launch getting SIGKILL after a
random delay (seeded) between the clean run's start-up (its warehouse opened) and its end,
then resumed to completion.  After each episode every table is compared with a clean,
uninterrupted run: checksums equal (the manifest without its fetch times), and `validate`
raises no alarm.  Bounded: episodes until at least `KILLS` kills, at most `MAX_LAUNCHES`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from _support import DATA, FIXTURES, TODAY, dates, make_settings
from faults.report import Tally
from nbaprops.ops.runner import Runner
from nbaprops.ops.validate import validate
from nbaprops.storage import DuckDBWarehouse

KILLS = 20
KILLS_PER_COMMAND = 10
MAX_LAUNCHES = 90
SCOREBOARD = (FIXTURES / "nbac_scoreboard_v2" / "raw_055ff78d.json").read_bytes()
SCRAPE = ["run", "--date", "2024-01-15", "-p", "scrape_nbac_scoreboard_v2,raw_nbac_games"]
BACKFILL_DATES = (dt.date(2025, 10, 21), dt.date(2025, 10, 22))
BACKFILL = [
    "backfill",
    "--start-date",
    "2025-10-21",
    "--end-date",
    "2025-10-22",
    "--workers",
    "2",
    "--skip-preflight",
]
"""``--skip-preflight``: a kill during the schedule load wedges the pre-flight check of every
resume ("no scheduled season covers ...", issue 15 item 6: the pre-flight must count what the
backfill's own schedule step supplies).  Drop the flag once that lands."""
VOLATILE = {"fetched_at", "path"}
"""Manifest columns that record when and where (a re-fetch after a kill has its own time, each
home its own folder); the stored payloads are compared by content instead (`stored`)."""


def _env(home: Path, server: HTTPServer) -> dict[str, str]:
    base = server.url_for("").rstrip("/")
    return {
        **os.environ,
        "NBAPROPS_HOME": str(home),
        "NBAPROPS_DATA_DIR": str(DATA),
        "NBAPROPS_TODAY": TODAY.isoformat(),
        "NBAPROPS_HTTP__BASE_URLS": json.dumps({"nbac_stats": f"{base}/stats"}),
        "NBAPROPS_HTTP__RATE_PER_HOST": "0",
        "COLUMNS": "200",
    }


def _launch(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "nbaprops.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _finish(args: list[str], env: dict[str, str], home: Path) -> tuple[float, float]:
    """Run a command to the end: (seconds until it opened the warehouse, total seconds)."""
    t0 = time.monotonic()
    proc = _launch(args, env)
    opened = None
    while proc.poll() is None:
        if opened is None and (home / "warehouse.duckdb").exists():
            opened = time.monotonic() - t0
        time.sleep(0.02)
    _, err = proc.communicate()
    assert proc.returncode == 0, err.decode()
    total = time.monotonic() - t0
    return (opened if opened is not None else 0.5 * total), total


def fingerprint(home: Path) -> dict[str, str]:
    """Rows + order-independent checksum of every data table (ledger and catalog excluded)."""
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    out: dict[str, str] = {}
    tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
    for t in sorted(x for x in tables if not x.startswith("ops_")):
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = $t ORDER BY ordinal_position",
                {"t": t},
            ).fetchall()
            if r[0] not in VOLATILE
        ]
        sel = ", ".join(f'"{c}"' for c in cols)
        got = con.execute(
            f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR FROM (SELECT {sel} FROM {t}) t"
        ).fetchall()[0]
        out[t] = f"{got[0]}:{got[1]}"
    con.close()
    return out


def stored(home: Path) -> dict[str, str]:
    """Every raw payload file under the home, by relative path: its sha256."""
    root = home / "raw"
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*.json")
    }


def _alarms(home: Path) -> list[str]:
    s = make_settings(home)
    wh = DuckDBWarehouse(s.warehouse_url)
    try:
        runner = Runner(settings=s, warehouse=wh, code_version="test")
        found = validate(runner, dates(*BACKFILL_DATES))
        return [f"{f.processor} {f.partition} {f.classification}" for f in found if f.alarm]
    finally:
        wh.close()


@pytest.mark.slow
def test_kill9_loop_resumes_to_the_clean_state(
    threaded_server: HTTPServer, tmp_path: Path, tally: Tally
) -> None:
    threaded_server.expect_request("/stats/scoreboardV2").respond_with_data(
        SCOREBOARD, content_type="application/json"
    )
    clean_home = tmp_path / "clean"
    env = _env(clean_home, threaded_server)
    timing = [_finish(SCRAPE, env, clean_home), _finish(BACKFILL, env, clean_home)]
    clean = fingerprint(clean_home)
    payloads = stored(clean_home)
    assert len(payloads) == 1
    assert clean["raw_nbac_games"].startswith("11:") and not clean["predictions"].startswith("0:")

    rng = random.Random(915)
    kills = launches = episodes = 0
    while kills < KILLS:
        episodes += 1
        home = tmp_path / f"killed-{episodes}"
        env = _env(home, threaded_server)
        for step, args in enumerate((SCRAPE, BACKFILL)):
            for _ in range(KILLS_PER_COMMAND):  # kill at a random point after start-up
                assert launches < MAX_LAUNCHES, f"{kills} kills in {launches} launches"
                launches += 1
                opened, total = timing[step]
                t0 = time.monotonic()
                proc = _launch(args, env)
                try:
                    proc.wait(timeout=rng.uniform(0.8 * opened, max(opened, 0.9 * total)))
                except subprocess.TimeoutExpired:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait()
                    kills += 1
                    tally.injected("kill -9")
                    continue
                assert proc.returncode == 0, proc.stderr.read().decode() if proc.stderr else ""
                # it finished first (the machine got faster): aim earlier from now on
                timing[step] = (opened, time.monotonic() - t0)
                break
            _finish(args, env, home)  # resume
        assert fingerprint(home) == clean, f"episode {episodes} differs from the clean run"
        assert stored(home) == payloads
        assert _alarms(home) == []
        tally.survived("kill -9", kills - sum(v[1] for v in tally.counts.values()))

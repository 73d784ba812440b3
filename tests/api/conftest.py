"""Fixtures of the API tests: a warehouse built from real data by the pipeline's own commands,
the app over it (in-process and on 127.0.0.1), and headless Chromium."""

from __future__ import annotations

import fcntl
import functools
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from _support import DATA, REPO, TODAY, make_settings
from nbaprops.api import create_app
from nbaprops.cli import app as cli_app
from nbaprops.core.config import Settings

RANGE = ("2025-10-21", "2025-11-04")
"""The real dates built: the first two weeks of 2025-26 (prop lines start 2025-10-21)."""
SYSTEMS_RANGE = ("2025-11-01", "2025-11-04")
"""Dates also predicted by every system (system_predictions is opt-in: it fits models)."""
DAY = "2025-11-04"
"""The date the tests look at (the last built: calls of every system, all graded)."""
SCREENSHOTS = REPO / "build" / "screenshots"


def cli(home: Path, *args: str) -> Any:
    """Run an ``nbaprops`` command on `home` (in-process, exit code checked)."""
    result = CliRunner().invoke(
        cli_app,
        ["--home", str(home), "--data-dir", str(DATA), *args],
        env={"NBAPROPS_TODAY": TODAY.isoformat()},
    )
    assert result.exit_code == 0, result.output
    return result


def _build(home: Path) -> None:
    cli(home, "run", "--start-date", RANGE[0], "--end-date", RANGE[1])
    cli(
        home,
        "run",
        "--start-date",
        SYSTEMS_RANGE[0],
        "--end-date",
        SYSTEMS_RANGE[1],
        "-p",
        "system_predictions,system_prediction_grades",
    )


@pytest.fixture(scope="session")
def api_home(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A home whose warehouse the pipeline built over `RANGE` (and every system over `SYSTEMS_RANGE`).

    Built once per test session: under xdist the first worker builds it in the session's
    shared temporary folder while the others wait on a lock, then all read it (the tests
    that change a warehouse work on a private copy).
    """
    if worker_id == "master":
        home = tmp_path_factory.mktemp("api") / "home"
        _build(home)
        return home
    shared = tmp_path_factory.getbasetemp().parent / "api-home"
    shared.mkdir(exist_ok=True)
    home, done = shared / "home", shared / "built"
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            _build(home)
            done.touch()
    return home


@pytest.fixture(scope="session")
def api_settings(api_home: Path) -> Settings:
    return make_settings(api_home)


@pytest.fixture(scope="session")
def app(api_settings: Settings) -> FastAPI:
    return create_app(api_settings)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def private_home(api_home: Path, tmp_path: Path) -> Path:
    """A private copy of the built home, for tests that change the warehouse."""
    home = tmp_path / "home"
    shutil.copytree(api_home, home)
    return home


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def free_port() -> int:
    """A port nothing listens on, on 127.0.0.1."""
    return _free_port()


@pytest.fixture(scope="session")
def base_url(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 (a thread of the test process)."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium: Debian's package (``.ci/run`` installs it), driven by Playwright."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("no chromium on PATH: apt-get install -y chromium (.ci/run does)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def day() -> str:
    """The date the tests look at."""
    return DAY


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the browser tests save a screenshot of every page (gitignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def run_cli(api_home: Path) -> Callable[..., Any]:
    """``run_cli("picks", "--json")``: a read-only nbaprops command on the shared built home
    (exit code 0 checked).  A command that opens the warehouse for writing (``validate`` does,
    through the runner) would lock out the app other tests are serving: use `private_cli`."""
    return functools.partial(cli, api_home)


@pytest.fixture
def private_cli(private_home: Path) -> Callable[..., Any]:
    """An nbaprops command on a private copy of the built home."""
    return functools.partial(cli, private_home)

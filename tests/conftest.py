"""Shared fixtures: the real public data in ../shared, and throwaway warehouses."""

from __future__ import annotations

import os

os.environ.setdefault("COLUMNS", "200")  # wide, stable tables in CLI output (before rich loads)

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from _support import DATA, SLICE, dates, make_settings
from faults.report import pytest_sessionstart, pytest_terminal_summary  # noqa: F401  (fault-suite tally)
from nbaprops.core.config import Settings
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import DuckDBWarehouse


def pytest_configure(config: pytest.Config) -> None:
    if not DATA.is_dir():
        raise pytest.UsageError(f"real data not found at {DATA}: clone with ../shared beside it")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home")


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with the whole skeleton run over SLICE (built once per session)."""
    home = tmp_path_factory.mktemp("built") / "home"
    s = make_settings(home)
    wh = DuckDBWarehouse(s.warehouse_url)
    runner = Runner(settings=s, warehouse=wh, code_version="test")
    report = runner.run(default_registry().select(), dates(*SLICE))
    assert not report.failed, report.failed
    wh.close()
    return home


@pytest.fixture
def built(built_home: Path, tmp_path: Path) -> Iterator[Runner]:
    """A private copy of the built warehouse, with a runner on it."""
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    s = make_settings(home)
    wh = DuckDBWarehouse(s.warehouse_url)
    yield Runner(settings=s, warehouse=wh, code_version="test")
    wh.close()


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """A local server on 127.0.0.1 that answers while another handler still sleeps (timeouts)."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


# --- local emulators for the BigQuery/GCS contract suite (tests/_emulators.py) ---
@pytest.fixture(scope="session")
def bigquery_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REST endpoint of a BigQuery emulator on 127.0.0.1 (skips when none is installed)."""
    from _emulators import bigquery_emulator

    with bigquery_emulator(tmp_path_factory.mktemp("bqemulator")) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def gcs_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Endpoint of a GCS emulator on 127.0.0.1 with bucket ``nbaprops-test`` (skips when absent)."""
    import fsspec

    from _emulators import gcs_emulator

    os.environ["GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT"] = "false"  # no gRPC bucket-type probe (60 s timeouts)
    with gcs_emulator(tmp_path_factory.mktemp("gcs")) as endpoint:
        os.environ["STORAGE_EMULATOR_HOST"] = endpoint
        fsspec.config.conf.setdefault("gs", {})["token"] = "anon"  # as FSSPEC_GS_TOKEN=anon would
        yield endpoint

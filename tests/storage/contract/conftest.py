"""Backends the contract suite runs on: every test taking `warehouse` runs once per backend.

DuckDB always; BigQuery on the local emulator (skipped with the reason when it is not
installed); live BigQuery only with ``NBAPROPS_TEST_BIGQUERY=project.dataset`` (marker
``remote``).  Each test gets an empty warehouse of its own (a fresh file or dataset).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from _emulators import PROJECT
from nbaprops.storage import DuckDBWarehouse, Warehouse

LIVE = os.environ.get("NBAPROPS_TEST_BIGQUERY")  # the one env read of the tests: opt-in live runs

BACKENDS = [
    pytest.param("duckdb", id="duckdb"),
    pytest.param("bigquery-emulator", id="bigquery-emulator"),
    pytest.param(
        "bigquery-live",
        id="bigquery-live",
        marks=[
            pytest.mark.remote,
            pytest.mark.skipif(
                not LIVE, reason="set NBAPROPS_TEST_BIGQUERY=project.dataset for live BigQuery"
            ),
        ],
    ),
]


def warehouse_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str | None]:
    """(warehouse URL, BigQuery API endpoint) of a fresh, empty warehouse on `backend`."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    if backend == "duckdb":
        return str(tmp_path / "w.duckdb"), None
    if backend == "bigquery-emulator":
        return f"bigquery://{PROJECT}/{name}", request.getfixturevalue("bigquery_endpoint")
    assert LIVE
    project, dataset = LIVE.split(".", 1)
    return f"bigquery://{project}/{dataset}_{name}", None


def open_backend(url: str, endpoint: str | None) -> Warehouse:
    """The warehouse at `url` (BigQuery through `endpoint` when given)."""
    if url.startswith("bigquery://"):
        from nbaprops.storage.bigquery import BigQueryWarehouse

        return BigQueryWarehouse(url, api_endpoint=endpoint)
    return DuckDBWarehouse(url)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str | None]:
    """(URL, endpoint) of a fresh warehouse on each backend in turn."""
    return warehouse_url(str(request.param), request, tmp_path)


@pytest.fixture
def warehouse(backend: tuple[str, str | None]) -> Iterator[Warehouse]:
    """An empty warehouse on each backend in turn."""
    wh = open_backend(*backend)
    yield wh
    if backend[0].startswith("bigquery://") and LIVE:
        from nbaprops.storage.bigquery import BigQueryWarehouse

        assert isinstance(wh, BigQueryWarehouse)
        wh.client.delete_dataset(f"{wh.project}.{wh.dataset}", delete_contents=True, not_found_ok=True)
    wh.close()

"""The emulators the contract suite runs against start, answer, and speak the official clients' API."""

from __future__ import annotations

import httpx

from _emulators import BUCKET, PROJECT


def test_bigquery_emulator_serves_the_rest_api(bigquery_endpoint: str) -> None:
    got = httpx.get(f"{bigquery_endpoint}/bigquery/v2/projects/{PROJECT}/datasets", timeout=10)
    assert got.status_code == 200
    assert got.json()["kind"] == "bigquery#datasetList"


def test_gcs_emulator_serves_the_bucket(gcs_endpoint: str) -> None:
    got = httpx.get(f"{gcs_endpoint}/storage/v1/b/{BUCKET}", timeout=10)
    assert got.status_code == 200
    assert got.json()["name"] == BUCKET

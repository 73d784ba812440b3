"""Property-based requests generated from the OpenAPI schema (schemathesis, in-process ASGI):
no input gives a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings

EXAMPLES = 15
"""Examples per operation (7 operations: a few seconds each)."""


@pytest.fixture(scope="module")
def operations(app: FastAPI) -> dict[str, Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return {op.label: op for op in (r.ok() for r in schema.get_all_operations())}


ENDPOINTS = (
    "GET /health",
    "GET /picks",
    "GET /grades",
    "GET /grades/detail",
    "GET /coverage",
    "GET /runs",
    "GET /players/{player_id}",
)


def test_every_endpoint_is_in_the_schema(operations: dict[str, Any]) -> None:
    assert set(operations) == set(ENDPOINTS)


@pytest.mark.parametrize("label", ENDPOINTS)
def test_no_generated_input_gives_a_server_error(operations: dict[str, Any], label: str) -> None:
    @given(case=operations[label].as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: Any) -> None:
        response = case.call()
        assert response.status_code < 500, (case.formatted_path, case.query, response.text[:300])

    check()

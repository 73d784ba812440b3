"""Local fault server for source tests: always 127.0.0.1, never the internet."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import httpx
import pytest

from nbaprops.core.config import HttpSettings, SourceKeys
from nbaprops.sources.http import HttpClient


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


Served: TypeAlias = "bytes | Callable[[httpx.Request], httpx.Response]"


class MockSource:
    """Builds clients whose requests are answered from memory (``httpx.MockTransport``)."""

    def __init__(self) -> None:
        self.seen: list[httpx.Request] = []

    def __call__(self, body: Served, **keys: str) -> HttpClient:
        self.seen.clear()

        def handler(request: httpx.Request) -> httpx.Response:
            self.seen.append(request)
            if callable(body):
                return body(request)
            return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

        return HttpClient(
            settings=HttpSettings(max_attempts=2, backoff_base=0.0, backoff_max=0.0, rate_per_host=0),
            keys=SourceKeys(**keys),  # type: ignore[arg-type]
            transport=httpx.MockTransport(handler),
            sleep=lambda _: None,
        )


@pytest.fixture
def serving() -> MockSource:
    """``serving(body, **keys)`` -> a client answering every request with `body`; ``serving.seen`` lists requests."""
    return MockSource()

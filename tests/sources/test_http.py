"""The shared HTTP client: retries, decoding, body checks, breaker, rate limit, secrets.

Faults are played by a real local server (pytest-httpserver on 127.0.0.1);
backoff sleeps are recorded instead of slept, so the suite stays fast and the
waits themselves can be checked.
"""

from __future__ import annotations

import gzip
import json
import logging
import time

import brotli
import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from nbaprops.core.config import HttpSettings, SourceKeys
from nbaprops.core.errors import TerminalSourceError, TransientSourceError
from nbaprops.sources.http import (
    CircuitBreaker,
    CircuitOpenError,
    HttpClient,
    RateLimiter,
    SourceProfile,
    decode_body,
)

BODY = {"resultSets": [{"name": "GameHeader", "rowSet": [[1, 2]]}]}
RAW = json.dumps(BODY).encode()


class Clock:
    """A settable monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def waits() -> list[float]:
    return []


def make_client(waits: list[float], clock: Clock | None = None, **kw: object) -> HttpClient:
    cfg = {
        "max_attempts": 3,
        "backoff_base": 0.01,
        "backoff_max": 10.0,
        "rate_per_host": 0.0,
        "read_timeout": 1.5,  # generous: a loaded machine must not turn an answer into a timeout
        "connect_timeout": 2.0,
        **kw,
    }
    return HttpClient(
        settings=HttpSettings(**cfg),  # type: ignore[arg-type]
        keys=SourceKeys(odds_api="sekret-key-123"),  # type: ignore[arg-type]
        sleep=waits.append,
        clock=clock or time.monotonic,
    )


def profile_for(server: HTTPServer, **kw: object) -> SourceProfile:
    return SourceProfile(name="test", base_url=server.url_for("").rstrip("/"), **kw)  # type: ignore[arg-type]


def test_429_with_retry_after_is_honoured(httpserver: HTTPServer, waits: list[float]) -> None:
    httpserver.expect_ordered_request("/sb").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request("/sb").respond_with_json(BODY)
    with make_client(waits) as c:
        got = c.fetch(profile_for(httpserver), "sb")
    assert got.json() == BODY
    assert got.attempts == 2
    assert waits == [7.0]


def test_retry_after_is_capped(httpserver: HTTPServer, waits: list[float]) -> None:
    httpserver.expect_ordered_request("/sb").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"}
    )
    httpserver.expect_ordered_request("/sb").respond_with_json(BODY)
    with make_client(waits, backoff_max=2.5) as c:
        c.fetch(profile_for(httpserver), "sb")
    assert waits == [2.5]


def test_500_then_200_succeeds_with_backoff(httpserver: HTTPServer, waits: list[float]) -> None:
    httpserver.expect_ordered_request("/sb").respond_with_data("boom", status=500)
    httpserver.expect_ordered_request("/sb").respond_with_data("boom", status=503)
    httpserver.expect_ordered_request("/sb").respond_with_json(BODY)
    with make_client(waits) as c:
        got = c.fetch(profile_for(httpserver), "sb")
    assert got.attempts == 3 and got.status == 200
    assert len(waits) == 2 and all(0 < w <= 10.0 for w in waits)


def test_5xx_forever_fails_after_bounded_attempts(httpserver: HTTPServer, waits: list[float]) -> None:
    httpserver.expect_request("/sb").respond_with_data("down", status=502)
    with (
        make_client(waits) as c,
        pytest.raises(TransientSourceError, match=r"failed after 3 attempt\(s\): HTTP 502"),
    ):
        c.fetch(profile_for(httpserver), "sb")
    assert len(httpserver.log) == 3


def test_other_4xx_is_terminal_and_not_retried(httpserver: HTTPServer, waits: list[float]) -> None:
    httpserver.expect_request("/sb").respond_with_data("nope", status=404)
    with make_client(waits) as c, pytest.raises(TerminalSourceError, match="HTTP 404"):
        c.fetch(profile_for(httpserver), "sb")
    assert len(httpserver.log) == 1 and waits == []


def test_read_timeout_is_retried(threaded_server: HTTPServer, waits: list[float]) -> None:
    calls: list[int] = []

    def first_slow(_: Request) -> Response:
        calls.append(1)
        if len(calls) == 1:
            time.sleep(3.0)
        return Response(RAW, content_type="application/json")

    threaded_server.expect_request("/sb").respond_with_handler(first_slow)
    with make_client(waits, read_timeout=1.0) as c:
        got = c.fetch(profile_for(threaded_server), "sb")
    assert got.attempts == 2 and got.json() == BODY


def test_truncated_body_short_of_content_length_is_retried(
    httpserver: HTTPServer, waits: list[float]
) -> None:
    def short(_: Request) -> Response:
        r = Response(RAW[:20], content_type="application/json")
        r.headers["Content-Length"] = str(len(RAW))
        return r

    httpserver.expect_ordered_request("/sb").respond_with_handler(short)
    httpserver.expect_ordered_request("/sb").respond_with_json(BODY)
    with make_client(waits) as c:
        got = c.fetch(profile_for(httpserver), "sb")
    assert got.attempts == 2 and got.json() == BODY


def test_truncated_json_with_matching_length_is_a_failed_attempt(
    httpserver: HTTPServer, waits: list[float]
) -> None:
    httpserver.expect_request("/sb").respond_with_data(RAW[:30], content_type="application/json")
    with make_client(waits) as c, pytest.raises(TransientSourceError, match="not valid JSON"):
        c.fetch(profile_for(httpserver), "sb")
    assert len(httpserver.log) == 3


def test_corrupt_brotli_body_fails_clearly_after_retries(httpserver: HTTPServer, waits: list[float]) -> None:
    httpserver.expect_request("/sb").respond_with_data(
        b"\x8b\x02\x80not brotli at all" * 4,
        headers={"Content-Encoding": "br"},
        content_type="application/json",
    )
    with make_client(waits) as c, pytest.raises(TransientSourceError, match="does not decode"):
        c.fetch(profile_for(httpserver), "sb")
    assert len(httpserver.log) == 3


def test_brotli_with_header_is_decoded(httpserver: HTTPServer, waits: list[float]) -> None:
    httpserver.expect_request("/sb").respond_with_data(
        brotli.compress(RAW), headers={"Content-Encoding": "br"}, content_type="application/json"
    )
    with make_client(waits) as c:
        assert c.fetch(profile_for(httpserver), "sb").json() == BODY


def test_brotli_without_content_encoding_header_is_decoded(
    httpserver: HTTPServer, waits: list[float]
) -> None:
    httpserver.expect_request("/sb").respond_with_data(brotli.compress(RAW), content_type="application/json")
    with make_client(waits) as c:
        got = c.fetch(profile_for(httpserver), "sb")
    assert got.content == RAW and got.attempts == 1


def test_gzip_with_and_without_header_is_decoded(httpserver: HTTPServer, waits: list[float]) -> None:
    httpserver.expect_request("/a").respond_with_data(
        gzip.compress(RAW), headers={"Content-Encoding": "gzip"}
    )
    httpserver.expect_request("/b").respond_with_data(gzip.compress(RAW))
    with make_client(waits) as c:
        assert c.fetch(profile_for(httpserver), "a").content == RAW
        assert c.fetch(profile_for(httpserver), "b").content == RAW


def test_html_error_page_with_status_200_is_a_failure(httpserver: HTTPServer, waits: list[float]) -> None:
    page = "<!DOCTYPE html><html><body><h1>Access Denied</h1></body></html>"
    httpserver.expect_ordered_request("/sb").respond_with_data(page, content_type="text/html")
    httpserver.expect_ordered_request("/sb").respond_with_json(BODY)
    with make_client(waits) as c:
        got = c.fetch(profile_for(httpserver), "sb")
    assert got.attempts == 2 and got.json() == BODY


def test_html_error_page_forever_names_the_problem(httpserver: HTTPServer, waits: list[float]) -> None:
    httpserver.expect_request("/sb").respond_with_data(
        "<html><body>Error</body></html>", content_type="text/html"
    )
    with make_client(waits) as c, pytest.raises(TransientSourceError, match="HTML page instead of JSON"):
        c.fetch(profile_for(httpserver), "sb")


def test_truncated_pdf_is_detected(httpserver: HTTPServer, waits: list[float]) -> None:
    httpserver.expect_request("/r.pdf").respond_with_data(
        b"%PDF-1.4\n1 0 obj\n<<>>", content_type="application/pdf"
    )
    with make_client(waits) as c, pytest.raises(TransientSourceError, match="PDF is truncated"):
        c.fetch(profile_for(httpserver), "r.pdf", expect="pdf")


def test_validator_rejects_wrong_shape(httpserver: HTTPServer, waits: list[float]) -> None:
    httpserver.expect_request("/sb").respond_with_json({"message": "An error has occurred."})
    with make_client(waits) as c, pytest.raises(TransientSourceError, match="resultSets"):
        c.fetch(
            profile_for(httpserver), "sb", validate=lambda b: None if b"resultSets" in b else "no resultSets"
        )


def test_breaker_opens_after_consecutive_failures_and_half_opens(
    httpserver: HTTPServer, waits: list[float]
) -> None:
    clock = Clock()
    httpserver.expect_request("/down").respond_with_data("x", status=500)
    with make_client(waits, clock, max_attempts=5, breaker_failures=5, breaker_cooldown=60) as c:
        prof = profile_for(httpserver)
        with pytest.raises(TransientSourceError):
            c.fetch(prof, "down")
        assert c.breaker.state("test") == "open"
        with pytest.raises(CircuitOpenError, match="circuit breaker open"):
            c.fetch(prof, "down")
        assert len(httpserver.log) == 5  # the refused call sent nothing
        clock.now += 61
        assert c.breaker.state("test") == "half_open"
        httpserver.clear()
        httpserver.expect_request("/up").respond_with_json(BODY)
        assert c.fetch(prof, "up").status == 200
        assert c.breaker.state("test") == "closed"


def test_failed_half_open_trial_reopens() -> None:
    clock = Clock()
    b = CircuitBreaker(2, 10, clock=clock)
    b.failure("s")
    b.failure("s")
    assert b.state("s") == "open"
    clock.now += 11
    b.before("s")  # the trial is let through
    with pytest.raises(CircuitOpenError):
        b.before("s")  # only one trial at a time
    b.failure("s")
    assert b.state("s") == "open"


def test_rate_limiter_spaces_requests_per_host() -> None:
    clock, slept = Clock(), []
    lim = RateLimiter(2.0, clock=clock, sleep=slept.append)
    assert [lim.acquire("a") for _ in range(3)] == [0.0, 0.5, 1.0]
    assert lim.acquire("b") == 0.0  # another host has its own budget
    assert slept == [0.5, 1.0]


def test_api_key_is_sent_but_never_logged_or_returned(
    httpserver: HTTPServer, waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_ordered_request(
        "/ev", query_string={"date": "x", "apiKey": "sekret-key-123"}
    ).respond_with_data("err", status=500)
    httpserver.expect_ordered_request(
        "/ev", query_string={"date": "x", "apiKey": "sekret-key-123"}
    ).respond_with_json(BODY)
    caplog.set_level(logging.DEBUG)
    with make_client(waits) as c:
        got = c.fetch(profile_for(httpserver, key="odds_api"), "ev", params={"date": "x"})
    assert got.status == 200
    assert "sekret" not in got.url and "apiKey" not in got.params
    ours = [r for r in caplog.records if not r.name.startswith("werkzeug")]  # the fake server's own log
    assert any(r.name == "httpx" for r in ours)  # httpx logs full URLs: they must be scrubbed
    assert not [r.getMessage() for r in ours if "sekret" in r.getMessage()]
    attempts = [r.getMessage() for r in ours if r.name == "nbaprops.sources.http"]
    assert len(attempts) == 2  # every attempt logged with its outcome
    assert "HTTP 500" in attempts[0] and "ok" in attempts[1]


def test_missing_api_key_is_a_terminal_error(waits: list[float]) -> None:
    with (
        HttpClient(settings=HttpSettings(), keys=SourceKeys(), sleep=waits.append) as c,
        pytest.raises(TerminalSourceError, match="NBAPROPS_KEYS__BALLDONTLIE"),
    ):
        c.fetch(SourceProfile("bdl", "http://127.0.0.1:9", key="balldontlie"), "games")


def test_profile_headers_and_user_agent_are_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=BODY)

    prof = SourceProfile("nbac", "https://stats.example", headers={"Referer": "https://www.nba.com/"})
    with HttpClient(settings=HttpSettings(rate_per_host=0), transport=httpx.MockTransport(handler)) as c:
        c.fetch(prof, "scoreboardV2", params={"GameDate": "2024-01-15"})
    req = seen[0]
    assert req.headers["Referer"] == "https://www.nba.com/"
    assert "Mozilla" in req.headers["User-Agent"]
    assert req.url.params["GameDate"] == "2024-01-15"


def test_decode_body_leaves_plain_bodies_alone() -> None:
    assert decode_body(RAW, "json") == RAW
    assert decode_body(b"a,b\n1,2\n", "csv") == b"a,b\n1,2\n"

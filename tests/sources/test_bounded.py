"""Bounded I/O against hostile local servers (127.0.0.1): slow-loris drips and oversized bodies.

Each server is a raw socket in a thread, so it can misbehave in ways an HTTP
framework will not (drip the status line, lie about the length).  Limits are
set small so each test ends in about a second; assertions are on the error
class, the message and what was stored, never on timings.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from nbaprops.core.config import HttpSettings, LimitOverride, RequestLimits, SourceKeys
from nbaprops.ops.alerts import Alert, WebhookChannel
from nbaprops.ops.drift import check_services
from nbaprops.pipeline.scrape.scrape import scrape_requests
from nbaprops.sources.base import Request
from nbaprops.sources.http import BodyTooLargeError, DeadlineExceededError, HttpClient, SourceProfile
from nbaprops.storage.rawstore import RawStore

Behaviour = Callable[[socket.socket], None]
KEY = "sekret-key-123"
PAYLOAD = json.dumps({"resultSets": [{"name": "GameHeader", "rowSet": [[1, 2]]}]}).encode()


class Hostile:
    """A one-behaviour TCP server on 127.0.0.1; each connection gets `behaviour(conn)`."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)  # the request
            self.behaviour(conn)
        except OSError:
            pass  # the client hung up: what a bounded client does
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def hostile() -> Iterator[Callable[[Behaviour], Hostile]]:
    servers: list[Hostile] = []

    def start(behaviour: Behaviour) -> Hostile:
        servers.append(Hostile(behaviour))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def drip_body(conn: socket.socket) -> None:
    """Headers at once, then one body byte every 0.2 s: never idle long enough for a read timeout."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{")
    for _ in range(200):
        time.sleep(0.2)
        conn.sendall(b" ")


def drip_headers(conn: socket.socket) -> None:
    """The status line itself, one byte every 0.2 s."""
    for b in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200:
        time.sleep(0.2)
        conn.sendall(bytes([b]))


def huge_chunked(conn: socket.socket) -> None:
    """A body with no length announced, streamed forever in 64 KiB chunks."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"[" + b"1," * 32767
    for _ in range(2000):  # up to 128 MiB: the client must hang up long before
        conn.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")


def huge_declared(conn: socket.socket) -> None:
    """A 200 MB Content-Length: refused before the body is read."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200000000\r\n\r\n[")
    time.sleep(2)


def client(**kw: object) -> HttpClient:
    cfg: dict[str, object] = {
        "max_attempts": 2,
        "backoff_base": 0.0,
        "backoff_max": 0.0,
        "rate_per_host": 0.0,
        "read_timeout": 2.0,
        "connect_timeout": 2.0,
        "deadline": 1.0,
        **kw,
    }
    return HttpClient(
        settings=HttpSettings(**cfg),  # type: ignore[arg-type]
        keys=SourceKeys(odds_api=SecretStr(KEY)),
        sleep=lambda _: None,
    )


def request(server: Hostile, kind: str = "nbac_scoreboard_v2") -> Request:
    profile = SourceProfile(name="odds_api", base_url=server.url, key="odds_api")
    return Request(kind=kind, profile=profile, endpoint="scoreboard", params={"date": "2025-01-05"})


def scrape_one(req: Request, c: HttpClient, tmp_path: Path) -> tuple[list[dict[str, object]], list[str]]:
    raw = RawStore(str(tmp_path / "raw"))
    return scrape_requests([req], day=dt.date(2025, 1, 5), client=c, raw=raw)


def stored_files(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "raw").rglob("*") if p.is_file()] if (tmp_path / "raw").exists() else []


@pytest.mark.parametrize("behaviour", [drip_body, drip_headers], ids=["body", "headers"])
def test_slow_loris_hits_the_deadline_on_every_attempt_and_nothing_is_stored(
    hostile: Callable[[Behaviour], Hostile],
    behaviour: Behaviour,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = hostile(behaviour)
    with client() as c, pytest.raises(DeadlineExceededError) as got:
        request(server).send(c)
    msg = str(got.value)
    assert "\n" not in msg and "1s deadline" in msg and "2 attempt(s)" in msg
    assert f"{server.url}/scoreboard?date=2025-01-05" in msg
    assert KEY not in msg and KEY not in caplog.text

    with client(max_attempts=1) as c:
        rows, failures = scrape_one(request(server), c, tmp_path)
    assert rows == [] and len(failures) == 1 and "deadline" in failures[0]
    assert stored_files(tmp_path) == []


def test_body_past_the_cap_is_aborted_mid_stream_not_retried_and_not_stored(
    hostile: Callable[[Behaviour], Hostile], tmp_path: Path
) -> None:
    served: list[int] = []

    def counted(conn: socket.socket) -> None:
        served.append(1)
        huge_chunked(conn)

    server = hostile(counted)
    with client(max_body_bytes=1_000_000, deadline=30.0) as c, pytest.raises(BodyTooLargeError) as got:
        request(server).send(c)
    msg = str(got.value)
    assert "ran past the cap of 1,000,000 bytes" in msg and "/scoreboard" in msg and KEY not in msg
    assert len(served) == 1  # terminal: a second attempt would get the same body

    with client(max_body_bytes=1_000_000, deadline=30.0) as c:
        rows, failures = scrape_one(request(server), c, tmp_path)
    assert rows == [] and "past the cap" in failures[0]
    assert stored_files(tmp_path) == []


def test_declared_length_past_the_cap_is_refused_before_reading(
    hostile: Callable[[Behaviour], Hostile],
) -> None:
    server = hostile(huge_declared)
    with client(max_body_bytes=1_000_000, deadline=30.0) as c, pytest.raises(BodyTooLargeError) as got:
        request(server).send(c)
    assert "declares 200,000,000 bytes" in str(got.value)


def test_per_kind_override_wins_over_the_default(hostile: Callable[[Behaviour], Hostile]) -> None:
    def small(conn: socket.socket) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(PAYLOAD)}\r\n\r\n"
        conn.sendall(head.encode() + PAYLOAD)

    server = hostile(small)
    tight = {"nbac_scoreboard_v2": LimitOverride(max_body_bytes=10)}
    with client(limits=tight) as c:
        with pytest.raises(BodyTooLargeError, match="cap of 10 bytes"):
            request(server).send(c)
        assert request(server, kind="nbac_play_by_play").send(c).content == PAYLOAD


def test_undeclared_gzip_bomb_is_capped() -> None:
    bomb = gzip.compress(b"[" + b"0," * 5_000_000 + b"0]")

    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=bomb, headers={"Content-Type": "application/json"})

    settings = HttpSettings(max_body_bytes=1_000_000, rate_per_host=0)
    with (
        HttpClient(settings=settings, transport=httpx.MockTransport(handler)) as c,
        pytest.raises(BodyTooLargeError, match="decompresses past the cap"),
    ):
        c.fetch(SourceProfile(name="t", base_url="http://127.0.0.1:9"), "x")


def test_limits_for_payload_kind_then_body_kind_then_default() -> None:
    s = HttpSettings(
        deadline=50,
        max_body_bytes=1000,
        limits={"PDF": LimitOverride(max_body_bytes=5000), "nbac_gamebook_pdf": LimitOverride(deadline=9)},
    )
    assert s.limits_for("nbac_gamebook_pdf", "pdf") == RequestLimits(deadline=9, max_body_bytes=5000)
    assert s.limits_for("other", "pdf") == RequestLimits(deadline=50, max_body_bytes=5000)
    assert s.limits_for(None, "json") == RequestLimits(deadline=50, max_body_bytes=1000)


def test_webhook_and_health_probe_share_the_deadline(hostile: Callable[[Behaviour], Hostile]) -> None:
    server = hostile(drip_body)
    hook = WebhookChannel(SecretStr(f"{server.url}/hooks/T000/SECRETPART"), timeout=1.0)
    alert = Alert(kind="run_failed", message="m", partition="2025-01-05")
    with pytest.raises(DeadlineExceededError) as got:
        hook.send(alert)
    assert "SECRETPART" not in hook.describe(got.value)
    [status] = check_services([("api", server.url)], timeout=1.0)
    assert (status.state, status.detail) == ("unreachable", "DeadlineExceededError")


def test_fetch_deadline_stops_retries_and_shrinks_the_last_attempt(
    hostile: Callable[[Behaviour], Hostile], caplog: pytest.LogCaptureFixture
) -> None:
    server = hostile(drip_body)
    caplog.set_level("INFO", logger="nbaprops.sources.http")
    with (
        client(max_attempts=10, deadline=1.0, fetch_deadline=1.8) as c,
        pytest.raises(DeadlineExceededError) as got,
    ):
        request(server).send(c)
    # fewer than the 10 attempts allowed: the fetch deadline stops the retries (how many fit in
    # 1.8 s depends on timing: the first gets the full 1 s, the later ones what is left)
    found = re.search(r"failed after (\d+) attempt\(s\), fetch deadline of 1.8s spent", str(got.value))
    assert found is not None and 2 <= int(found.group(1)) < 10
    attempts = [r.getMessage() for r in caplog.records if " attempt " in r.getMessage()]
    given = [float(m.group(1)) for a in attempts if (m := re.search(r"within the ([\d.]+)s deadline", a))]
    assert len(given) == int(found.group(1)) and given[0] == 1.0
    assert 0 < given[-1] < 1.0  # the last attempt gets what is left


def test_short_keys_are_scrubbed_as_values_without_mangling_other_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    HttpClient(keys=SourceKeys(balldontlie=SecretStr("k"))).close()
    caplog.set_level("INFO", logger="httpx")
    logging.getLogger("httpx").info('HTTP Request: GET http://h/stats?apiKey=k&keep=kirk "HTTP/1.1 200 OK"')
    [line] = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert line == 'HTTP Request: GET http://h/stats?apiKey=***&keep=kirk "HTTP/1.1 200 OK"'

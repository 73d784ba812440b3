"""Alerts against a local server standing in for Slack: once per window, never fatal, no leaked URL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from pytest_httpserver import HTTPServer
from rich.console import Console

from _support import make_settings
from nbaprops.core.config import Settings
from nbaprops.ops.alerts import (
    ALERTS,
    CHANNEL_BREAKER,
    Alert,
    ConsoleChannel,
    Notifier,
    SlackChannel,
    alerts_for_report,
    notify_report,
)
from nbaprops.ops.pipeline import run_range
from nbaprops.ops.runner import Outcome, Runner, RunReport
from nbaprops.pipeline.registry import Registry, default_registry
from nbaprops.storage import DuckDBWarehouse

SLACK_PATH = "/services/T0SECRET/B0SECRET/xoxSECRETtoken123"
HOOK_PATH = "/hooks/nbaprops-SECRET-hook"
SECRET_BITS = ("T0SECRET", "xoxSECRETtoken123", "nbaprops-SECRET-hook")

REPORT = RunReport(
    [
        Outcome(
            "raw_player_boxscores",
            "2025-10-22",
            "failed",
            error="TimeoutError: source timed out",
            run_id="r1",
        ),
        Outcome("player_game_summary", "2025-10-22", "failed", error="upstream raw_player_boxscores failed"),
        Outcome("raw_prop_lines", "2025-10-23", "success", rows_written=0, suspicious=True, run_id="r3"),
        Outcome("raw_prop_lines", "2025-10-24", "success", rows_written=311),
        Outcome("schedule", "2025-26", "skipped"),
    ]
)
T0 = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    srv = HTTPServer(host="127.0.0.1", port=0)
    srv.start()
    yield srv
    srv.clear()
    srv.stop()


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[DuckDBWarehouse]:
    w = DuckDBWarehouse(tmp_path / "alerts.duckdb")
    yield w
    w.close()


def _settings(
    tmp_path: Path, *, slack: str | None = None, hook: str | None = None, minutes: float = 60
) -> Settings:
    alerts: dict[str, object] = {"dedupe_minutes": minutes}
    if slack:
        alerts["slack_webhook"] = slack
    if hook:
        alerts["webhook"] = hook
    return make_settings(tmp_path / "home", alerts=alerts)


def _quiet() -> Console:
    return Console(file=open("/dev/null", "w"), width=200)


def _notifier(s: Settings, wh: DuckDBWarehouse | None, *, at: dt.datetime = T0) -> Notifier:
    return Notifier.from_settings(s, wh, console=_quiet(), now=lambda: at)


def _bodies(server: HTTPServer, path: str) -> list[dict[str, object]]:
    return [json.loads(req.get_data()) for req, _ in server.log if req.path == path]


def test_alerts_for_a_report_name_each_failure_and_suspicious_zero() -> None:
    got = [(a.kind, a.processor, a.partition) for a in alerts_for_report(REPORT)]
    assert got == [
        ("run_failed", "raw_player_boxscores", "2025-10-22"),
        ("run_failed", "player_game_summary", "2025-10-22"),
        ("suspicious_zero", "raw_prop_lines", "2025-10-23"),
    ]
    assert alerts_for_report(RunReport([Outcome("schedule", "2025-26", "success", 10)])) == []


def test_slack_gets_each_message_exactly_once_within_the_window(
    server: HTTPServer, wh: DuckDBWarehouse, tmp_path: Path
) -> None:
    server.expect_request(SLACK_PATH, method="POST").respond_with_data("ok")
    s = _settings(tmp_path, slack=server.url_for(SLACK_PATH))

    first = notify_report(s, wh, REPORT, notifier=_notifier(s, wh))
    assert {(d.channel, d.status) for d in first} == {("console", "sent"), ("slack", "sent")}
    assert len(first) == 6
    texts = [b["text"] for b in _bodies(server, SLACK_PATH)]
    assert texts == [
        "[nbaprops] run_failed: raw_player_boxscores 2025-10-22 - TimeoutError: source timed out",
        "[nbaprops] run_failed: player_game_summary 2025-10-22 - upstream raw_player_boxscores failed",
        "[nbaprops] suspicious_zero: raw_prop_lines 2025-10-23 - wrote 0 rows where the schedule expects rows",
    ]

    # the same report again, 30 minutes later: nothing new goes out
    again = notify_report(s, wh, REPORT, notifier=_notifier(s, wh, at=T0 + dt.timedelta(minutes=30)))
    assert {d.status for d in again} == {"deduped"}
    assert len(_bodies(server, SLACK_PATH)) == 3

    # a new failure on another partition still goes out
    more = RunReport([Outcome("raw_player_boxscores", "2025-10-25", "failed", error="boom")])
    notify_report(s, wh, more, notifier=_notifier(s, wh, at=T0 + dt.timedelta(minutes=31)))
    assert len(_bodies(server, SLACK_PATH)) == 4

    # past the window: sent again
    later = notify_report(s, wh, REPORT, notifier=_notifier(s, wh, at=T0 + dt.timedelta(minutes=61)))
    assert {d.status for d in later} == {"sent"}
    assert len(_bodies(server, SLACK_PATH)) == 7


def test_dedupe_state_survives_a_new_process(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request(SLACK_PATH, method="POST").respond_with_data("ok")
    s = _settings(tmp_path, slack=server.url_for(SLACK_PATH))
    path = tmp_path / "state.duckdb"
    for minute in (0, 5):
        wh = DuckDBWarehouse(path)  # a fresh connection, as a new process would open
        notify_report(s, wh, REPORT, notifier=_notifier(s, wh, at=T0 + dt.timedelta(minutes=minute)))
        wh.close()
    assert len(_bodies(server, SLACK_PATH)) == 3
    wh = DuckDBWarehouse(path)
    rows = wh.rows(f"SELECT channel, status, count(*) FROM {ALERTS} GROUP BY ALL ORDER BY ALL")
    wh.close()
    assert rows == [("console", "sent", 3), ("slack", "sent", 3)]


def test_the_generic_webhook_gets_the_alert_as_json(
    server: HTTPServer, wh: DuckDBWarehouse, tmp_path: Path
) -> None:
    server.expect_request(HOOK_PATH, method="POST").respond_with_data("", status=204)
    s = _settings(tmp_path, hook=server.url_for(HOOK_PATH))
    notify_report(s, wh, REPORT, notifier=_notifier(s, wh))
    bodies = _bodies(server, HOOK_PATH)
    assert [(b["kind"], b["processor"], b["partition"]) for b in bodies] == [
        ("run_failed", "raw_player_boxscores", "2025-10-22"),
        ("run_failed", "player_game_summary", "2025-10-22"),
        ("suspicious_zero", "raw_prop_lines", "2025-10-23"),
    ]
    assert bodies[0]["run_id"] == "r1"
    assert bodies[0]["source"] == "nbaprops"


def _client_logs(caplog: pytest.LogCaptureFixture) -> str:
    """Every log line on our side (the stand-in server's own access log is Slack's, not ours)."""
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))


def _assert_no_secret(*texts: str) -> None:
    for text in texts:
        for bit in SECRET_BITS:
            assert bit not in text


def test_a_404_from_slack_is_reported_not_fatal_and_the_url_never_shows(
    server: HTTPServer,
    wh: DuckDBWarehouse,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    slack_url = server.url_for(SLACK_PATH)
    # the server echoes the path back, as some proxies do
    server.expect_request(SLACK_PATH, method="POST").respond_with_data(
        f"no_service at {SLACK_PATH}", status=404
    )
    server.expect_request(HOOK_PATH, method="POST").respond_with_data("ok")
    s = _settings(tmp_path, slack=slack_url, hook=server.url_for(HOOK_PATH))
    caplog.set_level(logging.DEBUG)

    got = notify_report(s, wh, REPORT)  # default notifier: console on stderr, real clock

    by = {(d.channel, d.alert.processor): d for d in got}
    assert len(got) == 9
    slack = [d for d in got if d.channel == "slack"]
    assert {d.status for d in slack} == {"failed"}
    assert {d.error for d in slack} == {"HTTP 404: no_service at <redacted>"}
    # the other channels still got every alert
    assert {d.status for d in got if d.channel != "slack"} == {"sent"}
    assert len(_bodies(server, HOOK_PATH)) == 3
    assert by[("console", "raw_player_boxscores")].status == "sent"

    out, err = capsys.readouterr()
    assert "run_failed: raw_player_boxscores 2025-10-22" in err
    logs = _client_logs(caplog)
    assert "HTTP Request: POST <redacted>" in logs  # httpx did log its requests, redacted
    assert "not delivered to slack: HTTP 404" in logs
    recorded = wh.rows(f"SELECT * FROM {ALERTS}")
    failed = wh.rows(f"SELECT processor, error FROM {ALERTS} WHERE channel = 'slack' AND status = 'failed'")
    assert len(failed) == 3
    assert all(e == "HTTP 404: no_service at <redacted>" for _, e in failed)
    _assert_no_secret(out, err, logs, str(recorded), repr(got), repr(s.alerts))
    assert slack_url not in logs

    # an undelivered alert is tried again next time; delivered ones are not repeated
    again = notify_report(s, wh, REPORT)
    assert {(d.channel, d.status) for d in again} == {
        ("console", "deduped"),
        ("webhook", "deduped"),
        ("slack", "failed"),
    }
    assert len(_bodies(server, HOOK_PATH)) == 3


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_dead_channel_does_not_stop_the_others(
    server: HTTPServer, wh: DuckDBWarehouse, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server.expect_request(HOOK_PATH, method="POST").respond_with_data("ok")
    dead = f"http://127.0.0.1:{_closed_port()}{SLACK_PATH}"
    s = _settings(tmp_path, slack=dead, hook=server.url_for(HOOK_PATH))
    caplog.set_level(logging.DEBUG)
    got = notify_report(s, wh, REPORT, notifier=_notifier(s, wh))
    assert {(d.channel, d.status) for d in got} == {
        ("console", "sent"),
        ("slack", "failed"),
        ("webhook", "sent"),
    }
    assert all(d.error and d.error.startswith("ConnectError") for d in got if d.channel == "slack")
    assert len(_bodies(server, HOOK_PATH)) == 3
    _assert_no_secret(_client_logs(caplog), str(wh.rows(f"SELECT * FROM {ALERTS}")), repr(got))


def test_a_dead_channel_is_not_tried_for_every_alert(
    server: HTTPServer, wh: DuckDBWarehouse, tmp_path: Path
) -> None:
    server.expect_request(SLACK_PATH, method="POST").respond_with_data("gone", status=410)
    s = _settings(tmp_path, slack=server.url_for(SLACK_PATH))
    many = RunReport([Outcome("raw_prop_lines", f"2025-10-{d}", "failed", error="x") for d in range(21, 29)])
    got = notify_report(s, wh, many, notifier=_notifier(s, wh))
    slack = [d for d in got if d.channel == "slack"]
    assert len(slack) == 8
    assert len(_bodies(server, SLACK_PATH)) == CHANNEL_BREAKER
    assert [d.error for d in slack[:CHANNEL_BREAKER]] == ["HTTP 410: gone"] * CHANNEL_BREAKER
    assert all(d.error == "not tried: 3 failures in a row (HTTP 410: gone)" for d in slack[CHANNEL_BREAKER:])
    assert {d.status for d in got if d.channel == "console"} == {"sent"}
    assert wh.rows(f"SELECT count(*) FROM {ALERTS} WHERE channel = 'slack' AND status = 'failed'") == [(8,)]


class _Exploding:
    name = "pager"

    def send(self, alert: Alert) -> None:
        raise RuntimeError("pager on fire")

    def describe(self, exc: BaseException) -> str:
        raise RuntimeError("cannot even describe")


def test_a_channel_raising_anything_is_contained(wh: DuckDBWarehouse) -> None:
    n = Notifier([_Exploding(), ConsoleChannel(_quiet())], warehouse=wh, now=lambda: T0)
    got = n.send(Alert("run_failed", "2025-10-22", "x", processor="p"))
    assert [(d.channel, d.status, d.error) for d in got] == [
        ("pager", "failed", "RuntimeError"),
        ("console", "sent", None),
    ]


def test_a_read_only_warehouse_still_alerts(server: HTTPServer, tmp_path: Path) -> None:
    path = tmp_path / "ro.duckdb"
    DuckDBWarehouse(path).close()
    ro = DuckDBWarehouse(path, read_only=True)
    server.expect_request(SLACK_PATH, method="POST").respond_with_data("ok")
    s = _settings(tmp_path, slack=server.url_for(SLACK_PATH))
    got = notify_report(s, ro, REPORT, notifier=_notifier(s, ro))
    ro.close()
    assert {d.status for d in got} == {"sent"}
    assert len(_bodies(server, SLACK_PATH)) == 3


def test_channel_repr_hides_the_url(server: HTTPServer) -> None:
    ch = SlackChannel(SecretStr(server.url_for(SLACK_PATH)))
    _assert_no_secret(repr(ch), str(vars(ch)))


def test_run_range_alerts_on_failed_runs(built: Runner, server: HTTPServer, tmp_path: Path) -> None:
    """The wiring: a real run whose processor breaks sends one Slack message per failed partition."""
    server.expect_request(SLACK_PATH, method="POST").respond_with_data("ok")
    procs = default_registry().select()
    old = next(p for p in procs if p.name == "prediction_grades")
    broken_sql = tmp_path / "broken.sql"
    broken_sql.write_text("SELECT * FROM no_such_table")
    broken = dataclasses.replace(old, sql=broken_sql)
    runner = Runner(
        settings=built.settings,
        warehouse=built.wh,
        registry=Registry([broken if p.name == old.name else p for p in procs]),
        code_version="test",
    )
    s = _settings(tmp_path, slack=server.url_for(SLACK_PATH))
    days = [dt.date(2025, 10, 22), dt.date(2025, 10, 23)]
    report = run_range(s, days, processors=["prediction_grades"], runner=runner)
    assert len(report.failed) == 2
    texts = [b["text"] for b in _bodies(server, SLACK_PATH)]
    assert len(texts) == 2
    assert all(t.startswith("[nbaprops] run_failed: prediction_grades 2025-10-2") for t in texts)
    assert all("no_such_table" in t for t in texts)
    assert built.wh.rows(f"SELECT count(*) FROM {ALERTS} WHERE channel = 'slack' AND status = 'sent'") == [
        (2,)
    ]

"""Alerts: tell a person when runs fail or write suspicious zeros.

A `Notifier` sends each `Alert` to its channels:

* **console** (always on): one rich line on stderr;
* **Slack** incoming webhook (``Settings.alerts.slack_webhook``): POST ``{"text": ...}``;
* generic JSON **webhook** (``Settings.alerts.webhook``): POST the alert as JSON.

Rules:

* **Deduplicated**: an alert of the same kind for the same (processor,)
  partition goes out at most once per channel within
  ``Settings.alerts.dedupe_minutes``.  The state is the warehouse table
  ``ops_alerts``, so it holds across processes; a delivery that failed is
  tried again next time.
* **Never fatal**: a channel that fails (a 404 from the webhook, a timeout, a
  dead socket) or a warehouse that cannot record, is reported in the returned
  `Delivery` list, logged, and recorded in ``ops_alerts`` with its error; the
  run goes on and the other channels still get the alert.  After `CHANNEL_BREAKER` failures
  in a row a channel's breaker (`core.breaker`) opens: the notifier stops trying it (a dead
  webhook must not cost a timeout per alert) and records the alerts it skips as failed.
* **Secrets stay secret**: webhook URLs are kept as ``SecretStr`` and never
  appear in a log line, an error text or ``ops_alerts`` (errors say
  ``HTTP 404`` or ``ConnectError``, with any echo of the URL redacted; httpx's
  own request log lines are redacted too).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import httpx
from rich.console import Console

from nbaprops.core.breaker import CircuitBreaker
from nbaprops.core.config import Settings
from nbaprops.ops.channels import (
    DEFAULT_WEBHOOK_TIMEOUT,
    Alert,
    Channel,
    ConsoleChannel,
    SlackChannel,
    WebhookChannel,
)
from nbaprops.ops.runner import RunReport
from nbaprops.storage.queries.alerts import ALERTS, ALERTS_DDL, RECENTLY_SENT, RECORD_DELIVERY
from nbaprops.storage.warehouse import Warehouse

__all__ = [
    "ALERTS",
    "CHANNEL_BREAKER",
    "DEFAULT_WEBHOOK_TIMEOUT",
    "Alert",
    "Channel",
    "ConsoleChannel",
    "Delivery",
    "Notifier",
    "SlackChannel",
    "WebhookChannel",
    "alerts_for_report",
    "notify_report",
]

log = logging.getLogger(__name__)

CHANNEL_BREAKER = 3
"""Consecutive failures after which a notifier stops trying a channel (a dead webhook
must not cost one timeout per alert); those alerts are recorded as failed and retried
by the next notifier."""


DeliveryStatus = Literal["sent", "failed", "deduped"]


@dataclass(frozen=True)
class Delivery:
    """What happened to one alert on one channel."""

    alert: Alert
    channel: str
    status: DeliveryStatus
    error: str | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Notifier:
    """Sends alerts to channels, deduplicated, never raising.

    Args:
        channels: where alerts go (console first, usually).
        warehouse: holds ``ops_alerts`` (dedupe state and delivery record);
            None keeps no state (no deduplication across calls).
        dedupe_minutes: an alert with the same key goes out at most once per
            channel within this window (0 disables deduplication).
        now: the clock (tests pass a fixed one).
    """

    def __init__(
        self,
        channels: Sequence[Channel],
        *,
        warehouse: Warehouse | None = None,
        dedupe_minutes: float = 60.0,
        now: Callable[[], dt.datetime] = _now,
    ) -> None:
        self.channels = list(channels)
        self.wh = warehouse
        self.window = dt.timedelta(minutes=dedupe_minutes)
        self.now = now
        self._ready = False
        self.breaker = CircuitBreaker(CHANNEL_BREAKER, float("inf"))  # per channel, for this notifier's life
        self._last_error: dict[str, str] = {}

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        warehouse: Warehouse | None = None,
        *,
        console: Console | None = None,
        client: httpx.Client | None = None,
        now: Callable[[], dt.datetime] = _now,
    ) -> Notifier:
        """Console, plus Slack and the webhook when their URLs are set."""
        a = settings.alerts
        channels: list[Channel] = [ConsoleChannel(console)]
        if a.slack_webhook is not None and a.slack_webhook.get_secret_value():
            channels.append(SlackChannel(a.slack_webhook, client=client))
        if a.webhook is not None and a.webhook.get_secret_value():
            channels.append(WebhookChannel(a.webhook, client=client))
        return cls(channels, warehouse=warehouse, dedupe_minutes=a.dedupe_minutes, now=now)

    # --- state ---------------------------------------------------------------
    def _table(self) -> bool:
        if self.wh is None:
            return False
        if not self._ready:
            try:
                self.wh.execute(ALERTS_DDL)
                self._ready = True
            except Exception as exc:  # a read-only warehouse: alert anyway, without state
                log.warning(
                    "alerts: cannot keep %s (%s); sending without deduplication", ALERTS, type(exc).__name__
                )
                self.wh = None
                return False
        return True

    def _recently_sent(self, alert: Alert, channel: str, now: dt.datetime) -> bool:
        if self.window <= dt.timedelta(0) or not self._table():
            return False
        assert self.wh is not None
        try:
            got = self.wh.rows(
                RECENTLY_SENT,
                {
                    "k": alert.kind,
                    "p": alert.partition,
                    "r": alert.processor,
                    "c": channel,
                    "since": now - self.window,
                },
            )
        except Exception as exc:
            log.warning("alerts: dedupe lookup failed (%s)", type(exc).__name__)
            return False
        return bool(got[0][0])

    def _record(self, d: Delivery, now: dt.datetime) -> None:
        if not self._table():
            return
        assert self.wh is not None
        try:
            self.wh.execute(
                RECORD_DELIVERY,
                {
                    "i": uuid.uuid4().hex[:16],
                    "k": d.alert.kind,
                    "r": d.alert.processor,
                    "p": d.alert.partition,
                    "c": d.channel,
                    "s": d.status,
                    "m": d.alert.message[:2000],
                    "e": d.error,
                    "t": now,
                },
            )
        except Exception as exc:
            log.warning("alerts: cannot record a delivery in %s (%s)", ALERTS, type(exc).__name__)

    # --- sending -------------------------------------------------------------
    def send(self, alert: Alert) -> list[Delivery]:
        """Send one alert to every channel; one `Delivery` per channel.  Never raises."""
        now = self.now()
        out: list[Delivery] = []
        for ch in self.channels:
            if self._recently_sent(alert, ch.name, now):
                out.append(Delivery(alert, ch.name, "deduped"))
                continue
            if not self.breaker.allow(ch.name):
                why = f"not tried: {self.breaker.failures(ch.name)} failures in a row ({self._last_error[ch.name]})"
                d = Delivery(alert, ch.name, "failed", why)
                self._record(d, now)
                out.append(d)
                continue
            try:
                ch.send(alert)
                d = Delivery(alert, ch.name, "sent")
                self.breaker.success(ch.name)
            except Exception as exc:  # a channel never stops a run
                try:
                    why = ch.describe(exc)
                except Exception:
                    why = type(exc).__name__
                d = Delivery(alert, ch.name, "failed", why)
                self.breaker.failure(ch.name)
                self._last_error[ch.name] = why
                log.warning("alert %s not delivered to %s: %s", alert.title, ch.name, why)
            self._record(d, now)
            out.append(d)
        return out

    def send_all(self, alerts: Iterable[Alert]) -> list[Delivery]:
        """Send several alerts; every delivery, in order."""
        return [d for a in alerts for d in self.send(a)]


def alerts_for_report(report: RunReport) -> list[Alert]:
    """One alert per failed outcome (``run_failed``) and per suspicious zero (``suspicious_zero``)."""
    out = [
        Alert("run_failed", o.partition, o.error or "failed", processor=o.processor, run_id=o.run_id)
        for o in report.failed
    ]
    out += [
        Alert(
            "suspicious_zero",
            o.partition,
            "wrote 0 rows where the schedule expects rows",
            processor=o.processor,
            run_id=o.run_id,
        )
        for o in report.suspicious
    ]
    return out


def notify_report(
    settings: Settings,
    warehouse: Warehouse | None,
    report: RunReport,
    *,
    notifier: Notifier | None = None,
) -> list[Delivery]:
    """Alert on every failed or suspicious outcome of a run.  Never raises.

    Args:
        settings: where alerts go (``settings.alerts``).
        warehouse: keeps the dedupe state (``ops_alerts``).
        report: the run's outcomes.
        notifier: use this one instead of building it from `settings`.

    Returns:
        One `Delivery` per (alert, channel); empty when nothing needed saying.
    """
    try:
        alerts = alerts_for_report(report)
        if not alerts:
            return []
        n = notifier or Notifier.from_settings(settings, warehouse)
        return n.send_all(alerts)
    except Exception as exc:  # alerts never take a run down
        log.warning("alerts: notifier failed (%s)", type(exc).__name__)
        return []

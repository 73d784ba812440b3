"""Alert channels: where an `Alert` goes (console, generic JSON webhook, Slack), and the
redaction that keeps webhook secrets out of every log line and error text (`ops/alerts.py`
sends through them)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from pydantic import SecretStr
from rich.console import Console
from rich.markup import escape

from nbaprops.core.config import PROBE_MAX_BODY, RequestLimits
from nbaprops.sources.bounded import bounded_client, request_bounded

__all__ = [
    "DEFAULT_WEBHOOK_TIMEOUT",
    "Alert",
    "Channel",
    "ConsoleChannel",
    "SlackChannel",
    "WebhookChannel",
]

log = logging.getLogger("nbaprops.ops.alerts")

DEFAULT_WEBHOOK_TIMEOUT = 5.0
"""Seconds a webhook POST may take before the channel counts as failed."""
_REDACTED = "<redacted>"


# --- secrets out of logs ----------------------------------------------------------


class _RedactSecrets(logging.Filter):
    """Rewrites log records that would show a registered secret (httpx logs request URLs)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            try:
                text = record.getMessage()
            except Exception:  # a malformed record: drop it rather than risk a leak
                return False
            clean = _redact(text, self.secrets)
            if clean != text:
                record.msg, record.args = clean, None
        return True


_FILTER = _RedactSecrets()
for _name in ("httpx", "httpcore", "httpcore.connection", "httpcore.http11", "httpcore.http2"):
    logging.getLogger(_name).addFilter(_FILTER)


def _secret_parts(url: str) -> set[str]:
    """The URL and the pieces of it that carry the secret (path and query)."""
    parts = {url, url.rstrip("/")}
    try:
        u = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return {p for p in parts if p}
    parts.add(str(u))
    raw = u.raw_path.decode("ascii", "replace")
    if len(raw) > 1:
        parts.add(raw)
    if u.query:
        parts.add(u.query.decode("ascii", "replace"))
    return {p for p in parts if p and p != "/"}


def _redact(text: str, secrets: Iterable[str]) -> str:
    for s in sorted(secrets, key=len, reverse=True):
        if s:
            text = text.replace(s, _REDACTED)
    return text


# --- alerts and channels --------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    """Something a person should look at.

    ``kind`` names what happened (``run_failed``, ``suspicious_zero``, ...);
    with ``processor`` and ``partition`` it is the deduplication key.
    """

    kind: str
    partition: str
    message: str
    processor: str | None = None
    run_id: str | None = None

    @property
    def title(self) -> str:
        """``kind: processor partition``."""
        who = f"{self.processor} {self.partition}" if self.processor else self.partition
        return f"{self.kind}: {who}"

    @property
    def text(self) -> str:
        """One line for a person (Slack, console)."""
        return f"[nbaprops] {self.title} - {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """The JSON body for the generic webhook."""
        return {
            "source": "nbaprops",
            "kind": self.kind,
            "processor": self.processor,
            "partition": self.partition,
            "message": self.message,
            "run_id": self.run_id,
            "text": self.text,
        }


class Channel(Protocol):
    """Where alerts go.  `send` raises on failure; `describe` makes the error safe to show."""

    name: str

    def send(self, alert: Alert) -> None:
        """Deliver one alert, or raise."""
        ...

    def describe(self, exc: BaseException) -> str:
        """A one-line error without secrets."""
        ...


class ConsoleChannel:
    """Alerts as rich lines on stderr (always on).

    Args:
        console: where to print (default: stderr).
    """

    name = "console"

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)

    def send(self, alert: Alert) -> None:
        """Print the alert."""
        colour = "red" if "fail" in alert.kind else "yellow"
        self.console.print(
            f"[bold {colour}]alert[/] {escape(alert.title)} - {escape(alert.message)}", highlight=False
        )

    def describe(self, exc: BaseException) -> str:
        """The exception's type and first line."""
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")


class _HttpStatusFailure(Exception):
    """A webhook answered with an error status."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


class WebhookChannel:
    """POSTs each alert as JSON to a secret URL.

    Args:
        url: the webhook URL (secret: never shown).
        client: the httpx client (default: a new one with `timeout`).
        timeout: seconds per POST, wall clock (connect to the answer's last byte; its body capped at 1 MiB).
        name: the channel's name in deliveries and ``ops_alerts``.
    """

    name = "webhook"

    def __init__(
        self,
        url: SecretStr,
        *,
        client: httpx.Client | None = None,
        timeout: float = DEFAULT_WEBHOOK_TIMEOUT,
        name: str | None = None,
    ) -> None:
        self._url = url
        _FILTER.secrets |= self._secrets
        self._client = client
        self.timeout = timeout
        if name:
            self.name = name

    @property
    def _secrets(self) -> set[str]:
        return _secret_parts(self._url.get_secret_value())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url=SecretStr('**********'))"

    def body(self, alert: Alert) -> dict[str, Any]:
        """The JSON posted for an alert."""
        return alert.as_dict()

    def send(self, alert: Alert) -> None:
        """POST the alert; raise on a transport error or an error status."""
        own = self._client is None
        client = self._client or bounded_client(timeout=self.timeout, follow_redirects=False)
        limits = RequestLimits(deadline=self.timeout, max_body_bytes=PROBE_MAX_BODY)
        try:
            resp = request_bounded(
                client,
                "POST",
                self._url.get_secret_value(),
                limits=limits,
                shown=f"{self.name} webhook",
                json=self.body(alert),
                timeout=self.timeout,
            )
        finally:
            if own:
                client.close()
        if resp.status_code >= 400:
            raise _HttpStatusFailure(resp.status_code, resp.content[:200].decode(errors="replace"))

    def describe(self, exc: BaseException) -> str:
        """``HTTP 404: <body>`` or ``ConnectError: ...`` with the URL redacted."""
        if isinstance(exc, _HttpStatusFailure):
            body = " ".join(exc.body.split())
            text = f"HTTP {exc.status}" + (f": {body}" if body else "")
        else:
            first = (str(exc).splitlines() or [""])[0]
            text = f"{type(exc).__name__}" + (f": {first}" if first else "")
        return _redact(text, self._secrets)[:300]


class SlackChannel(WebhookChannel):
    """A Slack incoming webhook: POSTs ``{"text": ...}``."""

    name = "slack"

    def body(self, alert: Alert) -> dict[str, Any]:
        """Slack's incoming-webhook body."""
        return {"text": alert.text}

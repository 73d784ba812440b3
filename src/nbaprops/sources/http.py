"""One HTTP client for every upstream source.

`HttpClient.fetch` is the only way nbaprops talks to the network:

- per-source connect/read timeouts (``Settings.http``, overridable per `SourceProfile`);
- retries with exponential backoff and jitter (tenacity) on timeouts, broken
  transfers, 429 and 5xx, honouring ``Retry-After`` (capped at ``backoff_max``);
  other 4xx are terminal and never retried;
- gzip and Brotli decoding, including Brotli or gzip bodies served without a
  ``Content-Encoding`` header;
- bounded I/O (`nbaprops.sources.bounded`): each attempt has a wall-clock
  deadline (connect + headers + whole body) and the body a size cap, both per
  kind (``Settings.http.limits_for``); the whole fetch (attempts and backoffs)
  has its own deadline (``fetch_deadline``): no attempt starts after it and the
  last one gets only what is left; a late attempt is retried like a timeout
  and ends as `DeadlineExceededError`; an oversized body is aborted mid-stream,
  never retried, never returned: `BodyTooLargeError`;
- body checks: an HTML page where JSON was asked for (even with status 200),
  a truncated JSON/PDF/HTML body or an undecodable one is a failed attempt;
- a per-host rate limit and a circuit breaker per source (opens after
  ``breaker_failures`` consecutive failed attempts, lets one trial through after
  ``breaker_cooldown`` seconds);
- every attempt is logged (logger ``nbaprops.sources.http``) with its outcome.

API keys come from ``Settings.keys``; they are added to the request at send
time and scrubbed from every URL, parameter list, log line and error message
this module produces.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeAlias
from urllib.parse import urlencode, urlsplit

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base

from nbaprops.core.config import HttpSettings, RequestLimits, SourceKeys
from nbaprops.core.errors import TerminalSourceError, TransientSourceError
from nbaprops.sources.bodies import BodyKind, UndecodableBodyError, body_problem, decode_body
from nbaprops.sources.bounded import (
    BodyTooLargeError,
    DeadlineExceededError,
    bound,
    request_bounded,
)
from nbaprops.sources.resilience import CircuitBreaker, CircuitOpenError, RateLimiter

__all__ = [
    "BodyKind",
    "BodyTooLargeError",
    "CircuitBreaker",
    "CircuitOpenError",
    "DeadlineExceededError",
    "Fetched",
    "HttpClient",
    "RateLimiter",
    "RetryableHttpError",
    "SourceProfile",
    "decode_body",
]

log = logging.getLogger("nbaprops.sources.http")

KeyName: TypeAlias = Literal["odds_api", "balldontlie"]
Validator: TypeAlias = Callable[[bytes], "str | None"]
"""Extra body check: returns a reason when the body is unusable, else None."""

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36"
)
REDACTED = "***"
MIN_SECRET_CHARS = 6
"""Keys this long are scrubbed from log lines wherever they appear (shorter ones as values only)."""


@dataclass(frozen=True)
class SourceProfile:
    """How to talk to one upstream: base URL, headers, timeouts and key placement.

    Args:
        name: the source (``nbac``, ``bdl``, ``espn``, ``odds_api``, ``bettingpros``).
        base_url: prefix for every endpoint of the source.
        headers: headers sent with every request (User-Agent, Referer, ...).
        connect_timeout: seconds (None: ``Settings.http.connect_timeout``).
        read_timeout: seconds (None: ``Settings.http.read_timeout``).
        key: which ``Settings.keys`` entry authenticates the source, if any.
        key_in: ``query`` (parameter `key_field`) or ``header`` (header `key_field`).
        key_field: the parameter or header name carrying the key.
    """

    name: str
    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    connect_timeout: float | None = None
    read_timeout: float | None = None
    key: KeyName | None = None
    key_in: Literal["query", "header"] = "query"
    key_field: str = "apiKey"

    def with_base_url(self, base_url: str) -> SourceProfile:
        """The same profile pointed at another server (tests, mirrors)."""
        return replace(self, base_url=base_url.rstrip("/"))


@dataclass(frozen=True)
class Fetched:
    """A successful response, decoded, with everything the manifest needs."""

    source: str
    endpoint: str
    url: str
    """The URL without secrets."""
    params: dict[str, str]
    """Query parameters without secrets."""
    status: int
    content: bytes
    """The decoded body, exactly as the upstream meant it (what the raw store keeps)."""
    content_type: str
    attempts: int
    fetched_at: dt.datetime
    """When the successful attempt finished (UTC)."""

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.content)


class _Redact(logging.Filter):
    """Scrubs API keys from records of the libraries below us (httpx logs full URLs).

    A key of at least `MIN_SECRET_CHARS` characters is replaced wherever it
    appears; a shorter one (a test key such as ``k``) only where it is a query
    or header value (``=k`` up to ``&``, a quote, a space or the end), so a
    one-letter key does not rewrite every letter of every log line (and with it
    the URLs other filters look for).
    """

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            text = record.getMessage()
            clean = text
            for s in self.secrets:
                if len(s) >= MIN_SECRET_CHARS:
                    clean = clean.replace(s, REDACTED)
                elif s in clean:
                    clean = re.sub(
                        rf"(?<=[=:] ){re.escape(s)}\b|(?<==){re.escape(s)}(?=[&\s\"']|$)", REDACTED, clean
                    )
            if clean != text:
                record.msg, record.args = clean, None
        return True


_REDACT = _Redact()
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_REDACT)


class RetryableHttpError(TransientSourceError):
    """A failed attempt worth retrying (timeout, 429, 5xx, broken body)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        final: type[TransientSourceError] = TransientSourceError,
    ):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.final = final
        """The error raised when the last attempt failed this way."""


class _FetchDeadline(stop_base):
    """Stops retrying when the next attempt would start after the fetch's deadline; remembers it did."""

    def __init__(self, budget: float) -> None:
        self._stop = stop_before_delay(budget)
        self.hit = False

    def __call__(self, retry_state: RetryCallState) -> bool:
        self.hit = self._stop(retry_state)
        return self.hit


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        from email.utils import parsedate_to_datetime

        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0)


class HttpClient:
    """The shared client; see the module docstring.

    Args:
        settings: timeouts, retries, rate limit and breaker knobs.
        keys: API keys (secrets).
        transport: an httpx transport (``httpx.MockTransport`` in unit tests).
        sleep: the sleep used for backoff and rate limiting (injectable).
        clock: monotonic clock for the rate limiter and the breaker.
    """

    def __init__(
        self,
        *,
        settings: HttpSettings | None = None,
        keys: SourceKeys | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or HttpSettings()
        self.keys = keys or SourceKeys()
        for value in (getattr(self.keys, k) for k in type(self.keys).model_fields):
            if value is not None and value.get_secret_value():
                _REDACT.secrets.add(value.get_secret_value())
        self._sleep = sleep
        self.limiter = RateLimiter(self.settings.rate_per_host, clock=clock, sleep=sleep)
        self.breaker = CircuitBreaker(
            self.settings.breaker_failures, self.settings.breaker_cooldown, clock=clock
        )
        self._client = bound(httpx.Client(transport=transport, follow_redirects=True))

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- secrets ----------------------------------------------------------
    def _secret(self, profile: SourceProfile) -> str | None:
        if profile.key is None:
            return None
        value = getattr(self.keys, profile.key)
        return value.get_secret_value() if value is not None else None

    def _scrub(self, text: str, secret: str | None) -> str:
        return text.replace(secret, REDACTED) if secret else text

    # --- the call -----------------------------------------------------------
    def fetch(
        self,
        profile: SourceProfile,
        endpoint: str,
        *,
        params: Mapping[str, str | int] | None = None,
        expect: BodyKind = "json",
        validate: Validator | None = None,
        headers: Mapping[str, str] | None = None,
        kind: str | None = None,
    ) -> Fetched:
        """GET one endpoint of a source, with retries, checks, bounds and logging.

        Args:
            profile: the source profile.
            endpoint: path below the profile's base URL (or a full URL).
            params: query parameters (never the API key: the profile adds it).
            expect: what the body must look like.
            validate: an extra body check (e.g. "this scoreboard has resultSets").
            headers: extra headers for this call.
            kind: the payload kind, whose ``Settings.http.limits`` entry (if any) bounds the call.

        Returns:
            The decoded response.

        Raises:
            DeadlineExceededError: the last attempt ran past its deadline.
            TransientSourceError: still failing after ``max_attempts`` attempts, or the breaker is open.
            BodyTooLargeError: the body exceeds the kind's cap (not retried, nothing returned).
            TerminalSourceError: a 4xx other than 429 (not retried).
        """
        if profile.name in self.settings.base_urls:
            profile = profile.with_base_url(self.settings.base_urls[profile.name])
        secret = self._secret(profile)
        if profile.key is not None and secret is None:
            raise TerminalSourceError(
                f"{profile.name}: no API key configured (set NBAPROPS_KEYS__{profile.key.upper()})"
            )
        url = endpoint if endpoint.startswith(("http://", "https://")) else f"{profile.base_url}/{endpoint}"
        clean = {k: str(v) for k, v in (params or {}).items()}
        send_params = dict(clean)
        send_headers = {"User-Agent": DEFAULT_USER_AGENT, **profile.headers, **(headers or {})}
        if secret is not None:
            if profile.key_in == "query":
                send_params[profile.key_field] = secret
            else:
                send_headers[profile.key_field] = secret
        shown = f"{url}?{urlencode(clean)}" if clean else url
        cfg = self.settings
        timeout = httpx.Timeout(
            profile.read_timeout or cfg.read_timeout,
            connect=profile.connect_timeout or cfg.connect_timeout,
        )
        limits = cfg.limits_for(kind, expect)
        budget = max(cfg.fetch_deadline, limits.deadline)
        started = time.monotonic()
        attempt = {"n": 0}
        out_of_time = _FetchDeadline(budget)

        def one() -> Fetched:
            attempt["n"] += 1
            left = budget - (time.monotonic() - started)
            bounded = (
                limits if left >= limits.deadline else limits.model_copy(update={"deadline": max(left, 0.01)})
            )
            return self._attempt(
                profile,
                endpoint,
                url,
                shown,
                clean,
                send_params,
                send_headers,
                timeout,
                bounded,
                expect,
                validate,
                secret,
                attempt["n"],
            )

        retrying = Retrying(
            stop=stop_after_attempt(cfg.max_attempts) | out_of_time,
            wait=self._wait,
            retry=retry_if_exception(
                lambda e: isinstance(e, RetryableHttpError) and not isinstance(e, CircuitOpenError)
            ),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(one)
        except RetryableHttpError as exc:
            n = attempt["n"]
            if out_of_time.hit:  # the fetch's own deadline stopped the retries
                raise DeadlineExceededError(
                    f"{profile.name} {endpoint}: failed after {n} attempt(s), "
                    f"fetch deadline of {budget:g}s spent: {exc.message}"
                ) from None
            raise exc.final(
                f"{profile.name} {endpoint}: failed after {n} attempt(s): {exc.message}"
            ) from None

    def _wait(self, state: RetryCallState) -> float:
        cfg = self.settings
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableHttpError) and exc.retry_after is not None:
            return min(exc.retry_after, cfg.backoff_max)
        backoff = wait_exponential_jitter(
            multiplier=cfg.backoff_base, max=cfg.backoff_max, jitter=cfg.backoff_base
        )
        return float(backoff(state))

    def _attempt(
        self,
        profile: SourceProfile,
        endpoint: str,
        url: str,
        shown: str,
        clean: dict[str, str],
        send_params: dict[str, str],
        send_headers: dict[str, str],
        timeout: httpx.Timeout,
        limits: RequestLimits,
        expect: BodyKind,
        validate: Validator | None,
        secret: str | None,
        n: int,
    ) -> Fetched:
        src = profile.name
        self.breaker.before(src)
        self.limiter.acquire(urlsplit(url).netloc)
        t0 = time.perf_counter()
        try:
            resp = request_bounded(
                self._client,
                "GET",
                url,
                limits=limits,
                shown=shown,
                params=send_params,
                headers=send_headers,
                timeout=timeout,
            )
            content = resp.content  # streamed within the limits, declared encoding undone
        except DeadlineExceededError as exc:
            why = f"deadline exceeded: {exc.message}"
            return self._failed(src, shown, n, t0, why, secret, final=DeadlineExceededError)
        except BodyTooLargeError as exc:
            self.breaker.failure(src)
            self._log(src, shown, n, t0, f"{exc.message} (terminal, not retried)", logging.WARNING)
            raise BodyTooLargeError(self._scrub(f"{src} {endpoint}: {exc.message}", secret)) from None
        except httpx.TimeoutException as exc:
            return self._failed(src, shown, n, t0, f"timeout ({type(exc).__name__})", secret)
        except httpx.DecodingError as exc:
            return self._failed(src, shown, n, t0, f"body does not decode: {exc}", secret)
        except httpx.TransportError as exc:
            return self._failed(src, shown, n, t0, f"transfer broken ({type(exc).__name__}: {exc})", secret)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # redirects loop, bad URL: retrying will not help
            self._log(src, shown, n, t0, f"{type(exc).__name__} (terminal)", logging.WARNING)
            raise TerminalSourceError(
                self._scrub(f"{src} {endpoint}: {type(exc).__name__}: {exc}", secret)
            ) from None
        status = resp.status_code
        ctype = resp.headers.get("content-type", "")
        if status == 429 or status >= 500:
            ra = _retry_after(resp.headers.get("retry-after"))
            return self._failed(src, shown, n, t0, f"HTTP {status}", secret, status=status, retry_after=ra)
        if status >= 400:
            self._log(src, shown, n, t0, f"HTTP {status} (terminal, not retried)", logging.WARNING)
            raise TerminalSourceError(self._scrub(f"{src} {endpoint}: HTTP {status} for {shown}", secret))
        try:
            body = decode_body(content, expect, max_bytes=limits.max_body_bytes)
        except UndecodableBodyError as exc:
            return self._failed(src, shown, n, t0, str(exc), secret, status=status)
        except OverflowError:
            self.breaker.failure(src)
            why = f"GET {shown}: body decompresses past the cap of {limits.max_body_bytes:,} bytes"
            self._log(src, shown, n, t0, f"{why} (terminal, not retried)", logging.WARNING)
            raise BodyTooLargeError(self._scrub(f"{src} {endpoint}: {why}", secret)) from None
        problem = body_problem(body, expect, ctype) or (validate(body) if validate else None)
        if problem:
            return self._failed(src, shown, n, t0, f"HTTP {status} but {problem}", secret, status=status)
        self.breaker.success(src)
        self._log(src, shown, n, t0, f"HTTP {status} ok ({len(body)} bytes)", logging.INFO)
        return Fetched(
            source=src,
            endpoint=endpoint,
            url=shown,
            params=clean,
            status=status,
            content=body,
            content_type=ctype,
            attempts=n,
            fetched_at=dt.datetime.now(dt.UTC),
        )

    def _failed(
        self,
        src: str,
        shown: str,
        n: int,
        t0: float,
        why: str,
        secret: str | None,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        final: type[TransientSourceError] = TransientSourceError,
    ) -> Fetched:
        why = self._scrub(why, secret)
        self.breaker.failure(src)
        extra = f", retry-after {retry_after:g}s" if retry_after is not None else ""
        self._log(src, shown, n, t0, f"failed: {why}{extra}", logging.WARNING)
        raise RetryableHttpError(why, status=status, retry_after=retry_after, final=final)

    def _log(self, src: str, shown: str, n: int, t0: float, outcome: str, level: int) -> None:
        log.log(level, "%s GET %s attempt %d: %s in %.3fs", src, shown, n, outcome, time.perf_counter() - t0)

"""Resilience pieces of the HTTP client: a per-host rate limiter and a per-source circuit breaker.

Both are thread-safe and take an injectable clock (and sleep), so tests drive
them without waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

from nbaprops.core.errors import TransientSourceError

__all__ = ["CircuitBreaker", "CircuitOpenError", "RateLimiter"]


class CircuitOpenError(TransientSourceError):
    """The source's circuit breaker is open: no request was sent."""


class RateLimiter:
    """Spaces requests to one host at least ``1 / rate`` seconds apart (thread-safe).

    Args:
        rate: requests per second; 0 or less disables the limit.
        clock: monotonic clock (injectable for tests).
        sleep: sleep function (injectable for tests).
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def acquire(self, host: str) -> float:
        """Wait for the host's next slot; return the seconds waited."""
        if self.interval <= 0:
            return 0.0
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + self.interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait


class CircuitBreaker:
    """Per-source breaker: closed -> open after N consecutive failures -> half-open after a cool-down.

    Args:
        failures: consecutive failed attempts that open the breaker.
        cooldown: seconds an open breaker refuses requests before one trial.
        clock: monotonic clock (injectable for tests).
    """

    def __init__(self, failures: int, cooldown: float, *, clock: Callable[[], float] = time.monotonic):
        self.failures, self.cooldown, self._clock = failures, cooldown, clock
        self._count: dict[str, int] = {}
        self._opened: dict[str, float] = {}
        self._trial: set[str] = set()
        self._lock = threading.Lock()

    def state(self, source: str) -> Literal["closed", "open", "half_open"]:
        """The breaker state of a source right now."""
        with self._lock:
            return self._state(source)

    def _state(self, source: str) -> Literal["closed", "open", "half_open"]:
        opened = self._opened.get(source)
        if opened is None:
            return "closed"
        return "half_open" if self._clock() - opened >= self.cooldown else "open"

    def before(self, source: str) -> None:
        """Refuse the call while open (and while a half-open trial is in flight).

        Raises:
            CircuitOpenError: when no request may be sent now.
        """
        with self._lock:
            st = self._state(source)
            if st == "open" or (st == "half_open" and source in self._trial):
                left = self.cooldown - (self._clock() - self._opened[source])
                raise CircuitOpenError(
                    f"{source}: circuit breaker open after {self.failures} consecutive failures "
                    f"(next trial in {max(left, 0):.0f}s)"
                )
            if st == "half_open":
                self._trial.add(source)

    def success(self, source: str) -> None:
        """Record a success: the breaker closes."""
        with self._lock:
            self._count[source] = 0
            self._opened.pop(source, None)
            self._trial.discard(source)

    def failure(self, source: str) -> None:
        """Record a failed attempt: open at the threshold, re-open after a failed trial."""
        with self._lock:
            self._count[source] = self._count.get(source, 0) + 1
            if source in self._trial or self._count[source] >= self.failures:
                self._opened[source] = self._clock()
                self._trial.discard(source)

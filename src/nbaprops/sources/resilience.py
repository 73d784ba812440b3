"""Resilience pieces of the HTTP client: a per-host rate limiter and a per-source circuit breaker
(the shared `nbaprops.core.breaker.CircuitBreaker`, raising `CircuitOpenError`).

Both are thread-safe and take an injectable clock (and sleep), so tests drive
them without waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from nbaprops.core.breaker import CircuitBreaker as Breaker
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


class CircuitBreaker(Breaker):
    """Per-source breaker of the HTTP client: the one `nbaprops.core.breaker.CircuitBreaker`
    (closed -> open after N consecutive failures -> half-open after a cool-down, one trial),
    plus `before`, which raises instead of answering False.

    Args:
        failures: consecutive failed attempts that open the breaker.
        cooldown: seconds an open breaker refuses requests before one trial.
        clock: monotonic clock (injectable for tests).
    """

    def __init__(self, failures: int, cooldown: float, *, clock: Callable[[], float] = time.monotonic):
        super().__init__(failures, cooldown, clock=clock)

    def before(self, source: str) -> None:
        """Refuse the call while open (and while a half-open trial is in flight).

        Raises:
            CircuitOpenError: when no request may be sent now.
        """
        if not self.allow(source):
            raise CircuitOpenError(
                f"{source}: circuit breaker open after {self.threshold} consecutive failures "
                f"(next trial in {self.retry_in(source):.0f}s)"
            )

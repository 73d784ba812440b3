"""The one circuit breaker: used by the HTTP client (per source), the prediction
coordinator (per system) and the alert notifier (per channel).

States, per key::

    closed --(threshold consecutive failures)--> open --(cooldown elapsed)--> half_open
    half_open --(the one trial call succeeds)--> closed
    half_open --(the trial call fails)--> open (the cooldown starts again)

`state` and `is_open` only look: they never change a state.  `allow` is the one
call that admits a request, and in ``half_open`` it claims the single trial (a
second caller is refused until the trial reports `success` or `failure`).  The
clock is injectable, so tests drive the cooldown without waiting.  Thread-safe.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Literal, TypeAlias, TypeVar

__all__ = ["BreakerState", "CircuitBreaker"]

BreakerState: TypeAlias = Literal["closed", "open", "half_open"]
T = TypeVar("T")


class CircuitBreaker:
    """Keyed circuit breaker; see the module docstring.

    Args:
        threshold: consecutive failures that open a key's breaker.
        cooldown: seconds an open breaker refuses calls before one trial
            (``math.inf``: it never half-opens).
        clock: monotonic seconds (injectable for tests).
    """

    def __init__(
        self,
        threshold: int = 5,
        cooldown: float = 30 * 60,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if threshold < 1:
            raise ValueError(f"circuit breaker threshold must be at least 1, got {threshold}")
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._failures: dict[str, int] = {}
        self._opened: dict[str, float] = {}
        self._trial: set[str] = set()
        self._lock = threading.Lock()

    # --- looking (no side effects) -----------------------------------------
    def state(self, key: str) -> BreakerState:
        """The state of a key's breaker right now."""
        with self._lock:
            return self._state(key)

    def is_open(self, key: str) -> bool:
        """Whether the key's breaker is open (refusing calls until its cooldown ends)."""
        return self.state(key) == "open"

    def failures(self, key: str) -> int:
        """Consecutive failures recorded for a key since its last success."""
        with self._lock:
            return self._failures.get(key, 0)

    def retry_in(self, key: str) -> float:
        """Seconds until an open breaker lets its trial through (0 when not open)."""
        with self._lock:
            opened = self._opened.get(key)
            if opened is None or self._state(key) != "open":
                return 0.0
            return max(0.0, self.cooldown - (self._clock() - opened))

    def _state(self, key: str) -> BreakerState:
        opened = self._opened.get(key)
        if opened is None:
            return "closed"
        if math.isinf(self.cooldown) or self._clock() - opened < self.cooldown:
            return "open"
        return "half_open"

    # --- admitting and recording ---------------------------------------------
    def allow(self, key: str) -> bool:
        """Admit a call: True when closed, or when half-open and no trial is in flight
        (this call becomes the trial); False when open or while the trial runs."""
        with self._lock:
            st = self._state(key)
            if st == "closed":
                return True
            if st == "half_open" and key not in self._trial:
                self._trial.add(key)
                return True
            return False

    def success(self, key: str) -> None:
        """Record a successful call: the breaker closes and the count resets."""
        with self._lock:
            self._failures[key] = 0
            self._opened.pop(key, None)
            self._trial.discard(key)

    def failure(self, key: str) -> None:
        """Record a failed call: open at the threshold, or re-open after a failed trial."""
        with self._lock:
            self._failures[key] = self._failures.get(key, 0) + 1
            if key in self._trial or self._failures[key] >= self.threshold:
                self._opened[key] = self._clock()
                self._trial.discard(key)

    def call(self, key: str, step: Callable[[], T]) -> T | None:
        """Run `step` through the key's breaker.

        Returns:
            What `step` returned; None when the breaker refused the call or `step` raised
            (the failure is recorded, so callers can go on without this key).
        """
        if not self.allow(key):
            return None
        try:
            out = step()
        except Exception:
            self.failure(key)
            return None
        self.success(key)
        return out

"""The one circuit breaker: closed, open, half-open after the cooldown (injectable clock)."""

from __future__ import annotations

import math

import pytest

from nbaprops.core.breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_closed_until_the_threshold_of_consecutive_failures() -> None:
    b = CircuitBreaker(3, 60, clock=Clock())
    b.failure("x")
    b.failure("x")
    assert b.state("x") == "closed" and b.allow("x")
    b.success("x")  # a success resets the count
    b.failure("x")
    b.failure("x")
    assert b.failures("x") == 2 and b.state("x") == "closed"
    b.failure("x")
    assert b.state("x") == "open" and b.is_open("x")
    assert not b.allow("x")
    assert b.state("y") == "closed" and b.allow("y")  # keys are independent


def test_is_open_and_state_have_no_side_effects() -> None:
    clock = Clock()
    b = CircuitBreaker(1, 60, clock=clock)
    b.failure("x")
    clock.t = 61
    for _ in range(3):  # looking never claims the trial nor closes the breaker
        assert b.state("x") == "half_open"
        assert not b.is_open("x")
    assert b.allow("x")  # the one trial
    assert not b.allow("x")  # a second caller waits for the trial's outcome
    assert b.state("x") == "half_open"


def test_half_open_after_cooldown_success_closes_failure_reopens() -> None:
    clock = Clock()
    b = CircuitBreaker(2, 60, clock=clock)
    b.failure("x")
    b.failure("x")
    clock.t = 59
    assert b.state("x") == "open" and b.retry_in("x") == pytest.approx(1)
    clock.t = 60
    assert b.state("x") == "half_open" and b.retry_in("x") == 0
    assert b.allow("x")
    b.failure("x")  # the trial failed: open again, cooldown restarts
    assert b.state("x") == "open"
    clock.t = 119
    assert b.state("x") == "open"
    clock.t = 120
    assert b.allow("x")
    b.success("x")
    assert b.state("x") == "closed" and b.failures("x") == 0


def test_call_records_outcomes_and_returns_none_when_refused() -> None:
    b = CircuitBreaker(2, math.inf, clock=Clock())
    calls: list[int] = []

    def boom() -> int:
        calls.append(1)
        raise RuntimeError("boom")

    assert b.call("x", lambda: 7) == 7
    assert b.call("x", boom) is None
    assert b.call("x", boom) is None
    assert b.is_open("x")
    assert b.call("x", boom) is None and len(calls) == 2  # refused: not called
    assert b.state("x") == "open"  # an infinite cooldown never half-opens


def test_threshold_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CircuitBreaker(0)

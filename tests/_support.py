"""Test support shared by every test module: paths to ../shared and small helpers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from nbaprops.core.config import Settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = SHARED / "data" / "nba"
FIXTURES = SHARED / "fixtures" / "payloads"
TODAY = dt.date(2026, 11, 25)
"""Fixed 'today' for tests: every game in the data is in the past."""

SLICE = (dt.date(2025, 10, 21), dt.date(2025, 11, 9))
"""A real slice of 2025-26 with prop lines: 20 dates."""


def make_settings(home: Path, **kw: object) -> Settings:
    """Settings for a test: its own home, the shared data, a fixed today."""
    values: dict[str, object] = {"data_dir": DATA, "today": TODAY, **kw}
    return Settings(home=home, **values)  # type: ignore[arg-type]


def dates(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every date from start to end inclusive."""
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]

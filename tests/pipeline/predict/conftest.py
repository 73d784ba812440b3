"""Shared fixtures for the prediction tests: the real public data, loaded once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from nbaprops.pipeline.predict.data import PublicFrames, load_public

REPO = Path(__file__).resolve().parents[3]
DATA = REPO.parent / "shared" / "data" / "nba"
START = dt.date(2025, 11, 3)
END = dt.date(2025, 11, 5)


@pytest.fixture(scope="session")
def public() -> PublicFrames:
    """Box scores of every season, games and lines of a few real dates."""
    return load_public(DATA, START, END)


@pytest.fixture(scope="session")
def box(public: PublicFrames) -> pd.DataFrame:
    """All box-score rows."""
    return public.box

"""Raw store: content-addressed, atomic, never overwrites."""

from __future__ import annotations

from pathlib import Path

import pytest

from _support import FIXTURES
from nbaprops.core.errors import DataError
from nbaprops.storage import RawStore


def test_payloads_are_stored_untouched_once(tmp_path: Path) -> None:
    store = RawStore(str(tmp_path / "raw"))
    payload = (FIXTURES / "bdl_box_scores" / "raw_7a649e12.json").read_bytes()
    first = store.put("bdl_box_scores", "2025-01-15", payload)
    again = store.put("bdl_box_scores", "2025-01-15", payload)
    assert first.created and not again.created and first.path == again.path
    assert store.get(first.path) == payload
    other = store.put("bdl_box_scores", "2025-01-15", payload + b" ")
    assert other.path != first.path and store.get(first.path) == payload
    assert store.list("bdl_box_scores") == sorted([first.path, other.path])
    assert not list((tmp_path / "raw").rglob(".tmp-*"))


def test_bad_names_and_missing_payloads_are_clear_errors(tmp_path: Path) -> None:
    store = RawStore(str(tmp_path / "raw"))
    with pytest.raises(DataError, match="not a plain name"):
        store.put("../escape", "2025-01-01", b"x")
    with pytest.raises(DataError, match="no raw payload at"):
        store.get(str(tmp_path / "raw" / "nope.json"))

"""The raw store contract on every backend: a local folder, and GCS on the local emulator."""

from __future__ import annotations

import uuid
from pathlib import Path

import fsspec
import pytest

from _emulators import BUCKET
from _support import FIXTURES
from nbaprops.core.errors import DataError
from nbaprops.storage import RawStore

PAYLOAD = FIXTURES / "bdl_box_scores" / "raw_7a649e12.json"


@pytest.fixture(params=["local", "gcs-emulator"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty raw store root on each backend in turn."""
    if request.param == "local":
        return str(tmp_path / "raw")
    request.getfixturevalue("gcs_endpoint")
    return f"gs://{BUCKET}/{uuid.uuid4().hex[:10]}/raw"


def test_payloads_are_stored_untouched_once(root: str) -> None:
    store = RawStore(root)
    payload = PAYLOAD.read_bytes()
    first = store.put("bdl_box_scores", "2025-01-15", payload)
    again = store.put("bdl_box_scores", "2025-01-15", payload)
    assert first.created and not again.created and first.path == again.path
    assert store.get(first.path) == payload and first.bytes == len(payload)
    other = store.put("bdl_box_scores", "2025-01-15", payload + b" ")
    assert other.path != first.path and store.get(first.path) == payload
    assert store.list("bdl_box_scores") == sorted([first.path, other.path])
    assert store.list("bdl_box_scores", "2025-01-15") == sorted([first.path, other.path])
    assert store.list("bdl_box_scores", "2025-01-16") == []
    assert not [p for p in store.fs.find(store.root) if ".tmp-" in p]


def test_a_stored_payload_is_durable_for_a_new_client(root: str) -> None:
    stored = RawStore(root).put("bdl_box_scores", "2025-01-15", PAYLOAD.read_bytes())
    fs, _ = fsspec.core.url_to_fs(root, skip_instance_cache=True)  # no shared listing cache
    assert fs.cat_file(stored.path) == PAYLOAD.read_bytes()
    fresh = RawStore(root)
    assert fresh.exists(stored.path) and fresh.get(stored.path) == PAYLOAD.read_bytes()


def test_bad_names_and_missing_payloads_are_clear_errors(root: str) -> None:
    store = RawStore(root)
    with pytest.raises(DataError, match="not a plain name"):
        store.put("../escape", "2025-01-01", b"x")
    with pytest.raises(DataError, match="no raw payload at"):
        store.get(f"{store.root.split('://')[-1]}/bdl_box_scores/2025-01-01/nope.json")


def test_delete_removes_one_payload(root: str) -> None:
    store = RawStore(root)
    a = store.put("bdl_box_scores", "2025-01-15", b'{"a": 1}')
    b = store.put("bdl_box_scores", "2025-01-15", b'{"b": 2}')
    store.delete(a.path)
    assert not store.exists(a.path) and store.list("bdl_box_scores") == [b.path]

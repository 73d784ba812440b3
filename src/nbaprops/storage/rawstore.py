"""The raw store: upstream payloads kept untouched, never overwritten.

A payload is stored at ``<root>/<source>/<partition>/<sha256[:16]>.<ext>``:
the name comes from the content, so storing the same bytes twice is a no-op
and a different payload can never replace an earlier one.  Writes go to a
temporary name first and are renamed into place, so a reader never sees half
a file.  ``root`` is a local folder by default, or any fsspec URL
(``gs://bucket/prefix`` in production, with the ``gcp`` extra installed).

On an object store (GCS through gcsfs) an object appears whole when its upload
completes, so there is no temporary name: the upload carries the precondition
"no object exists here yet" (``ifGenerationMatch=0``), so a payload already
stored is never replaced, even by a concurrent writer.  `put` returns only once
the store has acknowledged the payload, and the caller writes its manifest row
after that, so a manifest never names a payload that is not durable.  Against
a local emulator, set ``STORAGE_EMULATOR_HOST`` (and ``FSSPEC_GS_TOKEN=anon``).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

import fsspec
from fsspec.implementations.local import LocalFileSystem

from nbaprops.core.errors import ConfigError, DataError

__all__ = ["RawStore", "StoredPayload"]


@dataclass(frozen=True)
class StoredPayload:
    """Where a payload lives and what it is."""

    path: str
    sha256: str
    bytes: int
    created: bool
    """False when identical bytes were already stored."""


class RawStore:
    """Content-addressed payload storage on fsspec.

    Args:
        root: a folder path or fsspec URL.
    """

    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/")
        try:
            self.fs, self._base = fsspec.core.url_to_fs(self.root)
        except (ImportError, ValueError) as exc:
            raise ConfigError(f"raw store {root!r} cannot be opened: {exc}") from exc
        self._object_store = not isinstance(self.fs, LocalFileSystem)
        """Objects appear whole on upload: write once with a create-only precondition."""

    def _dir(self, source: str, partition: str) -> str:
        for part in (source, partition):
            if not part or "/" in part or part.startswith("."):
                raise DataError(f"raw store path part {part!r} is not a plain name")
        return f"{self._base}/{source}/{partition}"

    def put(self, source: str, partition: str, payload: bytes, *, ext: str = "json") -> StoredPayload:
        """Store a payload atomically; identical bytes are stored once.

        Args:
            source: the payload kind (e.g. ``bdl_box_scores``).
            partition: the date or season it belongs to.
            payload: the raw bytes, exactly as received.
            ext: file extension describing the bytes (``json``, ``pdf``, ``html.gz``).
        """
        digest = hashlib.sha256(payload).hexdigest()
        folder = self._dir(source, partition)
        path = f"{folder}/{digest[:16]}.{ext}"
        if self.fs.exists(path):
            return StoredPayload(path, digest, len(payload), created=False)
        if self._object_store:
            try:  # gcsfs sends ifGenerationMatch=0: the store refuses to replace an object
                self.fs.pipe_file(path, payload, mode="create")
            except FileExistsError:  # a concurrent writer stored these same bytes first
                return StoredPayload(path, digest, len(payload), created=False)
            return StoredPayload(path, digest, len(payload), created=True)
        self.fs.makedirs(folder, exist_ok=True)
        tmp = f"{folder}/.tmp-{uuid.uuid4().hex}"
        with self.fs.open(tmp, "wb") as fh:
            fh.write(payload)
        self.fs.mv(tmp, path)
        return StoredPayload(path, digest, len(payload), created=True)

    def get(self, path: str) -> bytes:
        """Read a stored payload back.

        Raises:
            DataError: when no payload is stored at `path`.
        """
        try:
            with self.fs.open(path, "rb") as fh:
                data: bytes = fh.read()
        except FileNotFoundError as exc:
            raise DataError(f"no raw payload at {path}") from exc
        return data

    def list(self, source: str, partition: str | None = None) -> list[str]:
        """Stored payload paths for a source (and partition), sorted."""
        base = f"{self._base}/{source}" + (f"/{partition}" if partition else "")
        if not self.fs.exists(base):
            return []
        found = self.fs.find(base)
        return sorted(p for p in found if not p.rsplit("/", 1)[-1].startswith(".tmp-"))

    def exists(self, path: str) -> bool:
        """Whether a payload is stored at `path`."""
        return bool(self.fs.exists(path))

    def delete(self, path: str) -> None:
        """Remove one payload (used by tests and by retention tooling)."""
        self.fs.rm(path)

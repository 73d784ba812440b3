"""Reads while a run writes, on the embedded DuckDB: a read snapshot the writer publishes.

DuckDB lets one process open a file read-write *or* many processes open it read-only, never
both: a read-only ``connect`` or an ``ATTACH ... (READ_ONLY)`` from a second process fails on
the writer's file lock (checked with DuckDB 2.0), and a reader holding the file makes the next
writer's open fail.  So the writer publishes a copy:

- **publish** (writer, under its write lock): ``CHECKPOINT`` (the WAL is folded into the file
  and removed), copy the file to ``<name>.snapshot.duckdb.tmp`` (through a descriptor held
  open as long as the connection: see `publish`), fsync, give the copy the live file's mtime,
  ``os.replace`` it over ``<name>.snapshot.duckdb``.  A writer killed mid-copy
  leaves a stray ``.tmp`` and the previous snapshot whole.  Throttled: at most every
  `PUBLISH_EVERY_S` during a run, and once at the end (`DuckDBWarehouse.close`).
- **read** (`open_reading`): a snapshot whose mtime and size equal the live file's, with no
  live WAL, *is* the committed state, so readers open it and never take the live file's lock
  (a run can start at any time).  Otherwise the live file is opened read-only; when a writer
  holds it, the latest snapshot is read and one line says how old it is.

A publish never fails the writer: an error is logged and the next publish tries again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from nbaprops.core.errors import WarehouseError

__all__ = [
    "PUBLISH_EVERY_S",
    "Publisher",
    "WarehouseLocked",
    "connect",
    "is_current",
    "lock_holder",
    "open_reading",
    "publish",
    "snapshot_path",
]

PUBLISH_EVERY_S = 30.0
"""A running writer publishes at most this often (and always when it closes)."""
READERS_WAIT_S = 10.0
"""How long a writer's open waits out readers on the live file (they hold it only in the rare
race of `open_reading`, for one read) before it fails as before."""
_READERS_HOLD = "open this database in read-only mode"
"""DuckDB's hint when the processes holding the file are readers."""
_LOCKED = re.compile(r"Conflicting lock is held in .* \(PID (\d+)\)")
log = logging.getLogger(__name__)
T = TypeVar("T")


class WarehouseLocked(WarehouseError):
    """Another process holds the DuckDB file (a writer; or, for a writer, a reader)."""

    def __init__(self, message: str, pid: int) -> None:
        super().__init__(message)
        self.pid = pid


def lock_holder(exc: BaseException) -> int | None:
    """The PID DuckDB names in a lock-conflict error (None for any other error)."""
    held = _LOCKED.search(str(exc))
    return int(held.group(1)) if held else None


def connect(path: str, *, read_only: bool, config: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect`; a writer whose file is held by readers retries for `READERS_WAIT_S`.

    Raises:
        duckdb.Error: as `duckdb.connect` (after the wait, for a writer held off by readers).
    """
    deadline = time.monotonic() + READERS_WAIT_S
    while True:
        try:
            return duckdb.connect(path, read_only=read_only, config=config)
        except duckdb.Error as exc:
            if read_only or _READERS_HOLD not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def snapshot_path(live: str | Path) -> Path:
    """``nbaprops.duckdb`` -> ``nbaprops.snapshot.duckdb`` (next to it)."""
    live = Path(live)
    return live.with_name(live.name.removesuffix(".duckdb") + ".snapshot.duckdb")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def is_current(live: str | Path) -> bool:
    """Whether the snapshot holds exactly the live file's committed state (published after
    the last change: same mtime and size, and no WAL of later commits)."""
    live, snap = Path(live), snapshot_path(live)
    try:
        a, b = live.stat(), snap.stat()
    except FileNotFoundError:
        return False
    return a.st_mtime_ns == b.st_mtime_ns and a.st_size == b.st_size and not _wal(live).exists()


def _copy(src_fd: int, dst: Path) -> None:
    """Copy the file open at `src_fd` to `dst` and fsync it (the source is never re-opened)."""
    size = os.fstat(src_fd).st_size
    out = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        done = 0
        while done < size:
            n = os.copy_file_range(src_fd, out, size - done, done, done)
            if n == 0:
                break
            done += n
        os.fsync(out)
    finally:
        os.close(out)


def publish(conn: duckdb.DuckDBPyConnection, live: str | Path, live_fd: int) -> bool:
    """Checkpoint and copy the live file to its snapshot, atomically (the caller holds the
    write lock: no commit may land during the copy).  False when the WAL could not be folded
    in (the next publish tries again).

    `live_fd` is a descriptor of the live file the writer keeps open as long as its
    connection: DuckDB's lock is a POSIX record lock, which closing *any* descriptor of the
    file in the process would drop, so the copy never opens (and closes) the file itself.

    Raises:
        OSError, duckdb.Error: the copy or the checkpoint failed (the old snapshot stands).
    """
    live = Path(live)
    conn.execute("CHECKPOINT")
    if _wal(live).exists() and _wal(live).stat().st_size:
        return False  # a transaction of another thread kept the WAL: not a committed copy
    snap = snapshot_path(live)
    tmp = snap.with_name(snap.name + ".tmp")
    _copy(live_fd, tmp)
    st = os.fstat(live_fd)
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))  # `is_current` compares them
    _wal(snap).unlink(missing_ok=True)  # never replay a WAL of another file
    os.replace(tmp, snap)
    dir_fd = os.open(snap.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return True


@dataclass
class Publisher:
    """The writer's side: when to publish (throttled while writing, always at the end)."""

    live: Path
    every: float = PUBLISH_EVERY_S
    dirty: bool = False
    last: float = 0.0
    published: int = 0
    fd: int | None = None
    """The live file, open for copies until `release` (after the connection closes)."""

    def __post_init__(self) -> None:
        self.last = time.monotonic()

    def release(self) -> None:
        """Close the live file's descriptor (call after the DuckDB connection is closed)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def wrote(self, conn: duckdb.DuckDBPyConnection) -> None:
        """After a commit (under the write lock): publish if the last one is old enough."""
        self.dirty = True
        if time.monotonic() - self.last >= self.every:
            self.now(conn)

    def final(self, conn: duckdb.DuckDBPyConnection) -> None:
        """At close: publish unless the snapshot already holds the committed state."""
        if self.dirty or not is_current(self.live):
            self.now(conn)

    def now(self, conn: duckdb.DuckDBPyConnection) -> None:
        """Publish now; an error is logged, never raised (the writer goes on)."""
        try:
            if self.fd is None:
                self.fd = os.open(self.live, os.O_RDONLY)
            if publish(conn, self.live, self.fd):
                self.dirty = False
                self.published += 1
        except (OSError, duckdb.Error) as exc:
            log.warning("read snapshot of %s not published: %s", self.live, exc)
        self.last = time.monotonic()


def _age(path: Path) -> str:
    published = dt.datetime.fromtimestamp(path.stat().st_ctime, tz=dt.UTC)
    secs = max(0.0, time.time() - path.stat().st_ctime)
    return f"{published:%Y-%m-%d %H:%M:%S} UTC, {secs:.0f}s old"


def open_reading(live: str | Path, open_file: Callable[[str], T]) -> tuple[T, str | None]:
    """Open the warehouse for reading without ever taking a running writer's lock.

    Returns what `open_file` opened and a one-line note when it is an older snapshot
    (None when the data read is the committed state).

    Raises:
        WarehouseLocked: a writer holds the file and there is no snapshot yet.
        WarehouseError: whatever `open_file` raises otherwise.
    """
    live = Path(live)
    snap = snapshot_path(live)
    if is_current(live):
        try:
            return open_file(str(snap)), None
        except WarehouseError:  # replaced or removed meanwhile: read the live file
            pass
    try:
        return open_file(str(live)), None
    except WarehouseLocked as exc:
        if not snap.exists():
            raise WarehouseLocked(
                f"{exc} (and no read snapshot yet: it is published within "
                f"{PUBLISH_EVERY_S:.0f}s of the run's first write)",
                exc.pid,
            ) from exc
        got = open_file(str(snap))
        return got, (
            f"warehouse {live} is being written by process {exc.pid}: "
            f"reading the snapshot published {_age(snap)}"
        )

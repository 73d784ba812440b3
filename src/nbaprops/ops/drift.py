"""Drift: which code produced the data now in the tables, and what is stale.

The data a (processor, partition) holds now was written by its *latest
successful run* (a failed run leaves the partition as it was; a skipped run
writes nothing), so the ledger row of that run names the code that produced
it: ``code_version`` (package version + git sha) and ``code_hash`` (the
processor's own SQL or build source, hashed).

A partition is **stale** when

* ``min_version`` is given and the partition was produced by an older code
  version (release numbers are compared; when they tie or cannot be read, the
  order in which the versions first appear in the ledger decides), or
* without ``min_version``: the processor's code changed since the partition
  was produced (its recorded ``code_hash`` differs from the hash of the code
  now registered).  A commit that leaves a processor's code alone does not
  make its partitions stale; rows from before ``code_hash`` was recorded are
  counted as *unknown*, not flagged.

Stale partitions are healed by re-running them with ``--force``;
`heal_commands` spells out the ``nbaprops run`` lines.

For deployments, `check_services` reads each service's ``/health`` (JSON with
a ``version`` field) and compares it with the local `code_version`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx

from nbaprops.core.config import PROBE_MAX_BODY, RequestLimits
from nbaprops.core.errors import ConfigError, InputError, SourceError
from nbaprops.core.version import code_version as current_code_version
from nbaprops.ops.ledger import LEDGER
from nbaprops.ops.runner import processor_code_hash
from nbaprops.pipeline.registry import Registry, default_registry
from nbaprops.sources.bounded import bounded_client, request_bounded
from nbaprops.storage.queries import drift as q
from nbaprops.storage.warehouse import Warehouse

__all__ = [
    "DEFAULT_HEALTH_TIMEOUT",
    "DriftReport",
    "ServiceStatus",
    "StalePartition",
    "VersionGroup",
    "check_services",
    "drift_report",
    "heal_commands",
    "is_older",
    "load_services",
]

DEFAULT_HEALTH_TIMEOUT = 3.0
"""Seconds to wait for a service's ``/health``."""

ServiceState = Literal["up_to_date", "behind", "ahead", "unreachable"]
_RELEASE = re.compile(r"^v?(\d+(?:\.\d+)*)")


@dataclass(frozen=True)
class VersionGroup:
    """The partitions of one processor produced by one (code version, code hash)."""

    processor: str
    code_version: str | None
    code_hash: str | None
    partitions: int
    first: str
    last: str
    current: bool | None
    """Whether ``code_hash`` is the processor's current code (None: not recorded)."""


@dataclass(frozen=True)
class StalePartition:
    """A partition produced by code older than wanted."""

    processor: str
    partition: str
    code_version: str | None
    code_hash: str | None
    reason: str


@dataclass
class DriftReport:
    """What `drift_report` found."""

    current_version: str
    min_version: str | None
    versions: list[VersionGroup] = field(default_factory=list)
    stale: list[StalePartition] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    """Processors whose registered code differs from the code that produced some of their data."""
    unknown: dict[str, int] = field(default_factory=dict)
    """Per processor, partitions whose producing run recorded no code hash."""

    def stale_by_processor(self) -> dict[str, list[str]]:
        """Stale partitions grouped per processor (in DAG order), partitions sorted."""
        out: dict[str, list[str]] = {}
        for s in self.stale:
            out.setdefault(s.processor, []).append(s.partition)
        return {p: sorted(v) for p, v in out.items()}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (with the heal commands)."""
        return {
            "current_version": self.current_version,
            "min_version": self.min_version,
            "versions": [asdict(v) for v in self.versions],
            "changed": self.changed,
            "unknown": self.unknown,
            "stale": [asdict(s) for s in self.stale],
            "heal": heal_commands(self),
        }


def _release(version: str) -> tuple[int, ...] | None:
    m = _RELEASE.match(version.strip())
    if m is None:
        return None
    parts = [int(x) for x in m.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def is_older(
    version: str | None, reference: str, *, first_seen: dict[str, dt.datetime] | None = None
) -> bool:
    """Whether `version` is older than `reference`.

    Release numbers (``0.2.0`` in ``0.2.0+gabc1234``) are compared first.  When
    they tie or one cannot be read (``test``, ``unknown``), the ledger decides:
    a version whose first run came earlier is older.  A missing version is
    older than any.

    Args:
        version: the version that produced some data (None when not recorded).
        reference: the version to compare with.
        first_seen: when each version first ran, from the ledger.
    """
    if version is None:
        return True
    if version == reference:
        return False
    a, b = _release(version), _release(reference)
    if a is not None and b is not None and a != b:
        return a < b
    if a is not None and b is not None and "+" not in reference:
        return False  # a build of the same release as a bare reference: not older
    seen = first_seen or {}
    if version in seen and reference in seen:
        return seen[version] < seen[reference]
    return False  # cannot be ordered: not flagged


def _producers(wh: Warehouse) -> list[tuple[str, str, str | None, str | None]]:
    """(processor, partition, code_version, code_hash) of the latest success of each partition."""
    if not wh.has_table(LEDGER):
        return []
    rows = wh.rows(q.PRODUCERS if "code_hash" in wh.columns(LEDGER) else q.PRODUCERS_WITHOUT_CODE_HASH)
    return [(str(p), str(k), v, h) for p, k, v, h in rows]


def _first_seen(wh: Warehouse) -> dict[str, dt.datetime]:
    if not wh.has_table(LEDGER):
        return {}
    return {str(v): t for v, t in wh.rows(q.VERSIONS_FIRST_SEEN)}


def drift_report(
    warehouse: Warehouse,
    *,
    min_version: str | None = None,
    registry: Registry | None = None,
    current_version: str | None = None,
    processors: Iterable[str] | None = None,
) -> DriftReport:
    """Which code produced each processor's data, and which partitions are stale.

    Args:
        warehouse: the warehouse whose ledger is read (read-only is fine).
        min_version: flag partitions produced by a version older than this one;
            without it, flag partitions of processors whose code changed.
        registry: the processors as registered now (default: every built-in one).
        current_version: the local code version (default: package version + git sha).
        processors: only these processors.

    Returns:
        A `DriftReport`, processors in DAG order.

    Raises:
        InputError: for an unknown processor name.
    """
    reg = registry or default_registry()
    wanted = set(processors) if processors is not None else None
    if wanted:
        for name in wanted:
            reg.get(name)  # raises InputError for an unknown name
    report = DriftReport(current_version=current_version or current_code_version(), min_version=min_version)
    hashes = {p.name: processor_code_hash(p) for p in reg.select()}
    seen = _first_seen(warehouse) if min_version is not None else {}
    if min_version is not None and min_version not in seen:
        # a bare release (0.2.0) first ran when any build of it (0.2.0+g...) first ran
        same = [
            t for v, t in seen.items() if _release(v) is not None and _release(v) == _release(min_version)
        ]
        if same:
            seen[min_version] = min(same)
    if min_version is not None and _release(min_version) is None and min_version not in seen:
        raise InputError(
            f"min version {min_version!r} is neither a release number (like 0.2.0) "
            "nor a code version recorded in the ledger"
        )
    order = {name: i for i, name in enumerate(reg.order)}
    groups: dict[tuple[str, str | None, str | None], list[str]] = {}
    for proc, part, version, chash in _producers(warehouse):
        if wanted is not None and proc not in wanted:
            continue
        groups.setdefault((proc, version, chash), []).append(part)
        if chash is None:
            report.unknown[proc] = report.unknown.get(proc, 0) + 1
        if min_version is not None:
            if is_older(version, min_version, first_seen=seen):
                reason = f"produced by {version or 'an unrecorded version'}, older than {min_version}"
                report.stale.append(StalePartition(proc, part, version, chash, reason))
        elif chash is not None and proc in hashes and chash != hashes[proc]:
            reason = (
                f"code changed since {version or 'an unrecorded version'} (hash {chash} -> {hashes[proc]})"
            )
            report.stale.append(StalePartition(proc, part, version, chash, reason))
    for (proc, version, chash), parts in groups.items():
        current = None if chash is None or proc not in hashes else chash == hashes[proc]
        report.versions.append(
            VersionGroup(proc, version, chash, len(parts), min(parts), max(parts), current)
        )
        if current is False and proc not in report.changed:
            report.changed.append(proc)

    def rank(name: str) -> tuple[int, str]:
        return order.get(name, len(order)), name

    report.versions.sort(key=lambda g: (rank(g.processor), g.first, g.code_version or ""))
    report.stale.sort(key=lambda s: (rank(s.processor), s.partition))
    report.changed.sort(key=rank)
    return report


def heal_commands(report: DriftReport, *, registry: Registry | None = None) -> list[str]:
    """``nbaprops run --force`` lines that re-run exactly the stale partitions' ranges.

    Date partitions are grouped into runs of consecutive dates; a season
    partition is re-run through any one date of that season.
    """
    reg = registry or default_registry()
    out: list[str] = []
    for proc, parts in report.stale_by_processor().items():
        kind = reg.by_name[proc].partition if proc in reg.by_name else "date"
        if kind != "date":
            for season in parts:
                day = f"{int(season[:4])}-12-01" if season[:4].isdigit() else season
                out.append(f"nbaprops run -p {proc} --date {day} --force  # season {season}")
            continue
        days = sorted(dt.date.fromisoformat(p) for p in parts)
        start = prev = days[0]
        for d in [*days[1:], None]:
            if d is not None and d - prev == dt.timedelta(days=1):
                prev = d
                continue
            if start == prev:
                out.append(f"nbaprops run -p {proc} --date {start} --force")
            else:
                out.append(f"nbaprops run -p {proc} --start-date {start} --end-date {prev} --force")
            if d is not None:
                start = prev = d
    return out


# --- deployments --------------------------------------------------------------


@dataclass(frozen=True)
class ServiceStatus:
    """One deployed service compared with the local code version."""

    name: str
    url: str
    state: ServiceState
    version: str | None
    local_version: str
    detail: str | None = None


def load_services(path: Path) -> list[tuple[str, str]]:
    """(name, base URL) of each service in a TOML file.

    The file holds an array of tables::

        [[services]]
        name = "api"
        url = "https://api.example.com"

    Raises:
        ConfigError: when the file is missing, not TOML, or an entry lacks a name or URL.
    """
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"services file {path} not found") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"services file {path} is not readable TOML: {exc}") from None
    entries = data.get("services")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"services file {path}: expected [[services]] entries with name and url")
    out: list[tuple[str, str]] = []
    for i, e in enumerate(entries, 1):
        name, url = (e.get("name"), e.get("url")) if isinstance(e, dict) else (None, None)
        if not isinstance(name, str) or not isinstance(url, str) or not name or not url:
            raise ConfigError(f"services file {path}: entry {i} needs a name and a url")
        out.append((name, url.rstrip("/")))
    return out


def _compare(deployed: str, local: str) -> ServiceState:
    if deployed == local:
        return "up_to_date"
    a, b = _release(deployed), _release(local)
    if a is not None and b is not None and a > b:
        return "ahead"
    return "behind"


def check_services(
    services: Sequence[tuple[str, str]],
    *,
    local_version: str | None = None,
    timeout: float = DEFAULT_HEALTH_TIMEOUT,
    client: httpx.Client | None = None,
) -> list[ServiceStatus]:
    """Read each service's ``/health`` and compare its ``version`` with the local one.

    A service that does not answer, answers with an error status, or whose
    body has no ``version`` is *unreachable* (the detail says why); a version
    equal to the local one is *up to date*; a higher release is *ahead*; any
    other is *behind*.  Never raises for a service failure.

    Args:
        services: (name, base URL) pairs, as `load_services` gives.
        local_version: compared with (default: package version + git sha).
        timeout: seconds per request, wall clock (connect to last byte; the body is capped at 1 MiB).
        client: an httpx client to use (default: a new one with `timeout`).
    """
    local = local_version or current_code_version()
    own = client is None
    http = client or bounded_client(timeout=timeout, follow_redirects=True)
    limits = RequestLimits(deadline=timeout, max_body_bytes=PROBE_MAX_BODY)
    out: list[ServiceStatus] = []
    try:
        for name, base in services:
            url = f"{base.rstrip('/')}/health"
            try:
                resp = request_bounded(http, "GET", url, limits=limits, shown=url, timeout=timeout)
            except (httpx.HTTPError, SourceError) as exc:
                out.append(ServiceStatus(name, base, "unreachable", None, local, type(exc).__name__))
                continue
            if resp.status_code >= 400:
                out.append(ServiceStatus(name, base, "unreachable", None, local, f"HTTP {resp.status_code}"))
                continue
            try:
                body = json.loads(resp.content)
            except ValueError:
                body = None
            version = body.get("version") if isinstance(body, dict) else None
            if not isinstance(version, str) or not version:
                out.append(ServiceStatus(name, base, "unreachable", None, local, "no version in /health"))
                continue
            out.append(ServiceStatus(name, base, _compare(version, local), version, local))
    finally:
        if own:
            http.close()
    return out

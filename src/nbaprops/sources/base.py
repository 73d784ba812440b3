"""What every source module shares: a request description and the empty-vs-broken check.

A source module (``nbac``, ``bdl``, ``espn``, ``odds_api``, ``bettingpros``)
builds `Request` objects for a date (or a game) and knows, per payload kind,
what a *valid but empty* answer looks like (a day without games) as opposed
to a broken one (an error object, a missing top-level field).  Sources never
import the warehouse.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nbaprops.sources.http import BodyKind, Fetched, HttpClient, SourceProfile

__all__ = ["Request", "json_shape", "list_at"]


def _load(content: bytes) -> Any:
    return json.loads(content)


@dataclass(frozen=True)
class Request:
    """One upstream call that yields one payload of one kind.

    Args:
        kind: the payload kind (the fixture folder name, e.g. ``nbac_scoreboard_v2``).
        profile: the source profile to send it with.
        endpoint: path below the profile's base URL.
        params: query parameters (never secrets).
        expect: what the body must be.
        ext: raw store extension for the payload.
        validate: shape check run on every attempt (a reason string means broken).
        empty: tells a valid-but-empty payload (no games that day) from one with rows.
    """

    kind: str
    profile: SourceProfile
    endpoint: str
    params: Mapping[str, str] = field(default_factory=dict)
    expect: BodyKind = "json"
    ext: str = "json"
    validate: Callable[[bytes], str | None] | None = None
    empty: Callable[[bytes], bool] | None = None

    def send(self, client: HttpClient) -> Fetched:
        """Fetch the payload through the shared client, bounded by the limits of its kind."""
        return client.fetch(
            self.profile,
            self.endpoint,
            params=self.params,
            expect=self.expect,
            validate=self.validate,
            kind=self.kind,
        )

    def is_empty(self, content: bytes) -> bool:
        """Whether the payload is a valid answer with nothing in it."""
        return bool(self.empty(content)) if self.empty else len(content) == 0


def json_shape(*paths: str) -> Callable[[bytes], str | None]:
    """A validator: every dotted path must exist in the JSON body."""

    def check(content: bytes) -> str | None:
        try:
            doc = _load(content)
        except ValueError:
            return "body is not JSON"
        for path in paths:
            node = doc
            for part in path.split("."):
                if not isinstance(node, dict) or part not in node:
                    return f"field {path!r} missing (error object or schema drift)"
                node = node[part]
        return None

    return check


def list_at(path: str) -> Callable[[bytes], bool]:
    """An emptiness check: the list at a dotted path has no items."""

    def empty(content: bytes) -> bool:
        node: Any = _load(content)
        for part in path.split("."):
            node = node[int(part)] if isinstance(node, list) else node[part]
        return isinstance(node, list) and len(node) == 0

    return empty

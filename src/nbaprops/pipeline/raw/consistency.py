"""Cross-source checks on player box scores: reported, never averaged away.

- `points_identity`: every played row must satisfy
  ``pts == 2*FG2M + 3*FG3M + FTM`` (with ``FG2M = FGM - FG3M``);
- `compare_points`: two sources' rows for the same games, matched on
  (game_code, player_lookup), must agree on points; each disagreement and each
  player only one source lists is returned for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

__all__ = ["Comparison", "Disagreement", "compare_points", "points_from_play_by_play", "points_identity"]


@dataclass(frozen=True)
class Disagreement:
    """One player-game where two sources (or a row and its own shooting) disagree."""

    game: str
    player: str
    what: str
    left: Any
    right: Any


@dataclass
class Comparison:
    """The outcome of comparing two sources over their common games."""

    matched: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)
    only_left: list[str] = field(default_factory=list)
    only_right: list[str] = field(default_factory=list)


def _played(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r.get("pts") is not None and not r.get("dnp_reason")]


def points_identity(table: pa.Table) -> list[Disagreement]:
    """Rows whose points do not equal 2*FG2M + 3*FG3M + FTM."""
    bad = []
    for r in _played(table.to_pylist()):
        derived = 2 * (r["fgm"] - r["fg3m"]) + 3 * r["fg3m"] + r["ftm"]
        if derived != r["pts"]:
            game = r.get("game_code") or r.get("game_id") or ""
            bad.append(Disagreement(game, r["player_name"], "pts vs shooting", r["pts"], derived))
    return bad


def compare_points(left: pa.Table, right: pa.Table, *, key: str = "game_code") -> Comparison:
    """Match two sources' played rows on (key, player_lookup) and compare points."""
    out = Comparison()
    a = {(r[key], r["player_lookup"]): r for r in _played(left.to_pylist())}
    b = {(r[key], r["player_lookup"]): r for r in _played(right.to_pylist())}
    games = {k[0] for k in a} & {k[0] for k in b}
    for k in sorted(x for x in a.keys() | b.keys() if x[0] in games):
        if k not in b:
            out.only_left.append(f"{k[0]} {a[k]['player_name']}")
        elif k not in a:
            out.only_right.append(f"{k[0]} {b[k]['player_name']}")
        else:
            out.matched += 1
            if a[k]["pts"] != b[k]["pts"]:
                out.disagreements.append(
                    Disagreement(k[0], a[k]["player_name"], "pts", a[k]["pts"], b[k]["pts"])
                )
    return out


def points_from_play_by_play(pbp: pa.Table) -> dict[str, int]:
    """Points per NBA.com person id, summed over the scoring actions."""
    totals: dict[str, int] = {}
    for r in pbp.select(["person_id", "points"]).to_pylist():
        if r["points"] and r["person_id"]:
            totals[r["person_id"]] = totals.get(r["person_id"], 0) + r["points"]
    return totals

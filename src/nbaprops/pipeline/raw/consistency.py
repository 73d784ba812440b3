"""Cross-source checks on player box scores: reported, never averaged away.

- `points_identity`: every played row must satisfy
  ``pts == 2*FG2M + 3*FG3M + FTM`` (with ``FG2M = FGM - FG3M``);
- `compare_points`: two sources' rows for the same games, matched on
  (game_code, player_lookup), must agree on points; each disagreement and each
  player only one source lists is returned for a person to look at;
- `disagreements`: every source of one or more dates at once (the processor
  ``source_disagreements``): the final score per schedule source against the canonical
  schedule row, each box-score source's team points against that final score, and each
  player's points across box-score sources.  One `DISAGREEMENTS` row per disagreement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from nbaprops.pipeline.raw.schemas import DATE, I64, STR

__all__ = [
    "CHECKS",
    "DISAGREEMENTS",
    "Comparison",
    "Disagreement",
    "compare_points",
    "disagreements",
    "points_from_play_by_play",
    "points_identity",
]


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


CHECKS = ("final_score", "home_away", "team_points", "player_points")
"""What a disagreement is about: a source's final score of a team vs the canonical schedule's;
which team was at home; a box-score source's points summed per team vs the final score; a
player's points in one box-score source vs the first source (by priority) that lists him."""

DISAGREEMENTS = pa.schema(
    [
        ("game_date", DATE),
        ("game_code", STR),  # the canonical schedule's code (else the source's)
        ("check", STR),  # one of CHECKS
        ("subject", STR),  # the team (abbreviation), "home", or "Player Name (id)"
        ("source", STR),  # the source that disagrees
        ("value", I64),  # what it says (home_away: 1 when it names the other team at home)
        ("reference_source", STR),  # what it is compared with
        ("reference_value", I64),
    ]
)
"""One row per disagreement (`disagreements`)."""

Game = tuple[Any, frozenset[str]]


def _game(date: Any, code: str) -> Game:
    """(date, {away, home}) from a ``YYYYMMDD_AWAY_HOME`` code: one game whichever team is home."""
    _, away, home = code.split("_")
    return date, frozenset((away, home))


def disagreements(
    canonical: list[dict[str, Any]],
    games: dict[str, list[dict[str, Any]]],
    boxes: dict[str, list[dict[str, Any]]],
) -> list[dict[str, Any]]:
    """Every disagreement between sources over some dates.

    Args:
        canonical: the canonical schedule's rows (``source`` served each), the reference.
        games: schedule source name -> its rows (``game_code``, ``game_date``, ``home_team``,
            ``away_team``, ``home_pts``, ``away_pts``, ``status``).
        boxes: box-score source name -> its played rows (``game_code``, ``game_date``,
            ``team``, ``player_name``, ``player_lookup``, ``player_id``, ``pts``), in priority order.

    Returns:
        rows of `DISAGREEMENTS`, sorted.
    """
    out: list[dict[str, Any]] = []
    ref = {_game(g["game_date"], g["game_code"]): g for g in canonical}

    def add(game: Game, check: str, subject: str, source: str, value: Any, rsource: str, rvalue: Any) -> None:
        code = ref[game]["game_code"] if game in ref else None
        out.append(
            {
                "game_date": game[0],
                "game_code": code,
                "check": check,
                "subject": subject,
                "source": source,
                "value": value,
                "reference_source": rsource,
                "reference_value": rvalue,
            }
        )

    for source, rows in games.items():
        for g in rows:
            key = _game(g["game_date"], g["game_code"])
            c = ref.get(key)
            if c is None or g["status"] != "final" or c["status"] != "final":
                continue
            if g["home_team"] != c["home_team"]:  # the canonical row keeps the archive's code
                add(key, "home_away", "home", source, 1, "schedule", 0)
            if c["source"] == source:
                continue
            pts = {g["home_team"]: g["home_pts"], g["away_team"]: g["away_pts"]}
            for team, want in ((c["home_team"], c["home_pts"]), (c["away_team"], c["away_pts"])):
                if pts.get(team) != want:
                    add(key, "final_score", team, source, pts.get(team), c["source"], want)
    first: dict[tuple[Game, Any], tuple[str, dict[str, Any]]] = {}
    for source, rows in boxes.items():
        sums: dict[tuple[Game, str], int] = {}
        for r in rows:
            key = _game(r["game_date"], r["game_code"])
            sums[(key, r["team"])] = sums.get((key, r["team"]), 0) + int(r["pts"])
            who = (key, r["player_id"] if r["player_id"] is not None else r["player_lookup"])
            if who not in first:
                first[who] = (source, r)
            elif first[who][1]["pts"] != r["pts"]:
                rsource, rr = first[who]
                subject = f"{rr['player_name']} ({who[1]})"
                add(key, "player_points", subject, source, r["pts"], rsource, rr["pts"])
        for (key, team), total in sums.items():
            c = ref.get(key)
            if c is None or c["status"] != "final":
                continue
            want = (
                c["home_pts"] if team == c["home_team"] else c["away_pts"] if team == c["away_team"] else None
            )
            if want is not None and total != want:
                add(key, "team_points", team, source, total, f"schedule:{c['source']}", want)
    out.sort(key=lambda r: (r["game_date"], r["game_code"] or "", r["check"], r["subject"], r["source"]))
    return out

"""One parser per payload kind; the kinds are the names of the fixture folders.

`PARSERS` maps a kind (``bdl_box_scores``, ``nbac_gamebook_pdf``, ...) to its
`Parser`: the function that turns one stored payload into a typed Arrow table
of the raw schema named by ``family`` (see `nbaprops.pipeline.raw.schemas`).
Drift (a missing or renamed field) raises `SchemaDriftError` naming the kind
and the field; a payload that is broken in another way raises `DataError`.

`parse_payload` is the boundary every caller goes through: it raises only
`NbapropsError` subclasses, naming the kind and the payload (whatever a
parser or a library under it raised: a `KeyError`, an overflow, a truncated
gzip stream, a damaged PDF), and returns only rows that conform to the
family's declared contract (`nbaprops.pipeline.raw.schemas.CONTRACTS`):
types, nulls, ranges, allowed values, row rules and a unique key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from nbaprops.core.errors import DataError, InputError, NbapropsError
from nbaprops.pipeline.raw.contracts import Where, conform
from nbaprops.pipeline.raw.parsers import bdl, bettingpros, espn, nbac, odds, pdf
from nbaprops.pipeline.raw.schemas import CONTRACTS

__all__ = ["PARSERS", "Parser", "get_parser", "parse_payload"]


@dataclass(frozen=True)
class Parser:
    """How one payload kind becomes rows."""

    kind: str
    family: str
    """The raw schema the rows follow (a key of ``schemas.SCHEMAS``)."""
    parse: Callable[[bytes, str], pa.Table]
    description: str


def _p(kind: str, family: str, fn: Callable[[bytes, str], pa.Table]) -> Parser:
    doc = (fn.__doc__ or "").strip().splitlines()[0]
    return Parser(kind, family, fn, doc)


PARSERS: dict[str, Parser] = {
    p.kind: p
    for p in (
        _p("nbac_scoreboard_v2", "games", nbac.parse_scoreboard_v2),
        _p("nbac_schedule_api", "games", nbac.parse_schedule),
        _p("nbac_schedule_cdn", "games", nbac.parse_schedule),
        _p("nbac_team_boxscore", "player_boxscores", nbac.parse_team_boxscore),
        _p("nbac_player_boxscore", "player_boxscores", nbac.parse_player_boxscore),
        _p("nbac_player_list", "players", nbac.parse_player_list),
        _p("nbac_play_by_play", "play_by_play", nbac.parse_play_by_play),
        _p("nbac_injury_report", "injury_report", pdf.parse_injury_report),
        _p("nbac_gamebook_pdf", "gamebook", pdf.parse_gamebook),
        _p("bdl_games", "games", bdl.parse_games),
        _p("bdl_box_scores", "player_boxscores", bdl.parse_box_scores),
        _p("bdl_live_box_scores", "player_boxscores", bdl.parse_box_scores),
        _p("bdl_player_box_scores", "player_boxscores", bdl.parse_player_box_scores),
        _p("bdl_players", "players", bdl.parse_players),
        _p("bdl_active_players", "players", bdl.parse_players),
        _p("bdl_injuries", "injuries", bdl.parse_injuries),
        _p("espn_scoreboard_api", "games", espn.parse_scoreboard),
        _p("nbac_game_ids_core", "games", espn.parse_scoreboard),
        _p("espn_game_boxscore", "player_boxscores", espn.parse_boxscore_page),
        _p("oddsa_events_his", "events", odds.parse_events),
        _p("oddsa_events", "events", odds.parse_events),
        _p("oddsa_game_lines_his", "game_lines", odds.parse_game_lines),
        _p("odds_api_historical_game_lines", "game_lines", odds.parse_game_lines),
        _p("oddsa_player_props_his", "prop_lines", odds.parse_player_props),
        _p("oddsa_player_props", "prop_lines", odds.parse_player_props),
        _p("bp_events", "events", bettingpros.parse_events),
    )
}


def get_parser(kind: str) -> Parser:
    """The parser of a payload kind.

    Raises:
        InputError: for an unknown kind, listing the known ones.
    """
    try:
        return PARSERS[kind]
    except KeyError:
        raise InputError(
            f"no parser for payload kind {kind!r} (known: {', '.join(sorted(PARSERS))})"
        ) from None


def parse_payload(kind: str, content: bytes, name: str | None = None) -> pa.Table:
    """Parse one payload of a kind into its raw table, checked against the family's contract.

    Args:
        kind: the payload kind.
        content: the stored bytes.
        name: the payload's name (file or raw-store path), named in every error.

    Raises:
        InputError: an unknown kind.
        DataError: the payload does not parse or its rows break the contract
            (`SchemaDriftError` and `ContractError` are kinds of it); never anything else.
    """
    parser = get_parser(kind)
    origin = f"{kind} payload {name}" if name else f"{kind} payload"
    try:
        rows = parser.parse(content, kind)
        return conform(rows, CONTRACTS[parser.family], Where(origin))
    except NbapropsError as exc:
        raise _naming(exc, name) from None
    except Exception as exc:  # the boundary: whatever a parser or a library under it raised
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        raise DataError(f"{origin} does not parse ({type(exc).__name__}: {detail})") from None


def _naming(exc: NbapropsError, name: str | None) -> NbapropsError:
    """The error, its message naming the payload (once)."""
    if name and name not in exc.message:
        exc.message = f"{exc.message} in payload {name}"
        exc.args = (exc.message,)
    return exc

"""One player: recent games, the lines offered, the calls made and what happened."""

from __future__ import annotations

from nbaprops.api.calls import player_calls
from nbaprops.api.models import PlayerDetail, PlayerGame, PlayerLine
from nbaprops.storage import Warehouse
from nbaprops.storage.queries import api as q

__all__ = ["player_detail"]

GAMES_TABLE = "player_game_summary"
LINES_TABLE = "raw_prop_lines"


def player_detail(wh: Warehouse, player_id: int, *, limit: int) -> PlayerDetail | None:
    """The player's latest `limit` games, lines and calls; None for a player never seen.

    A player is known when a box score or a call names them.
    """
    params = {"player_id": player_id}
    name = team = None
    games: list[PlayerGame] = []
    if wh.has_table(GAMES_TABLE):
        name, team, n = wh.rows(q.PLAYER_NAME, params)[0]
        if n:
            got = wh.query(q.PLAYER_GAMES, {**params, "limit": limit}).to_pylist()
            games = [PlayerGame(**r) for r in got]
    calls = player_calls(wh, player_id, limit=limit)
    if not games and not calls:
        return None
    lines: list[PlayerLine] = []
    if wh.has_table(LINES_TABLE):
        got = wh.query(q.PLAYER_LINES, {**params, "limit": limit}).to_pylist()
        lines = [PlayerLine(**r) for r in got]
    return PlayerDetail(
        player_id=player_id,
        player_name=name or next((c.player_name for c in calls if c.player_name), None),
        team=team,
        games=games,
        lines=lines,
        calls=calls,
    )

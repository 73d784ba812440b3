"""Per-game NBA.com payloads (box score, gamebook, play-by-play): which game each one is.

A per-game kind is scraped in two steps (`pipeline/scrape/scrape.py`): the date's scoreboard,
then one request per final game it lists; both payloads are stored and listed in the kind's
manifest.  A box score or a play-by-play names its game by id only, a gamebook only in its URL
(``YYYYMMDD/YYYYMMDD_AWAYHOME_book.pdf``); `identify` gives every row the game's code
(``YYYYMMDD_AWAY_HOME``) from the date's scoreboard in the same manifest, so the rows join the
schedule, and stamps a gamebook's rows with the time the payload was fetched (``fetched_at``:
when the system knew the statuses it lists; a gamebook is published only after the game).
"""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa
import pyarrow.compute as pc

from nbaprops.core.errors import DataError
from nbaprops.core.ids import game_code
from nbaprops.pipeline.contract import Context
from nbaprops.pipeline.raw.parsers import parse_payload
from nbaprops.storage.queries.canonical import PER_GAME_PAYLOAD, PER_GAME_SCOREBOARDS

__all__ = ["identify", "scoreboard_games"]

_BOOK = re.compile(r"(\d{8})_([A-Z]{3})([A-Z]{3})_book\.pdf$")


def scoreboard_games(ctx: Context, manifest: str) -> dict[str, str]:
    """Game id -> game code of every game on the date's stored scoreboard(s) of a manifest."""
    out: dict[str, str] = {}
    for (path,) in ctx.warehouse.rows(PER_GAME_SCOREBOARDS.format(table=manifest), {"d": ctx.date}):
        t = parse_payload("nbac_scoreboard_v2", ctx.raw.get(str(path)), name=str(path))
        out.update(zip(t.column("game_id").to_pylist(), t.column("game_code").to_pylist(), strict=True))
    return out


def _fill(t: pa.Table, name: str, value: pa.Array | pa.Scalar) -> pa.Table:
    i = t.schema.get_field_index(name)
    return t.set_column(i, name, pc.fill_null(t.column(name), value))


def identify(ctx: Context, manifest: str, path: str, t: pa.Table) -> pa.Table:
    """The payload's rows with their game's code (and, for a gamebook, its ``fetched_at``).

    Raises:
        DataError: the payload's game is not on the date's scoreboard, or a gamebook URL
            does not name a game.
    """
    got = ctx.warehouse.rows(PER_GAME_PAYLOAD.format(table=manifest), {"d": ctx.date, "path": path})
    endpoint, fetched_at = (str(got[0][0]), got[0][1]) if got else ("", None)
    if "game_id" in t.column_names:
        games = scoreboard_games(ctx, manifest)
        ids = set(t.column("game_id").to_pylist())
        missing = sorted(i for i in ids if i not in games)
        if missing:
            raise DataError(f"{path}: game {missing[0]} is not on the {ctx.date} scoreboard of {manifest}")
        codes = pa.array([games[i] for i in t.column("game_id").to_pylist()], pa.string())
        t = _fill(t, "game_code", codes)
    else:
        m = _BOOK.search(endpoint)
        if not m:
            raise DataError(f"{path}: gamebook URL {endpoint!r} names no game (YYYYMMDD_AWAYHOME_book.pdf)")
        day = dt.datetime.strptime(m.group(1), "%Y%m%d").date()
        t = _fill(t, "game_code", pa.scalar(game_code(day, m.group(2), m.group(3)), pa.string()))
    if "fetched_at" in t.column_names and fetched_at is not None:
        t = _fill(t, "fetched_at", pa.scalar(fetched_at, t.schema.field("fetched_at").type))
    return t

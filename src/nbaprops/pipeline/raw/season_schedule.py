"""Processor ``raw_nbac_schedule``: NBA.com's schedule of a season, future games included.

The scrape ``scrape_nbac_schedule_api`` stores, for the date it runs on, the whole schedule of
that date's season (``scheduleleaguev2``: every game with its status and the final scores known
so far).  This processor, per **season**, parses the newest stored payload of the season (the
latest knowledge: a game rescheduled or final since an older scrape) into the games family's
rows.  It is how the calendar learns the days still to come: ``schedule`` merges it after
NBA.com's scoreboard of the date (`pipeline/raw/schedule.py`).
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc

from nbaprops.pipeline.contract import Context, ExternalFingerprint, Input, Processor
from nbaprops.pipeline.raw.contracts import Where, conform
from nbaprops.pipeline.raw.parsers import parse_payload
from nbaprops.pipeline.raw.schemas import GAMES_CONTRACT
from nbaprops.storage.queries.schedule import SEASON_SCHEDULE_PAYLOADS

__all__ = ["KIND", "RAW_NBAC_SCHEDULE"]

KIND = "nbac_schedule_api"
MANIFEST = f"manifest_{KIND}"
CONTRACT = GAMES_CONTRACT.renamed("raw_nbac_schedule")


def _newest(ctx: Context) -> tuple[str, str, bool] | None:
    """(path, sha256, empty) of the newest stored payload of the season, or None."""
    if not ctx.warehouse.has_table(MANIFEST):
        return None
    for path, sha, params, empty in ctx.warehouse.rows(
        SEASON_SCHEDULE_PAYLOADS.format(table=MANIFEST), {"kind": KIND}
    ):
        if json.loads(params or "{}").get("Season") == ctx.season:
            return str(path), str(sha), bool(empty)
    return None


def build(ctx: Context) -> pa.Table:
    """The season's games from its newest stored schedule payload.

    None stored for the season: no rows (the fingerprint says the source holds none).

    Raises:
        DataError: the payload does not parse or breaks the contract (naming it).
    """
    got = _newest(ctx)
    if got is None:  # never scraped for this season (e.g. the season before a date's, by rule)
        return CONTRACT.schema.empty_table()
    path, _, _ = got
    t = parse_payload(KIND, ctx.raw.get(path), name=path)
    t = t.filter(pc.equal(t.column("season"), pa.scalar(ctx.season, pa.string())))
    return conform(t, CONTRACT, Where(f"the {KIND} payload {path}"))


def _external(ctx: Context) -> ExternalFingerprint:
    got = _newest(ctx)
    if got is None:
        return ExternalFingerprint(f"{KIND}:none", 0)
    _, sha, empty = got
    return ExternalFingerprint(f"{KIND}:{sha}", 0 if empty else 1)


RAW_NBAC_SCHEDULE = Processor(
    name="raw_nbac_schedule",
    phase=2,
    output="raw_nbac_schedule",
    partition="season",
    key=CONTRACT.key,
    description=f"Raw rows of a season's NBA.com schedule (the newest stored {KIND} payload).",
    inputs=(Input(MANIFEST, "all"),),
    build=build,
    external=_external,
    per_game=False,
)

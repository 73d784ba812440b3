"""Phase 2 processors that parse stored payloads (listed by a scrape manifest) into raw tables.

For one date, a payload processor reads the manifest rows of its kind, loads
each stored payload from the raw store, parses it with the kind's parser and
returns the rows; player rows are resolved through the player registry.  No
manifest row for the date means nothing was scraped: that is an error, never
an empty table.  A manifest that says every payload was a valid empty answer
(no games) makes zero rows the right result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from nbaprops.core.errors import DataError
from nbaprops.pipeline.contract import Context, ExternalFingerprint, Input, Processor
from nbaprops.pipeline.raw import per_game, schemas
from nbaprops.pipeline.raw.contracts import Where, conform
from nbaprops.pipeline.raw.parsers import get_parser, parse_payload
from nbaprops.pipeline.raw.players import ALIASES, INDEX, PlayerRegistry

__all__ = ["PAYLOAD_PROCESSORS", "PayloadSpec", "parse_stored", "payload_processor"]


@dataclass(frozen=True)
class PayloadSpec:
    """A raw table filled from one payload kind."""

    kind: str
    output: str
    source: str
    """The registry's source name for player resolution."""
    only_partition_date: bool = False
    """Keep only rows of the partition's date (a report that also lists the next day's games)."""
    per_game: bool = False
    """One payload per game, fetched after the date's scoreboard (stored in the same manifest):
    rows take the game's code from it (`pipeline/raw/per_game.py`)."""
    observed: bool = False
    """Rows are as of the fetch (live odds): ``snapshot_time`` is the manifest's ``fetched_at`` of
    the payload, so the same body fetched again later is a later snapshot of the same lines."""

    @property
    def manifest(self) -> str:
        """The manifest table listing the kind's stored payloads."""
        return f"manifest_{self.kind}"


def _manifest_rows(ctx: Context, spec: PayloadSpec) -> list[tuple[str, str, bool, dt.datetime]]:
    if not ctx.warehouse.has_table(spec.manifest):
        return []
    return [
        (str(p), str(s), bool(e), f)
        for p, s, e, f in ctx.warehouse.rows(
            f"SELECT path, sha256, empty, fetched_at FROM {spec.manifest} WHERE game_date = $d AND kind = $k "
            "ORDER BY fetched_at, path",
            {"d": ctx.date, "k": spec.kind},
        )
    ]


def _scraped(ctx: Context, spec: PayloadSpec) -> bool:
    """Whether the date was scraped at all (a first step may legitimately yield no payload of the kind)."""
    if not ctx.warehouse.has_table(spec.manifest):
        return False
    got = ctx.warehouse.rows(f"SELECT count(*) FROM {spec.manifest} WHERE game_date = $d", {"d": ctx.date})
    return bool(got and got[0][0])


def parse_stored(ctx: Context, spec: PayloadSpec) -> pa.Table:
    """Parse every stored payload of the date into one table (registry applied).

    Every payload's rows conform to the family's contract (`parse_payload`); the
    date's rows together conform to the output table's (its key unique across
    payloads), or nothing is returned.

    Raises:
        DataError: nothing was scraped for the date, a payload does not parse, or
            the rows break the contract (naming the payload, column, value and row).
    """
    rows = _manifest_rows(ctx, spec)
    parser = get_parser(spec.kind)
    contract = schemas.CONTRACTS[parser.family].renamed(spec.output)
    if not rows and not _scraped(ctx, spec):
        raise DataError(f"no stored {spec.kind} payload for {ctx.date}: run scrape_{spec.kind} first")
    tables = []
    for path, _sha, _empty, fetched_at in rows:
        t = parse_payload(spec.kind, ctx.raw.get(path), name=path)
        if spec.observed:
            at = pa.array([fetched_at] * t.num_rows, t.schema.field("snapshot_time").type)
            t = t.set_column(t.schema.get_field_index("snapshot_time"), "snapshot_time", at)
        if "game_date" in t.column_names:  # per-date payloads: fill what the payload leaves open
            t = t.set_column(
                t.schema.get_field_index("game_date"),
                "game_date",
                pc.fill_null(t.column("game_date"), pa.scalar(ctx.date, pa.date32())),
            )
        tables.append(per_game.identify(ctx, spec.manifest, path, t) if spec.per_game else t)
    out = pa.concat_tables(tables) if tables else contract.schema.empty_table()
    if spec.only_partition_date and out.num_rows:
        out = out.filter(pc.equal(out.column("game_date"), pa.scalar(ctx.date, pa.date32())))
    if "nba_player_id" in out.column_names:
        out = PlayerRegistry(ctx.warehouse).apply(out, spec.source)
    out = conform(out, contract, Where(f"the {spec.kind} payloads of {ctx.date}"))
    if "game_date" not in out.column_names:
        out = out.append_column("game_date", pa.array([ctx.date] * out.num_rows, pa.date32()))
    return out


def _fingerprint(spec: PayloadSpec) -> Callable[[Context], ExternalFingerprint]:
    def fingerprint(ctx: Context) -> ExternalFingerprint:
        rows = _manifest_rows(ctx, spec)
        seen = (f"{s}@{f.isoformat()}" if spec.observed else s for _, s, _, f in rows)
        digest = ",".join(sorted(seen))
        return ExternalFingerprint(f"{spec.kind}:{digest}", sum(1 for _, _, e, _ in rows if not e))

    return fingerprint


def payload_processor(spec: PayloadSpec) -> Processor:
    """The phase-2 processor that parses a kind's stored payloads into ``spec.output``."""

    def build(ctx: Context) -> pa.Table:
        return parse_stored(ctx, spec)

    return Processor(
        name=spec.output,
        phase=2,
        output=spec.output,
        partition="date",
        key=schemas.CONTRACTS[get_parser(spec.kind).family].key,
        description=f"Raw rows parsed from stored {spec.kind} payloads.",
        inputs=(Input(spec.manifest), Input(ALIASES, "all"), Input(INDEX, "all")),
        build=build,
        external=_fingerprint(spec),
        per_game=False,
    )


PAYLOAD_SPECS: tuple[PayloadSpec, ...] = (
    PayloadSpec("nbac_scoreboard_v2", "raw_nbac_games", "nbac"),
    PayloadSpec("nbac_player_boxscore", "raw_nbac_player_boxscores", "nbac"),
    PayloadSpec("bdl_games", "raw_bdl_games", "bdl"),
    PayloadSpec("bdl_box_scores", "raw_bdl_player_boxscores", "bdl"),
    PayloadSpec("espn_scoreboard_api", "raw_espn_games", "espn"),
    PayloadSpec("bp_events", "raw_bp_events", "bettingpros"),
    PayloadSpec("oddsa_player_props_his", "raw_oddsa_prop_lines", "odds_api"),
    PayloadSpec("oddsa_player_props", "raw_oddsa_live_prop_lines", "odds_api", observed=True),
    PayloadSpec("nbac_injury_report", "raw_nbac_injury_report", "nbac", only_partition_date=True),
    PayloadSpec("nbac_team_boxscore", "raw_nbac_team_boxscores", "nbac", per_game=True),
    PayloadSpec("nbac_gamebook_pdf", "raw_nbac_gamebook", "nbac", per_game=True),
    PayloadSpec("nbac_play_by_play", "raw_nbac_play_by_play", "nbac", per_game=True),
)
PAYLOAD_PROCESSORS: tuple[Processor, ...] = tuple(payload_processor(s) for s in PAYLOAD_SPECS)

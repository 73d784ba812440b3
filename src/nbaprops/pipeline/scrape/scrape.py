"""Phase 1: fetch upstream payloads and keep them untouched, with a manifest row each.

A scrape processor builds its requests for one date, sends them through the
shared `HttpClient`, stores every body in the raw store *before* anything
parses it (so a parser bug never costs data), and returns one manifest row
per payload; the runner writes those rows to ``manifest_<kind>`` through the
warehouse like any other output.  A request that still fails after the
client's bounded retries fails the run (the ledger gets the one-line reason);
payloads fetched before the failure stay stored.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyarrow as pa

from nbaprops.core.calendar import season_for_date
from nbaprops.core.config import Settings
from nbaprops.core.errors import SourceError
from nbaprops.pipeline.contract import Context, ExternalFingerprint, Processor
from nbaprops.pipeline.raw.schemas import MANIFEST
from nbaprops.sources import bdl, bettingpros, espn, nbac, odds_api
from nbaprops.sources.base import Request
from nbaprops.sources.http import HttpClient
from nbaprops.storage.rawstore import RawStore

__all__ = [
    "PLAYER_INDEX",
    "SCRAPES",
    "Game",
    "ScrapeSpec",
    "client_for",
    "manifest_table",
    "scrape_date",
    "scrape_processor",
]


@dataclass(frozen=True)
class ScrapeSpec:
    """One date-partitioned payload kind: how to build its requests for a date."""

    kind: str
    requests: Callable[[dt.date], Sequence[Request]]
    description: str
    follow: Callable[[dt.date, list[tuple[Request, bytes]]], Sequence[Request]] | None = None
    """Second step: requests built from the first step's payloads (e.g. props per event)."""
    snapshots: bool = False
    """Every fetch is an observation (live lines): a run is never skipped, and the date's
    earlier manifest rows are kept beside the new ones, even when a body is byte-identical to
    an earlier one (the raw store keeps one copy; the manifest row says when it was seen)."""

    @property
    def manifest(self) -> str:
        """The manifest table of the kind."""
        return f"manifest_{self.kind}"


SCRAPES: tuple[ScrapeSpec, ...] = (
    ScrapeSpec("nbac_scoreboard_v2", lambda d: [nbac.scoreboard(d)], "NBA.com scoreboardV2 of the date"),
    ScrapeSpec(
        "nbac_player_boxscore", lambda d: [nbac.player_boxscores(d)], "NBA.com player game log of the date"
    ),
    ScrapeSpec("bdl_games", lambda d: [bdl.games(d)], "balldontlie games of the date"),
    ScrapeSpec("bdl_box_scores", lambda d: [bdl.box_scores(d)], "balldontlie box scores of the date"),
    ScrapeSpec("espn_scoreboard_api", lambda d: [espn.scoreboard(d)], "ESPN scoreboard of the date"),
    ScrapeSpec("bp_events", lambda d: [bettingpros.events(d)], "BettingPros events of the date"),
    ScrapeSpec(
        "nbac_injury_report",
        lambda d: [nbac.injury_report(dt.datetime.combine(d, dt.time(17, 0)))],
        "NBA.com injury report PDF of 5 pm US/Eastern on the date",
    ),
    ScrapeSpec(
        "oddsa_player_props_his",
        lambda d: [odds_api.historical_events(_morning_utc(d))],
        "The Odds API events of the date, then each event's player props (every market) an hour before tip-off",
        follow=lambda d, got: _props_for_events(d, got),
    ),
    ScrapeSpec(
        "nbac_team_boxscore",
        lambda d: [nbac.scoreboard(d)],
        "NBA.com scoreboardV2 of the date, then each final game's boxscoretraditionalv2",
        follow=lambda d, got: _per_game(got, lambda g: nbac.team_boxscore(g.game_id)),
    ),
    ScrapeSpec(
        "nbac_gamebook_pdf",
        lambda d: [nbac.scoreboard(d)],
        "NBA.com scoreboardV2 of the date, then each final game's gamebook PDF",
        follow=lambda d, got: _per_game(got, lambda g: nbac.gamebook_pdf(g.day, g.away, g.home)),
    ),
    ScrapeSpec(
        "nbac_play_by_play",
        lambda d: [nbac.scoreboard(d)],
        "NBA.com scoreboardV2 of the date, then each final game's live play-by-play",
        follow=lambda d, got: _per_game(got, lambda g: nbac.play_by_play(g.game_id)),
    ),
    ScrapeSpec(
        "oddsa_player_props",
        lambda d: [odds_api.events()],
        "The Odds API live events, then each event of the date's current player props (every market); "
        "each run adds a snapshot",
        follow=lambda d, got: _props_for_events(d, got),
        snapshots=True,
    ),
    ScrapeSpec(
        "nbac_schedule_api",
        lambda d: [nbac.schedule(season_for_date(d))],
        "NBA.com schedule of the date's season (every game, future ones too; read by raw_nbac_schedule)",
    ),
)
"""Every kind scraped per date; a per-game kind's first step is the date's scoreboard, its
``follow`` one request per game listed there."""


@dataclass(frozen=True)
class Game:
    """One game of a date's scoreboard: what a per-game request needs."""

    game_id: str
    day: dt.date
    away: str
    home: str


def _per_game(got: list[tuple[Request, bytes]], build: Callable[[Game], Request]) -> list[Request]:
    """One request per *final* game of the stored scoreboard(s): a game in progress has a partial
    box score and no gamebook yet, so it is fetched by the night pass, once it is final."""
    from nbaprops.pipeline.raw.parsers import parse_payload

    out: list[Request] = []
    for req, content in got:
        if req.kind != "nbac_scoreboard_v2":
            continue
        for g in parse_payload(req.kind, content).to_pylist():
            if g["status"] == "final":
                out.append(build(Game(g["game_id"], g["game_date"], g["away_team"], g["home_team"])))
    return out


def _morning_utc(day: dt.date) -> dt.datetime:
    """15:00 UTC (10-11 am US/Eastern) of a date: the snapshot that lists the day's events."""
    return dt.datetime.combine(day, dt.time(15, 0), tzinfo=dt.UTC)


def _props_for_events(day: dt.date, got: list[tuple[Request, bytes]]) -> list[Request]:
    """One props request per event of `day` (US/Eastern): from historical events, the snapshot
    an hour before tip-off; from live events, the current odds."""
    from nbaprops.pipeline.raw.parsers import parse_payload

    out: list[Request] = []
    for req, content in got:
        if req.kind not in ("oddsa_events_his", "oddsa_events"):
            continue
        for e in parse_payload(req.kind, content).to_pylist():
            if e["game_date"] != day:
                continue
            if req.kind == "oddsa_events":
                out.append(odds_api.player_props(e["event_id"]))
            else:
                at = e["commence_time"] - dt.timedelta(hours=1)
                out.append(odds_api.historical_player_props(e["event_id"], at))
    return out


_CLIENTS: dict[int, tuple[Settings, HttpClient]] = {}
_LOCK = threading.Lock()


def client_for(settings: Settings) -> HttpClient:
    """One shared client per settings object (its breakers and rate limits span runs)."""
    with _LOCK:
        hit = _CLIENTS.get(id(settings))
        if hit is None or hit[0] is not settings:
            hit = (settings, HttpClient(settings=settings.http, keys=settings.keys))
            _CLIENTS[id(settings)] = hit
        return hit[1]


def scrape_requests(
    requests: Sequence[Request], *, day: dt.date, client: HttpClient, raw: RawStore
) -> tuple[list[dict[str, object]], list[str]]:
    """Fetch and store each request's payload; return (manifest rows, failures).

    Every success is in the raw store when this returns, whatever failed.
    """
    rows: list[dict[str, object]] = []
    failures: list[str] = []
    for req in requests:
        try:
            got = req.send(client)
        except SourceError as exc:
            failures.append(str(exc))
            continue
        stored = raw.put(req.kind, day.isoformat(), got.content, ext=req.ext)
        rows.append(
            {
                "kind": req.kind,
                "source": got.source,
                "endpoint": got.endpoint,
                "params": json.dumps(got.params, sort_keys=True),
                "game_date": day,
                "fetched_at": got.fetched_at,
                "status": got.status,
                "attempts": got.attempts,
                "bytes": stored.bytes,
                "sha256": stored.sha256,
                "path": stored.path,
                "empty": req.is_empty(got.content),
            }
        )
    return rows, failures


def manifest_table(rows: list[dict[str, object]]) -> pa.Table:
    """Manifest rows as a table of the manifest schema."""
    return pa.Table.from_pylist(rows, schema=MANIFEST)


def scrape_date(spec: ScrapeSpec, day: dt.date, *, settings: Settings, raw: RawStore) -> pa.Table:
    """Scrape one kind for one date: payloads stored, manifest rows returned.

    Raises:
        SourceError: when a request still fails after bounded retries (stored payloads stay).
    """
    client = client_for(settings)
    first = list(spec.requests(day))
    rows, failures = scrape_requests(first, day=day, client=client, raw=raw)
    if spec.follow is not None and not failures:
        by_kind = {r.kind: r for r in first}
        fetched = [(by_kind[str(row["kind"])], raw.get(str(row["path"]))) for row in rows]
        more, more_failures = scrape_requests(spec.follow(day, fetched), day=day, client=client, raw=raw)
        rows, failures = rows + more, more_failures
    if failures:
        err = SourceError(f"{spec.kind} {day}: {len(failures)} request(s) failed: {failures[0]}")
        raise err
    return manifest_table(rows)


def scrape_processor(spec: ScrapeSpec) -> Processor:
    """The phase-1 processor of a scrape spec (output ``manifest_<kind>``).

    A snapshot kind (`ScrapeSpec.snapshots`) returns the date's earlier manifest rows with the
    new ones (the runner replaces the partition with both), and its external fingerprint is
    the moment of the run: what a live source says now can only be known by asking, so the
    runner never skips it as unchanged.
    """

    def build(ctx: Context) -> pa.Table:
        new = scrape_date(spec, ctx.date, settings=ctx.settings, raw=ctx.raw)
        if not spec.snapshots or not ctx.warehouse.has_table(spec.manifest):
            return new
        earlier = ctx.warehouse.query(
            f"SELECT * FROM {spec.manifest} WHERE game_date = $d ORDER BY fetched_at, path", {"d": ctx.date}
        )
        return pa.concat_tables([earlier.select(MANIFEST.names).cast(MANIFEST), new])

    def observed_now(ctx: Context) -> ExternalFingerprint:
        return ExternalFingerprint(f"observed:{dt.datetime.now(dt.UTC).isoformat()}", 1)

    return Processor(
        name=f"scrape_{spec.kind}",
        phase=1,
        output=spec.manifest,
        partition="date",
        key=("kind", "sha256", "fetched_at") if spec.snapshots else ("kind", "sha256"),
        description=f"Scrape: {spec.description} (raw payload stored, manifest row written).",
        build=build,
        external=observed_now if spec.snapshots else None,
        per_game=False,
    )


def _build_player_index(ctx: Context) -> pa.Table:
    from nbaprops.pipeline.raw.parsers import parse_payload

    req = nbac.player_list(ctx.season)
    got = req.send(client_for(ctx.settings))
    stored = ctx.raw.put(req.kind, ctx.season, got.content, ext=req.ext)  # kept before parsing
    t = parse_payload(req.kind, ctx.raw.get(stored.path))
    return t.append_column("season", pa.array([ctx.season] * t.num_rows, pa.string()))


PLAYER_INDEX = Processor(
    name="raw_nbac_players",
    phase=1,
    output="raw_nbac_players",
    partition="season",
    key=("nba_player_id",),
    description="Scrape + parse: the NBA.com player index of the season (the registry's canonical ids).",
    build=_build_player_index,
    per_game=False,
)

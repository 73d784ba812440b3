"""Payload commands: ``nbaprops parse KIND FILE`` and ``nbaprops scrape KIND --date D``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nbaprops.cli.app import app, settings
from nbaprops.cli.console import (
    JsonOption,
    console,
    finish,
    handle_errors,
    parse_date,
    print_json,
    print_table,
    reporting,
)
from nbaprops.cli.reports import ScrapeResult
from nbaprops.core.errors import InputError
from nbaprops.pipeline.raw.parsers import PARSERS, parse_payload
from nbaprops.pipeline.scrape import SCRAPES, scrape_date
from nbaprops.storage import RawStore

__all__: list[str] = []

COMPACT = {
    "player_boxscores": ["game_code", "team", "player_name", "minutes", "pts", "fgm", "fga", "fg3m", "ftm", "reb",
                         "ast", "dnp_reason"],
    "prop_lines": ["game_code", "bookmaker", "player_name", "line", "over_price", "under_price", "snapshot_time"],
    "play_by_play": ["action_number", "period", "clock", "team", "player_name", "action_type", "points",
                     "score_away", "score_home"],
    "players": ["source_player_id", "player_name", "player_lookup", "team", "nba_player_id"],
}  # fmt: skip
"""Columns the table view shows per raw family (``--json`` prints every column)."""


@app.command("parse")
@handle_errors
def parse_cmd(
    kind: Annotated[str, typer.Argument(help="Payload kind, e.g. bdl_box_scores, nbac_gamebook_pdf.")],
    file: Annotated[Path, typer.Argument(help="One stored payload (JSON, .gz, HTML, PDF).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
    limit: Annotated[int, typer.Option(help="Rows shown in the table view (0: all).")] = 50,
) -> None:
    """Parse one stored payload with its kind's parser and print the rows (main columns; --json: all).

    A payload that does not fit (schema drift, a damaged file) prints one red
    line naming the source and field, and exits 1.

    Example: nbaprops parse bdl_box_scores ../shared/fixtures/payloads/bdl_box_scores/raw_7a649e12.json
    """
    if kind not in PARSERS:
        raise InputError(f"no parser for payload kind {kind!r} (known: {', '.join(sorted(PARSERS))})")
    if not file.is_file():
        raise InputError(f"payload file {file} does not exist")
    table = parse_payload(kind, file.read_bytes())
    if as_json:
        print_json(table, lines=True)
        return
    cols = COMPACT.get(PARSERS[kind].family)
    shown = table.select(cols) if cols else table
    shown = shown.slice(0, limit) if limit and table.num_rows > limit else shown
    print_table(shown, title=f"{kind}: {table.num_rows} rows")
    if shown.num_rows < table.num_rows:
        console.print(f"... {table.num_rows - shown.num_rows} more rows (--limit 0 or --json for all)")


@app.command("scrape")
@reporting("scrape")
def scrape_cmd(
    kind: Annotated[str, typer.Argument(help="Payload kind to fetch, e.g. nbac_scoreboard_v2.")],
    date: Annotated[str, typer.Option(help="Game date, YYYY-MM-DD.")],
    as_json: JsonOption = False,
) -> None:
    """Fetch one kind's payloads for a date into the raw store (no warehouse write).

    To scrape and record manifests in the pipeline, run the processor instead:
    nbaprops run --date D -p scrape_<kind>.
    """
    specs = {s.kind: s for s in SCRAPES}
    if kind not in specs:
        raise InputError(f"no scrape for {kind!r} (known: {', '.join(sorted(specs))})")
    day = parse_date(date, what="--date")
    assert day is not None
    s = settings()
    manifest = scrape_date(specs[kind], day, settings=s, raw=RawStore(s.raw_url))
    finish("scrape", ScrapeResult.of(kind, day, manifest.to_pylist()), as_json=as_json, show=_print_scrape)


def _print_scrape(result: ScrapeResult) -> None:
    cols = ["kind", "endpoint", "status", "attempts", "bytes", "empty", "path"]
    print_table([[p[c] for c in cols] for p in result.payloads], columns=cols)

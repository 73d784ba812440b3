"""Player registry commands: ``nbaprops registry unresolved`` and ``nbaprops registry resolve``."""

from __future__ import annotations

from typing import Annotated

import typer

from nbaprops.cli.app import app, settings
from nbaprops.cli.console import console, handle_errors, print_json, print_table
from nbaprops.pipeline.raw.players import resolve_alias, unresolved
from nbaprops.storage import open_warehouse

__all__: list[str] = []

registry_app = typer.Typer(help="The player registry: names no source id resolved, and fixing them.")
app.add_typer(registry_app, name="registry")


@registry_app.command("unresolved")
@handle_errors
def unresolved_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List player names no alias or NBA.com id resolved, with where they were last seen."""
    s = settings()
    wh = open_warehouse(s.warehouse_url, read_only=True)
    try:
        table = unresolved(wh)
    finally:
        wh.close()
    if as_json:
        print_json(table, lines=True)
    elif table.num_rows == 0:
        console.print("no unresolved players")
    else:
        print_table(table, title=f"{table.num_rows} unresolved")


@registry_app.command("resolve")
@handle_errors
def resolve_cmd(
    name: Annotated[str, typer.Argument(help="The name as the source printed it.")],
    as_player: Annotated[
        str,
        typer.Option("--as", help="The real player: NBA.com id, player_lookup or name in the NBA.com index."),
    ],
    source: Annotated[str, typer.Option(help="Only for this source (bdl, espn, ...); default all.")] = "*",
) -> None:
    """Record that NAME is PLAYER; the next run re-resolves the partitions that saw it.

    Example: nbaprops registry resolve "Nate Williams" --as "Jeenathan Williams"
    """
    s = settings()
    wh = open_warehouse(s.warehouse_url)
    try:
        lk, pid = resolve_alias(wh, name, as_player, source=source)
    finally:
        wh.close()
    console.print(f"{name} -> {lk} (NBA.com id {pid}); run `nbaprops run` to reprocess", highlight=False)

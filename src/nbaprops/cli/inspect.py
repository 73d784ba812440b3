"""Commands that look inside: `ledger`, `sql`."""

from __future__ import annotations

from typing import Annotated

import typer

from nbaprops.cli.app import app, settings
from nbaprops.cli.console import check_range, console, err, handle_errors, parse_date, print_json, print_table
from nbaprops.core.errors import InputError
from nbaprops.ops.ledger import Ledger
from nbaprops.storage import open_warehouse
from nbaprops.storage.console import open_console

__all__: list[str] = []

DEFAULT_SQL_LIMIT = 1000
DEFAULT_SQL_TIMEOUT = 30.0
STATUSES = ("running", "success", "failed", "skipped")
LEDGER_COLUMNS = [
    "started_at",
    "processor",
    "partition",
    "status",
    "rows_written",
    "run_group",
    "suspicious",
    "attempt",
    "code_version",
    "error",
]


@app.command("ledger")
@handle_errors
def ledger_cmd(
    date: Annotated[str | None, typer.Option(help="Only runs of this partition date.")] = None,
    status: Annotated[str | None, typer.Option(help="running, success, failed or skipped.")] = None,
    processor: Annotated[str | None, typer.Option(help="Only this processor.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows, newest first (0: all).")] = 50,
    group: Annotated[
        str | None,
        typer.Option(
            help="Only runs of the daily passes whose label contains this (night, 2025-10-22, a label)."
        ),
    ] = None,
    passes: Annotated[
        bool, typer.Option("--passes", help="One row per pass of `nbaprops daily` instead of one per run.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show the run ledger, newest first: who ran, on what, with how many rows.

    Runs of `nbaprops daily` carry their pass's label (run_group, e.g. 'night 2025-10-22 3f9a1c'):
    --passes lists the passes, --group filters on them.
    """
    if status is not None and status not in STATUSES:
        raise InputError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    day = parse_date(date, what="--date")
    check_range(limit, what="--limit", low=0, high=10_000_000)
    wh = open_warehouse(settings().warehouse_url, read_only=True)
    note = getattr(wh, "read_note", None)
    if note:  # a run is writing: its read snapshot, and how old
        err.print(note, highlight=False)
    if passes:
        table = Ledger.read(wh).passes(run_group=group, limit=limit)
        if as_json:
            print_json(table)
        else:
            print_table(table, title=f"Daily passes ({table.num_rows})")
        return
    runs = Ledger.read(wh).runs(
        partition=day.isoformat() if day else None,
        status=status,
        processor=processor,
        limit=limit,
        run_group=group,
    )
    if as_json:
        print_json(runs)
    else:
        print_table(runs.select(LEDGER_COLUMNS), title=f"Ledger ({runs.num_rows} rows)")


@app.command("sql")
@handle_errors
def sql_cmd(
    query: Annotated[str, typer.Argument(help="One SQL query (DuckDB dialect) on the warehouse's tables.")],
    limit: Annotated[int, typer.Option(help="Show at most this many rows (at least 1).")] = DEFAULT_SQL_LIMIT,
    timeout: Annotated[
        float, typer.Option(help="Seconds before the query is interrupted.")
    ] = DEFAULT_SQL_TIMEOUT,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Query the warehouse through a sealed, read-only console.

    The console reads the warehouse's tables and nothing else: no files, no network,
    no extensions, no writes. At most --limit rows are shown (the cap is part of the
    query, so big tables stay fast), and a query is interrupted after --timeout seconds.

    Example: nbaprops sql "SELECT season, count(*) FROM player_game_summary GROUP BY 1"
    """
    s = settings()
    with open_console(s.warehouse_url, threads=s.duckdb_threads) as sealed:
        if sealed.read_note:  # a run is writing: its read snapshot, and how old
            err.print(sealed.read_note, highlight=False)
        result = sealed.query(query, limit=limit, timeout=timeout)
    shown = result.table.num_rows
    note = f"{shown:,} rows shown, more available (raise --limit)" if result.more else None
    if as_json:
        print_json(result.table)
        if note:
            err.print(note, highlight=False)
        return
    print_table(result.table)
    console.print(note or f"{shown:,} row(s)", highlight=False)

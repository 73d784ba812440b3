"""Commands `predict` and `grade`: one date's predictions by every system, then their grades."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from nbaprops.cli.app import app, settings
from nbaprops.cli.console import check_range, console, handle_errors, parse_date, print_json, print_table
from nbaprops.core.errors import InputError
from nbaprops.storage import open_warehouse

__all__: list[str] = []


def _day(value: str) -> object:
    day = parse_date(value, what="--date")
    if day is None:
        raise InputError("give --date YYYY-MM-DD")
    return day


@app.command("predict")
@handle_errors
def predict_cmd(
    date: Annotated[str, typer.Option(help="Game date, YYYY-MM-DD.")],
    batch_size: Annotated[int, typer.Option(help="Players per batch.")] = 60,
    workers: Annotated[int, typer.Option(help="Worker threads.")] = 2,
    history_seasons: Annotated[
        int, typer.Option(help="Earlier seasons to build as model history (first run: minutes).")
    ] = 1,
    force: Annotated[bool, typer.Option(help="Predict again even when nothing changed.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Predict every expected player of a date with every system (and the ensemble).

    Builds the date's inputs first (schedule, box scores, lines, player_game_summary
    for the season up to the date), then runs system_predictions for the date: one
    ledger row, skipped when inputs and code are unchanged, blocked by the coverage gate.

    Example: nbaprops predict --date 2025-11-10
    """
    from nbaprops.ops.predict import predict_date  # pandas & co load only when predicting
    from nbaprops.pipeline.predict.coordinator import Coordinator

    day = _day(date)
    check_range(workers, what="--workers", low=1, high=64)
    check_range(batch_size, what="--batch-size", low=1, high=100_000)
    check_range(history_seasons, what="--history-seasons", low=0, high=30)
    s = settings()
    wh = open_warehouse(s.warehouse_url, threads=s.duckdb_threads)
    try:
        co = Coordinator(batch_size=batch_size, workers=workers)
        rep = predict_date(s, wh, day, coordinator=co, history_seasons=history_seasons, force=force)  # type: ignore[arg-type]
    finally:
        wh.close()
    if as_json:
        print_json(
            {
                "date": rep.day,
                "status": rep.status,
                "rows_written": rep.rows_written,
                "players": rep.players,
                "batches": rep.batches,
                "error": rep.error,
                "skipped_systems": rep.skipped_systems,
                "systems": rep.summary,
            }
        )
        if rep.status == "failed":
            raise typer.Exit(1)
        return
    if rep.status == "failed":
        for o in rep.upstream_failed:
            console.print(f"[red]{o.processor} {o.partition}:[/] {escape(str(o.error))}", highlight=False)
        console.print(f"[red]predicting {rep.day} failed:[/] {escape(str(rep.error))}", highlight=False)
        raise typer.Exit(1)
    if rep.summary:
        print_table(
            [list(r.values()) for r in rep.summary],
            columns=list(rep.summary[0]),
            title=f"Predictions {rep.day}",
        )
    for name, why in rep.skipped_systems.items():
        console.print(f"[yellow]{name}[/]: {escape(str(why))}")
    if rep.status == "skipped":
        console.print("inputs and code unchanged since the last prediction (use --force to predict again)")
    elif rep.rows_written == 0:
        console.print(f"{rep.day}: no players to predict (0 rows written, recorded in the ledger)")
    else:
        console.print(f"{rep.rows_written} rows written in {rep.batches} batches")


@app.command("grade")
@handle_errors
def grade_cmd(
    date: Annotated[str, typer.Option(help="Game date, YYYY-MM-DD.")],
    force: Annotated[bool, typer.Option(help="Re-grade even when nothing changed.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Grade a date's predictions: WIN/LOSS/PUSH/VOID at the real odds, by system and edge bucket.

    Example: nbaprops grade --date 2025-11-10
    """
    from nbaprops.ops.predict import grade_date

    day = _day(date)
    s = settings()
    wh = open_warehouse(s.warehouse_url, threads=s.duckdb_threads)
    try:
        rep = grade_date(s, wh, day, force=force)  # type: ignore[arg-type]
    finally:
        wh.close()
    if as_json:
        print_json(
            {
                "date": rep.day,
                "status": rep.status,
                "rows_written": rep.rows_written,
                "error": rep.error,
                "by_system": rep.by_system,
                "by_edge": rep.by_edge,
                "by_confidence": rep.by_confidence,
                "reliability": rep.reliability,
            }
        )
        if rep.status == "failed":
            raise typer.Exit(1)
        return
    if rep.status == "failed":
        console.print(f"[red]grading {rep.day} failed:[/] {escape(str(rep.error))}", highlight=False)
        raise typer.Exit(1)
    if rep.by_system:
        print_table(
            [list(r.values()) for r in rep.by_system],
            columns=list(rep.by_system[0]),
            title=f"Grades {rep.day}",
        )
    for rows, title in (
        (rep.by_edge, "Ensemble by edge bucket"),
        (rep.by_confidence, "Ensemble bets by confidence |P(over) - 0.5|"),
        (rep.reliability, "Ensemble reliability: P(over) bucket vs observed"),
    ):
        if rows:
            print_table([list(r.values()) for r in rows], columns=list(rows[0]), title=title)
    if rep.status == "skipped":
        console.print("nothing changed since the last grading (use --force to re-grade)")
    else:
        console.print(f"{rep.rows_written} graded rows ({rep.status})")

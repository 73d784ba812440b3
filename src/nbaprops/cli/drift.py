"""The `drift` command: which code produced the data, and what deployments run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nbaprops.cli.app import app, settings
from nbaprops.cli.console import console, handle_errors, print_json, print_table
from nbaprops.ops.drift import (
    DEFAULT_HEALTH_TIMEOUT,
    DriftReport,
    ServiceStatus,
    check_services,
    drift_report,
    heal_commands,
    load_services,
)
from nbaprops.storage import open_warehouse

__all__: list[str] = []

_STATE_STYLE = {"up_to_date": "green", "behind": "yellow", "ahead": "cyan", "unreachable": "red"}


def _print_drift(rep: DriftReport) -> None:
    print_table(
        [
            (
                g.processor,
                g.code_version or "",
                g.code_hash or "(not recorded)",
                {True: "yes", False: "no", None: "?"}[g.current],
                g.partitions,
                g.first,
                g.last,
            )
            for g in rep.versions
        ],
        columns=["processor", "code version", "code hash", "current code", "partitions", "first", "last"],
        title=f"Code that produced the data (local version {rep.current_version})",
    )
    against = f"older than {rep.min_version}" if rep.min_version else "code changed since they were built"
    if not rep.stale:
        console.print(f"[green]no stale partitions[/] ({against})", highlight=False)
        return
    grouped = rep.stale_by_processor()
    print_table(
        [(p, len(parts), parts[0], parts[-1]) for p, parts in grouped.items()],
        columns=["processor", "stale partitions", "first", "last"],
        title=f"Stale partitions ({against})",
    )
    console.print("Heal them with:", highlight=False)
    for line in heal_commands(rep):
        console.print(f"  {line}", highlight=False, soft_wrap=True)


def _print_services(statuses: list[ServiceStatus]) -> None:
    print_table(
        [
            (
                s.name,
                s.url,
                f"[{_STATE_STYLE[s.state]}]{s.state.replace('_', ' ')}[/]",
                s.version or "",
                s.local_version,
                s.detail or "",
            )
            for s in statuses
        ],
        columns=["service", "url", "state", "deployed", "local", "detail"],
        title="Deployed services",
    )


@app.command("drift")
@handle_errors
def drift_cmd(
    min_version: Annotated[
        str | None,
        typer.Option(help="Flag partitions produced by a code version older than this one (e.g. 0.2.0)."),
    ] = None,
    processors: Annotated[
        list[str] | None,
        typer.Option("--processors", "-p", help="Only these processors (comma-separated or repeated)."),
    ] = None,
    services: Annotated[
        Path | None,
        typer.Option(help="TOML file of [[services]] (name, url): compare each /health version with ours."),
    ] = None,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for each /health.")
    ] = DEFAULT_HEALTH_TIMEOUT,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Show which code versions produced the data now in the tables, and what is stale.

    Without --min-version a partition is stale when its processor's code (SQL
    or build source) changed since the run that produced it.  Stale
    partitions are listed with the `nbaprops run --force` lines that heal them.
    With --services, compare deployed services' versions with the local one.

    Example: nbaprops drift --min-version 0.2.0 --json
    """
    if services is not None:
        statuses = check_services(load_services(services), timeout=timeout)
        if as_json:
            print_json([s.__dict__ for s in statuses])
        else:
            _print_services(statuses)
        return
    procs = [v.strip() for item in processors or [] for v in item.split(",") if v.strip()] or None
    wh = open_warehouse(settings().warehouse_url, read_only=True)
    try:
        rep = drift_report(wh, min_version=min_version, processors=procs)
    finally:
        wh.close()
    if as_json:
        print_json(rep.to_dict())
    else:
        _print_drift(rep)

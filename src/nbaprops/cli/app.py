"""The typer application and its global options."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from nbaprops.cli.console import DEBUG
from nbaprops.core.config import Settings
from nbaprops.core.errors import ConfigError
from nbaprops.core.version import code_version

__all__ = ["app", "settings"]

app = typer.Typer(
    name="nbaprops",
    help=(
        "NBA data pipeline to graded player-points prop predictions.\n\n"
        "Start with `nbaprops demo` (one full season end to end on the embedded DuckDB), "
        "then `nbaprops ledger` and `nbaprops sql` to look inside."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_STATE: dict[str, object] = {}


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"nbaprops {code_version()}")
        raise typer.Exit()


@app.callback()
def main(
    home: Annotated[
        Path | None,
        typer.Option(
            help="Folder for the warehouse and raw store (env NBAPROPS_HOME).", show_default="./nbaprops-data"
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Public NBA data folder (env NBAPROPS_DATA_DIR).", show_default="../shared/data/nba"
        ),
    ] = None,
    debug: Annotated[bool, typer.Option(help="Show full tracebacks instead of one-line errors.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="Print the version (package version + git commit) and exit.",
        ),
    ] = False,
) -> None:
    """Global options, applied before any command."""
    DEBUG["on"] = debug
    overrides = {k: v for k, v in (("home", home), ("data_dir", data_dir)) if v is not None}
    _STATE["overrides"] = overrides


def settings() -> Settings:
    """Settings from the environment plus the global options."""
    overrides = _STATE.get("overrides", {})
    assert isinstance(overrides, dict)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"bad setting {where or '?'}: {first['msg']}") from None

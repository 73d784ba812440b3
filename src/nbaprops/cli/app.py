"""The typer application and its global options."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from typer._click import Context
from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer.core import TyperGroup

from nbaprops.cli.console import DEBUG, usage_error_line
from nbaprops.core.config import Settings
from nbaprops.core.errors import ConfigError
from nbaprops.core.version import code_version

__all__ = ["app", "settings"]


class OneLineUsageErrors(TyperGroup):
    """The command group, with usage errors (an option below its ``min=``, an unknown option,
    a missing value) as one line naming the command and the option, not Typer's box.

    Typer vendors click (``typer._click``): its usage errors are caught here, before Typer's
    own handler draws them; a bare group's help (`NoArgsIsHelpError`) is left to Typer."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Context | None = None, **extra: Any
    ) -> Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except NoArgsIsHelpError:
            raise
        except UsageError as exc:
            usage_error_line(exc)

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except NoArgsIsHelpError:
            raise
        except UsageError as exc:  # a command's own options are parsed here
            usage_error_line(exc)


app = typer.Typer(
    name="nbaprops",
    cls=OneLineUsageErrors,
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

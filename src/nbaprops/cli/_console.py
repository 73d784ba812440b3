"""One console for the CLI: rich output, one-line errors, JSON when asked."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ParamSpec, TypeVar

import pyarrow as pa
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from nbaprops.core.errors import InputError, NbapropsError

__all__ = ["console", "err", "handle_errors", "parse_date", "print_json", "print_table"]

console = Console()
err = Console(stderr=True)
P = ParamSpec("P")
R = TypeVar("R")

DEBUG = {"on": False}


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn an `NbapropsError` into one red line and exit code 1 (``--debug`` re-raises)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except NbapropsError as exc:
            if DEBUG["on"]:
                raise
            err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


def parse_date(value: str | None, *, what: str = "date") -> dt.date | None:
    """Parse ``YYYY-MM-DD``.

    Raises:
        InputError: naming the option and the bad value.
    """
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{what} {value!r} is not a date of the form YYYY-MM-DD") from None


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.3f}".rstrip("0").rstrip(".") if abs(v) < 1e6 else f"{v:.4g}"
    return escape(str(v))  # data, never markup: "[season]" must print as written


def print_table(
    rows: pa.Table | Sequence[Sequence[Any]],
    *,
    columns: Iterable[str] | None = None,
    title: str | None = None,
) -> None:
    """Print an Arrow table or a list of rows as a rich table."""
    if isinstance(rows, pa.Table):
        columns = rows.column_names
        data = [list(r.values()) for r in rows.to_pylist()]
    else:
        data = [list(r) for r in rows]
    table = Table(title=title, header_style="bold cyan")
    for c in columns or []:
        table.add_column(str(c), overflow="fold")
    for r in data:
        table.add_row(*(_cell(v) for v in r))
    console.print(table)


def _default(v: Any) -> Any:
    if isinstance(v, dt.date | dt.datetime):
        return v.isoformat()
    return str(v)


def print_json(obj: Any, *, lines: bool = False) -> None:
    """Print JSON to stdout (an Arrow table becomes an array, or JSON lines)."""
    if isinstance(obj, pa.Table):
        obj = obj.to_pylist()
    if lines and isinstance(obj, list):
        for item in obj:
            sys.stdout.write(json.dumps(item, default=_default) + "\n")
    else:
        sys.stdout.write(json.dumps(obj, default=_default, indent=1) + "\n")
    sys.stdout.flush()

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
from nbaprops.ops.runner import RunReport

__all__ = [
    "console",
    "err",
    "handle_errors",
    "parse_date",
    "parse_phases",
    "print_json",
    "print_run_report",
    "print_table",
    "split_list",
]

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


def split_list(values: list[str] | None) -> list[str] | None:
    """Repeated and comma-separated option values as one list (None when none were given)."""
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def parse_phases(values: list[str] | None) -> list[int] | None:
    """``--phases 2,3`` as numbers (None when not given).

    Raises:
        InputError: when a phase is not a number.
    """
    items = split_list(values)
    if items is None:
        return None
    try:
        return [int(v) for v in items]
    except ValueError:
        raise InputError(f"phases must be numbers 1..5, got {','.join(items)}") from None


def print_run_report(report: RunReport) -> None:
    """Runs per processor and status, then the first failures."""
    by: dict[str, dict[str, int]] = {}
    rows: dict[str, int] = {}
    for o in report.outcomes:
        by.setdefault(o.processor, {}).setdefault(o.status, 0)
        by[o.processor][o.status] += 1
        rows[o.processor] = rows.get(o.processor, 0) + (o.rows_written or 0)
    print_table(
        [
            (
                p,
                s.get("success", 0),
                s.get("skipped", 0),
                s.get("failed", 0),
                sum(o.suspicious for o in report.outcomes if o.processor == p),
                rows[p],
            )
            for p, s in by.items()
        ],
        columns=["processor", "success", "skipped", "failed", "suspicious zero", "rows written"],
        title="Runs",
    )
    for o in report.failed[:10]:
        console.print(f"[red]failed[/] {o.processor} {o.partition}: {escape(o.error or '')}", highlight=False)
    if len(report.failed) > 10:
        console.print(f"... and {len(report.failed) - 10} more: nbaprops ledger --status failed")

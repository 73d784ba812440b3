"""One console for the CLI: rich output, one-line errors, JSON when asked.

Every command that reports takes ``--json`` and prints, on stdout and nothing else, one
object of the same shape (`print_report`): ``command``, ``ok``, ``version``, ``result``
(the command's report, see `nbaprops.cli.reports`) and ``error``.  Progress goes to stderr
(`progress_console`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import PurePath
from typing import Annotated, Any, NoReturn, ParamSpec, TypeVar

import pyarrow as pa
import typer
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer._click.exceptions import UsageError

from nbaprops.cli.reports import RunSummary
from nbaprops.core.config import EARLIEST_GAME_DATE, LATEST_AHEAD
from nbaprops.core.errors import InputError, NbapropsError
from nbaprops.core.version import code_version
from nbaprops.ops.runner import RunReport

__all__ = [
    "REPORT_KEYS",
    "JsonOption",
    "check_range",
    "console",
    "err",
    "finish",
    "handle_errors",
    "jsonable",
    "parse_date",
    "parse_duration",
    "parse_phases",
    "print_json",
    "print_report",
    "print_run_report",
    "print_table",
    "progress_console",
    "reporting",
    "split_list",
    "usage_error_line",
]

console = Console()
err = Console(stderr=True)
P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

DEBUG = {"on": False}

JsonOption = Annotated[
    bool,
    typer.Option(
        "--json", help="Print the report as one JSON object (docs/cli.md); progress goes to stderr."
    ),
]
"""The ``--json`` option of every command that reports (parameter name ``as_json``)."""


def _error_line(message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(1) from None


def usage_error_line(exc: UsageError) -> NoReturn:
    """A usage error (bad option value, unknown option) as one red line naming the command,
    and click's usage exit code (2)."""
    where = f"{exc.ctx.command_path}: " if exc.ctx is not None else ""
    err.print(f"[bold red]error:[/] {escape(where + exc.format_message())}", highlight=False, soft_wrap=True)
    raise typer.Exit(exc.exit_code) from None


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn an `NbapropsError` (or an `OSError` on a path) into one red line and exit code 1.

    ``--debug`` re-raises instead.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except NbapropsError as exc:
            if DEBUG["on"]:
                raise
            _error_line(str(exc))
        except OSError as exc:  # a path the settings allowed but the system refused (permissions, /proc)
            if DEBUG["on"]:
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            _error_line(f"cannot use {where}{exc.strerror or exc}")

    return wrapper


def reporting(command: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """`handle_errors` for a command with a ``--json`` option (parameter ``as_json``): with
    ``--json`` an error also prints the report envelope (``ok: false``, the ``error`` line)
    on stdout, so a script always gets one JSON object."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def json_errors(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            except NbapropsError as exc:
                if kwargs.get("as_json") and not DEBUG["on"]:
                    print_json(_envelope(command, None, ok=False, error=str(exc)))
                raise

        return handle_errors(json_errors)

    return decorate


def progress_console(as_json: bool) -> Console:
    """Where a command's progress bar goes: stdout for a person, stderr under ``--json``."""
    return err if as_json else console


MAX_DURATION = dt.timedelta(days=36_525)
"""The longest span a duration option may name (100 years: older than the league)."""
_DURATION = re.compile(r"^\s*(\d{1,9})\s*([wdhm])\s*$")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}


def parse_date(value: str | None, *, what: str = "date") -> dt.date | None:
    """Parse ``YYYY-MM-DD`` within the data's plausible range.

    The range runs from the league's first game (1946-11-01) to a year past
    today: anything outside it is a typo, never data.

    Raises:
        InputError: naming the option and the bad value.
    """
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{what} {value!r} is not a date of the form YYYY-MM-DD") from None
    latest = dt.date.today() + LATEST_AHEAD
    if not EARLIEST_GAME_DATE <= day <= latest:
        raise InputError(
            f"{what} {value} is outside the range nbaprops can hold data for ({EARLIEST_GAME_DATE} to {latest})"
        )
    return day


def parse_duration(value: str, *, what: str = "duration") -> dt.timedelta:
    """Parse a span like ``7d``, ``36h``, ``90m`` or ``2w`` (more than zero, at most 100 years).

    Raises:
        InputError: naming the option and the bad value.
    """
    m = _DURATION.match(value)
    if not m:
        raise InputError(f"{what} {value!r} is not a duration like 7d, 36h, 90m or 2w")
    amount, unit = int(m.group(1)), m.group(2)
    span = dt.timedelta(**{_UNITS[unit]: amount})
    if span <= dt.timedelta(0) or span > MAX_DURATION:
        raise InputError(f"{what} {value!r} must be more than 0 and at most 100 years")
    return span


def check_range(value: int, *, what: str, low: int, high: int) -> int:
    """A count option within [low, high] (``--workers``, ``--limit``, ...).

    Raises:
        InputError: naming the option, the bad value and the range.
    """
    if not low <= value <= high:
        raise InputError(f"{what} {value} is outside {low}..{high}")
    return value


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


def jsonable(obj: Any) -> Any:
    """A report as JSON-safe values: dataclasses and pydantic models become objects, Arrow
    tables lists of objects, tuples and sets lists, dates ISO strings, NaN null."""
    if obj is None or isinstance(obj, str | bool | int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, BaseModel):
        return jsonable(obj.model_dump(mode="json"))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, pa.Table):
        return jsonable(obj.to_pylist())
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, set | frozenset):
        return [jsonable(v) for v in sorted(obj, key=str)]
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, dt.date | dt.datetime | dt.time):
        return obj.isoformat()
    if isinstance(obj, enum.Enum):
        return jsonable(obj.value)
    if isinstance(obj, Decimal):
        return float(obj)
    if isinstance(obj, PurePath):
        return obj.as_posix()
    return str(obj)


REPORT_KEYS = ("command", "ok", "version", "result", "error")
"""The top-level keys of every command's ``--json`` report, in order."""


def _envelope(command: str, result: Any, *, ok: bool, error: str | None = None) -> dict[str, Any]:
    values = (command, ok, code_version(), jsonable(result), error)
    return dict(zip(REPORT_KEYS, values, strict=True))


def print_report(command: str, result: Any, *, ok: bool = True) -> None:
    """Print a command's report as its ``--json`` output: the shared envelope around
    `result` (a dataclass or pydantic model; see `nbaprops.cli.reports`).

    Args:
        command: the command's name, e.g. ``run``.
        result: the report.
        ok: False when the command exits non-zero (failed runs).
    """
    print_json(_envelope(command, result, ok=ok))


def finish(command: str, result: T, *, as_json: bool, show: Callable[[T], None], ok: bool = True) -> None:
    """End a reporting command: its report as JSON (`print_report`) or rendered by `show`,
    then exit code 1 unless `ok`."""
    if as_json:
        print_report(command, result, ok=ok)
    else:
        show(result)
    if not ok:
        raise typer.Exit(1)


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


def print_run_report(report: RunReport | RunSummary) -> None:
    """Runs per processor and status, then the first failures."""
    summary = report if isinstance(report, RunSummary) else RunSummary.of(report)
    print_table(
        [
            (p.processor, p.success, p.skipped, p.failed, p.suspicious, p.rows_written)
            for p in summary.processors
        ],
        columns=["processor", "success", "skipped", "failed", "suspicious zero", "rows written"],
        title="Runs",
    )
    for o in summary.failures[:10]:
        console.print(f"[red]failed[/] {o.processor} {o.partition}: {escape(o.error or '')}", highlight=False)
    if len(summary.failures) > 10:
        console.print(f"... and {len(summary.failures) - 10} more: nbaprops ledger --status failed")

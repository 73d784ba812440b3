"""NBA.com PDFs: the league injury report and the official gamebook (pypdf).

The injury report is a table drawn as positioned text.  Words are placed by
their page coordinates, grouped into lines, and cut into columns at the x
positions of the printed header; date, time, matchup and team are printed
only where they change, so they carry down.  A reason that wraps onto lines
above and below its player's row is joined back to the nearest row.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from nbaprops.core.errors import DataError, SchemaDriftError
from nbaprops.pipeline.raw import schemas
from nbaprops.pipeline.raw.parsers._util import lookup, to_table

__all__ = ["parse_gamebook", "parse_injury_report"]

HEADERS = ("Game Date", "Game Time", "Matchup", "Team", "Player Name", "Current Status", "Reason")
STATUSES = frozenset({"Out", "Doubtful", "Questionable", "Probable", "Available"})
_LABEL = re.compile(r"Injury Report:\s*(\d\d/\d\d/\d\d\s+\d\d?:\d\d\s*[AP]M)")
_DATE = re.compile(r"^\d\d/\d\d/\d{4}$")


@dataclass
class _Word:
    x: float
    y: float
    text: str


if TYPE_CHECKING:
    from pypdf import PdfReader


@dataclass
class _Line:
    y: float
    words: list[_Word] = field(default_factory=list)


def _reader(kind: str, content: bytes) -> PdfReader:
    from pypdf import PdfReader  # imported on use: it costs ~0.4 s at start-up
    from pypdf.errors import PdfReadError

    if not content.lstrip().startswith(b"%PDF"):
        raise DataError(f"{kind}: payload is not a PDF")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        return PdfReader(io.BytesIO(content))
    except (PdfReadError, ValueError) as exc:
        raise DataError(f"{kind}: PDF does not open ({exc})") from None


def _words(page: Any) -> list[_Word]:
    out: list[_Word] = []

    def visit(text: str, cm: list[float], tm: list[float], _fd: Any, _fs: Any) -> None:
        t = text.strip()
        if not t:
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        out.extend(_Word(x, y, w) for w in t.split())

    page.extract_text(visitor_text=visit)
    return out


def _lines(words: list[_Word], tol: float = 2.5) -> list[_Line]:
    lines: list[_Line] = []
    for w in sorted(words, key=lambda w: -w.y):  # top of the page first
        if lines and abs(lines[-1].y - w.y) <= tol:
            lines[-1].words.append(w)
        else:
            lines.append(_Line(w.y, [w]))
    for ln in lines:
        ln.words.sort(key=lambda w: w.x)
    return lines


def _columns(kind: str, lines: list[_Line]) -> list[float]:
    """Left x of each header column, from the header line (``Game Date ... Reason``)."""
    for ln in lines:
        text = " ".join(w.text for w in ln.words)
        if text.startswith("Game Date") and "Reason" in text:
            starts: list[float] = []
            for h in HEADERS:
                first = h.split()[0]
                cands = [w.x for w in ln.words if w.text == first and all(w.x > s + 1 for s in starts)]
                if not cands:
                    raise SchemaDriftError("header column missing", source=kind, field=h)
                starts.append(min(cands))
            return starts
    raise SchemaDriftError("table header not found", source=kind, field="Game Date..Reason")


def _cut(line: _Line, starts: list[float]) -> list[str]:
    cells: list[list[str]] = [[] for _ in starts]
    for w in line.words:
        idx = max(i for i, s in enumerate(starts) if w.x >= s - 3) if w.x >= starts[0] - 3 else 0
        cells[idx].append(w.text)
    return [" ".join(c) for c in cells]


def _name(printed: str) -> str:
    last, _, first = printed.partition(",")
    return f"{first.strip()} {last.strip()}".strip() if first else printed.strip()


def parse_injury_report(content: bytes, kind: str = "nbac_injury_report") -> pa.Table:
    """The injury report: one row per listed player (teams "NOT YET SUBMITTED" have none).

    Raises:
        DataError: not a PDF, or no text.
        SchemaDriftError: the table header or one of its columns is gone.
    """
    reader = _reader(kind, content)
    rows: list[dict[str, Any]] = []
    label = None
    carry: dict[str, str] = {}
    starts: list[float] | None = None
    for page in reader.pages:
        lines = _lines(_words(page))
        if not lines:
            raise DataError(f"{kind}: a page has no extractable text")
        full = " ".join(w.text for ln in lines for w in ln.words)
        m = _LABEL.search(full)
        label = label or (re.sub(r"\s+", " ", m.group(1)) if m else None)
        if starts is None:  # the header is printed on the first page only
            starts = _columns(kind, lines)
        page_rows: list[tuple[float, dict[str, Any]]] = []
        orphans: list[tuple[float, str]] = []
        wrapped: dict[int, list[tuple[float, str]]] = {}
        for ln in lines:
            text = " ".join(w.text for w in ln.words)
            if text.startswith(("Game Date", "Injury Report")) or re.search(r"Page \d+ of \d+", text):
                continue
            date_s, time_s, matchup, team, player, status, reason = _cut(ln, starts)
            if _DATE.match(date_s):
                carry["date"] = date_s
            if time_s:
                carry["time"] = time_s
            if matchup:
                carry["matchup"] = matchup
            if team:
                carry["team"] = team
            if player and status in STATUSES:
                row: dict[str, Any] = {
                    "report_label": None,
                    "game_date": dt.datetime.strptime(carry["date"], "%m/%d/%Y").date()
                    if "date" in carry
                    else None,
                    "game_time": carry.get("time"),
                    "matchup": carry.get("matchup"),
                    "team": carry.get("team"),
                    "player_name": _name(player),
                    "player_lookup": lookup(_name(player)),
                    "status": status,
                    "reason": reason,
                }
                page_rows.append((ln.y, row))
            elif reason and not player and reason != "NOT YET SUBMITTED":
                orphans.append((ln.y, reason))
        for y, text in orphans:  # a wrapped reason: give it to the nearest row, in reading order
            if not page_rows:
                continue
            nearest = min(range(len(page_rows)), key=lambda i: abs(page_rows[i][0] - y))
            wrapped.setdefault(nearest, []).append((y, text))
        for i, (y, row) in enumerate(page_rows):
            parts = [*wrapped.get(i, []), (y, row["reason"])]
            joined = " ".join(t for _, t in sorted(parts, key=lambda p: -p[0]) if t)
            row["reason"] = re.sub(r"(?<=\w)- (?=\w)", "-", joined)  # "Two- Way" wrapped in its cell
            rows.append(row)
    for r in rows:
        r["report_label"] = label
    return to_table(kind, rows, schemas.INJURY_REPORT)


_GB_LINE = re.compile(r"^(?P<name>[A-Z][\w.'\- ]+?)\s+(?P<code>DNP|DND|NWT)\s*-\s*(?P<reason>.+)$")


def parse_gamebook(content: bytes, kind: str = "nbac_gamebook_pdf") -> pa.Table:
    """The gamebook: players who did not play (DNP/DND/NWT) and inactives, with reasons.

    Raises:
        DataError: when no page yields text (a damaged content stream is reported,
            never turned into an empty table).
    """
    reader = _reader(kind, content)
    meta = reader.metadata
    title = str(meta.get("/Title", "")) if meta else ""
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    if not text.strip():
        raise DataError(
            f"{kind}: no text on any of {len(reader.pages)} page(s) of {title or 'the PDF'!r} "
            "(content stream does not decode: the bytes were altered, e.g. stored as text)"
        )
    rows: list[dict[str, Any]] = []
    for raw in text.splitlines():
        line = raw.strip()
        m = _GB_LINE.match(line)
        if m:
            name = m.group("name").strip()
            rows.append(
                {
                    "game_code": None,
                    "team": None,
                    "player_name": name,
                    "player_lookup": lookup(name),
                    "status": m.group("code").lower(),
                    "reason": m.group("reason").strip(),
                    "fetched_at": None,
                }
            )
        elif line.startswith("Inactive:"):
            for part in line.removeprefix("Inactive:").split(";"):
                name, _, reason = part.strip().partition("(")
                if name.strip():
                    rows.append(
                        {
                            "game_code": None,
                            "team": None,
                            "player_name": name.strip(),
                            "player_lookup": lookup(name.strip()),
                            "status": "inactive",
                            "reason": reason.rstrip(")").strip() or None,
                            "fetched_at": None,
                        }
                    )
    return to_table(kind, rows, schemas.GAMEBOOK)

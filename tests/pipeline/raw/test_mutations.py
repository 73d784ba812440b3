"""Hypothesis mutates the real recorded payloads of every parsed kind; parsers must stay honest.

Each example takes one recorded payload of ../shared/fixtures/payloads/<kind>/ (read
there, never copied), applies one mutation and parses it through `parse_payload`.
Whatever the mutation, the answer is either an `NbapropsError` (one line, naming the
kind) or rows that satisfy the family's declared contract, checked here by an
independent reading of the declaration.  What else must hold depends on the mutation:

- ``equivalent`` (columns reordered with their values, an unknown field or header added):
  the same rows as the unmutated payload;
- ``shift`` (a header dropped or added while the rows keep their values): refused, since
  every later column would otherwise be read under the wrong name;
- ``value`` (a field dropped, renamed, nulled, or given a wrong type, a huge number
  >= 2^63, a negative number, unicode): refused, or the same rows where every cell that
  changed is null, free text, or exactly the value written in;
- ``truncated`` (bytes cut, also inside a gzip stream): refused, or a subset of the rows.

Examples are derandomized with a fixed budget per kind; counts of tried / refused /
parsed mutations per kind are printed at the end of the run (see conftest.py).
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _support import FIXTURES
from nbaprops.core.errors import NbapropsError
from nbaprops.pipeline.raw.contracts import Contract
from nbaprops.pipeline.raw.parsers import PARSERS, parse_payload
from nbaprops.pipeline.raw.schemas import CONTRACTS

KINDS = sorted(k for k in PARSERS if (FIXTURES / k).is_dir())
BUDGET = {
    "nbac_schedule_api": 40,
    "espn_game_boxscore": 25,
    "nbac_injury_report": 30,
    "nbac_gamebook_pdf": 20,
}
"""Examples per kind (default 80): the slow parsers (a 1,400-game schedule, bs4, pypdf) get fewer."""
DEFAULT_BUDGET = 80
HUGE = (2**63, -(2**63) - 1, 2**64 + 7, 10**30)
STRANGE = ("", "abc", "Ĵōsé Ñúñez 😀\u202e", "\x00", "12abc", "2024-13-45", "--")
TRIM = {"nbac_schedule_api": ("leagueSchedule", "gameDates")}
"""Season-long payloads cut to their first and last three dates (a 25 MB document per example
would cost the suite a minute; every field and shape is still there)."""
READ_SETS = {
    "nbac_scoreboard_v2": {"GameHeader", "LineScore"},
    "nbac_team_boxscore": {"PlayerStats"},
    "nbac_player_boxscore": {"LeagueGameLog"},
    "nbac_player_list": {"PlayerIndex"},
}
"""The NBA.com result sets each parser reads (a header shifted in another set changes nothing)."""
FILTERS = {("markets", "key"), ("stats", "type")}
"""Fields that select which elements are rows (an odds market key, an ESPN stats group type):
a changed value may drop that element's rows, never change others."""
_FITT = re.compile(r"(window\['__espnfitt__'\]\s*=\s*)(\{.*\})(\s*;?\s*</script>)", re.S)


@dataclass(frozen=True)
class Payload:
    """One recorded payload and what it decodes to."""

    kind: str
    name: str
    raw: bytes
    form: str  # json | html | pdf
    gz: bool

    def doc(self) -> Any:
        """A fresh copy of the JSON document (for html: the embedded page data)."""
        return json.loads(_json_text(self))

    def encode(self, doc: Any) -> bytes:
        """Bytes of the same form carrying `doc` (gzip is exercised by the byte mutations)."""
        text = json.dumps(doc)
        if self.form == "html":
            html = _text(self)
            m = _FITT.search(html)
            assert m is not None
            text = html[: m.start(2)] + text + html[m.end(2) :]
        data = text.encode()
        if self.form == "html":  # a page is always gzipped; JSON parsers take plain and gzipped alike
            return gzip.compress(data, compresslevel=1, mtime=0) if self.gz else data
        return data


@cache
def _json_text(p: Payload) -> str:
    return json.dumps(_decoded(p))


def _text(p: Payload) -> str:
    return (gzip.decompress(p.raw) if p.gz else p.raw).decode()


@cache
def _decoded(p: Payload) -> Any:
    if p.form == "html":
        m = _FITT.search(_text(p))
        assert m is not None, p.name
        return json.loads(m.group(2))
    doc = json.loads(_text(p))
    if p.kind in TRIM:  # keep the first and last few dates of a season-long payload
        outer, inner = TRIM[p.kind]
        days = doc[outer][inner]
        doc[outer][inner] = days[:3] + days[-3:]
    return doc


@cache
def payloads(kind: str) -> tuple[Payload, ...]:
    out = []
    for f in sorted((FIXTURES / kind).iterdir()):
        form = "pdf" if f.suffix == ".pdf" else "html" if ".html" in f.name else "json"
        out.append(Payload(kind, f.name, f.read_bytes(), form, f.name.endswith(".gz")))
        if kind == "oddsa_player_props_his":  # the recording holds game markets only: splice props in
            out.append(Payload(kind, f"{f.name}+player_points", _with_props(f.read_bytes()), "json", False))
    return tuple(out)


def _with_props(raw: bytes) -> bytes:
    """The recorded event with a two-player ``player_points`` market per bookmaker (as test_parsers)."""
    doc = json.loads(raw)
    for b in doc["data"]["bookmakers"]:
        b["markets"].append({"key": "player_points", "last_update": "2024-01-25T03:55:22Z", "outcomes": [
            {"name": "Over", "description": "Stephen Curry", "price": 1.9, "point": 27.5},
            {"name": "Under", "description": "Stephen Curry", "price": 1.87, "point": 27.5},
            {"name": "Over", "description": "Trae Young", "price": 1.83, "point": 26.5},
            {"name": "Under", "description": "Trae Young", "price": 1.95, "point": 26.5}]})  # fmt: skip
    return json.dumps(doc).encode()


@cache
def baseline(p: Payload) -> pa.Table | NbapropsError:
    """The unmutated parse (of the re-encoded document, so encoding is not a mutation)."""
    content = p.raw if p.form == "pdf" else p.encode(p.doc())
    try:
        return parse_payload(p.kind, content, name=p.name)
    except NbapropsError as exc:
        return exc


# --- paths into a JSON document ------------------------------------------------
Path_ = tuple[str | int, ...]


def _walk(node: Any, path: Path_) -> Iterator[Path_]:
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, (*path, k))
    elif isinstance(node, list) and node:
        if len(node) <= 40 and not any(isinstance(v, dict | list) for v in node):
            picks = range(len(node))  # a short list of names or values (headers, stat keys): all of it
        else:
            picks = range(len(node)) if len(node) <= 4 else (0, 1, len(node) // 2, len(node) - 1)
        for i in picks:
            yield from _walk(node[i], (*path, i))


@cache
def paths(p: Payload) -> tuple[Path_, ...]:
    return tuple(q for q in _walk(_decoded(p), ()) if q)


def _parent(doc: Any, path: Path_) -> Any:
    node = doc
    for part in path[:-1]:
        node = node[part]
    return node


def _result_sets(doc: Any) -> list[dict[str, Any]]:
    sets = doc.get("resultSets") if isinstance(doc, dict) else None
    return [s for s in sets or [] if isinstance(s, dict) and s.get("headers") and s.get("rowSet")]


# --- mutations -------------------------------------------------------------------
class Mutation:
    """One mutated payload and the oracle class it is judged by (a short repr: no bytes)."""

    def __init__(self, cls: str, what: str, content: bytes, value: Any = None) -> None:
        self.cls = cls  # equivalent | shift | value | filter | truncated
        self.what = what
        self.content = content
        self.value = value

    def __repr__(self) -> str:
        return f"Mutation({self.cls}: {self.what})"


@st.composite
def mutations(draw: st.DrawFn, kind: str) -> Mutation:
    p = draw(st.sampled_from(payloads(kind)))
    if p.form == "pdf":
        return draw(_byte_mutations(p))
    ops = ["value", "value", "value", "drop", "rename", "add_field", "truncate"]
    if _result_sets(_decoded(p)):
        ops += ["drop_header", "add_header", "drop_column", "swap_columns", "add_column"]
    op = draw(st.sampled_from(ops))
    if op == "truncate":
        return draw(_byte_mutations(p))
    doc = p.doc()
    if op in ("drop_header", "add_header", "drop_column", "swap_columns", "add_column"):
        return _columns_mutation(p, doc, op, draw)
    path = draw(st.sampled_from(paths(p)))
    parent, key = _parent(doc, path), path[-1]
    where = f"{p.name}:{'.'.join(map(str, path))}"
    if op == "add_field":
        target = next((n for n in (parent[key], parent, doc) if isinstance(n, dict)), None)
        if target is None:
            return Mutation("equivalent", f"nothing added to {where}", p.encode(doc))
        target["zz_unknown_field"] = draw(st.sampled_from([1, "x", None, {"a": 1}]))
        return Mutation("equivalent", f"add field under {where}", p.encode(doc))
    if op in ("drop", "rename") and isinstance(parent, dict):
        value = parent.pop(key)
        if op == "rename":
            parent[f"{key}_renamed"] = value
        return Mutation(_value_cls(path), f"{op} {where}", p.encode(doc), None)
    new = draw(
        st.one_of(
            st.none(),
            st.sampled_from(HUGE),
            st.sampled_from(STRANGE),
            st.sampled_from([True, False, [], {}, -7, -1.5, 1e308, math.inf]),
            st.text(min_size=1, max_size=12),
            st.integers(min_value=-(2**70), max_value=2**70),
        )
    )
    was_list = isinstance(parent[key], list)
    parent[key] = new
    cls = "filter" if new == [] and was_list else _value_cls(path)  # [] is a valid "nothing today"
    return Mutation(cls, f"set {where} = {new!r}"[:160], p.encode(doc), new)


def _value_cls(path: Path_) -> str:
    return "filter" if len(path) >= 3 and (path[-3], path[-1]) in FILTERS else "value"


def _columns_mutation(p: Payload, doc: Any, op: str, draw: st.DrawFn) -> Mutation:
    rs = draw(st.sampled_from(_result_sets(doc)))
    headers, rows = rs["headers"], rs["rowSet"]
    i = draw(st.integers(0, len(headers) - 1))
    where = f"{p.name}:{rs.get('name')}.{headers[i]}"
    shift = "shift" if rs.get("name") in READ_SETS.get(p.kind, ()) else "equivalent"
    if op == "drop_header":  # the values stay: every later column would shift
        del headers[i]
        return Mutation(shift, f"drop header {where}", p.encode(doc))
    if op == "add_header":
        headers.insert(i, "ZZ_NEW")
        return Mutation(shift, f"add header before {where}", p.encode(doc))
    if op == "drop_column":  # header and values go together: names still line up
        del headers[i]
        for r in rows:
            del r[i]
        return Mutation("value", f"drop column {where}", p.encode(doc))
    if op == "add_column":
        headers.insert(i, "ZZ_NEW")
        for r in rows:
            r.insert(i, 99999)
        return Mutation("equivalent", f"add column before {where}", p.encode(doc))
    j = draw(st.integers(0, len(headers) - 1))
    headers[i], headers[j] = headers[j], headers[i]
    for r in rows:
        r[i], r[j] = r[j], r[i]
    return Mutation("equivalent", f"swap columns {where} and {headers[i]}", p.encode(doc))


@st.composite
def _byte_mutations(draw: st.DrawFn, p: Payload) -> Mutation:
    raw = p.raw
    if p.gz and draw(st.booleans()):  # cut the gzip stream itself
        cut = draw(st.integers(0, len(raw) - 1))
        return Mutation("truncated", f"gzip cut at {cut} of {p.name}", raw[:cut])
    plain = gzip.decompress(raw) if p.gz else raw
    cut = draw(st.integers(0, len(plain) - 1))
    data = plain[:cut]
    cut_gz = gzip.compress(data, compresslevel=1, mtime=0) if p.gz else data
    return Mutation("truncated", f"cut at {cut} of {p.name}", cut_gz)


# --- the oracle ---------------------------------------------------------------------
def satisfies(t: pa.Table, contract: Contract) -> None:
    """An independent reading of the declaration: types, nulls, ranges, values, patterns, key."""
    assert t.schema.equals(contract.schema), (t.schema, contract.schema)
    rows = t.to_pylist()
    for c in contract.columns:
        for r in rows:
            v = r[c.name]
            if v is None:
                assert c.nullable, f"{c.name} is null"
                continue
            if c.min is not None:
                assert v >= c.min, f"{c.name} = {v} < {c.min}"
            if c.max is not None:
                assert v <= c.max, f"{c.name} = {v} > {c.max}"
            if isinstance(v, float):
                assert not math.isnan(v), c.name
            if c.allowed is not None:
                assert v in c.allowed, f"{c.name} = {v!r}"
            if c.pattern is not None:
                assert re.fullmatch(c.pattern, v), f"{c.name} = {v!r}"
    keys = [tuple(r[k] for k in contract.key) for r in rows]
    assert len(keys) == len(set(keys)), "duplicate key"


def _changed_cell_ok(column: pa.Field, new: Any, m: Mutation) -> bool:
    if new is None:
        return True  # a null where the payload now has nothing (a nullable column: checked above)
    if pa.types.is_string(column.type):
        return True  # free text carries what the payload says
    if isinstance(m.value, bool) or m.value is None:
        return False  # a bool or a null never turns into a number, a date or a flag
    if isinstance(m.value, int | float) and not isinstance(new, bool | str):
        return bool(new == m.value)
    return False


def check(kind: str, m: Mutation) -> str:
    """Parse one mutation, assert the oracle, and say whether it was refused or parsed."""
    p_base = max((p for p in payloads(kind) if p.name in m.what), key=lambda p: len(p.name))
    try:
        t = parse_payload(kind, m.content, name=p_base.name)
    except NbapropsError as exc:
        text = str(exc)
        assert "\n" not in text and kind in text, text
        base = baseline(p_base)
        assert not (m.cls == "equivalent" and isinstance(base, pa.Table)), f"{m.what}: refused: {text}"
        return "refused"
    assert m.cls != "shift", f"{m.what}: a shifted header parsed"
    family = PARSERS[kind].family
    satisfies(t, CONTRACTS[family])
    base = baseline(p_base)
    if not isinstance(base, pa.Table):
        return "parsed"
    if m.cls == "equivalent":
        assert t.equals(base), f"{m.what}: changed the rows"
    elif m.cls in ("truncated", "filter"):
        have = base.to_pylist()
        assert all(r in have for r in t.to_pylist()), f"{m.what}: rows not in the original"
    elif not t.equals(base):
        assert t.num_rows == base.num_rows, f"{m.what}: {base.num_rows} rows became {t.num_rows}"
        for name in t.column_names:
            field = t.schema.field(name)
            for i, (old, new) in enumerate(
                zip(base.column(name).to_pylist(), t.column(name).to_pylist(), strict=True)
            ):
                if old != new:
                    assert _changed_cell_ok(field, new, m), (
                        f"{m.what}: row {i} {name} silently changed {old!r} -> {new!r}"
                    )
    return "parsed"


@pytest.mark.parametrize("kind", KINDS)
def test_mutated_payloads_parse_to_valid_rows_or_a_project_error(
    kind: str, record_property: pytest.RecordProperty
) -> None:
    counts = {"tried": 0, "refused": 0, "parsed": 0}

    @settings(
        max_examples=BUDGET.get(kind, DEFAULT_BUDGET),
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(m=mutations(kind))
    def run(m: Mutation) -> None:
        outcome = check(kind, m)
        counts["tried"] += 1
        counts[outcome] += 1

    run()
    record_property("mutations", json.dumps({"kind": kind, **counts}))
    assert counts["tried"] > 0


@pytest.mark.parametrize("kind", KINDS)
def test_reencoding_a_payload_is_not_a_mutation(kind: str) -> None:
    for p in payloads(kind):
        if p.form == "pdf":
            continue
        try:
            raw: pa.Table | str = parse_payload(kind, p.raw, name=p.name)
        except NbapropsError as exc:
            raw = str(exc)
        base = baseline(p)
        if isinstance(base, pa.Table) and isinstance(raw, pa.Table) and kind in TRIM:
            whole = raw.to_pylist()
            assert base.num_rows and all(r in whole for r in base.to_pylist()), p.name
            continue
        assert base.equals(raw) if isinstance(base, pa.Table) else str(base) == raw, p.name

"""Prints how many payload mutations were tried, refused and parsed per kind (test_mutations.py).

The counts travel as the tests' ``user_properties`` (so they survive pytest-xdist workers and reach
``--junitxml``) and are printed once at the end of a run given this folder or the module by path
(a plain ``pytest`` under xdist never loads this conftest on the controller); with
``NBAPROPS_MUTATION_REPORT=path`` they are also written as JSON.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

_COUNTS: dict[str, dict[str, Any]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, value in report.user_properties:
        if name == "mutations":
            row = json.loads(str(value))
            _COUNTS[row["kind"]] = row


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _COUNTS:
        return
    rows = [_COUNTS[k] for k in sorted(_COUNTS)]
    total = {f: sum(r[f] for r in rows) for f in ("tried", "refused", "parsed")}
    tr = terminalreporter
    tr.section("payload mutations (tests/pipeline/raw/test_mutations.py)")
    tr.write_line(f"{'kind':34} {'tried':>6} {'refused':>8} {'parsed':>7}")
    for r in [*rows, {"kind": "total", **total}]:
        tr.write_line(f"{r['kind']:34} {r['tried']:>6} {r['refused']:>8} {r['parsed']:>7}")
    out = os.environ.get("NBAPROPS_MUTATION_REPORT")
    if out:
        Path(out).write_text(json.dumps({"kinds": rows, "total": total}, indent=2) + "\n")

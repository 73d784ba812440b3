"""The fault suite's report: a line per fault class in the terminal summary, and ``build/faults.json``.

Hooks of the root ``tests/conftest.py`` (imported there), so that the controller process runs
them under ``-n 2`` too (it never loads the conftest of a subfolder).  They add up the
``build/faults/<test>.json`` files the `tally` fixture writes ({class: [injected, survived]}).
"""

from __future__ import annotations

import json
import shutil

import pytest

from _support import REPO

__all__ = ["OUT", "Tally", "pytest_sessionstart", "pytest_terminal_summary"]

OUT = REPO / "build" / "faults"


class Tally:
    """Faults injected and survived, per class, for one test."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = {}

    def injected(self, cls: str, n: int = 1) -> None:
        """Count `n` faults of `cls` injected."""
        self.counts.setdefault(cls, [0, 0])[0] += n

    def survived(self, cls: str, n: int = 1) -> None:
        """Count `n` faults of `cls` survived (named by validate and healed, or refused)."""
        self.counts.setdefault(cls, [0, 0])[1] += n


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_sessionstart(session: pytest.Session) -> None:
    if _is_controller(session.config):
        shutil.rmtree(OUT, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if not _is_controller(config) or not OUT.is_dir():
        return
    total: dict[str, list[int]] = {}
    for f in sorted(OUT.glob("*.json")):
        for cls, (inj, surv) in json.loads(f.read_text()).items():
            t = total.setdefault(cls, [0, 0])
            t[0] += inj
            t[1] += surv
    if not total:
        return
    terminalreporter.section("fault injection")
    for cls, (inj, surv) in sorted(total.items()):
        terminalreporter.write_line(f"{cls:<28} injected {inj:>4}  survived {surv:>4}")
    inj = sum(v[0] for v in total.values())
    surv = sum(v[1] for v in total.values())
    terminalreporter.write_line(f"{'total':<28} injected {inj:>4}  survived {surv:>4}")
    summary = {"classes": {c: {"injected": i, "survived": s} for c, (i, s) in total.items()}}
    (REPO / "build" / "faults.json").write_text(json.dumps(summary, indent=1) + "\n")

"""The code version recorded with every run: package version + git sha."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

import nbaprops

__all__ = ["code_version"]


def _git(here: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=here, capture_output=True, text=True, timeout=5, check=True
    ).stdout.strip()


@cache
def code_version() -> str:
    """``<package version>+g<short sha>`` (``.dirty`` with uncommitted changes), or ``+unknown``."""
    here = Path(nbaprops.__file__).resolve().parent
    try:
        sha = _git(here, "rev-parse", "--short=10", "HEAD")
        dirty = _git(here, "status", "--porcelain", "--untracked-files=no", "--", str(here))
    except (OSError, subprocess.SubprocessError):
        return f"{nbaprops.__version__}+unknown"
    return f"{nbaprops.__version__}+g{sha}{'.dirty' if dirty else ''}"

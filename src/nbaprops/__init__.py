"""nbaprops: NBA data pipeline to graded player-points prop predictions.

The top-level namespace is small on purpose: the CLI (`nbaprops.cli`) and the
operations layer (`nbaprops.ops`) are the public entry points.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nbaprops")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]

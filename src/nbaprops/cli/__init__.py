"""The ``nbaprops`` command line: thin commands over ``nbaprops.ops``.

Each module registers its commands on the one typer app in `app.py`.
"""

from __future__ import annotations

from nbaprops.cli import backfill, drift, evaluate, inspect, operations, parse, players, predict, run  # noqa: F401  (registers commands)
from nbaprops.cli import picks, serve  # noqa: F401  (registers commands)
from nbaprops.cli.app import app

__all__ = ["app"]

"""The ``nbaprops`` command line: thin commands over ``nbaprops.ops``.

Each module registers its commands on the one typer app in `app.py`.
"""

from __future__ import annotations

from nbaprops.cli import (  # noqa: F401  (registers commands)
    backfill,
    daily,
    drift,
    evaluate,
    inspect,
    operations,
    parse,
    picks,
    players,
    predict,
    run,
    serve,
)
from nbaprops.cli.app import app

__all__ = ["app"]

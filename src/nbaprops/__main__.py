"""``python -m nbaprops``: the ``nbaprops`` command line."""

from __future__ import annotations

from nbaprops.cli import app

if __name__ == "__main__":
    app(prog_name="nbaprops")

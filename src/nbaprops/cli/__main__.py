"""``python -m nbaprops.cli``."""

from nbaprops.cli import app

app()

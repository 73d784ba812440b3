"""The read API and dashboard (FastAPI) over the warehouse, and the reads ``nbaprops picks`` shares.

``create_app(settings)`` builds the app; `date_calls` is the one read of a date's calls.
The warehouse is only ever opened read-only, per request.  Names load on first use, so a
CLI command that imports this package does not pay for FastAPI or pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nbaprops.api.app import create_app
    from nbaprops.api.calls import SORT_KEYS, date_calls

__all__ = ["SORT_KEYS", "create_app", "date_calls"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from nbaprops.api.app import create_app

        return create_app
    if name in ("SORT_KEYS", "date_calls"):
        from nbaprops.api import calls

        return getattr(calls, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

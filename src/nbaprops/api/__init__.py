"""The read API and dashboard (FastAPI) over the warehouse, and the reads ``nbaprops picks`` shares.

``create_app(settings)`` builds the app; `date_calls` is the one read of a date's calls.
The warehouse is only ever opened read-only, per request.
"""

from __future__ import annotations

from nbaprops.api.app import create_app
from nbaprops.api.calls import SORT_KEYS, date_calls

__all__ = ["SORT_KEYS", "create_app", "date_calls"]

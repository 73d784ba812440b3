"""Upstream sources: the shared HTTP client and one module per API (no warehouse code here).

``http`` is the client every source uses; ``nbac``, ``bdl``, ``espn``,
``odds_api`` and ``bettingpros`` build `Request` objects per date or game;
``public_data`` reads the public Parquet data set.
"""

from __future__ import annotations

from nbaprops.sources.base import Request
from nbaprops.sources.http import Fetched, HttpClient, SourceProfile

__all__ = ["Fetched", "HttpClient", "Request", "SourceProfile"]

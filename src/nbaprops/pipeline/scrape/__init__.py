"""Phase 1: scrape upstream payloads into the raw store (with a manifest row each).

This package exports its own (phase-1) processors only; the raw tables parsed from the
payloads are phase 2 (`nbaprops.pipeline.raw.payloads`), and `nbaprops.pipeline.registry`
composes the phases.
"""

from __future__ import annotations

from nbaprops.pipeline.contract import Processor
from nbaprops.pipeline.scrape.scrape import PLAYER_INDEX, SCRAPES, ScrapeSpec, scrape_date, scrape_processor

__all__ = [
    "SCRAPES",
    "SCRAPE_PROCESSORS",
    "ScrapeSpec",
    "scrape_date",
    "scrape_processor",
]

SCRAPE_PROCESSORS: tuple[Processor, ...] = (*(scrape_processor(s) for s in SCRAPES), PLAYER_INDEX)
"""Every phase-1 processor: one scrape per payload kind, and the player index."""

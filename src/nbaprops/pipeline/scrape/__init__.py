"""Phase 1: scrape upstream payloads into the raw store (with a manifest row each)."""

from __future__ import annotations

from nbaprops.pipeline.contract import Processor
from nbaprops.pipeline.scrape.scrape import PLAYER_INDEX, SCRAPES, ScrapeSpec, scrape_date, scrape_processor

__all__ = [
    "SCRAPES",
    "SCRAPE_PROCESSORS",
    "SOURCE_PROCESSORS",
    "ScrapeSpec",
    "scrape_date",
    "scrape_processor",
]

SCRAPE_PROCESSORS = (*(scrape_processor(s) for s in SCRAPES), PLAYER_INDEX)


def _source_processors() -> tuple[Processor, ...]:
    from nbaprops.pipeline.raw.payloads import PAYLOAD_PROCESSORS
    from nbaprops.pipeline.raw.players import PLAYER_UNRESOLVED

    return (*SCRAPE_PROCESSORS, *PAYLOAD_PROCESSORS, PLAYER_UNRESOLVED)


SOURCE_PROCESSORS = _source_processors()
"""Phase 1 scrapes and the phase 2 processors that read their payloads (registered together)."""

"""The audits next to the models (``pipeline/<phase>/audits/<table>[__<what>].sql``) pass on real data."""

from __future__ import annotations

from pathlib import Path

import pytest

from nbaprops.ops.runner import Runner

PIPELINE = Path(__file__).resolve().parents[3] / "src" / "nbaprops" / "pipeline"
AUDITS = sorted(PIPELINE.glob("*/audits/*.sql"))


@pytest.mark.parametrize("audit", AUDITS, ids=lambda p: p.stem)
def test_audit_finds_no_bad_rows(built: Runner, audit: Path) -> None:
    assert built.wh.count(audit.stem.split("__")[0]) > 0
    assert built.wh.rows(audit.read_text()) == []


def test_cache_audit_catches_a_look_ahead(built: Runner) -> None:
    built.wh.execute(
        "UPDATE player_daily_cache SET last_game_date = game_date "
        "WHERE player_id = (SELECT min(player_id) FROM player_daily_cache WHERE games_played > 3)"
    )
    audit = PIPELINE / "precompute" / "audits" / "player_daily_cache.sql"
    assert len(built.wh.rows(audit.read_text())) > 0

"""Cross-source consistency where the recorded payloads cover the same game.

- HOU @ PHI, 2024-01-15: balldontlie box scores vs the ESPN box score page.
- NYK @ PHI, 2025-01-15 (0022400561): NBA.com box score vs NBA.com play-by-play.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from _support import FIXTURES
from nbaprops.pipeline.raw.consistency import compare_points, points_from_play_by_play, points_identity
from nbaprops.pipeline.raw.parsers import parse_payload

BOX_SCORES = [
    ("bdl_box_scores", "raw_7a649e12.json"),
    ("bdl_player_box_scores", "raw_1db4c01e.json"),
    ("nbac_team_boxscore", "raw_12f99055.json"),
    ("nbac_player_boxscore", "raw_2ad17718.json"),
    ("espn_game_boxscore", "raw_6f34c64b.html.gz"),
    ("espn_game_boxscore", "raw_da177814.html.gz"),
]


def parsed(kind: str, name: str) -> pa.Table:
    return parse_payload(kind, (FIXTURES / kind / name).read_bytes())


@pytest.mark.parametrize(("kind", "name"), BOX_SCORES)
def test_points_equal_shooting_for_every_player_row(kind: str, name: str) -> None:
    t = parsed(kind, name)
    assert t.num_rows > 0
    assert points_identity(t) == []


def test_points_identity_reports_a_bad_row() -> None:
    t = parsed("bdl_box_scores", "raw_7a649e12.json")
    rows = t.to_pylist()
    rows[0]["pts"] += 1
    bad = points_identity(pa.Table.from_pylist(rows, schema=t.schema))
    assert [(d.player, d.left, d.right) for d in bad] == [
        (rows[0]["player_name"], rows[0]["pts"], rows[0]["pts"] - 1)
    ]


def test_bdl_and_espn_agree_on_points_and_report_name_mismatches() -> None:
    bdl = parsed("bdl_box_scores", "raw_7a649e12.json")
    espn = parsed("espn_game_boxscore", "raw_6f34c64b.html.gz")
    cmp = compare_points(bdl, espn)
    assert cmp.matched == 20
    assert cmp.disagreements == []
    # the same people under other names: reported for the player registry, not dropped silently
    assert cmp.only_left == [
        "20240115_HOU_PHI Jeenathan Williams",
        "20240115_HOU_PHI Kenyon Martin Jr.",
        "20240115_HOU_PHI Marcus Morris",
    ]
    assert cmp.only_right == [
        "20240115_HOU_PHI KJ Martin",
        "20240115_HOU_PHI Marcus Morris Sr.",
        "20240115_HOU_PHI Nate Williams",
    ]


def test_a_points_disagreement_is_reported_not_averaged() -> None:
    bdl = parsed("bdl_box_scores", "raw_7a649e12.json")
    rows = bdl.to_pylist()
    for r in rows:
        if r["player_lookup"] == "joelembiid":
            r["pts"] = 39
    cmp = compare_points(
        pa.Table.from_pylist(rows, schema=bdl.schema), parsed("espn_game_boxscore", "raw_6f34c64b.html.gz")
    )
    assert [(d.player, d.left, d.right) for d in cmp.disagreements] == [("Joel Embiid", 39, 41)]


def test_nbac_box_score_points_match_play_by_play() -> None:
    box = parsed("nbac_team_boxscore", "raw_12f99055.json")
    pbp = points_from_play_by_play(parsed("nbac_play_by_play", "raw_416e8d5c.json.gz"))
    played = [r for r in box.to_pylist() if r["pts"] is not None]
    assert len(played) == 17
    mismatched = [(r["player_name"], r["pts"], pbp.get(r["source_player_id"], 0)) for r in played
                  if r["pts"] != pbp.get(r["source_player_id"], 0)]  # fmt: skip
    assert mismatched == []
    assert pbp["1628973"] == 38  # Jalen Brunson

-- audit team_defense_game_summary: sides whose points scored or allowed differ from the
-- schedule's final score, or with negative counts.  Empty = pass (100% of real team-games).
SELECT d.game_date, d.game_code, d.team, d.points_scored, d.points_allowed
FROM team_defense_game_summary d
LEFT JOIN schedule s ON s.game_code = d.game_code
WHERE d.points_scored IS DISTINCT FROM
      (CASE d.team WHEN s.home_team THEN s.home_pts WHEN s.away_team THEN s.away_pts END)
   OR d.points_allowed IS DISTINCT FROM
      (CASE d.team WHEN s.home_team THEN s.away_pts WHEN s.away_team THEN s.home_pts END)
   OR least(d.points_scored, d.points_allowed, d.rebounds_allowed, d.assists_allowed,
            d.turnovers_committed, d.turnovers_forced) < 0

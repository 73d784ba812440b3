-- audit player_game_summary: rows that break the box-score identities where counts exist.
-- Empty = pass.
SELECT game_date, game_code, player_id
FROM player_game_summary
WHERE (has_shooting_counts AND points <> points_from_2 + points_from_3 + points_from_ft)
   OR (has_shooting_counts AND (fgm > fga OR fg3m > fg3a OR ftm > fta))
   OR rest_days <= 0
   OR (back_to_back AND rest_days <> 1)

-- audit player_game_summary: rows that break the box-score identities where counts exist,
-- carry negative or missing counts, or repeat a key.  Empty = pass.
SELECT game_date, game_code, player_id, 'box-score identity' AS problem
FROM player_game_summary
WHERE (has_shooting_counts AND points <> points_from_2 + points_from_3 + points_from_ft)
   OR (has_shooting_counts AND points <> 2 * (fgm - fg3m) + 3 * fg3m + ftm)
   OR (has_shooting_counts AND (fgm > fga OR fg3m > fg3a OR ftm > fta OR fg3m > fgm))
   OR rest_days <= 0
   OR (back_to_back AND rest_days <> 1)
UNION ALL
SELECT game_date, game_code, player_id, 'missing required value'
FROM player_game_summary
WHERE game_code IS NULL OR player_id IS NULL OR team IS NULL OR minutes IS NULL
   OR points IS NULL OR rebounds IS NULL OR assists IS NULL
   OR (has_shooting_counts AND (fgm IS NULL OR fga IS NULL OR fg3m IS NULL OR fg3a IS NULL
                                OR ftm IS NULL OR fta IS NULL))
UNION ALL
SELECT game_date, game_code, player_id, 'negative count'
FROM player_game_summary
WHERE minutes < 0 OR points < 0 OR rebounds < 0 OR assists < 0 OR steals < 0 OR blocks < 0
   OR turnovers < 0 OR fgm < 0 OR fga < 0 OR fg3m < 0 OR fg3a < 0 OR ftm < 0 OR fta < 0
UNION ALL
SELECT game_date, game_code, player_id, 'duplicate key'
FROM player_game_summary
GROUP BY game_date, game_code, player_id
HAVING count(*) > 1

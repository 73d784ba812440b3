-- audit raw_player_boxscores: rows that break the box-score identities, carry negative or
-- missing counts, or repeat a key.  Empty = pass.  Holds on every real season (2017-18 ..
-- 2025-26, 244,944 rows): the points identity on all 26,208 rows with shooting counts.
SELECT game_date, game_code, player_id, 'missing required value' AS problem
FROM raw_player_boxscores
WHERE game_code IS NULL OR player_id IS NULL OR team IS NULL OR minutes IS NULL
   OR pts IS NULL OR reb IS NULL OR ast IS NULL OR stl IS NULL OR blk IS NULL OR tov IS NULL
   OR (has_shooting_counts AND (fgm IS NULL OR fga IS NULL OR fg3m IS NULL OR fg3a IS NULL
                                OR ftm IS NULL OR fta IS NULL))
UNION ALL
SELECT game_date, game_code, player_id, 'negative count'
FROM raw_player_boxscores
WHERE minutes < 0 OR pts < 0 OR reb < 0 OR ast < 0 OR stl < 0 OR blk < 0 OR tov < 0
   OR fgm < 0 OR fga < 0 OR fg3m < 0 OR fg3a < 0 OR ftm < 0 OR fta < 0
   OR oreb < 0 OR dreb < 0 OR pf < 0
UNION ALL
SELECT game_date, game_code, player_id, 'points identity'  -- pts = 2*(fgm-fg3m) + 3*fg3m + ftm
FROM raw_player_boxscores
WHERE has_shooting_counts AND pts <> 2 * (fgm - fg3m) + 3 * fg3m + ftm
UNION ALL
SELECT game_date, game_code, player_id, 'made > attempted'
FROM raw_player_boxscores
WHERE has_shooting_counts AND (fgm > fga OR fg3m > fg3a OR ftm > fta OR fg3m > fgm)
UNION ALL
SELECT game_date, game_code, player_id, 'duplicate key'
FROM raw_player_boxscores
GROUP BY game_date, game_code, player_id
HAVING count(*) > 1

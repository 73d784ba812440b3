-- audit player_daily_cache: rows that could have seen their own game or a later one, or whose
-- counts disagree with themselves.  Empty = pass.
SELECT game_date, player_id, last_game_date, games_played, games_last_7d
FROM player_daily_cache
WHERE last_game_date >= game_date                        -- history must end strictly before
   OR (games_played = 0) <> (last_game_date IS NULL)     -- no history <=> no last game
   OR games_last_7d > games_played
   OR (games_played > 0 AND points_l5 IS NULL)

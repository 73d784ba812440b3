-- audit raw_player_boxscores: no player over the game's length (audit_rules/box_minutes.sql).
-- uses: box_minutes
WITH box AS (SELECT game_date, game_code, team, player_id, minutes FROM raw_player_boxscores)
SELECT * FROM box_minutes

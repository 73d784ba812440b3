-- prediction_grades: every prediction of a date graded once its game is final.
-- grain: (game_code, player_id, system); partition: game_date ($game_dates: the dates to build)
-- key: game_code, player_id, system
-- inputs: predictions (the date), player_game_summary (the date), schedule (final status)
-- uses: grading.sql (result WIN/LOSS/PUSH/VOID/PASS, odds, profit, abs_error).
WITH targets AS (
    SELECT DISTINCT game_date FROM unnest($game_dates::DATE[]) AS u(game_date)
),
final_games AS (
    SELECT game_code FROM schedule
    WHERE game_date IN (SELECT game_date FROM targets) AND status = 'final'
),
calls AS (
    SELECT
        p.*,
        a.points AS actual_points,
        a.minutes AS actual_minutes
    FROM predictions p
    JOIN final_games g USING (game_code)
    LEFT JOIN player_game_summary a
           ON a.game_date = p.game_date AND a.player_id = p.player_id
    WHERE p.game_date IN (SELECT game_date FROM targets)
)
SELECT
    game_date, game_code, player_id, player_lookup, player_name, system, system_version,
    predicted_points, actual_points, actual_minutes, abs_error,
    line, line_book, recommendation, odds, result, profit
FROM grading

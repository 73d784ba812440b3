-- system_prediction_grades: every system's prediction of a date graded once its game is final.
-- grain: (market, game_code, player_id, system); partition: game_date ($game_date)
-- key: market, game_code, player_id, system
-- inputs: system_predictions (the date), player_game_summary (the date), schedule (final status)
-- uses: grading.sql (result WIN/LOSS/PUSH/VOID/PASS, odds, profit, went_over, abs_error).
WITH final_games AS (
    SELECT game_code FROM schedule WHERE game_date = $game_date AND status = 'final'
),
calls AS (
    SELECT
        p.*,
        a.points AS actual_points,
        a.minutes AS actual_minutes
    FROM system_predictions p
    JOIN final_games g USING (game_code)
    LEFT JOIN player_game_summary a
           ON a.game_date = $game_date AND a.player_id = p.player_id
    WHERE p.game_date = $game_date
)
SELECT
    game_date, market, game_code, game_key, player_id, player_lookup, player_name, system, system_version,
    feature_set, predicted_points, actual_points, actual_minutes, abs_error,
    line, line_book, market_p_over, p_over_raw, p_over, p_over_normal_raw, p_over_normal, edge, recommendation, reason, odds, result,
    went_over, profit
FROM grading

-- prediction_grades: every prediction of a date graded once its game is final.
-- grain: (game_code, player_id, system); partition: game_date ($game_dates: the dates to build)
-- key: game_code, player_id, system
-- inputs: predictions (the date), player_game_summary (the date), schedule (final status)
-- result: WIN / LOSS / PUSH (actual == line) / VOID (player did not play) / PASS (no bet).
-- profit: units won for a 1-unit stake at the American odds of the side taken.
WITH targets AS (
    SELECT DISTINCT game_date FROM unnest($game_dates::DATE[]) AS u(game_date)
),
final_games AS (
    SELECT game_code FROM schedule
    WHERE game_date IN (SELECT game_date FROM targets) AND status = 'final'
),
graded AS (
    SELECT
        p.*,
        a.points AS actual_points,
        a.minutes AS actual_minutes,
        CASE WHEN p.recommendation = 'UNDER' THEN p.under_odds ELSE p.over_odds END AS odds,
        CASE
            WHEN p.recommendation NOT IN ('OVER', 'UNDER') THEN 'PASS'
            WHEN a.player_id IS NULL THEN 'VOID'
            WHEN a.points = p.line THEN 'PUSH'
            WHEN (p.recommendation = 'OVER' AND a.points > p.line)
              OR (p.recommendation = 'UNDER' AND a.points < p.line) THEN 'WIN'
            ELSE 'LOSS'
        END AS result
    FROM predictions p
    JOIN final_games g USING (game_code)
    LEFT JOIN player_game_summary a
           ON a.game_date = p.game_date AND a.player_id = p.player_id
    WHERE p.game_date IN (SELECT game_date FROM targets)
)
SELECT
    game_date, game_code, player_id, player_lookup, player_name, system, system_version,
    predicted_points, actual_points, actual_minutes,
    abs(predicted_points - actual_points) AS abs_error,
    line, line_book, recommendation, odds, result,
    CASE result
        WHEN 'WIN' THEN CASE WHEN odds > 0 THEN odds / 100.0 ELSE 100.0 / -odds END
        WHEN 'LOSS' THEN -1.0
        WHEN 'PUSH' THEN 0.0
        WHEN 'VOID' THEN 0.0
    END AS profit
FROM graded

-- prediction_grades: every prediction of a date graded once its game is final.
-- grain: (market, game_code, player_id, system); partition: game_date ($game_dates)
-- key: market, game_code, player_id, system
-- inputs: predictions (the date), player_game_summary (the date), schedule (final status)
-- uses: grading.sql (result WIN/LOSS/PUSH/VOID/PASS, odds, profit, abs_error),
--       market_stats.sql (the market's count in the box score: actual_points, in its units).
-- A player with no box row that day is VOID; one whose box lacks the stat (threes without
-- shooting counts) is not graded (no row).
WITH targets AS (
    SELECT DISTINCT game_date FROM unnest($game_dates::DATE[]) AS u(game_date)
),
final_games AS (
    SELECT game_code FROM schedule
    WHERE game_date IN (SELECT game_date FROM targets) AND status = 'final'
),
box AS (  -- the dates' counts per market
    SELECT * FROM market_stats WHERE game_date IN (SELECT game_date FROM targets)
),
calls AS (
    SELECT
        p.*,
        a.value AS actual_points,
        a.minutes AS actual_minutes
    FROM predictions p
    JOIN final_games g USING (game_code)
    LEFT JOIN box a
           ON a.game_date = p.game_date AND a.player_id = p.player_id AND a.market = p.market
    WHERE p.game_date IN (SELECT game_date FROM targets)
      AND NOT (a.player_id IS NOT NULL AND a.value IS NULL)
)
SELECT
    game_date, market, game_code, player_id, player_lookup, player_name, system, system_version,
    predicted_points, actual_points, actual_minutes, abs_error,
    line, line_book, recommendation, odds, result, profit
FROM grading

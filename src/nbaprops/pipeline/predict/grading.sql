-- grading: the one grading rule, shared by every table of graded predictions
-- (prediction_grades, system_prediction_grades, the walk-forward's evaluation_predictions).
-- It reads a relation `calls` (one row per prediction, with the actual of its player-game) and
-- returns every column of `calls` plus the grade.  Models use it by reading `grading` and
-- declaring `sql_uses=(GRADING_SQL,)`; the walk-forward runs it over its in-memory calls.
-- calls: predicted_points, line, recommendation, over_odds, under_odds,
--        actual_points (NULL: the player has no box row that day, or no points).
-- result: PASS (no OVER/UNDER call) / VOID (called, the player did not play: never a loss)
--         / PUSH (actual == line) / WIN / LOSS.  Bets are WIN, LOSS and PUSH
--         (`grading.BET_RESULTS`): PASS and VOID are not bets.
-- odds: the American price of the side taken (NULL for a PASS: no side was taken).
-- profit: units won for a 1-unit stake at those odds; 0 for PUSH and VOID; NULL for PASS.
-- went_over: 1/0 when the player played and actual != line (Brier, calibration); else NULL.
SELECT
    g.*,
    CASE g.result
        WHEN 'WIN' THEN CASE WHEN g.odds > 0 THEN g.odds / 100.0 WHEN g.odds < 0 THEN 100.0 / -g.odds END
        WHEN 'LOSS' THEN -1.0
        WHEN 'PUSH' THEN 0.0
        WHEN 'VOID' THEN 0.0
    END AS profit
FROM (
    SELECT
        c.*,
        abs(c.predicted_points - c.actual_points) AS abs_error,
        CASE WHEN c.actual_points IS NULL OR c.line IS NULL OR c.actual_points = c.line THEN NULL
             WHEN c.actual_points > c.line THEN 1.0 ELSE 0.0 END AS went_over,
        CASE c.recommendation WHEN 'OVER' THEN c.over_odds WHEN 'UNDER' THEN c.under_odds END AS odds,
        CASE
            WHEN c.recommendation IS NULL OR c.recommendation NOT IN ('OVER', 'UNDER') THEN 'PASS'
            WHEN c.actual_points IS NULL THEN 'VOID'
            WHEN c.actual_points = c.line THEN 'PUSH'
            WHEN (c.recommendation = 'OVER' AND c.actual_points > c.line)
              OR (c.recommendation = 'UNDER' AND c.actual_points < c.line) THEN 'WIN'
            ELSE 'LOSS'
        END AS result
    FROM calls AS c
) AS g

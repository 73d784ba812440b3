"""Reports over predictions and their grades (``nbaprops predict/grade/evaluate/demo``).

A bet is counted with ``list_contains($bets, result)``: bind ``$bets`` to
`nbaprops.pipeline.predict.grading.BET_RESULTS`, the one definition (PASS and VOID are
not bets).  ``{table}`` is a checked processor output name.
"""

from __future__ import annotations

PREDICT_SUMMARY = """
SELECT system, count(*) AS players, count(predicted_points) AS predicted,
       count(*) FILTER (WHERE recommendation IN ('OVER', 'UNDER')) AS calls
FROM {table} WHERE game_date = $d GROUP BY system ORDER BY min(system = 'ensemble'), system
"""

GRADE_BY_SYSTEM = """
SELECT system, count(abs_error) AS graded, round(avg(abs_error), 3) AS mae,
       count(*) FILTER (WHERE list_contains($bets, result)) AS bets,
       count(*) FILTER (WHERE result = 'WIN') AS won, count(*) FILTER (WHERE result = 'LOSS') AS lost,
       count(*) FILTER (WHERE result = 'PUSH') AS push, count(*) FILTER (WHERE result = 'VOID') AS void,
       round(coalesce(sum(profit), 0), 3) AS profit,
       round(avg((p_over - went_over) ^ 2), 4) AS brier
FROM {table} WHERE game_date = $d GROUP BY 1 ORDER BY 1
"""

GRADE_BY_EDGE = """
SELECT CASE WHEN abs(edge) < 1 THEN '0-1' WHEN abs(edge) < 2 THEN '1-2'
            WHEN abs(edge) < 3 THEN '2-3' ELSE '3+' END AS edge_bucket,
       count(went_over) AS decided,
       round(avg(CASE WHEN (edge > 0) = (went_over = 1) THEN 1.0 ELSE 0.0 END)
             FILTER (WHERE went_over IS NOT NULL), 3) AS side_hit_rate
FROM {table} WHERE game_date = $d AND system = 'ensemble' AND edge IS NOT NULL
GROUP BY 1 ORDER BY 1
"""

GRADE_BY_CONFIDENCE = """
SELECT CASE WHEN abs(p_over - 0.5) < 0.05 THEN '<5pt' WHEN abs(p_over - 0.5) < 0.10
            THEN '5-10pt' ELSE '10pt+' END AS confidence,
       count(*) FILTER (WHERE list_contains($bets, result)) AS bets,
       count(*) FILTER (WHERE result = 'WIN') AS won,
       round(coalesce(sum(profit), 0), 3) AS profit
FROM {table} WHERE game_date = $d AND system = 'ensemble' AND p_over IS NOT NULL
GROUP BY 1 ORDER BY 1
"""

GRADE_RELIABILITY = """
SELECT least(floor(p_over * 10), 9) / 10 AS p_over_from, count(*) AS n,
       round(avg(p_over), 3) AS predicted, round(avg(went_over), 3) AS observed
FROM {table} WHERE game_date = $d AND system = 'ensemble'
  AND p_over IS NOT NULL AND went_over IS NOT NULL
GROUP BY 1 ORDER BY 1
"""

SEASON_ACCURACY = """
SELECT count(g.actual_points), avg(g.abs_error),
       count(*) FILTER (WHERE list_contains($bets, g.result)),
       count(*) FILTER (WHERE g.result = 'WIN'), count(*) FILTER (WHERE g.result = 'LOSS'),
       count(*) FILTER (WHERE g.result = 'PUSH'), count(*) FILTER (WHERE g.result = 'VOID'),
       coalesce(sum(g.profit), 0)
FROM {table} g JOIN schedule s USING (game_code)
WHERE s.season = $s AND g.predicted_points IS NOT NULL
"""

GRADED_RANGE = """
SELECT * FROM {table}
WHERE game_date BETWEEN $a AND $b AND market = $m AND list_contains($days, game_date)
ORDER BY game_date, call_index
"""

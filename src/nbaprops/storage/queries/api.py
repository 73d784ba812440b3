"""SQL of the read API, the dashboard and ``nbaprops picks`` (all reads, all bound).

``{table}`` is filled only with a prediction table name from ``nbaprops.api.reads.calls``
(``predictions`` or ``system_predictions``) or its grade table; every value is a ``$name``.
"""

from __future__ import annotations

__all__ = [
    "AVAILABILITY_OUT",
    "CALLS_OF_DATE",
    "CALLS_OF_PLAYER",
    "GRADED_BASELINE",
    "GRADED_SYSTEMS",
    "LAST_SUCCESS_BY_PROCESSOR",
    "LATEST_CALL_DATE",
    "LATEST_GRADED_DATE",
    "LEDGER_PAGE",
    "LEDGER_TOTAL",
    "PLAYER_GAMES",
    "PLAYER_LINES",
    "PLAYER_NAME",
    "RESULTS_OF_DATE",
    "RESULTS_OF_PLAYER",
]

CALLS_OF_DATE = "SELECT * FROM {table} WHERE game_date = $day AND line IS NOT NULL"
"""A date's calls of one prediction table: rows that had a line (a player without one is no call)."""

RESULTS_OF_DATE = """
SELECT game_code, player_id, system, actual_points, result, profit
FROM {table} WHERE game_date = $day
"""
"""A date's grades of one grade table, joined to the calls in Python (the table may not exist yet)."""

CALLS_OF_PLAYER = """
SELECT * FROM {table}
WHERE player_id = $player_id AND line IS NOT NULL
ORDER BY game_date DESC, system
LIMIT $limit
"""

RESULTS_OF_PLAYER = """
SELECT game_code, player_id, system, actual_points, result, profit
FROM {table} WHERE player_id = $player_id
"""

LATEST_CALL_DATE = "SELECT max(game_date) FROM {table} WHERE line IS NOT NULL AND game_date <= $day"
"""The latest date on or before ``$day`` with calls (where ``picks`` points when a date has none)."""

LATEST_GRADED_DATE = "SELECT max(game_date) FROM {table} WHERE game_date <= $day"
"""The latest graded date on or before ``$day`` (the default end of a grades range)."""

AVAILABILITY_OUT = """
WITH latest AS (
    SELECT game_code, coalesce(CAST(player_id AS VARCHAR), player_lookup) AS who,
           arg_max(status, as_of) AS status
    FROM player_availability
    WHERE game_date = $day
    GROUP BY game_code, who
)
SELECT count(*), count(*) FILTER (WHERE status = 'out') FROM latest
"""
"""Players with a published status for the date, and those whose latest status is ``out``."""

GRADED_BASELINE = """
SELECT game_date, system, predicted_points, actual_points, abs_error, line,
       predicted_points - line AS edge, CAST(NULL AS DOUBLE) AS p_over, result, profit,
       CASE WHEN actual_points IS NULL OR line IS NULL OR actual_points = line THEN NULL
            WHEN actual_points > line THEN CAST(1 AS DOUBLE) ELSE CAST(0 AS DOUBLE) END AS went_over
FROM prediction_grades
WHERE game_date BETWEEN $start AND $end AND ($system IS NULL OR system = $system)
"""
"""Graded rows of the ``predictions`` table (it has no P(over)) in a date range."""

GRADED_SYSTEMS = """
SELECT game_date, system, predicted_points, actual_points, abs_error, line, edge, p_over,
       result, profit, CAST(went_over AS DOUBLE) AS went_over
FROM system_prediction_grades
WHERE game_date BETWEEN $start AND $end AND ($system IS NULL OR system = $system)
"""
"""Graded rows of ``system_predictions`` (every system and the ensemble) in a date range."""

_ledger_filter = """
FROM ops_ledger
WHERE ($partition IS NULL OR partition = $partition)
  AND ($status IS NULL OR status = $status)
  AND ($processor IS NULL OR processor = $processor)
"""

LEDGER_PAGE = (
    "SELECT run_id, processor, partition, status, rows_written, suspicious, code_version, "
    "started_at, finished_at, attempt, error"
    + _ledger_filter
    + "ORDER BY started_at DESC, processor LIMIT $limit OFFSET $offset"
)
"""One page of ledger rows, newest first."""

LEDGER_TOTAL = "SELECT count(*)" + _ledger_filter

LAST_SUCCESS_BY_PROCESSOR = """
SELECT processor, max(finished_at) AS finished_at, max(partition) AS partition
FROM ops_ledger WHERE status = 'success'
GROUP BY processor
"""
"""When each processor last succeeded, and the latest partition it succeeded on."""

PLAYER_NAME = """
SELECT arg_max(player_name, game_date), arg_max(team, game_date), count(*)
FROM player_game_summary WHERE player_id = $player_id
"""

PLAYER_GAMES = """
SELECT game_date, game_code, team, opponent, is_home, minutes, points, rebounds, assists, dnp
FROM player_game_summary
WHERE player_id = $player_id
ORDER BY game_date DESC
LIMIT $limit
"""
"""A player's most recent box-score rows."""

PLAYER_LINES = """
SELECT game_date, game_code, market, bookmaker, line, over_odds, under_odds
FROM raw_prop_lines
WHERE player_id = $player_id AND is_primary_line
ORDER BY game_date DESC, market, bookmaker
LIMIT $limit
"""
"""The primary lines offered on a player, newest first."""

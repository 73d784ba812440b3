/* player_game_summary: one row per player per game played. */
/* grain: one player in one game; partition: game_date ($game_dates: the dates to build) */
/* key: game_code, player_id */
/* inputs: raw_player_boxscores (the dates, plus earlier dates of their seasons for rest days), */
/*         schedule (season type) */
/* Shooting counts (fgm..fta, oreb, dreb) are NULL where the source has none (before 2024-25, */
/* and rookies/late dates of 2024-25 and 2025-26); every rate built on them is NULL there too. */
/* starter is always NULL: no public source has it.  DNP: the public data has rows only for */
/* players who played, so dnp is always false here and dnp_reason NULL; the columns exist so a */
/* source with inactive lists can fill them without a schema change. */
WITH targets AS (
  SELECT DISTINCT
    game_date
  FROM UNNEST(CAST(@game_dates AS ARRAY<DATE>)) AS game_date
), season_rows AS (
  SELECT
    b.*
  FROM nbaprops.raw_player_boxscores AS b
  WHERE
    b.season IN (
      SELECT DISTINCT
        r.season
      FROM nbaprops.raw_player_boxscores AS r
      JOIN targets AS t
        ON r.game_date = t.game_date
    )
    AND b.game_date <= (
      SELECT
        MAX(game_date)
      FROM targets
    )
), sequenced AS (
  SELECT
    *,
    LAG(game_date) OVER (PARTITION BY player_id, season ORDER BY game_date NULLS LAST) AS last_game
  FROM season_rows
), team_totals AS (
  SELECT
    game_code,
    team,
    SUM(pts) AS team_points,
    SUM(minutes) AS team_minutes,
    CASE
      WHEN LOGICAL_AND(COALESCE(has_shooting_counts, FALSE))
      THEN SUM(fga + 0.44 * fta + tov)
    END AS team_plays
  FROM sequenced
  WHERE
    game_date IN (
      SELECT
        game_date
      FROM targets
    )
  GROUP BY
    game_code,
    team
)
SELECT
  t.game_date,
  t.season,
  COALESCE(s.season_type, t.season_type) AS season_type,
  t.game_code,
  t.game_key,
  t.game_id,
  t.player_id,
  t.player_lookup,
  t.player_name,
  t.team,
  t.opponent,
  t.is_home,
  CASE WHEN t.is_home THEN 'home' ELSE 'away' END AS home_away,
  t.team_result,
  t.minutes,
  t.pts AS points,
  t.reb AS rebounds,
  t.oreb AS offensive_rebounds,
  t.dreb AS defensive_rebounds,
  t.ast AS assists,
  t.stl AS steals,
  t.blk AS blocks,
  t.tov AS turnovers,
  t.pf AS fouls,
  t.plus_minus,
  t.fgm,
  t.fga,
  t.fg3m,
  t.fg3a,
  t.ftm,
  t.fta,
  t.fgm - t.fg3m AS fg2m,
  t.fga - t.fg3a AS fg2a,
  2 * (
    t.fgm - t.fg3m
  ) AS points_from_2, /* NULL without counts */
  3 * t.fg3m AS points_from_3,
  t.ftm AS points_from_ft,
  t.fg_pct,
  t.fg3_pct,
  t.ft_pct, /* always present (source percentages) */
  t.has_shooting_counts,
  CASE
    WHEN t.fga + 0.44 * t.fta > 0
    THEN t.pts / (
      2 * (
        t.fga + 0.44 * t.fta
      )
    )
  END AS ts_pct, /* true shooting: points per (2 * true shot attempts) */
  CASE WHEN t.minutes > 0 THEN (
    t.fga + 0.44 * t.fta + t.tov
  ) / t.minutes END AS usage_per_min, /* plays used per minute (shots + 0.44 free throws + turnovers): a usage-style rate */
  CASE
    WHEN tt.team_plays > 0
    THEN (
      t.fga + 0.44 * t.fta + t.tov
    ) / tt.team_plays
  END AS usage_share, /* share of the team's plays the player used (NULL unless every teammate has counts) */
  CASE WHEN tt.team_points > 0 THEN t.pts / tt.team_points END AS points_share,
  CASE WHEN tt.team_minutes > 0 THEN t.minutes / tt.team_minutes END AS minutes_share,
  CASE WHEN t.minutes > 0 THEN t.pts / t.minutes END AS points_per_min,
  CAST(t.starter AS BOOL) AS starter, /* no source: NULL */
  FALSE AS dnp, /* see header */
  CAST(NULL AS STRING) AS dnp_reason,
  DATE_DIFF(t.game_date, t.last_game, DAY) AS rest_days,
  COALESCE(DATE_DIFF(t.game_date, t.last_game, DAY) = 1, FALSE) AS back_to_back
FROM sequenced AS t
JOIN targets
  USING (game_date)
LEFT JOIN team_totals AS tt
  ON tt.game_code = t.game_code AND tt.team = t.team
LEFT JOIN nbaprops.schedule AS s
  ON s.game_code = t.game_code

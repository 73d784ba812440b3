-- market_stats: every player-game's count in every market, from player_game_summary: the one
-- statement in SQL of what a market counts (`markets.py` states the same for the public files'
-- columns; tests/pipeline/predict/test_market_sql.py holds the two equal on real box scores).
-- Models read it as `FROM market_stats` and declare `sql_uses=(MARKET_STATS_SQL,)`.
-- columns: every column of player_game_summary, market, value (NULL where the box lacks the
--          stat: threes without shooting counts).
-- double-double / triple-double: 1 when at least 2 / 3 of points, rebounds, assists, steals,
-- blocks reach 10, else 0.
SELECT s.*, m.market,
    CASE m.market
        WHEN 'player_points' THEN s.points
        WHEN 'player_rebounds' THEN s.rebounds
        WHEN 'player_assists' THEN s.assists
        WHEN 'player_threes' THEN s.fg3m
        WHEN 'player_points_rebounds_assists' THEN s.points + s.rebounds + s.assists
        WHEN 'player_steals' THEN s.steals
        WHEN 'player_blocks' THEN s.blocks
        WHEN 'player_double_double' THEN CASE WHEN
            CAST(s.points >= 10 AS INTEGER) + CAST(s.rebounds >= 10 AS INTEGER) + CAST(s.assists >= 10 AS INTEGER)
            + CAST(s.steals >= 10 AS INTEGER) + CAST(s.blocks >= 10 AS INTEGER) >= 2 THEN 1 ELSE 0 END
        WHEN 'player_triple_double' THEN CASE WHEN
            CAST(s.points >= 10 AS INTEGER) + CAST(s.rebounds >= 10 AS INTEGER) + CAST(s.assists >= 10 AS INTEGER)
            + CAST(s.steals >= 10 AS INTEGER) + CAST(s.blocks >= 10 AS INTEGER) >= 3 THEN 1 ELSE 0 END
    END AS value
FROM player_game_summary AS s
CROSS JOIN (SELECT unnest($markets::VARCHAR[]) AS market) AS m

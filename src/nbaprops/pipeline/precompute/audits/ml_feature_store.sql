-- audit ml_feature_store: rows whose vector does not fit its names, or duplicate keys.
-- Empty = pass.
SELECT game_date, game_code, player_id, 'vector length' AS problem
FROM ml_feature_store
WHERE array_length(features) <> array_length(feature_names)  -- ARRAY_LENGTH in BigQuery
UNION ALL
SELECT game_date, game_code, player_id, 'duplicate key'
FROM ml_feature_store
GROUP BY game_date, game_code, player_id
HAVING count(*) > 1

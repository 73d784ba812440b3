"""The partition catalog (``ops_partitions``) and the table-level reads every engine shares.

``digest`` is a 40-bit fingerprint of ``partition || checksum`` computed by the warehouse in
Python when it records a write, so input hashes are plain integer sums any engine can add
up (no engine hash function in the catalog).  Row checksums (``hash(t)``) are the one
DuckDB-only function here: another engine overrides `SQLWarehouse.checksum` (and computes
its write path's checksums its own way).
"""

from __future__ import annotations

PARTITIONS_DDL = """CREATE TABLE IF NOT EXISTS ops_partitions (
    table_name VARCHAR, partition VARCHAR, rows BIGINT, checksum VARCHAR, written_at TIMESTAMPTZ,
    digest BIGINT
)"""
PARTITIONS_ADD_DIGEST = "ALTER TABLE ops_partitions ADD COLUMN IF NOT EXISTS digest BIGINT"
PARTITIONS_WITHOUT_DIGEST = "SELECT table_name, partition, checksum FROM ops_partitions WHERE digest IS NULL"
PARTITIONS_SET_DIGEST = (
    "UPDATE ops_partitions SET digest = v.d "
    "FROM (SELECT unnest($t) AS t, unnest($k) AS k, unnest($d) AS d) v "
    "WHERE table_name = v.t AND partition = v.k"
)
PARTITION_STATE = "SELECT partition, rows, checksum FROM ops_partitions WHERE table_name = $t"
CATALOG_DELETE = "DELETE FROM ops_partitions WHERE table_name = $t AND list_contains($k, partition)"
CATALOG_INSERT = (
    "INSERT INTO ops_partitions (table_name, partition, rows, checksum, written_at, digest) "
    "SELECT $t, unnest($k), unnest($n), unnest($c), now(), unnest($d)"
)
CATALOG_SUM_BELOW = (
    "SELECT coalesce(sum(digest), 0), coalesce(sum(rows), 0) FROM ops_partitions "
    "WHERE table_name = $t AND rows > 0 AND partition < $floor"
)
CATALOG_FROM = (
    "SELECT partition, digest, rows FROM ops_partitions "
    "WHERE table_name = $t AND rows > 0 AND partition >= $floor"
)
CATALOG_ALL = "SELECT partition, digest, rows FROM ops_partitions WHERE table_name = $t AND rows > 0"

TABLE_COLUMNS = (
    "SELECT column_name FROM information_schema.columns "
    "WHERE table_name = $t AND table_schema = 'main' ORDER BY ordinal_position"
)
TABLE_COUNT = "SELECT count(*) FROM {table}"
PARTITION_COUNT = "SELECT count(*) FROM {table} WHERE {column} = $v"
COUNTS_BY = "SELECT {column}, count(*) FROM {table} GROUP BY 1"
TABLE_CHECKSUM = "SELECT coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR || ':' || count(*) FROM {table} t"
PARTITION_CHECKSUM = (
    "SELECT coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR || ':' || count(*) FROM {table} t WHERE {column} = $v"
)
PARTITION_CHECKSUMS = (
    "SELECT {column}, count(*), coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR || ':' || count(*) "
    "FROM {table} t WHERE {column} BETWEEN $vals_lo AND $vals_hi AND list_contains($vals, {column}) "
    "GROUP BY 1"
)
"""(partition value, rows, checksum) of the partitions a write replaced, inside its transaction."""
PARTITION_COUNTS = (
    "SELECT {column}, count(*) FROM {table} "
    "WHERE {column} BETWEEN $vals_lo AND $vals_hi AND list_contains($vals, {column}) GROUP BY 1"
)
PARTITIONS_DELETE = (
    "DELETE FROM {table} WHERE {column} BETWEEN $vals_lo AND $vals_hi AND list_contains($vals, {column})"
)

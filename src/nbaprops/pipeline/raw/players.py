"""The player registry: every source's player name or id -> one `player_lookup` and NBA.com id.

Resolution order for a (source, name, source id):

1. an alias a person recorded for (source, source id) or (source, name key)
   (table ``player_aliases``, one partition per source);
2. the NBA.com player index (table ``raw_nbac_players``) by `player_lookup`;
3. otherwise unresolved: the row keeps the name's own key and no NBA.com id,
   and processor ``player_unresolved`` lists it with the game, team and
   table where it was seen.

``nbaprops registry resolve NAME --as PLAYER`` writes an alias; the raw
processors read ``player_aliases``, so their input hash changes and the next
run re-resolves the affected partitions (and the queue empties).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from nbaprops.core.errors import InputError
from nbaprops.pipeline.contract import Context, Input, Processor
from nbaprops.pipeline.raw.parsers._util import lookup
from nbaprops.storage.warehouse import Partition, Warehouse

__all__ = [
    "ALIASES",
    "INDEX",
    "PLAYER_UNRESOLVED",
    "PlayerRegistry",
    "Resolution",
    "resolve_alias",
    "unresolved",
]

ALIASES = "player_aliases"
"""Aliases a person recorded: source, source_key -> player_lookup, nba_player_id."""
INDEX = "raw_nbac_players"
"""The NBA.com player index (canonical ids and names)."""
UNRESOLVED = "player_unresolved"
ALIAS_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("source_key", pa.string()),  # "id:<source id>" or "name:<player_lookup of the source's name>"
        ("player_lookup", pa.string()),
        ("nba_player_id", pa.string()),
        ("resolved_at", pa.timestamp("us", tz="UTC")),
    ]
)
BOX_TABLES = ("raw_nbac_player_boxscores", "raw_bdl_player_boxscores")
"""Raw tables whose player rows are resolved (and queued when unknown)."""
LINE_TABLES = ("raw_oddsa_prop_lines", "raw_oddsa_live_prop_lines")
"""Raw prop-line tables whose player names are resolved (and queued when unknown: no source id, no team)."""


@dataclass(frozen=True)
class Resolution:
    """Who a source's player is."""

    player_lookup: str | None
    nba_player_id: str | None

    @property
    def resolved(self) -> bool:
        """Whether an NBA.com id was found."""
        return self.nba_player_id is not None


class PlayerRegistry:
    """Resolves names in memory from the alias table and the NBA.com index.

    Args:
        warehouse: where ``player_aliases`` and ``raw_nbac_players`` live (either may be absent).
    """

    def __init__(self, warehouse: Warehouse) -> None:
        self.aliases: dict[tuple[str, str], tuple[str, str | None]] = {}
        self.index: dict[str, str] = {}
        if warehouse.has_table(ALIASES):
            for src, key, lk, pid in warehouse.rows(
                f"SELECT source, source_key, player_lookup, nba_player_id FROM {ALIASES}"
            ):
                self.aliases[(src, key)] = (lk, pid)
        if warehouse.has_table(INDEX):
            for lk, pid in warehouse.rows(
                f"SELECT player_lookup, any_value(nba_player_id) FROM {INDEX} GROUP BY 1"
            ):
                self.index[lk] = pid

    def resolve(self, source: str, name: str | None, source_id: str | None = None) -> Resolution:
        """Resolve one player as a source names them."""
        key = lookup(name)
        for k in ((f"id:{source_id}",) if source_id else ()) + ((f"name:{key}",) if key else ()):
            hit = self.aliases.get((source, k)) or self.aliases.get(("*", k))
            if hit:
                return Resolution(hit[0], hit[1] or self.index.get(hit[0]))
        if source == "nbac" and source_id:
            return Resolution(key, source_id)
        if key and key in self.index:
            return Resolution(key, self.index[key])
        return Resolution(key, None)

    def apply(self, table: pa.Table, source: str) -> pa.Table:
        """Rewrite ``player_lookup`` and fill ``nba_player_id`` of a raw table's rows."""
        names = table.column("player_name").to_pylist()
        ids = (
            table.column("source_player_id").to_pylist()
            if "source_player_id" in table.column_names
            else [None] * len(names)
        )
        got = [self.resolve(source, n, i) for n, i in zip(names, ids, strict=True)]
        out = table.set_column(
            table.schema.get_field_index("player_lookup"),
            "player_lookup",
            pa.array([r.player_lookup for r in got], pa.string()),
        )
        return out.set_column(
            out.schema.get_field_index("nba_player_id"),
            "nba_player_id",
            pa.array([r.nba_player_id for r in got], pa.string()),
        )


def resolve_alias(warehouse: Warehouse, name: str, as_player: str, *, source: str = "*") -> tuple[str, str]:
    """Record that `name` (as `source` prints it, ``*`` for every source) is `as_player`.

    Args:
        warehouse: the warehouse holding the registry.
        name: the unresolved name as seen.
        as_player: the real player: an NBA.com id, a `player_lookup` or a name from the NBA.com index.
        source: the source the alias applies to (default: all).

    Returns:
        (player_lookup, nba_player_id) the name now resolves to.

    Raises:
        InputError: when `as_player` is not in the NBA.com player index.
    """
    reg = PlayerRegistry(warehouse)
    by_id = {pid: lk for lk, pid in reg.index.items()}
    target = as_player.strip()
    if target in by_id:
        lk, pid = by_id[target], target
    else:
        lk = lookup(target) or ""
        if lk not in reg.index:
            raise InputError(
                f"player {as_player!r} is not in the NBA.com player index ({INDEX}); "
                "give an NBA.com id or a name from the index"
            )
        pid = reg.index[lk]
    key = lookup(name)
    if key is None:
        raise InputError(f"name {name!r} has no letters or digits")
    part = Partition("source", source)
    old = (
        warehouse.query(f"SELECT * FROM {ALIASES} WHERE source = $s", {"s": source})
        if warehouse.has_table(ALIASES)
        else ALIAS_SCHEMA.empty_table()
    )
    keep = old.filter(pc.not_equal(old.column("source_key"), f"name:{key}")) if old.num_rows else old
    new = pa.Table.from_pylist(
        [{"source": source, "source_key": f"name:{key}", "player_lookup": lk, "nba_player_id": pid,
          "resolved_at": dt.datetime.now(dt.UTC)}],
        schema=ALIAS_SCHEMA,
    )  # fmt: skip
    warehouse.write_partition(ALIASES, part, pa.concat_tables([keep.cast(ALIAS_SCHEMA), new]))
    return lk, pid


def unresolved(warehouse: Warehouse) -> pa.Table:
    """The unresolved queue: one row per (source, name) with where it was last seen."""
    if not warehouse.has_table(UNRESOLVED):
        return pa.table({"source": pa.array([], pa.string())})
    return warehouse.query(
        f"SELECT source, player_name, any_value(source_player_id) AS source_player_id, count(*) AS rows_seen, "
        f"max(game_date) AS last_seen, arg_max(game_code, game_date) AS last_game, "
        f"arg_max(team, game_date) AS team, arg_max(seen_in, game_date) AS seen_in "
        f"FROM {UNRESOLVED} GROUP BY 1, 2 ORDER BY 1, 2"
    )


def _build_unresolved(ctx: Context) -> pa.Table:
    parts = []
    for table in BOX_TABLES:
        if ctx.warehouse.has_table(table):
            parts.append(
                ctx.warehouse.query(
                    f"SELECT source, player_name, source_player_id, game_code, team, game_date, "
                    f"'{table}' AS seen_in FROM {table} WHERE game_date = $d AND nba_player_id IS NULL",
                    {"d": ctx.date},
                )
            )
    lines = [
        f"SELECT source, player_name, game_code, game_date, '{t}' AS seen_in FROM {t} "
        "WHERE game_date = $d AND nba_player_id IS NULL"
        for t in LINE_TABLES
        if ctx.warehouse.has_table(t)
    ]
    if lines:  # one row per name and game, however many books, markets and snapshots list it
        parts.append(
            ctx.warehouse.query(
                "SELECT source, player_name, NULL AS source_player_id, game_code, NULL AS team, game_date, "
                f"min(seen_in) AS seen_in FROM ({' UNION ALL '.join(lines)}) GROUP BY source, player_name, "
                "game_code, game_date",
                {"d": ctx.date},
            )
        )
    schema = pa.schema(
        [("source", pa.string()), ("player_name", pa.string()), ("source_player_id", pa.string()),
         ("game_code", pa.string()), ("team", pa.string()), ("game_date", pa.date32()), ("seen_in", pa.string())]
    )  # fmt: skip
    return pa.concat_tables([p.cast(schema) for p in parts]) if parts else schema.empty_table()


PLAYER_UNRESOLVED = Processor(
    name="player_unresolved",
    phase=2,
    output=UNRESOLVED,
    partition="date",
    key=("source", "player_name", "game_code"),
    description="Unresolved player names seen in raw box scores and scraped prop lines, with game, team and table "
    "(the registry queue).",
    inputs=(
        *(Input(t) for t in BOX_TABLES),
        *(Input(t, optional=True) for t in LINE_TABLES),
        Input(ALIASES, "all"),
    ),
    build=_build_unresolved,
    per_game=False,
)

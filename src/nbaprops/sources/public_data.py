"""The public NBA data set: Parquet files of real seasons.

The folder layout is the one in ``../shared/data/nba`` (see its README):
``games.parquet`` (schedule and scores), ``player_boxscores.parquet``,
``props_points.parquet`` (player points lines) and optionally
``props_other_markets.parquet`` (the other prop markets) and ``game_lines.parquet``.  The files are built from public GitHub data
repositories (MylesThomas/betting, meharpalbasi/NBA_Lineup202324_Analyzer,
SilverCrocus/NBA-props-Model, kyleskom/NBA-Machine-Learning-Sports-Betting);
the folder's README names the commits.  A folder that also holds later dates
than ours works the same: nothing here assumes a last date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from nbaprops.core.errors import ConfigError

__all__ = ["FILES", "PublicData", "open_public_data"]

FILES: dict[str, str] = {
    "games": "games.parquet",
    "player_boxscores": "player_boxscores.parquet",
    "props_points": "props_points.parquet",
}
"""Logical name -> file name of every file the pipeline requires."""

OPTIONAL_FILES: dict[str, str] = {
    "game_lines": "game_lines.parquet",
    "props_other_markets": "props_other_markets.parquet",
}
"""Files read when the folder has them (a folder without them still works)."""


@cache
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class PublicData:
    """A checked public data folder.

    Args:
        root: the folder.

    Raises:
        ConfigError: the folder or one of the required files is missing.
    """

    root: Path

    def __post_init__(self) -> None:
        if not self.root.is_dir():
            raise ConfigError(
                f"public data folder {self.root} does not exist: set NBAPROPS_DATA_DIR or "
                "--data-dir to a folder laid out like ../shared/data/nba (see README, 'Data')"
            )
        for name in FILES.values():
            if not (self.root / name).is_file():
                raise ConfigError(f"public data folder {self.root} has no {name}")

    def path(self, name: str) -> str:
        """The file path of a logical file (``games``, ``player_boxscores``...)."""
        file = FILES.get(name) or OPTIONAL_FILES.get(name)
        if file is None:
            raise ConfigError(f"unknown public data file {name!r}")
        p = self.root / file
        if not p.is_file():
            raise ConfigError(f"public data folder {self.root} has no {file}")
        return str(p)

    def has(self, name: str) -> bool:
        """Whether the folder holds a logical file (required files always do)."""
        file = FILES.get(name) or OPTIONAL_FILES.get(name)
        return file is not None and (self.root / file).is_file()

    def digest(self, name: str) -> str:
        """Content sha256 of a file (cached per size and mtime)."""
        p = self.path(name)
        st = os.stat(p)
        return _file_digest(p, st.st_size, st.st_mtime_ns)

    def fingerprint(self, name: str, column: str, key: str) -> tuple[str, int]:
        """(content hash, rows) of one partition of a file (``("", 0)`` if it has none).

        Args:
            name: logical file name.
            column: ``game_date`` or ``season``.
            key: the partition key (ISO date or season).
        """
        found = _partition_fingerprints(self.path(name), self.digest(name), column)
        return found.get(key, ("", 0))

    def read_date(self, name: str, day: dt.date) -> pa.Table:
        """Every row of a file on one game date."""
        t = _load(self.path(name), self.digest(name))
        return t.filter(pc.equal(t.column("game_date"), pa.scalar(day, pa.date32())))

    def read_dates(self, name: str, days: list[dt.date]) -> pa.Table:
        """Every row of a file on any of the given game dates."""
        t = _load(self.path(name), self.digest(name))
        return t.filter(pc.is_in(t.column("game_date"), pa.array(days, pa.date32())))

    def read_season(self, name: str, season: str) -> pa.Table:
        """Every row of a file in one season."""
        t = _load(self.path(name), self.digest(name))
        return t.filter(pc.equal(t.column("season"), pa.scalar(season, pa.string())))


def open_public_data(root: Path | None) -> PublicData:
    """Open and check a public data folder.

    Raises:
        ConfigError: no folder given (none configured and no ../shared/data/nba), or a
            required file is missing (the message names it).
    """
    if root is None:
        raise ConfigError(
            "no public data folder: set NBAPROPS_DATA_DIR or --data-dir to a folder laid out "
            "like ../shared/data/nba (see README, 'Data')"
        )
    return PublicData(root)


@cache
def _partition_fingerprints(path: str, digest: str, column: str) -> dict[str, tuple[str, int]]:
    import duckdb

    con = duckdb.connect()
    got = con.execute(
        f"SELECT {'CAST(game_date AS DATE)' if column == 'game_date' else column}::VARCHAR, "
        "coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR, count(*) "
        f"FROM read_parquet($p) t GROUP BY 1",
        {"p": path},
    ).fetchall()
    con.close()
    return {k: (h, int(n)) for k, h, n in got}


@cache
def _load(path: str, digest: str) -> pa.Table:
    """A whole file in memory (cached per content), ``game_date`` as a date column.

    The files are small (a few MB of Parquet); reading each once and filtering in memory
    is what makes a season's worth of per-date partitions fast.
    """
    import pyarrow.parquet as pq

    t = pq.ParquetFile(path).read()
    t = t.cast(pa.schema([f.with_type(pa.string()) if f.type == pa.large_string() else f for f in t.schema]))
    if "game_date" in t.column_names:
        i = t.schema.get_field_index("game_date")
        t = t.set_column(i, "game_date", pc.cast(t.column("game_date"), pa.date32()))
    return t

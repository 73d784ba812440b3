"""The public-archive loaders refuse what breaks their contract, before anything is written.

A data folder laid out like ../shared/data/nba is made in tmp_path: the real files linked,
``player_boxscores.parquet`` rewritten from the real one (its 2025-26 rows) with one fault.  Each fault is
refused with one line naming the file, column, value and row (the extra column is loaded
without it, as drift); nothing is written, and the real file then loads with the real types.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from _support import DATA, make_settings
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import DuckDBWarehouse, Partition

DAY = dt.date(2025, 11, 2)
BOX = "player_boxscores.parquet"
TABLE = "raw_player_boxscores"


def real_box() -> pa.Table:
    """The real box scores of 2025-26 (the same columns and types; one season keeps the test fast)."""
    return pq.read_table(DATA / BOX, filters=[("season", "=", "2025-26")])


def first_row_of(t: pa.Table, day: dt.date) -> int:
    days = pc.cast(t.column("game_date"), pa.date32())
    return int(pc.indices_nonzero(pc.equal(days, pa.scalar(day, pa.date32())))[0].as_py())


def with_value(t: pa.Table, column: str, row: int, value: object) -> pa.Table:
    values = t.column(column).to_pylist()
    values[row] = value
    i = t.schema.get_field_index(column)
    return t.set_column(i, t.schema.field(i), pa.array(values, t.schema.field(i).type))


def folder(root: Path, box: pa.Table | None) -> Path:
    """A data folder: the real files linked, the box scores written (with a fault when given)."""
    root.mkdir(parents=True, exist_ok=True)
    for f in DATA.glob("*.parquet"):
        target = root / f.name
        target.unlink(missing_ok=True)
        if f.name == BOX:
            pq.write_table(box if box is not None else real_box(), target)
        else:
            target.symlink_to(f)
    return root


def load(home: Path, data: Path) -> tuple[str | None, DuckDBWarehouse]:
    """Run schedule + raw_player_boxscores for DAY; the box-score run's error (None: success)."""
    wh = DuckDBWarehouse(make_settings(home, data_dir=data).warehouse_url)
    runner = Runner(settings=make_settings(home, data_dir=data), warehouse=wh, code_version="test")
    report = runner.run(default_registry().select(["schedule", TABLE]), [DAY], force=True)
    outcome = next(o for o in report.outcomes if o.processor == TABLE)
    return outcome.error, wh


def describe(t: pa.Table, row: int) -> str:
    r = t.slice(row, 1).to_pylist()[0]
    return f"{BOX} row {row} ({r['game_key'].replace('_', ' ', 1)}, {r['team']}, {r['player_name']})"


FAULTS: dict[str, tuple[Callable[[pa.Table, int], pa.Table], Callable[[pa.Table, int], str]]] = {
    "duplicated row": (
        lambda t, i: pa.concat_tables([t, t.slice(i, 1)]),
        lambda t, i: f"{TABLE}: duplicate key (game_date=2025-11-02, game_code=",
    ),
    "pts null": (
        lambda t, i: with_value(t, "pts", i, None),
        lambda t, i: f"{TABLE}: pts is null (declared not null) in {describe(t, i)}",
    ),
    "pts as text": (
        lambda t, i: t.set_column(
            t.schema.get_field_index("pts"), "pts", pc.cast(t.column("pts"), pa.string())
        ),
        lambda t, i: f"{TABLE}: pts is string, declared int16 (type changed upstream, first value",
    ),
    "negative points": (
        lambda t, i: with_value(t, "pts", i, -5),
        lambda t, i: f"{TABLE}: pts = -5 out of range [0, 100] in {describe(t, i)}",
    ),
    "1,000 minutes": (
        lambda t, i: with_value(t, "minutes", i, 1000.0),
        lambda t, i: f"{TABLE}: minutes = 1000.0 out of range [0, 80] in {describe(t, i)}",
    ),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_fault_is_refused_in_one_line_nothing_is_written_and_a_good_load_then_works(
    fault: str, tmp_path: Path
) -> None:
    real = real_box()
    i = first_row_of(real, DAY)
    make, expected = FAULTS[fault]
    bad = make(real, i)
    home = tmp_path / "home"

    error, wh = load(home, folder(tmp_path / "data", bad))
    assert error is not None and "\n" not in error
    assert expected(real, i) in error, error
    assert not wh.has_table(TABLE)  # a first load that fails creates no table from its types
    wh.close()

    error, wh = load(home, folder(tmp_path / "data", None))
    assert error is None
    day_rows = pc.sum(pc.equal(pc.cast(real.column("game_date"), pa.date32()), DAY)).as_py()
    part = Partition("game_date", DAY)
    assert wh.count(TABLE, part) == day_rows
    types = dict(wh.rows("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $t",
                         {"t": TABLE}))  # fmt: skip
    assert (types["pts"], types["minutes"], types["game_date"]) == ("SMALLINT", "FLOAT", "DATE")
    before = wh.checksum(TABLE, part)
    wh.close()

    error, wh = load(home, folder(tmp_path / "data", bad))  # refused again: the partition keeps its rows
    assert error is not None and expected(real, i) in error
    assert wh.checksum(TABLE, part) == before and wh.count(TABLE, part) == day_rows
    wh.close()


def test_an_extra_column_is_reported_as_drift_and_loaded_without_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    real = real_box()
    extra = real.append_column("wingspan_cm", pa.array(range(real.num_rows), pa.int64()))
    error, clean = load(tmp_path / "clean", folder(tmp_path / "clean-data", None))
    assert error is None
    with caplog.at_level(logging.WARNING, logger="nbaprops.raw.contracts"):
        error, wh = load(tmp_path / "home", folder(tmp_path / "data", extra))
    assert error is None
    drift = [r.getMessage() for r in caplog.records if "schema drift" in r.getMessage()]
    assert drift and "wingspan_cm (int64)" in drift[0] and BOX in drift[0], drift
    assert "wingspan_cm" not in wh.columns(TABLE)
    part = Partition("game_date", DAY)
    assert wh.checksum(TABLE, part) == clean.checksum(TABLE, part) and wh.count(TABLE, part) > 0
    wh.close()
    clean.close()

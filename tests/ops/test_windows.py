"""The one window rule: an input partition inside a run's window changes its input hash, one
outside does not, and the range handed to the processor reads exactly those partitions."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from nbaprops.ops.runner import Runner
from nbaprops.pipeline.contract import Input, Processor, Window
from nbaprops.storage import Partition

DAY = dt.date(2025, 11, 5)  # 2025-26
EARLIER, LATER = dt.date(2025, 11, 4), dt.date(2025, 11, 6)
LAST_SEASON = dt.date(2025, 3, 1)  # 2024-25
INPUT = "t_window_input"

# which input partitions each window reads for a run on DAY (stated from the windows' meaning)
INSIDE: dict[Window, set[dt.date]] = {
    "partition": {DAY},
    "before": {LAST_SEASON, EARLIER},
    "through": {LAST_SEASON, EARLIER, DAY},
    "season": {EARLIER, DAY, LATER},
    "all": {LAST_SEASON, EARLIER, DAY, LATER},
}


def _write(runner: Runner, day: dt.date, value: int) -> None:
    runner.wh.write_partition(
        INPUT, Partition("game_date", day), pa.table({"game_date": [day], "v": [value]})
    )


def _reader(window: Window) -> Processor:
    return Processor(
        name=f"reads_{window}",
        phase=3,
        output=f"reads_{window}",
        partition="date",
        key=(),
        description="",
        inputs=(Input(INPUT, window),),
        build=lambda ctx: pa.table({"game_date": [ctx.date]}),
    )


def _hash(runner: Runner, proc: Processor) -> str:
    return runner.input_hashes(proc, [proc.partition_for(DAY)], exts=[None], params=[{}])[0][0]


@pytest.mark.parametrize("window", list(INSIDE))
def test_only_partitions_inside_the_window_change_the_hash(built: Runner, window: Window) -> None:
    assert built.calendar.season_of(LAST_SEASON) != built.calendar.season_of(DAY)
    for i, day in enumerate(sorted(INSIDE["all"])):
        _write(built, day, i)
    proc = _reader(window)
    for day in sorted(INSIDE["all"]):
        before = _hash(built, proc)
        _write(built, day, 100 + day.day)  # new content for one input partition
        changed = _hash(built, proc) != before
        assert changed == (day in INSIDE[window]), (window, day)


@pytest.mark.parametrize("window", list(INSIDE))
def test_the_range_given_to_the_processor_reads_the_same_partitions(built: Runner, window: Window) -> None:
    for i, day in enumerate(sorted(INSIDE["all"])):
        _write(built, day, i)
    ctx = built._context(Partition("game_date", DAY))
    assert ctx.input_range is not None
    where, params = ctx.input_range(Input(INPUT, window)).condition("partition")
    keys = built.wh.rows(
        f"SELECT partition FROM ops_partitions WHERE table_name = $t AND {where}", {"t": INPUT, **params}
    )
    assert {dt.date.fromisoformat(k) for (k,) in keys} == INSIDE[window]

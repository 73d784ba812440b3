"""The window rule, stated once: which partition keys of an input a run reads.

`input_range` turns an `Input`'s window into a `KeyRange` of the input table's partition
keys, relative to the partition being built.  The runner sums the partition catalog over
that range for the input hash (`Warehouse.catalog_sums`) and hands the same range to the
processor (`Context.input_range`), so what is hashed and what may be read cannot drift.

* ``all``: every partition;
* an input partitioned by season: the season of the partition being built;
* ``season`` (or a season partition reading dates): the season's first to last date;
* ``partition``: the same key; ``before``: every earlier key; ``through``: up to and with it.
"""

from __future__ import annotations

from nbaprops.core.calendar import Calendar
from nbaprops.core.errors import NbapropsError
from nbaprops.pipeline.contract import Window
from nbaprops.storage.warehouse import KeyRange, Partition

__all__ = ["input_range"]


def _season(part: Partition, calendar: Calendar) -> str:
    if isinstance(part.value, str):
        return part.value
    return calendar.season_of(part.value)


def input_range(window: Window, part: Partition, *, input_column: str, calendar: Calendar) -> KeyRange:
    """The keys of an input (partitioned by `input_column`) a run on `part` reads.

    Args:
        window: the input's declared window.
        part: the partition being built.
        input_column: the input table's partition column (``game_date`` or ``season``).
        calendar: the schedule (season bounds).
    """
    if window == "all":
        return KeyRange()
    if input_column == "season":
        return KeyRange.only(_season(part, calendar))
    if part.column == "season" or window == "season":
        try:
            first, last = calendar.season_bounds(_season(part, calendar))
        except NbapropsError:
            return KeyRange.nothing()
        return KeyRange(first.isoformat(), last.isoformat())
    if window == "partition":
        return KeyRange.only(part.key)
    return KeyRange(high=part.key, include_high=window == "through")

"""One error tree for nbaprops.

    NbapropsError                      root: everything we raise on purpose
    ├── ConfigError (Terminal)         bad settings, missing data folder or file
    ├── InputError (Terminal)          bad user input: date, season, processor name
    ├── DataError (Terminal)           a payload or table that does not fit its schema
    │   ├── SchemaDriftError           upstream renamed or dropped a field
    │   ├── ContractError              a row breaks its raw table's contract (range, null, key)
    │   └── AuditError                 a write's audit found bad rows (rolled back)
    ├── WarehouseError                 the engine refused a read or a write
    ├── SourceError                    an upstream API failed
    │   ├── TransientSourceError (Transient)   timeouts, 429, 5xx: worth a retry
    │   └── TerminalSourceError (Terminal)     other 4xx, unusable body
    ├── GateBlockedError (Terminal)    inputs below the coverage gate
    └── ModelError (Terminal)          a model that cannot be used (wrong feature set)

`TransientError` and `TerminalError` are marker mixins: `ops/` retries the
first and stops on the second.  Errors carry optional `processor`, `partition`
and `run_id` so a trace names where it happened.
"""

from __future__ import annotations

__all__ = [
    "AuditError",
    "ConfigError",
    "ContractError",
    "DataError",
    "GateBlockedError",
    "InputError",
    "ModelError",
    "NbapropsError",
    "SchemaDriftError",
    "SourceError",
    "TerminalError",
    "TerminalSourceError",
    "TransientError",
    "TransientSourceError",
    "WarehouseError",
]


class NbapropsError(Exception):
    """Root of every error nbaprops raises on purpose.

    Args:
        message: one line, naming what failed and where.
        processor: the processor involved, if any.
        partition: the partition involved, if any.
        run_id: the ledger run involved, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        processor: str | None = None,
        partition: str | None = None,
        run_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.processor = processor
        self.partition = partition
        self.run_id = run_id

    def __str__(self) -> str:
        where = [
            f"{k}={v}"
            for k, v in (
                ("processor", self.processor),
                ("partition", self.partition),
                ("run", self.run_id),
            )
            if v
        ]
        return f"{self.message} ({', '.join(where)})" if where else self.message


class TransientError:
    """Marker: the same call may succeed later (retry it)."""


class TerminalError:
    """Marker: retrying will not help (stop and report)."""


class ConfigError(NbapropsError, TerminalError):
    """Settings are wrong or a required folder/file is missing."""


class InputError(NbapropsError, TerminalError):
    """The user gave a bad date, season, processor name or option."""


class DataError(NbapropsError, TerminalError):
    """A payload or table does not fit the schema we expect."""


class SchemaDriftError(DataError):
    """An upstream field was renamed, dropped or changed type.

    Args:
        source: the payload kind (e.g. ``bdl_box_scores``).
        field: the dotted path of the field that drifted.
    """

    def __init__(self, message: str, *, source: str, field: str, **kw: str | None) -> None:
        super().__init__(f"{source}: {message} (field {field!r})", **kw)
        self.source = source
        self.field = field


class AuditError(DataError):
    """An audit (``pipeline/<phase>/audits/<table>.sql``) returned bad rows for the partitions
    being written: the write was rolled back and the partitions keep their previous content."""


class WarehouseError(NbapropsError):
    """The warehouse engine refused a read or a write."""


class SourceError(NbapropsError):
    """An upstream API call failed."""


class TransientSourceError(SourceError, TransientError):
    """Timeout, 429 or 5xx: worth retrying with backoff."""


class TerminalSourceError(SourceError, TerminalError):
    """A 4xx other than 429, or a body that can never parse."""


class GateBlockedError(NbapropsError, TerminalError):
    """A processor's inputs cover less of the partition than the gate allows."""


class ModelError(NbapropsError, TerminalError):
    """A stored model cannot be used here (e.g. another feature set)."""


class ContractError(DataError):
    """Rows break their raw table's declared contract: a null, range, allowed value, row rule or key.

    Args:
        table: the raw table (or payload family) whose contract was broken.
        column: the column (or key columns) at fault.
    """

    def __init__(self, message: str, *, table: str, column: str, **kw: str | None) -> None:
        super().__init__(message, **kw)
        self.table = table
        self.column = column

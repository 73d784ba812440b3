"""Settings: the only place that reads the environment.

Values come, highest priority first, from keyword arguments, ``NBAPROPS_*``
environment variables (nested sections with ``__``, e.g.
``NBAPROPS_ALERTS__SLACK_WEBHOOK``), an optional ``nbaprops.toml`` in the
working directory (or the file named by ``NBAPROPS_CONFIG``), then defaults.

Every field is constrained: a negative, zero or absurd value, a malformed JSON
env value, an unreadable TOML file or a home folder that is a file is refused
when `Settings` is built, as one `ConfigError` line naming the setting, where
it came from and the value (never a traceback).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings.exceptions import SettingsError

from nbaprops.core.errors import ConfigError

__all__ = [
    "AlertSettings",
    "BigQuerySettings",
    "HttpSettings",
    "LimitOverride",
    "RequestLimits",
    "Settings",
    "SourceKeys",
    "StakingSettings",
    "get_settings",
]

DEFAULT_HOME = Path("nbaprops-data")
SHARED_DATA_DIR = Path("../shared/data/nba")
CONFIG_FILE = "nbaprops.toml"
MiB = 1024 * 1024
DEFAULT_DEADLINE = 60.0
"""Seconds one HTTP attempt may take end to end (a season schedule on a slow link fits)."""
DEFAULT_FETCH_DEADLINE = 180.0
"""Seconds a fetch may take with its retries and backoffs (three full attempts)."""
DEFAULT_MAX_BODY = 64 * MiB
"""Bytes a decoded response may have: 7x the largest recorded payload (a 9.2 MB season schedule)."""
EARLIEST_GAME_DATE = dt.date(1946, 11, 1)
"""The first BAA/NBA game: no date before it can hold data."""
LATEST_AHEAD = dt.timedelta(days=366)
"""How far past today a date may lie (next season's schedule is published months ahead)."""
PROBE_MAX_BODY = 1 * MiB
"""Bytes an alert webhook's or a /health probe's answer may have (only a line of it is ever used)."""

Seconds = Annotated[float, Field(gt=0, le=86_400)]
"""A strictly positive duration of at most a day."""
Bytes = Annotated[int, Field(ge=1, le=16 * 1024 * MiB)]
"""A positive size of at most 16 GiB."""


class RequestLimits(BaseModel):
    """What one HTTP call may cost: wall-clock seconds and decoded body bytes."""

    model_config = ConfigDict(frozen=True)

    deadline: Seconds
    """Seconds from the first connect to the last body byte, whatever the server does."""
    max_body_bytes: Bytes
    """Decoded bytes a body may have; past it the transfer is aborted and nothing is kept."""


class LimitOverride(BaseModel):
    """Limits for one payload kind (``nbac_play_by_play``) or body kind (``pdf``); unset = the default."""

    deadline: Seconds | None = None
    """Seconds for one attempt at this kind (default: ``http.deadline``)."""
    max_body_bytes: Bytes | None = None
    """Body cap for this kind (default: ``http.max_body_bytes``)."""


class HttpSettings(BaseModel):
    """HTTP client knobs shared by every source."""

    connect_timeout: Seconds = 10.0
    """Seconds to wait for a TCP/TLS connection."""
    read_timeout: Seconds = 45.0
    """Seconds to wait for one read of the response (the deadline bounds the whole response)."""
    deadline: Seconds = DEFAULT_DEADLINE
    """Wall-clock seconds one attempt may take: connect, headers and the whole body together.
    Each retry gets its own deadline, within the fetch's ``fetch_deadline``."""
    fetch_deadline: Seconds = DEFAULT_FETCH_DEADLINE
    """Wall-clock seconds for a whole fetch, every attempt and backoff together: no attempt starts
    after it and the last gets only what is left (never less than one attempt's ``deadline``)."""
    max_body_bytes: Bytes = DEFAULT_MAX_BODY
    """Decoded bytes a response body may have (streamed; aborted past it, nothing stored)."""
    limits: dict[str, LimitOverride] = Field(default_factory=dict)
    """Per-kind overrides of ``deadline``/``max_body_bytes``, by payload kind (``nbac_play_by_play``)
    or body kind (``json``, ``pdf``, ``html``, ``csv``); the payload kind wins.
    Env: ``NBAPROPS_HTTP__LIMITS='{"pdf": {"max_body_bytes": 20000000}}'``."""
    max_attempts: Annotated[int, Field(ge=1, le=20)] = 4
    """Attempts per request, counting the first one (1..20)."""
    backoff_base: Annotated[float, Field(ge=0, le=600)] = 0.5
    """First backoff in seconds; doubles per attempt, with jitter."""
    backoff_max: Annotated[float, Field(ge=0, le=3600)] = 30.0
    """Cap for one backoff (also caps an honoured Retry-After)."""
    rate_per_host: Annotated[float, Field(ge=0, le=10_000)] = 5.0
    """Requests per second allowed per host (0 disables the limit)."""
    breaker_failures: Annotated[int, Field(ge=1, le=1000)] = 5
    """Consecutive failures that open a source's circuit breaker."""
    breaker_cooldown: Annotated[float, Field(ge=0, le=86_400)] = 60.0
    """Seconds before an open breaker lets one trial request through."""
    base_urls: dict[str, str] = Field(default_factory=dict)
    """Per-source base URL overrides, by profile name (mirrors, a local test server);
    each an ``http://`` or ``https://`` URL.  Env: ``NBAPROPS_HTTP__BASE_URLS='{"nbac": "http://..."}'``."""

    @field_validator("base_urls")
    @classmethod
    def _urls(cls, v: dict[str, str]) -> dict[str, str]:
        for name, url in v.items():
            if not re.match(r"^https?://[^/\s]+", url):
                raise ValueError(f"base URL for {name!r} must start with http:// or https://, got {url!r}")
        return v

    @field_validator("limits")
    @classmethod
    def _kinds(cls, v: dict[str, LimitOverride]) -> dict[str, LimitOverride]:
        return {k.lower(): o for k, o in v.items()}

    def limits_for(self, *kinds: str | None) -> RequestLimits:
        """The limits of the first of `kinds` with an override (payload kind, then body kind), else the defaults."""
        deadline, cap = self.deadline, self.max_body_bytes
        for kind in reversed([k.lower() for k in kinds if k]):
            o = self.limits.get(kind)
            if o is not None:
                deadline = o.deadline or deadline
                cap = o.max_body_bytes or cap
        return RequestLimits(deadline=deadline, max_body_bytes=cap)


class SourceKeys(BaseModel):
    """API keys. Secrets: never printed, never part of a stored payload name."""

    odds_api: SecretStr | None = None
    """The Odds API key (``NBAPROPS_KEYS__ODDS_API``)."""
    balldontlie: SecretStr | None = None
    """balldontlie key (``NBAPROPS_KEYS__BALLDONTLIE``)."""


class AlertSettings(BaseModel):
    """Where alerts go. The console channel is always on."""

    slack_webhook: SecretStr | None = None
    """Slack incoming-webhook URL (secret)."""
    webhook: SecretStr | None = None
    """Generic JSON webhook URL (secret)."""
    dedupe_minutes: Annotated[float, Field(ge=0, le=525_600)] = 60.0
    """An alert for the same (kind, partition) is sent at most once per window (0 disables; at most a year)."""


class BigQuerySettings(BaseModel):
    """The BigQuery client (used when the warehouse URL is ``bigquery://project/dataset``)."""

    api_endpoint: str | None = None
    """REST endpoint override, e.g. ``http://127.0.0.1:9050`` for a local emulator
    (``NBAPROPS_BIGQUERY__API_ENDPOINT``); anonymous credentials are used with it."""
    location: str = "US"
    """Dataset and job location (``NBAPROPS_BIGQUERY__LOCATION``)."""


class StakingSettings(BaseModel):
    """Stake sizing and the bankroll simulation of ``evaluate`` (``NBAPROPS_STAKING__*``)."""

    bankroll: Annotated[float, Field(gt=0, le=1e9)] = 100.0
    """Starting bankroll of the simulation, in units."""
    kelly_fraction: Annotated[float, Field(gt=0, le=1)] = 0.25
    """Share of the full-Kelly stake bet, in (0, 1] (a quarter by default: Kelly on an estimated
    probability overbets)."""
    max_bet: Annotated[float, Field(gt=0, le=1)] = 0.02
    """Largest stake of one bet as a share of the bankroll, in (0, 1]."""
    max_day: Annotated[float, Field(gt=0, le=1)] = 0.10
    """Largest total stake of one day as a share of the bankroll, in (0, 1]; at least ``max_bet``."""
    flat_stake: Annotated[float, Field(gt=0, le=1e9)] = 1.0
    """Units a bet under flat staking (the comparison)."""

    @model_validator(mode="after")
    def _caps(self) -> StakingSettings:
        if self.max_day < self.max_bet:
            raise ValueError(f"max_day ({self.max_day}) is below max_bet ({self.max_bet})")
        return self


class Settings(BaseSettings):
    """All nbaprops settings, typed, defaulted and range-checked.

    Raises:
        ConfigError: any bad value (one line naming the setting, its source and the value).
    """

    model_config = SettingsConfigDict(
        env_prefix="NBAPROPS_",
        env_nested_delimiter="__",
        extra="ignore",
        toml_file=CONFIG_FILE,
    )

    home: Path = DEFAULT_HOME
    """Folder for the embedded warehouse and raw store (``NBAPROPS_HOME``); must not be a file."""
    data_dir: Path | None = None
    """Public NBA data folder (``NBAPROPS_DATA_DIR``); defaults to ``../shared/data/nba`` if it exists."""
    warehouse: str | None = None
    """Warehouse URL: a DuckDB file path, or ``bigquery://project/dataset``. Default: ``<home>/warehouse.duckdb``."""
    raw: str | None = None
    """Raw store URL: a folder or ``gs://bucket/prefix``. Default: ``<home>/raw``."""
    today: dt.date | None = None
    """The date treated as today (US/Eastern), 1946-11-01 to a year ahead. Default: the real date.
    Dates after it are future."""
    now: dt.datetime | None = None
    """The moment treated as now (``NBAPROPS_NOW``, ISO 8601 with a zone, e.g.
    ``2025-10-23T02:30:00Z``): `daily` picks its pass and ``today`` its US/Eastern date from it
    (unless `today` is set). Default: the clock. For replays and tests."""
    run_timeout_minutes: Annotated[float, Field(gt=0, le=10_080)] = 60.0
    """A ledger row still ``running`` after this long is reaped as failed (minutes, at most a week)."""
    coverage_gate: Annotated[float, Field(gt=0, le=1)] = 0.9
    """Share of expected input, in (0, 1], a partition needs before downstream processors may run."""
    bootstrap_days: Annotated[int, Field(ge=0, le=120)] = 14
    """Days from a season's first game during which history is too thin to judge (0..120)."""
    edge: Annotated[float, Field(ge=0, le=30)] = 2.0
    """Minimum |prediction - line| (points, 0..30) before a bet is recommended."""
    duckdb_threads: Annotated[int | None, Field(ge=1, le=1024)] = None
    """Threads DuckDB may use (default: all cores)."""
    http: HttpSettings = Field(default_factory=HttpSettings)
    """HTTP client: timeouts, deadlines, body caps, retries (``NBAPROPS_HTTP__*``)."""
    keys: SourceKeys = Field(default_factory=SourceKeys)
    """API keys (``NBAPROPS_KEYS__*``)."""
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    """Alert channels (``NBAPROPS_ALERTS__*``)."""
    bigquery: BigQuerySettings = Field(default_factory=BigQuerySettings)
    """The BigQuery client (``NBAPROPS_BIGQUERY__*``)."""
    staking: StakingSettings = Field(default_factory=StakingSettings)
    """Stake sizing: Kelly fraction, per-bet and per-day caps, the simulated bankroll (``NBAPROPS_STAKING__*``)."""

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise ConfigError(_validation_line(exc, values)) from None
        except SettingsError as exc:
            raise ConfigError(_env_line(exc)) from None
        except tomllib.TOMLDecodeError as exc:
            path = os.environ.get("NBAPROPS_CONFIG", CONFIG_FILE)
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
        except OSError as exc:
            path = os.environ.get("NBAPROPS_CONFIG", CONFIG_FILE)
            raise ConfigError(f"config file {path} cannot be read: {exc.strerror or exc}") from None

    @field_validator("home")
    @classmethod
    def _home(cls, v: Path) -> Path:
        _check_path(v, folder=True)
        return v

    @field_validator("today")
    @classmethod
    def _today(cls, v: dt.date | None) -> dt.date | None:
        latest = dt.date.today() + LATEST_AHEAD
        if v is not None and not EARLIEST_GAME_DATE <= v <= latest:
            raise ValueError(f"must lie between {EARLIEST_GAME_DATE} (the first NBA game) and {latest}")
        return v

    @field_validator("now")
    @classmethod
    def _now(cls, v: dt.datetime | None) -> dt.datetime | None:
        if v is not None and v.utcoffset() is None:
            raise ValueError("must carry a time zone (e.g. 2025-10-23T02:30:00Z)")
        return v

    @field_validator("warehouse", "raw")
    @classmethod
    def _local_url(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is not None and "://" not in v and v != ":memory:":
            _check_path(Path(v), folder=info.field_name == "raw")
        return v

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = os.environ.get("NBAPROPS_CONFIG", CONFIG_FILE)
        if "NBAPROPS_CONFIG" in os.environ and not Path(toml_path).is_file():
            raise ConfigError(f"config file {toml_path} (NBAPROPS_CONFIG) does not exist or is not a file")
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_path),
        )

    # --- derived values -------------------------------------------------
    @property
    def warehouse_url(self) -> str:
        """The warehouse URL with the default filled in."""
        return self.warehouse or str(self.home / "warehouse.duckdb")

    @property
    def raw_url(self) -> str:
        """The raw store URL with the default filled in."""
        return self.raw or str(self.home / "raw")

    @property
    def resolved_data_dir(self) -> Path | None:
        """The public data folder, or None when none is set and the default is absent."""
        if self.data_dir is not None:
            return self.data_dir
        return SHARED_DATA_DIR if SHARED_DATA_DIR.is_dir() else None

    def now_utc(self) -> dt.datetime:
        """The moment treated as now (the `now` override, or the clock), in UTC."""
        return (self.now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)

    def today_et(self) -> dt.date:
        """Today's US/Eastern date (the `today` override, or the Eastern date of `now_utc`)."""
        if self.today is not None:
            return self.today
        from nbaprops.core.calendar import eastern_date

        return eastern_date(self.now_utc())


def _check_path(path: Path, *, folder: bool) -> None:
    """A path nbaprops may create: the path itself (if it exists) and its nearest existing parent fit.

    Raises:
        ValueError: the path is a file where a folder is needed (or the reverse), or a parent is a file.
    """
    if path.exists():
        if folder and not path.is_dir():
            raise ValueError(f"{str(path)!r} is a file, not a folder")
        if not folder and path.is_dir():
            raise ValueError(f"{str(path)!r} is a folder, not a file")
        return
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(f"{str(path)!r} cannot be created: {str(parent)!r} is a file")
            return


def _env_name(loc: tuple[int | str, ...]) -> str:
    return "NBAPROPS_" + "__".join(str(p).upper() for p in loc)


def _validation_line(exc: ValidationError, init: dict[str, Any]) -> str:
    """The first validation error as one line: setting, where it came from, value, rule."""
    first = exc.errors()[0]
    loc = tuple(first["loc"])
    where = ".".join(str(p) for p in loc) or "?"
    top = str(loc[0]) if loc else ""
    env = _env_name(loc)
    named = [k for k in os.environ if env == k or env.startswith(k + "__")]
    if top in init:
        origin = "option"
    elif named:
        origin = max(named, key=len)
    else:
        origin = os.environ.get("NBAPROPS_CONFIG", CONFIG_FILE)
    value = first.get("input")
    shown = f" = {value!r}" if not isinstance(value, dict | list) and value is not None else ""
    msg = str(first["msg"]).removeprefix("Value error, ")
    return f"bad setting {where} ({origin}){shown}: {msg}"


def _env_line(exc: SettingsError) -> str:
    """A JSON env value that does not parse, named by its variable."""
    m = re.search(r'field "(\w+)"', str(exc))
    field = m.group(1) if m else "?"
    bad: list[tuple[str, str, str]] = []
    for name, value in sorted(os.environ.items()):
        if name == f"NBAPROPS_{field.upper()}" or name.startswith(f"NBAPROPS_{field.upper()}__"):
            try:
                json.loads(value)
            except ValueError as parse_error:
                bad.append((name, value, str(parse_error)))
    bad.sort(key=lambda b: b[1].lstrip()[:1] not in ("{", "["))  # JSON-looking values first
    if bad:
        name, value, why = bad[0]
        return f"bad setting {field} ({name}={value!r}): not valid JSON ({why})"
    return f"bad setting {field}: {exc}"


@cache
def _cached(**overrides: Any) -> Settings:
    return Settings(**overrides)


def get_settings(**overrides: Any) -> Settings:
    """Settings from the environment (cached per distinct overrides)."""
    return _cached(**{k: v for k, v in overrides.items() if v is not None})

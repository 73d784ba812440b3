"""Settings: the only place that reads the environment.

Values come, highest priority first, from keyword arguments, ``NBAPROPS_*``
environment variables (nested sections with ``__``, e.g.
``NBAPROPS_ALERTS__SLACK_WEBHOOK``), an optional ``nbaprops.toml`` in the
working directory (or the file named by ``NBAPROPS_CONFIG``), then defaults.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = ["AlertSettings", "BigQuerySettings", "HttpSettings", "Settings", "SourceKeys", "get_settings"]

DEFAULT_HOME = Path("nbaprops-data")
SHARED_DATA_DIR = Path("../shared/data/nba")
CONFIG_FILE = "nbaprops.toml"


class HttpSettings(BaseModel):
    """HTTP client knobs shared by every source."""

    connect_timeout: float = 10.0
    """Seconds to wait for a TCP/TLS connection."""
    read_timeout: float = 45.0
    """Seconds to wait for a response body."""
    max_attempts: int = 4
    """Attempts per request, counting the first one."""
    backoff_base: float = 0.5
    """First backoff in seconds; doubles per attempt, with jitter."""
    backoff_max: float = 30.0
    """Cap for one backoff (also caps an honoured Retry-After)."""
    rate_per_host: float = 5.0
    """Requests per second allowed per host (0 disables the limit)."""
    breaker_failures: int = 5
    """Consecutive failures that open a source's circuit breaker."""
    breaker_cooldown: float = 60.0
    """Seconds before an open breaker lets one trial request through."""
    base_urls: dict[str, str] = Field(default_factory=dict)
    """Per-source base URL overrides, by profile name (mirrors, a local test server)."""


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
    dedupe_minutes: float = 60.0
    """An alert for the same (kind, partition) is sent at most once per window."""


class BigQuerySettings(BaseModel):
    """The BigQuery client (used when the warehouse URL is ``bigquery://project/dataset``)."""

    api_endpoint: str | None = None
    """REST endpoint override, e.g. ``http://127.0.0.1:9050`` for a local emulator
    (``NBAPROPS_BIGQUERY__API_ENDPOINT``); anonymous credentials are used with it."""
    location: str = "US"
    """Dataset and job location (``NBAPROPS_BIGQUERY__LOCATION``)."""


class Settings(BaseSettings):
    """All nbaprops settings, typed and defaulted."""

    model_config = SettingsConfigDict(
        env_prefix="NBAPROPS_",
        env_nested_delimiter="__",
        extra="ignore",
        toml_file=CONFIG_FILE,
    )

    home: Path = DEFAULT_HOME
    """Folder for the embedded warehouse and raw store (``NBAPROPS_HOME``)."""
    data_dir: Path | None = None
    """Public NBA data folder (``NBAPROPS_DATA_DIR``); defaults to ``../shared/data/nba`` if it exists."""
    warehouse: str | None = None
    """Warehouse URL: a DuckDB file path, or ``bigquery://project/dataset``. Default: ``<home>/warehouse.duckdb``."""
    raw: str | None = None
    """Raw store URL: a folder or ``gs://bucket/prefix``. Default: ``<home>/raw``."""
    today: dt.date | None = None
    """The date treated as today (US/Eastern). Default: the real date. Dates after it are future."""
    run_timeout_minutes: float = 60.0
    """A ledger row still ``running`` after this long is reaped as failed."""
    coverage_gate: float = 0.9
    """Share of expected input a partition needs before downstream processors may run."""
    bootstrap_days: int = 14
    """Days from a season's first game during which history is too thin to judge."""
    edge: float = 2.0
    """Minimum |prediction - line| (points) before a bet is recommended."""
    duckdb_threads: int | None = None
    """Threads DuckDB may use (default: all cores)."""
    http: HttpSettings = Field(default_factory=HttpSettings)
    keys: SourceKeys = Field(default_factory=SourceKeys)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    bigquery: BigQuerySettings = Field(default_factory=BigQuerySettings)

    @field_validator("coverage_gate")
    @classmethod
    def _share(cls, v: float) -> float:
        if not 0.0 <= v <= 1.0:
            raise ValueError("coverage_gate must be between 0 and 1")
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

    def today_et(self) -> dt.date:
        """Today's US/Eastern date (or the configured override)."""
        if self.today is not None:
            return self.today
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo("America/New_York")).date()


@cache
def _cached(**overrides: Any) -> Settings:
    return Settings(**overrides)


def get_settings(**overrides: Any) -> Settings:
    """Settings from the environment (cached per distinct overrides)."""
    return _cached(**{k: v for k, v in overrides.items() if v is not None})

"""Settings: env vars, nested sections, the optional TOML file, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from nbaprops.core.config import Settings
from nbaprops.core.errors import ConfigError


def test_defaults_and_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBAPROPS_HOME", raising=False)
    s = Settings()
    assert s.warehouse_url == str(Path("nbaprops-data") / "warehouse.duckdb")
    assert s.resolved_data_dir is None  # no ../shared next to tmp_path
    monkeypatch.setenv("NBAPROPS_HOME", str(tmp_path / "h"))
    monkeypatch.setenv("NBAPROPS_HTTP__READ_TIMEOUT", "12.5")
    monkeypatch.setenv("NBAPROPS_ALERTS__SLACK_WEBHOOK", "https://hooks.example/secret")
    s = Settings()
    assert s.warehouse_url == str(tmp_path / "h" / "warehouse.duckdb")
    assert s.http.read_timeout == 12.5
    assert "secret" not in repr(s)
    assert s.alerts.slack_webhook is not None
    assert s.alerts.slack_webhook.get_secret_value().endswith("/secret")


def test_toml_file_and_priority(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBAPROPS_HOME", raising=False)
    (tmp_path / "nbaprops.toml").write_text('home = "from-toml"\nedge = 3.0\n[http]\nmax_attempts = 2\n')
    s = Settings()
    assert (str(s.home), s.edge, s.http.max_attempts) == ("from-toml", 3.0, 2)
    monkeypatch.setenv("NBAPROPS_EDGE", "1.5")
    assert Settings().edge == 1.5


def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBAPROPS_COVERAGE_GATE", "1.5")
    with pytest.raises(ConfigError, match="coverage_gate"):
        Settings()

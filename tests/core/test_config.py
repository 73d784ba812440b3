"""Settings: env vars, nested sections, the optional TOML file, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from nbaprops.core.config import RequestLimits, Settings
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


def test_http_limits_from_env_and_toml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nbaprops.toml").write_text(
        "[http]\ndeadline = 30\n[http.limits.pdf]\nmax_body_bytes = 5000000\n"
    )
    s = Settings()
    assert s.http.limits_for("nbac_gamebook_pdf", "pdf") == RequestLimits(
        deadline=30, max_body_bytes=5_000_000
    )
    monkeypatch.setenv("NBAPROPS_HTTP__LIMITS", '{"nbac_play_by_play": {"deadline": 300}}')
    s = Settings()
    assert s.http.limits_for("nbac_play_by_play", "json") == RequestLimits(
        deadline=300, max_body_bytes=s.http.max_body_bytes
    )
    assert set(s.http.limits) == {"pdf", "nbac_play_by_play"}  # env and file sections merge


@pytest.mark.parametrize(
    ("env", "value", "needle"),
    [
        ("NBAPROPS_EDGE", "-5", "bad setting edge (NBAPROPS_EDGE) = '-5'"),
        ("NBAPROPS_EDGE", "31", "bad setting edge (NBAPROPS_EDGE) = '31'"),
        ("NBAPROPS_RUN_TIMEOUT_MINUTES", "-1", "run_timeout_minutes"),
        ("NBAPROPS_HTTP__CONNECT_TIMEOUT", "-2", "http.connect_timeout (NBAPROPS_HTTP__CONNECT_TIMEOUT)"),
        ("NBAPROPS_HTTP__BASE_URLS", "{bad", "NBAPROPS_HTTP__BASE_URLS='{bad'"),
    ],
)
def test_bad_values_name_setting_source_and_value(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: str, value: str, needle: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError) as got:
        Settings()
    assert needle in str(got.value) and "\n" not in str(got.value)


def test_bad_option_is_named_as_an_option(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(ConfigError, match=r"bad setting home \(option\)"):
        Settings(home=tmp_path / "f")

"""Configuration: defaults, and one clear line for a missing or malformed setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from storage.sqlite.migrate import available

VARS = [
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "HOST",
    "PORT",
    "TICK_SECONDS",
    "LOG_LEVEL",
    "DATABASE_POOL_SIZE",
    "LOG_FORMAT",
    "METRICS_PORT",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = load_settings()
    assert settings.SLACK_API_URL == "https://slack.com/api/"
    assert settings.DATABASE_URL == "sqlite:///mle-coach.db"
    assert settings.PORT == 3000 and settings.TICK_SECONDS == 60
    assert settings.SLACK_BOT_TOKEN is None
    assert settings.LOG_FORMAT == "text" and settings.METRICS_PORT is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "abc"),
        ("PORT", "70000"),
        ("TICK_SECONDS", "0"),
        ("LOG_LEVEL", "LOUD"),
        ("SLACK_API_URL", "https://slack.com/api"),
        ("SLACK_API_URL", "ftp://x/"),
        ("DATABASE_URL", "mysql://x"),
        ("DATABASE_URL", "postgresql://user:pw@db.internal"),
        ("DATABASE_URL", "postgresql:///mle"),
        ("DATABASE_POOL_SIZE", "0"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token"),
        ("SLACK_APP_TOKEN", "xoxb-not-an-app-token"),
        ("LOG_FORMAT", "xml"),
        ("METRICS_PORT", "metrics"),
        ("METRICS_PORT", "0"),
    ],
)
def test_malformed_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as exc:
        load_settings()
    message = str(exc.value)
    assert message.startswith(name) and "expected" in message and "\n" not in message
    if "TOKEN" in name:
        assert value not in message


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=4100\nLOG_LEVEL=debug\n")
    settings = load_settings()
    assert settings.PORT == 4100 and settings.LOG_LEVEL.value == "DEBUG"


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in VARS} | env
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=full,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_stops_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    result = _cli(["serve"], {"PORT": "not-a-port"}, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "PORT" in lines[0] and "Traceback" not in result.stderr


def test_serve_without_credentials_names_the_missing_one(tmp_path: Path) -> None:
    result = _cli(["serve"], {"SLACK_BOT_TOKEN": "xoxb-1"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "mle-coach: SLACK_SIGNING_SECRET is required for HTTP mode: expected the app's signing "
        "secret (Basic Information > App Credentials)"
    ]


def test_migrate_command(tmp_path: Path) -> None:
    result = _cli(["migrate"], {"DATABASE_URL": f"sqlite:///{tmp_path}/m.db"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"schema version {len(available())}" in result.stdout
    again = _cli(["migrate"], {"DATABASE_URL": f"sqlite:///{tmp_path}/m.db"}, tmp_path)
    assert "nothing to do" in again.stdout

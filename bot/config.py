"""Settings from the environment (or a `.env` file), validated once at start-up."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.open import POSTGRES_SCHEMES, is_postgres, is_sqlite, sqlite_path


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"  # one JSON object per line: time, level, logger, message, exc


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


# What each variable expects, in the words used when a value is missing or malformed.
EXPECTED = {
    "SLACK_BOT_TOKEN": "a bot token starting with 'xoxb-'",
    "SLACK_SIGNING_SECRET": "the app's signing secret (Basic Information > App Credentials)",
    "SLACK_APP_TOKEN": "an app-level token starting with 'xapp-' (scope connections:write)",
    "SLACK_API_URL": "an http(s) URL ending with '/', e.g. https://slack.com/api/",
    "DATABASE_URL": "sqlite:///<path> (e.g. sqlite:///mle-coach.db) or "
    "postgresql://<user>:<password>@<host>/<database>",
    "DATABASE_POOL_SIZE": "a whole number of PostgreSQL connections from 1 to 100",
    "HOST": "a host name or IP address to listen on",
    "PORT": "a whole number from 1 to 65535",
    "TICK_SECONDS": "a whole number of seconds from 1 to 86400",
    "LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "LOG_FORMAT": "text or json",
    "METRICS_PORT": "a whole number from 1 to 65535 (unset: no metrics port in Socket Mode)",
    "QUESTION_BANK": "the path of a question bank YAML file",
    "MLFLOW_TRACKING_URI": "an http(s):// MLflow tracking server URL (unset: no registry sync)",
    "MLFLOW_DEPLOYED_ALIASES": "comma-separated model aliases that mean deployed",
    "MLFLOW_SYNC_MINUTES": "a whole number of minutes from 1 to 1440",
}


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=True,
        hide_input_in_errors=True,
    )

    SLACK_BOT_TOKEN: SecretStr | None = None
    SLACK_SIGNING_SECRET: SecretStr | None = None
    SLACK_APP_TOKEN: SecretStr | None = None
    SLACK_API_URL: str = "https://slack.com/api/"
    DATABASE_URL: str = "sqlite:///mle-coach.db"
    DATABASE_POOL_SIZE: int = Field(default=10, ge=1, le=100)
    HOST: str = "0.0.0.0"  # noqa: S104 - a server listens on all interfaces by default
    PORT: int = Field(default=3000, ge=1, le=65535)
    TICK_SECONDS: int = Field(default=60, ge=1, le=86400)
    LOG_LEVEL: LogLevel = LogLevel.INFO
    LOG_FORMAT: LogFormat = LogFormat.TEXT
    # Socket Mode has no HTTP server: GET /metrics is served on this port when it is set
    METRICS_PORT: int | None = Field(default=None, ge=1, le=65535)
    QUESTION_BANK: str | None = None
    # The MLflow Model Registry (MLflow's own variable names); unset URI: the sync is off.
    MLFLOW_TRACKING_URI: str | None = None
    MLFLOW_TRACKING_TOKEN: SecretStr | None = None
    MLFLOW_TRACKING_USERNAME: str | None = None
    MLFLOW_TRACKING_PASSWORD: SecretStr | None = None
    MLFLOW_DEPLOYED_ALIASES: str = "champion,production"
    MLFLOW_SYNC_MINUTES: int = Field(default=10, ge=1, le=1440)

    @field_validator("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("SLACK_BOT_TOKEN")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must start with xoxb-")
        return value

    @field_validator("SLACK_APP_TOKEN")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must start with xapp-")
        return value

    @field_validator("SLACK_API_URL")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or not value.endswith("/"):
            raise ValueError("must be an http(s) URL ending with /")
        return value

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if value.startswith(POSTGRES_SCHEMES):
            parts = urlsplit(value)
            if not parts.hostname and "host=" not in parts.query:
                raise ValueError("must name a PostgreSQL host")
            if not parts.path.strip("/"):
                raise ValueError("must name a PostgreSQL database")
            return value
        if not is_sqlite(value):
            raise ValueError("must be sqlite:///<path> or postgresql://…")
        return value

    @field_validator("MLFLOW_TRACKING_URI", mode="before")
    @classmethod
    def _tracking_uri(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str) and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s):// tracking server")
        return value.rstrip("/") if isinstance(value, str) else value

    @property
    def deployed_aliases(self) -> tuple[str, ...]:
        return tuple(a.strip().lower() for a in self.MLFLOW_DEPLOYED_ALIASES.split(",") if a)

    @field_validator("LOG_LEVEL", mode="before")
    @classmethod
    def _level_upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("LOG_FORMAT", mode="before")
    @classmethod
    def _format_lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("METRICS_PORT", mode="before")
    @classmethod
    def _blank_port_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def sqlite_path(self) -> str:
        return sqlite_path(self.DATABASE_URL)

    @property
    def postgres(self) -> bool:
        return is_postgres(self.DATABASE_URL)

    def require(self, *names: str, mode: str) -> None:
        """Stop with one line when a mode needs a setting that is not set."""
        for name in names:
            if getattr(self, name) is None:
                raise ConfigError(f"{name} is required for {mode}: expected {EXPECTED[name]}")


def load_settings(**overrides: Any) -> Settings:
    """Read settings; a bad value becomes a one-line ConfigError naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else "configuration"
        expected = EXPECTED.get(name, error["msg"])
        raise ConfigError(f"{name} is invalid: expected {expected}") from None

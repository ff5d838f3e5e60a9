"""Settings read from the environment and `.env`, validated once at start-up.

Every variable of the operator interface lives here; a wrong value stops start-up
with one line that names the variable and what is expected (see `ConfigError`).
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.clock.zones import check_timezone, parse_clock_time
from services.storage.connect import sqlite_url
from services.summary.algorithms import ALGORITHMS, DEFAULT_ALGORITHM

_TOKEN_RE = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{1,100}")
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line meant for the operator."""


class Settings(BaseSettings):
    """The operator interface of DESIGN.md: one field per environment variable."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    database_path: Path = Path("data/newsdigest.db")
    # sqlite:///path or postgresql://…; unset: the SQLite file at DATABASE_PATH. Checked
    # when the store opens, so that no message ever echoes the password.
    database_url: SecretStr | None = None
    sources_file: Path = Path("config/sources.toml")
    topics_file: Path = Path("config/topics.toml")
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_timezone: str = "Asia/Almaty"
    default_digest_time: time = time(9, 0)
    ingest_interval_minutes: int = Field(default=30, ge=1, le=24 * 60)
    send_rate: float = Field(default=25, gt=0, le=1000)
    # How long a replica's claim on a delivery holds unless renewed: a replica killed
    # mid-pass leaves its claims to the others this long after its last renewal.
    delivery_lease_seconds: float = Field(default=20, ge=3, le=600)
    digest_catchup_hours: int = Field(default=6, ge=0, le=24)
    allow_private_networks: bool = False
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"  # noqa: S104 - a container listens on all interfaces
    webhook_port: int | None = Field(default=None, ge=1, le=65535)
    log_level: str = "INFO"
    summary_algorithm: str = DEFAULT_ALGORITHM

    @field_validator("bot_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                return None
            if not _TOKEN_RE.fullmatch(value.strip()):
                # The value itself is never echoed: a mistyped token is still a secret.
                raise ValueError(
                    "expected a token from @BotFather, like 110201543:AAHdqTcvCH1vGWJx…"
                )
            return value.strip()
        return value

    @field_validator("database_path", "sources_file", "topics_file", mode="before")
    @classmethod
    def _path_given(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            raise ValueError("expected a file path, e.g. data/newsdigest.db")
        return value

    @field_validator("webhook_url", "webhook_secret", "webhook_port", "database_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("telegram_api_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("expected an http(s) URL such as https://api.telegram.org")
        return value.strip().rstrip("/")

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            items = [item.strip() for item in value.split(",") if item.strip()]
            if not all(re.fullmatch(r"-?\d+", item) for item in items):
                raise ValueError("expected comma-separated numeric Telegram user ids, e.g. 123,456")
            return frozenset(int(item) for item in items)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("default_digest_time", mode="before")
    @classmethod
    def _clock(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_clock_time(value)
        return value

    @field_validator("summary_algorithm")
    @classmethod
    def _algorithm(cls, value: str) -> str:
        name = value.strip().lower()
        if name not in ALGORITHMS:
            raise ValueError(f"expected one of {', '.join(ALGORITHMS)}")
        return name

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")
        return level

    @property
    def store_url(self) -> str:
        """DATABASE_URL, or the SQLite file at DATABASE_PATH when it is unset."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return sqlite_url(self.database_path)

    @property
    def token(self) -> str:
        """The bot token; raises ConfigError when it is not configured."""
        if self.bot_token is None:
            raise ConfigError(missing_token_message())
        return self.bot_token.get_secret_value()


def missing_token_message() -> str:
    """The two lines shown when BOT_TOKEN is not set."""
    return (
        "BOT_TOKEN is not set: create a bot with @BotFather in Telegram, then put "
        "BOT_TOKEN=<token> in .env (see .env.example).\n"
        "To see Newsdigest work without a token or network, run: python -m bot demo"
    )


def load_settings(**overrides: Any) -> Settings:
    """Read settings, turning a validation failure into a one-line ConfigError."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "configuration"
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {reason}") from None

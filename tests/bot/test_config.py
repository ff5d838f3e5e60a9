"""Settings: every variable comes from the environment or .env; a wrong one stops start-up in one line."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Any

import pytest

from bot.config import (
    ConfigError,
    Settings,
    check_timezone,
    load_settings,
    missing_token_message,
    parse_clock_time,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / ".env.example"
_EXAMPLE_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$")
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = "webhook-Secret_0123456789"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No variable of the developer's shell, and a working directory with no .env yet."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# (variable, raw text, field, parsed value)
EVERY_VARIABLE: list[tuple[str, str, str, Any]] = [
    ("TELEGRAM_API_URL", "http://127.0.0.1:8081/", "telegram_api_url", "http://127.0.0.1:8081"),
    ("DATABASE_PATH", "/srv/nd/news.db", "database_path", Path("/srv/nd/news.db")),
    ("SOURCES_FILE", "conf/s.toml", "sources_file", Path("conf/s.toml")),
    ("TOPICS_FILE", "conf/t.toml", "topics_file", Path("conf/t.toml")),
    ("ADMIN_IDS", " 11, 22 ,-33", "admin_ids", frozenset({11, 22, -33})),
    ("DEFAULT_TIMEZONE", "Europe/Moscow", "default_timezone", "Europe/Moscow"),
    ("DEFAULT_DIGEST_TIME", "7:30", "default_digest_time", time(7, 30)),
    ("INGEST_INTERVAL_MINUTES", "15", "ingest_interval_minutes", 15),
    ("SEND_RATE", "12.5", "send_rate", 12.5),
    ("DELIVERY_LEASE_SECONDS", "5", "delivery_lease_seconds", 5.0),
    ("DIGEST_CATCHUP_HOURS", "0", "digest_catchup_hours", 0),
    ("ALLOW_PRIVATE_NETWORKS", "true", "allow_private_networks", True),
    ("WEBHOOK_URL", "https://bot.example.org/tg", "webhook_url", "https://bot.example.org/tg"),
    ("WEBHOOK_HOST", "127.0.0.1", "webhook_host", "127.0.0.1"),
    ("WEBHOOK_PORT", "8443", "webhook_port", 8443),
    ("LOG_LEVEL", "debug", "log_level", "DEBUG"),
    ("SUMMARY_ALGORITHM", " LexRank ", "summary_algorithm", "lexrank"),
]


def test_every_field_is_covered_by_these_tests() -> None:
    covered = {field for _, _, field, _ in EVERY_VARIABLE} | {
        "bot_token",
        "webhook_secret",
        "database_url",
    }
    assert covered == set(Settings.model_fields)


def test_database_url_picks_the_store_and_falls_back_to_the_sqlite_file_at_database_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_PATH", "/srv/nd/news.db")
    assert load_settings().store_url == "sqlite:////srv/nd/news.db"

    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:hunter2@db:5432/news")
    settings = load_settings()

    assert settings.store_url == "postgresql://bot:hunter2@db:5432/news"
    assert "hunter2" not in repr(settings)  # a secret, like the token

    monkeypatch.setenv("DATABASE_URL", " ")
    assert load_settings().store_url == "sqlite:////srv/nd/news.db"


def test_without_any_setting_the_defaults_of_the_operator_interface_apply() -> None:
    settings = load_settings()

    assert settings.bot_token is None
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.database_path == Path("data/newsdigest.db")
    assert settings.sources_file == Path("config/sources.toml")
    assert settings.topics_file == Path("config/topics.toml")
    assert settings.admin_ids == frozenset()
    assert settings.default_timezone == "Asia/Almaty"
    assert settings.default_digest_time == time(9, 0)
    assert settings.ingest_interval_minutes == 30
    assert settings.send_rate == 25
    assert settings.digest_catchup_hours == 6
    assert settings.allow_private_networks is False
    assert (settings.webhook_url, settings.webhook_secret, settings.webhook_port) == (
        None,
        None,
        None,
    )
    assert settings.log_level == "INFO"


@pytest.mark.parametrize(("variable", "raw", "field", "expected"), EVERY_VARIABLE)
def test_each_variable_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, variable: str, raw: str, field: str, expected: Any
) -> None:
    monkeypatch.setenv(variable, raw)

    assert getattr(load_settings(), field) == expected


@pytest.mark.parametrize(("variable", "raw", "field", "expected"), EVERY_VARIABLE)
def test_each_variable_is_read_from_dot_env(
    clean_environment: Path, variable: str, raw: str, field: str, expected: Any
) -> None:
    (clean_environment / ".env").write_text(f"# a comment\n{variable}={raw}\n", encoding="utf-8")

    assert getattr(load_settings(), field) == expected


def test_secrets_are_read_from_environment_and_dot_env(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_environment / ".env").write_text(f"BOT_TOKEN={TOKEN}\n", encoding="utf-8")
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)

    settings = load_settings()

    assert settings.token == TOKEN
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get_secret_value() == SECRET


def test_the_environment_wins_over_dot_env(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_environment / ".env").write_text("LOG_LEVEL=DEBUG\nSEND_RATE=3\n", encoding="utf-8")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")

    settings = load_settings()

    assert (settings.log_level, settings.send_rate) == ("WARNING", 3)


def test_variable_names_are_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("log_level", "error")
    assert load_settings().log_level == "ERROR"


@pytest.mark.parametrize("blank", ["BOT_TOKEN", "WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_PORT"])
def test_a_variable_left_blank_in_dot_env_counts_as_unset(
    clean_environment: Path, blank: str
) -> None:
    (clean_environment / ".env").write_text(f"{blank}=\n", encoding="utf-8")

    assert getattr(load_settings(), blank.lower()) is None


@pytest.mark.parametrize(
    ("variable", "raw", "expected"),
    [
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "IANA time zone"),
        ("DEFAULT_TIMEZONE", "../../etc/passwd", "IANA time zone"),
        ("DEFAULT_DIGEST_TIME", "25:00", "HH:MM"),
        ("DEFAULT_DIGEST_TIME", "09:60", "HH:MM"),
        ("DEFAULT_DIGEST_TIME", "morning", "HH:MM"),
        ("ADMIN_IDS", "123,abc", "numeric Telegram user ids"),
        ("ADMIN_IDS", "@editor", "numeric Telegram user ids"),
        ("TELEGRAM_API_URL", "api.telegram.org", "http(s) URL"),
        ("TELEGRAM_API_URL", "ftp://api.telegram.org", "http(s) URL"),
        ("WEBHOOK_URL", "bot.example.org/hook", "http(s) URL"),
        ("INGEST_INTERVAL_MINUTES", "0", "greater than or equal to 1"),
        ("INGEST_INTERVAL_MINUTES", "half an hour", "valid integer"),
        ("SEND_RATE", "0", "greater than 0"),
        ("SEND_RATE", "fast", "valid number"),
        ("DELIVERY_LEASE_SECONDS", "1", "greater than or equal to 3"),
        ("DIGEST_CATCHUP_HOURS", "25", "less than or equal to 24"),
        ("WEBHOOK_PORT", "70000", "less than or equal to 65535"),
        ("ALLOW_PRIVATE_NETWORKS", "maybe", "valid boolean"),
        ("LOG_LEVEL", "LOUD", "one of CRITICAL, ERROR, WARNING, INFO, DEBUG"),
        ("SUMMARY_ALGORITHM", "gpt", "one of news, lead, lexrank"),
        ("DATABASE_PATH", " ", "a file path"),
        ("TOPICS_FILE", " ", "a file path"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_variable_and_what_is_expected(
    monkeypatch: pytest.MonkeyPatch, variable: str, raw: str, expected: str
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv(variable, raw)

    with pytest.raises(ConfigError) as error:
        load_settings()

    message = str(error.value)
    assert message.startswith(f"{variable}: ")
    assert expected in message
    assert "\n" not in message
    assert TOKEN not in message
    assert error.value.__cause__ is None  # no pydantic traceback chained to it


@pytest.mark.parametrize("token", ["abc", "123456", "123:has spaces in it", "12:ab/cd"])
def test_a_malformed_token_is_refused_without_repeating_it(
    monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    monkeypatch.setenv("BOT_TOKEN", token)

    with pytest.raises(ConfigError) as error:
        load_settings()

    message = str(error.value)
    assert message.startswith("BOT_TOKEN: expected a token from @BotFather")
    assert token not in message.removeprefix("BOT_TOKEN: ")


def test_a_wrong_value_in_dot_env_is_reported_the_same_way(clean_environment: Path) -> None:
    (clean_environment / ".env").write_text(
        f"BOT_TOKEN={TOKEN}\nDEFAULT_DIGEST_TIME=25:00\n", encoding="utf-8"
    )

    with pytest.raises(ConfigError, match=r"^DEFAULT_DIGEST_TIME: expected HH:MM"):
        load_settings()


def test_the_token_and_webhook_secret_never_show_in_repr_str_or_dumps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)

    settings = load_settings()

    for shown in (
        repr(settings),
        str(settings),
        settings.model_dump_json(),
        str(settings.model_dump()),
    ):
        assert TOKEN not in shown
        assert TOKEN.partition(":")[2] not in shown
        assert SECRET not in shown


def test_asking_for_a_missing_token_says_how_to_get_one() -> None:
    settings = load_settings()

    with pytest.raises(ConfigError) as error:
        _ = settings.token

    assert str(error.value) == missing_token_message()
    assert "BOT_TOKEN" in str(error.value)
    assert "@BotFather" in str(error.value)
    assert len(str(error.value).splitlines()) <= 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9", time(9)),
        ("09:00", time(9)),
        ("9:30", time(9, 30)),
        ("21.15", time(21, 15)),
        (" 0:05 ", time(0, 5)),
    ],
)
def test_clock_times_are_read_in_the_forms_people_write_them(text: str, expected: time) -> None:
    assert parse_clock_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "12:5", "noon", "", "-1:00"])
def test_impossible_clock_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_clock_time(text)


def test_time_zones_are_checked_against_the_iana_database() -> None:
    assert check_timezone(" Asia/Almaty ") == "Asia/Almaty"
    for bad in ("Almaty", "/etc/localtime", "Asia/../Europe/Moscow", ""):
        with pytest.raises(ValueError, match="IANA"):
            check_timezone(bad)


def example_lines() -> list[tuple[str, str]]:
    """(variable, value) of every `NAME=value` line of .env.example, commented out or not."""
    found = []
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = _EXAMPLE_LINE.match(line)
        if match:
            found.append((match.group(1), match.group(2)))
    return found


def test_env_example_lists_every_variable_once() -> None:
    names = [name for name, _ in example_lines()]

    assert sorted(names) == sorted(field.upper() for field in Settings.model_fields)
    assert len(names) == len(set(names))


def test_env_example_copied_to_dot_env_starts_without_errors(clean_environment: Path) -> None:
    (clean_environment / ".env").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")

    settings = load_settings()

    assert settings.bot_token is None
    assert settings == load_settings(_env_file=None)  # every other line is the default


def test_every_example_value_in_env_example_is_valid(clean_environment: Path) -> None:
    uncommented = "\n".join(f"{name}={value}" for name, value in example_lines())
    (clean_environment / ".env").write_text(uncommented + "\n", encoding="utf-8")

    settings = load_settings()

    assert settings.webhook_url == "https://bot.example.org/telegram"
    assert settings.admin_ids == frozenset({123456789, 987654321})

"""`python -m bot` as an operator meets it: a missing token or a bad setting is a short answer, never a traceback.

Each test runs the real command in a fresh process, in an empty working
directory (so no .env of the project is read) and with none of the settings'
variables inherited from whoever runs the tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def run_bot(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    clean["PYTHONPATH"] = str(ROOT)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("args", [(), ("run",)], ids=["default-command", "run"])
def test_without_a_token_it_says_so_in_one_line_runs_the_offline_demo_and_says_how_to_get_one(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = run_bot(tmp_path, *args, DATABASE_PATH=str(tmp_path / "data" / "nd.db"))

    lines = result.stderr.strip().splitlines()
    assert result.returncode == 0, result.stderr
    assert "BOT_TOKEN" in lines[0]
    assert "demo" in lines[0]
    assert "@BotFather" in lines[-1]
    assert "The digest she received" in result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "data" / "nd.db").exists()  # the bot's own database is not touched
    assert (tmp_path / "data" / "demo" / "newsdigest-demo.db").is_file()


def test_a_blank_token_in_dot_env_is_the_same_missing_token(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=\n", encoding="utf-8")

    result = run_bot(tmp_path)

    assert result.returncode == 0, result.stderr
    assert "demo" in result.stderr.splitlines()[0]
    assert "@BotFather" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEFAULT_DIGEST_TIME", "25:00"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("ADMIN_IDS", "12,abc"),
        ("TELEGRAM_API_URL", "api.telegram.org"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it_and_the_token_stays_secret(
    tmp_path: Path, variable: str, value: str
) -> None:
    result = run_bot(tmp_path, BOT_TOKEN=TOKEN, **{variable: value})

    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "expected" in lines[0]
    assert TOKEN.partition(":")[2] not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_a_bad_setting_in_dot_env_is_reported_the_same_way(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"BOT_TOKEN={TOKEN}\nSEND_RATE=fast\n", encoding="utf-8")

    result = run_bot(tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Configuration error: SEND_RATE: Input should be a valid number, "
        "unable to parse string as a number"
    ]


def test_help_lists_the_run_command(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "--help")

    assert result.returncode == 0
    assert "run" in result.stdout
    assert result.stderr == ""

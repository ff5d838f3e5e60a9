"""bot/demo.py: the offline demo ingests, subscribes a user to two topics and delivers a digest."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.demo.runner import DEMO_ARTICLES, DEMO_USER, run_demo
from tests.conftest import MakeSettings

ROOT = Path(__file__).resolve().parents[2]


async def test_the_demo_user_receives_a_digest_of_the_two_topics_she_followed(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    settings = make_settings(topics_file=ROOT / "config" / "topics.toml", bot_token=None)
    lines: list[str] = []

    result = await run_demo(settings, tmp_path / "demo", progress=lines.append)

    assert result.articles_new == sum(DEMO_ARTICLES.values())
    assert result.followed == ["Казахстан–Россия", "Энергетика и уран"]
    digest = "\n".join(result.digest)
    assert "Казахстан–Россия" in digest
    assert "Энергетика и уран" in digest
    assert [who for who, _ in result.conversation][:2] == ["user", "bot"]
    assert result.database == tmp_path / "demo" / "newsdigest-demo.db"
    with sqlite3.connect(result.database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        status = conn.execute(
            "SELECT status, parts_sent, parts_total FROM deliveries WHERE chat_id = ?", (DEMO_USER,)
        ).fetchone()
    assert status[0] == "sent"
    assert status[1] == status[2] == len(result.digest)
    assert any("ingested" in line for line in lines)


async def test_a_second_run_starts_from_a_fresh_database(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    settings = make_settings(topics_file=ROOT / "config" / "topics.toml", bot_token=None)
    first = await run_demo(settings, tmp_path / "demo")
    second = await run_demo(settings, tmp_path / "demo")
    assert second.articles_new == first.articles_new == sum(DEMO_ARTICLES.values())
    assert second.digest

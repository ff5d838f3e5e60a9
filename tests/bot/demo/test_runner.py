"""bot/demo/runner.py: the offline demo ingests, subscribes a user to two topics and delivers a digest."""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

from bot.demo.runner import DEMO_ARTICLES, DEMO_USER, demo_catalogue, has_demo_topics, run_demo
from tests.conftest import MakeSettings

ROOT = Path(__file__).resolve().parents[3]
CONFIG_CATALOGUE = ROOT / "config" / "topics.toml"


async def test_the_demo_user_receives_a_digest_of_the_two_topics_she_followed(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    settings = make_settings(topics_file=CONFIG_CATALOGUE, bot_token=None)
    lines: list[str] = []

    result = await run_demo(settings, tmp_path / "demo", progress=lines.append)

    assert result.articles_new == sum(DEMO_ARTICLES.values())
    assert result.catalogue == CONFIG_CATALOGUE
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


async def test_without_a_topics_file_a_second_run_starts_afresh_on_the_shipped_catalogue(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    settings = make_settings(topics_file=tmp_path / "nowhere" / "topics.toml", bot_token=None)

    first = await run_demo(settings, tmp_path / "demo")
    second = await run_demo(settings, tmp_path / "demo")

    assert first.catalogue is second.catalogue is None
    assert second.articles_new == first.articles_new == sum(DEMO_ARTICLES.values())
    assert second.followed == ["Казахстан–Россия", "Энергетика и уран"]
    assert second.digest


def test_the_shipped_catalogue_is_config_topics_toml_as_it_stands() -> None:
    shipped = resources.files("bot.demo") / "topics.toml"

    assert shipped.read_text(encoding="utf-8") == CONFIG_CATALOGUE.read_text(encoding="utf-8"), (
        "copy config/topics.toml to bot/demo/topics.toml"
    )


def test_a_topics_file_without_the_demos_topics_gives_way_to_the_shipped_one(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    other = tmp_path / "other.toml"
    other.write_text('[[topics]]\nslug = "sport"\nquery = "футбол"\n', encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text("[[topics]\n", encoding="utf-8")

    for path in (other, broken, tmp_path / "missing.toml"):
        with demo_catalogue(make_settings(topics_file=path)) as chosen:
            assert chosen != path
            assert has_demo_topics(chosen)
    with demo_catalogue(make_settings(topics_file=CONFIG_CATALOGUE)) as chosen:
        assert chosen == CONFIG_CATALOGUE

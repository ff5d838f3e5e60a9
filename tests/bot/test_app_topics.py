"""The composition root loads the topic catalogue of TOPICS_FILE at start."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import open_services
from bot.config import ConfigError
from services.storage.models import NewArticle
from tests.conftest import MakeSettings

CATALOGUE_FILE = Path(__file__).resolve().parents[2] / "config" / "topics.toml"


async def test_the_catalogue_is_stored_and_its_groups_work_in_queries(
    make_settings: MakeSettings,
) -> None:
    async with open_services(make_settings(topics_file=CATALOGUE_FILE)) as services:
        stored = {topic.slug for topic in await services.topics.catalogue()}
        assert {"kazakhstan-russia", "kazakhstan-en", "baikonur-space"} <= stored
        assert str(services.topic_index.parse("@kazakhstan нефть")) == "@Kazakhstan нефть"


async def test_a_broken_catalogue_stops_start_up_with_one_line(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    broken = tmp_path / "topics.toml"
    broken.write_text('[[topics]]\nslug = "x"\nquery = "@Mars"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        async with open_services(make_settings(topics_file=broken)):
            pass
    assert str(caught.value).startswith("TOPICS_FILE: ")
    assert "\n" not in str(caught.value)


async def test_without_a_catalogue_file_the_stored_topics_stay(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    async with open_services(make_settings(topics_file=CATALOGUE_FILE)) as services:
        before = await services.topics.catalogue()
    async with open_services(make_settings(topics_file=tmp_path / "missing.toml")) as services:
        assert await services.topics.catalogue() == before


async def test_articles_stored_but_never_indexed_are_indexed_at_start(
    make_settings: MakeSettings,
) -> None:
    settings = make_settings(topics_file=CATALOGUE_FILE)
    async with open_services(settings) as services:
        stored = await services.articles.add(
            NewArticle(
                url="https://news.example/1",
                canonical_url="https://news.example/1",
                content_hash="1",
                language="ru",
                title="Токаев прибыл в Москву",
                text="Президент Казахстана начал визит в Россию.",
            )
        )
    async with open_services(settings) as services:
        hits = await services.topic_index.search(
            "Токаев", since=services.clock.now() - timedelta(hours=1)
        )
        assert [hit.article_id for hit in hits] == [stored]

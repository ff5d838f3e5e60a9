"""`sources`, `add-source`, `remove-source`: listing with health, adding by fetching first."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.config import Settings
from bot.demo.news_site import NewsSite
from services.clock.clocks import SystemClock
from services.storage import Database, SourceRepository

MakeSettings = Callable[..., Settings]


async def run(settings: Settings, *argv: str) -> int:
    args: argparse.Namespace = build_parser().parse_args(list(argv))
    return int(await args.handler(args, settings))


async def stored_sources(settings: Settings) -> list[tuple[str, str, str | None]]:
    db = await Database.open(settings.database_path)
    try:
        return [
            (s.url, s.name, s.language)
            for s in await SourceRepository(db, SystemClock()).list_all()
        ]
    finally:
        await db.close()


async def test_sources_lists_health_state_and_the_last_error(
    tmp_path: Path,
    make_settings: MakeSettings,
    news_site: NewsSite,
    capsys: pytest.CaptureFixture[str],
) -> None:
    file = tmp_path / "sources.toml"
    file.write_text(
        f'[[sources]]\nurl = "{news_site.url(NewsSite.FEED_EMPTY)}"\nname = "Пустая лента"\nlanguage = "ru"\n'
        f'[[sources]]\nurl = "{news_site.url(NewsSite.FAULT_500)}"\nname = "Сломанная"\n'
        f'[[sources]]\nurl = "{news_site.url(NewsSite.FEED_ALL)}"\nname = "Новая"\n',
        encoding="utf-8",
    )
    settings = make_settings(sources_file=file)
    await run(settings, "remove-source", news_site.url(NewsSite.FEED_ALL))  # re-added at start
    await run(settings, "ingest")  # fetches all three
    capsys.readouterr()

    assert await run(settings, "sources") == 0

    out = capsys.readouterr().out
    assert "HEALTHY  Пустая лента [ru]" in out
    assert "FAILING  Сломанная" in out
    assert "1 failures in a row; next try" in out
    assert "error: the server answered HTTP 500 (Internal Server Error)" in out
    assert "Total: 2 healthy, 1 failing" in out


async def test_adding_a_feed_uses_its_title_and_language(
    make_settings: MakeSettings, news_site: NewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings()
    url = news_site.url(NewsSite.FEED_ALL)

    assert await run(settings, "add-source", url) == 0

    assert (
        f"Added: Новости — {url} ({len(news_site.articles)} entries now in the feed)."
        in capsys.readouterr().out
    )
    assert await stored_sources(settings) == [(url, "Новости", "ru")]


async def test_adding_a_site_page_adds_the_feed_it_announces(
    make_settings: MakeSettings, news_site: NewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings()

    code = await run(
        settings, "add-source", news_site.url("/"), "--name", "Сайт", "--language", "kk"
    )

    assert code == 0
    assert "announces this feed" in capsys.readouterr().out
    assert await stored_sources(settings) == [(news_site.url("/rss/all.xml"), "Сайт", "kk")]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (NewsSite.PAGE_WITHOUT_FEED, "a web page that announces no RSS or Atom feed"),
        (NewsSite.FAULT_404, "HTTP 404"),
        (NewsSite.FAULT_MALFORMED, "not valid XML"),
    ],
)
async def test_what_is_not_a_working_feed_is_not_added(
    make_settings: MakeSettings,
    news_site: NewsSite,
    capsys: pytest.CaptureFixture[str],
    path: str,
    message: str,
) -> None:
    settings = make_settings()

    assert await run(settings, "add-source", news_site.url(path)) == 1

    assert message in capsys.readouterr().out
    assert await stored_sources(settings) == []


async def test_private_addresses_are_refused_unless_allowed(
    make_settings: MakeSettings, news_site: NewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(allow_private_networks=False)

    assert await run(settings, "add-source", news_site.url(NewsSite.FEED_ALL)) == 1

    assert "loopback address" in capsys.readouterr().out
    assert news_site.hits[NewsSite.FEED_ALL] == 0


@pytest.mark.parametrize("url", ["ftp://example.com/feed", "not a url", "example.com/rss"])
async def test_an_address_that_is_not_http_is_refused_before_fetching(
    make_settings: MakeSettings, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    assert await run(make_settings(), "add-source", url) == 2
    assert "expected an http(s) address" in capsys.readouterr().out


async def test_removing_a_source(
    make_settings: MakeSettings, news_site: NewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings()
    url = news_site.url(NewsSite.FEED_ALL)
    await run(settings, "add-source", url)

    assert await run(settings, "remove-source", url) == 0
    assert await run(settings, "remove-source", url) == 1

    out = capsys.readouterr().out
    assert f"Removed {url}." in out and f"No source has the URL {url}" in out
    assert await stored_sources(settings) == []


async def test_removing_a_source_listed_in_the_file_warns_it_comes_back(
    tmp_path: Path, make_settings: MakeSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "sources.toml"
    file.write_text(
        '[[sources]]\nurl = "https://tass.ru/rss/v2.xml"\nname = "ТАСС"\n', encoding="utf-8"
    )

    assert (
        await run(make_settings(sources_file=file), "remove-source", "https://tass.ru/rss/v2.xml")
        == 0
    )

    assert "will come back at the next start" in capsys.readouterr().out


async def test_a_chats_own_source_is_listed_without_its_token_or_password(
    make_settings: MakeSettings, news_site: NewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.app import open_services

    settings = make_settings()
    shared = news_site.url(NewsSite.FEED_EMPTY) + "?edition=kz"
    await run(settings, "add-source", shared)
    host_and_path = news_site.url(NewsSite.FEED_ALL).removeprefix("http://")
    private = f"http://reader:pa55word@{host_and_path}?token=s3cret#top"
    async with open_services(settings) as services:
        await services.subscribers.register(
            7_101, chat_type="private", language="en", timezone="UTC", digest_time="09:00"
        )
        added = await services.own_sources.add(7_101, private)
    assert added.link.source.url == private  # stored as given: the feed needs its token
    capsys.readouterr()

    assert await run(settings, "sources") == 0

    out = capsys.readouterr().out
    assert "s3cret" not in out and "pa55word" not in out and "reader" not in out
    assert f"http://***@{host_and_path}?***" in out
    assert "(a chat's own)" in out
    assert shared in out  # the operator's own sources are shown as they are

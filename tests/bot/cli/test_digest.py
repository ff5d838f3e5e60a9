"""`digest QUERY [--since 24h] [--format text|html]`: a topic's digest in the terminal, no Telegram."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.cli import build_parser
from bot.cli.digest import parse_span
from bot.config import Settings
from bot.demo.telegram_html import parse_html
from services.clock.clocks import ManualClock, SystemClock
from services.storage import Database
from tests.services.digest_world import World

MakeSettings = Callable[..., Settings]


async def run(settings: Settings, *argv: str) -> int:
    args: argparse.Namespace = build_parser().parse_args(list(argv))
    return int(await args.handler(args, settings))


async def stored_news(settings: Settings) -> None:
    """Two outlets on one story three hours ago, another story two days ago (real time)."""
    now = SystemClock().now()
    db = await Database.open(settings.database_path)
    try:
        world = World(db, ManualClock(now))
        await world.publish(
            "Токаев и Путин обсудили поставки газа",
            "Президенты Казахстана и России обсудили по телефону поставки газа & цены.",
            outlet="Tengrinews",
            arrived=now - timedelta(hours=3),
        )
        await world.publish(
            "Путин и Токаев обсудили по телефону поставки газа",
            "Президенты России и Казахстана Владимир Путин и Касым-Жомарт Токаев обсудили"
            " по телефону поставки газа и цены на него.",
            outlet="ТАСС",
            arrived=now - timedelta(hours=3) + timedelta(minutes=5),
        )
        await world.publish(
            "Токаев открыл завод в Шымкенте",
            "Президент Токаев открыл завод «Трубы & Ко» в Шымкенте. Завод даст 500 рабочих мест.",
            arrived=now - timedelta(days=2),
        )
    finally:
        await db.close()


async def test_text_format_prints_each_story_once_with_its_sources_and_links(
    make_settings: MakeSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings()
    await stored_news(settings)

    assert await run(settings, "digest", "Токаев") == 0

    out = capsys.readouterr().out
    assert out.startswith("Дайджест новостей · ")
    assert out.count("• ") == 1  # the story of two outlets, once; the old one is outside 24 h
    assert "также: " in out
    assert "https://" in out


async def test_since_widens_the_window_and_html_prints_valid_telegram_messages(
    make_settings: MakeSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings()
    await stored_news(settings)

    assert await run(settings, "digest", "Токаев", "--since", "3d", "--format", "html") == 0

    out = capsys.readouterr().out
    assert parse_html(out.strip()).text.count("• ") == 2
    assert "«Трубы &amp; Ко»" in out


async def test_a_query_with_no_matches_says_so(
    make_settings: MakeSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings()
    await stored_news(settings)

    assert await run(settings, "digest", "Байконур") == 0

    assert "No stored stories match 'Байконур' in the last 24 h." in capsys.readouterr().out


async def test_a_query_that_cannot_run_is_a_clear_error(
    make_settings: MakeSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run(make_settings(), "digest", '"незакрытая кавычка') == 2

    err = capsys.readouterr().err
    assert err.startswith("Query not understood: ")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "span"),
    [("24h", timedelta(hours=24)), ("90m", timedelta(minutes=90)), ("2d", timedelta(days=2)),
     ("1W", timedelta(weeks=1))],
)  # fmt: skip
def test_spans_read_like_people_write_them(text: str, span: timedelta) -> None:
    assert parse_span(text) == span


@pytest.mark.parametrize("text", ["24", "h", "0h", "100d", "-1h", "1y"])
def test_a_bad_span_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="1m|24h"):
        parse_span(text)

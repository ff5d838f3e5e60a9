"""The renderer: valid Telegram HTML, split only between items, escaped, trimmed, localised."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.demo.telegram_html import parse_html
from services.digest.model import Digest, DigestItem, DigestSection, SourceLink
from services.digest.render import (
    MESSAGE_LIMIT,
    html_to_plain,
    render_html,
    render_nothing_new,
    render_text,
    telegram_length,
)
from services.storage.models import Language

MORNING = datetime(2026, 3, 21, 4, 0, tzinfo=UTC)  # 09:00 in Almaty (UTC+5)


def make_item(n: int, *, summary_words: int = 40, **changes: object) -> DigestItem:
    fields: dict[str, object] = {
        "story_id": n,
        "title": f"Новость номер {n}: Казахстан и Россия подписали соглашение",
        "url": f"https://example.kz/news/{n}",
        "source": "Tengrinews",
        "published_at": MORNING - timedelta(hours=1, minutes=n),
        "summary": (" ".join(["Стороны обсудили сотрудничество"] * (summary_words // 3)) + ".",),
        "also": (),
    }
    fields.update(changes)
    return DigestItem(**fields)  # type: ignore[arg-type]


def make_digest(
    sections: dict[str, list[DigestItem]],
    *,
    language: Language = "ru",
    timezone: str = "Asia/Almaty",
) -> Digest:
    return Digest(
        language=language,
        timezone=timezone,
        local_date=date(2026, 3, 21),
        sections=tuple(DigestSection(title, tuple(items)) for title, items in sections.items()),
    )


def visible(part: str) -> str:
    """What the reader sees, as Telegram parses it (raises on invalid HTML)."""
    return parse_html(part).text


def item_titles_in(part: str) -> list[str]:
    return [line[2:] for line in visible(part).split("\n") if line.startswith("• ")]


def test_a_fifty_item_digest_splits_between_items_into_valid_messages() -> None:
    digest = make_digest(
        {
            "Казахстан–Россия": [make_item(n) for n in range(30)],
            "Экономика": [make_item(n) for n in range(30, 50)],
        }
    )

    parts = render_html(digest)

    assert len(parts) > 1
    assert all(telegram_length(part) <= MESSAGE_LIMIT for part in parts)
    titles = [title for part in parts for title in item_titles_in(part)]
    assert titles == [item.title for item in digest.items]  # every item once, in order
    for part in parts:  # no item is split: each part ends with a whole summary
        assert visible(part).rstrip().endswith("сотрудничество.")


def test_a_message_that_continues_a_topic_repeats_its_heading() -> None:
    digest = make_digest({"Казахстан–Россия": [make_item(n) for n in range(40)]})

    parts = render_html(digest)

    assert visible(parts[0]).startswith("Дайджест новостей · 21 марта")
    for part in parts[1:]:
        assert visible(part).startswith("▍Казахстан–Россия (продолжение)")


def test_every_piece_of_text_is_escaped() -> None:
    item = make_item(
        1,
        title='Курс <b>тенге</b> & "рубль" > 5',
        source="R&D <News>",
        url="https://example.kz/a?x=1&y=<2>",
        summary=("Цена выросла на 5% & <больше>.",),
        also=(SourceLink("ТАСС & Co", "https://tass.ru/x?a=1&b=2"),),
    )
    digest = make_digest({"Тема <1> & 2": [item]})

    (part,) = render_html(digest)
    parsed = parse_html(part)

    assert 'Курс <b>тенге</b> & "рубль" > 5' in parsed.text
    assert "R&D <News>" in parsed.text
    assert "Цена выросла на 5% & <больше>." in parsed.text
    assert "Тема <1> & 2" in parsed.text
    links = [entity["url"] for entity in parsed.entities if entity["type"] == "text_link"]
    assert links == ["https://example.kz/a?x=1&y=<2>", "https://tass.ru/x?a=1&b=2"]


def test_an_item_too_long_for_one_message_is_trimmed_to_fit() -> None:
    long_item = make_item(1, summary_words=3000)
    digest = make_digest({"Тема": [make_item(0), long_item, make_item(2)]})

    parts = render_html(digest)

    assert all(telegram_length(part) <= MESSAGE_LIMIT for part in parts)
    trimmed = next(part for part in parts if long_item.title in visible(part))
    assert visible(trimmed).rstrip().endswith("…")
    assert [t for part in parts for t in item_titles_in(part)] == [
        item.title for item in digest.items
    ]


def test_the_querys_words_are_bold_in_the_summary_even_when_it_is_trimmed() -> None:
    marked = make_item(
        1,
        summary=("Еще 300 млрд тенге направят на индексацию пенсий & пособий <с 1 июля>.",),
        highlights=("пенсий",),
    )
    long_marked = make_item(2, summary_words=3000, highlights=("Стороны",))

    (part,) = render_html(make_digest({"Пенсии": [marked]}))
    trimmed = render_html(make_digest({"Пенсии": [long_marked]}))

    parsed = parse_html(part)
    assert "индексацию пенсий & пособий <с 1 июля>." in parsed.text
    bold = [
        parsed.text[e["offset"] : e["offset"] + e["length"]]
        for e in parsed.entities
        if e["type"] == "bold"
    ]
    assert "пенсий" in bold
    assert all(telegram_length(p) <= MESSAGE_LIMIT for p in trimmed)
    assert "<b>Стороны</b>" in trimmed[0] and visible(trimmed[0]).rstrip().endswith("…")


def test_a_headline_of_ten_thousand_characters_still_fits() -> None:
    digest = make_digest({"Тема": [make_item(1, title="Очень " * 2000, also=())]})

    (part,) = render_html(digest)

    assert telegram_length(part) <= MESSAGE_LIMIT
    assert visible(part)


def test_a_story_from_three_outlets_names_the_two_others_with_links() -> None:
    item = make_item(
        1,
        source="Tengrinews",
        also=(
            SourceLink("ТАСС", "https://tass.ru/1"),
            SourceLink("Kazinform", "https://kazinform.kz/1"),
        ),
    )

    (part,) = render_html(make_digest({"Тема": [item]}))
    parsed = parse_html(part)

    assert "Tengrinews · 07:59 · также: ТАСС, Kazinform" in parsed.text
    urls = {entity["url"] for entity in parsed.entities if entity["type"] == "text_link"}
    assert urls == {item.url, "https://tass.ru/1", "https://kazinform.kz/1"}


def test_many_other_outlets_are_counted_rather_than_listed() -> None:
    also = tuple(SourceLink(f"Outlet {n}", f"https://o{n}.kz/1") for n in range(9))

    (part,) = render_html(make_digest({"Тема": [make_item(1, also=also)]}, language="en"))

    assert "also: Outlet 0, Outlet 1, Outlet 2, Outlet 3, and 5 more" in visible(part)


def test_times_are_shown_in_the_readers_zone_with_the_day_when_it_is_not_the_digests() -> None:
    today = make_item(1, published_at=datetime(2026, 3, 21, 3, 15, tzinfo=UTC))
    yesterday = make_item(2, published_at=datetime(2026, 3, 20, 13, 40, tzinfo=UTC))

    (part,) = render_html(make_digest({"Тема": [today, yesterday]}))

    assert "Tengrinews · 08:15" in visible(part)
    assert "Tengrinews · 20 мар., 18:40" in visible(part)


@pytest.mark.parametrize(
    ("language", "heading", "also_word"),
    [
        ("ru", "Дайджест новостей · 21 марта", "также"),
        ("en", "News digest · 21 March", "also"),
        ("kk", "Жаңалықтар дайджесті · 21 наурыз", "сондай-ақ"),
    ],
)
def test_headings_speak_the_readers_language(
    language: Language, heading: str, also_word: str
) -> None:
    item = make_item(1, also=(SourceLink("ТАСС", "https://tass.ru/1"),))

    (part,) = render_html(make_digest({"Topic": [item]}, language=language))

    assert visible(part).startswith(heading)
    assert f"{also_word}: ТАСС" in visible(part)


def test_an_empty_digest_renders_to_nothing() -> None:
    assert render_html(make_digest({"Тема": []})) == []
    assert render_text(make_digest({})) == ""


def test_the_plain_text_rendering_spells_out_every_link() -> None:
    item = make_item(1, also=(SourceLink("ТАСС", "https://tass.ru/1"),))

    text = render_text(make_digest({"Казахстан–Россия": [item]}))

    assert text.startswith("Дайджест новостей · 21 марта\n")
    assert "Казахстан–Россия" in text
    assert item.title in text
    assert item.url in text
    assert "ТАСС: https://tass.ru/1" in text
    assert "<" not in text


def test_a_refused_html_part_becomes_plain_text_with_its_links() -> None:
    (part,) = render_html(make_digest({"Тема <x>": [make_item(1, title="A & B")]}))

    plain = html_to_plain(part)

    assert "▍Тема <x>" in plain
    assert "A & B (https://example.kz/news/1)" in plain
    assert "<b>" not in plain


def test_plain_text_of_a_full_part_stays_within_the_limit() -> None:
    parts = render_html(make_digest({"Тема": [make_item(n) for n in range(60)]}))

    assert all(telegram_length(html_to_plain(part)) <= MESSAGE_LIMIT for part in parts)


def test_nothing_new_names_the_time_it_looked_from_in_the_readers_zone() -> None:
    now = datetime(2026, 3, 21, 7, 0, tzinfo=UTC)  # 12:00 in Almaty
    this_morning = datetime(2026, 3, 21, 4, 0, tzinfo=UTC)
    yesterday = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)

    assert render_nothing_new("ru", this_morning, now, "Asia/Almaty") == "Ничего нового с 09:00."
    assert (
        render_nothing_new("en", yesterday, now, "Asia/Almaty")
        == "Nothing new since 20 Mar, 09:00."
    )

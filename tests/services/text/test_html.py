"""Telegram HTML rules shared by the digest renderer and the replies to commands."""

from __future__ import annotations

import pytest

from services.text.html import (
    URL_LIMIT,
    clip,
    escape,
    link,
    shorten,
    telegram_length,
)


def test_text_is_escaped_for_telegram_html_and_quotes_are_left_alone() -> None:
    assert escape('<b>Tom & "Jerry"</b>') == '&lt;b&gt;Tom &amp; "Jerry"&lt;/b&gt;'


def test_a_link_escapes_its_address_and_its_text() -> None:
    assert link('https://e.kz/?a=1&b="2"', "<news>") == (
        '<a href="https://e.kz/?a=1&amp;b=&quot;2&quot;">&lt;news&gt;</a>'
    )


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://e.kz/file", "e.kz/news", "https://e.kz/" + "x" * URL_LIMIT],
)
def test_an_address_that_cannot_be_a_link_leaves_only_the_text(url: str) -> None:
    assert link(url, "a & b") == "a &amp; b"


def test_clip_cuts_anywhere_on_one_line() -> None:
    assert clip("one\ntwo   three", 100) == "one two three"
    assert clip("abcdefghij", 5) == "abcd…"


def test_shorten_cuts_at_a_word_boundary_without_trailing_punctuation() -> None:
    assert shorten("Казахстан и Россия, подписали соглашение", 22) == "Казахстан и Россия…"
    assert shorten("short", 10) == "short"
    assert shorten("anything", 1) == "…"
    assert shorten("anything", 0) == ""


def test_length_is_counted_in_utf16_units_as_telegram_does() -> None:
    assert telegram_length("abc") == 3
    assert telegram_length("🇰🇿") == 4

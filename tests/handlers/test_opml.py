"""OPML in and out, and /export → /import, end to end: files go up as message.document and
come back through getFile and the file download of the fake Bot API; feeds resolve
against the local news site."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.demo.news_site import NewsSite
from tests.handlers.conftest import Reply, Talk

OPML_DIR = Path(__file__).resolve().parents[1] / "data" / "opml"
READER = 8_101
MOVER = 8_202


def export_of(name: str, site: NewsSite) -> bytes:
    """A feed reader's real-shaped export, pointing at the local news site."""
    text = (OPML_DIR / name).read_text(encoding="utf-8")
    return text.replace("{site}", site.url("").rstrip("/")).encode("utf-8")


async def upload(talk: Talk, chat_id: int, content: bytes, name: str, **options: object) -> Reply:
    return await talk.feed(
        talk.telegram.inject_document(
            chat_id, content, file_name=name, language_code="en", **options
        )
    )


async def test_a_feedly_export_is_flattened_deduplicated_and_reported_in_one_reply(
    talk: Talk, news_site: NewsSite
) -> None:
    reply = await upload(talk, READER, export_of("feedly.opml", news_site), "feedly.opml")
    assert "3 added, 0 already there, 1 refused" in reply.text
    assert "/no/such/feed.xml — unreachable" in reply.text
    urls = {link.source.url for link in await talk.services.own_sources.list(READER)}
    assert urls == {
        news_site.url("/rss/all.xml"),
        news_site.url("/rss/economy.xml"),
        news_site.url("/atom/ru.xml"),
    }
    again = await upload(talk, READER, export_of("feedly.opml", news_site), "feedly.opml")
    assert "0 added, 3 already there, 1 refused" in again.text
    assert len(talk.telegram.downloads) == 2


async def test_an_inoreader_export_says_why_each_refused_feed_was_refused(
    talk: Talk, news_site: NewsSite
) -> None:
    reply = await upload(talk, READER, export_of("inoreader.opml", news_site), "inoreader.xml")
    assert "2 added, 0 already there, 2 refused" in reply.text
    assert "/about.html — not a feed" in reply.text
    assert "feed://nowhere — not a web address" in reply.text


async def test_an_import_stops_at_the_limit_and_says_so(
    talk: Talk, news_site: NewsSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("services.sources.own.MAX_OWN_SOURCES", 2)
    monkeypatch.setattr("handlers.sources.MAX_OWN_SOURCES", 2)
    reply = await upload(talk, READER, export_of("feedly.opml", news_site), "feedly.opml")
    assert "2 added" in reply.text and "over the limit" in reply.text
    assert "Stopped at 2 sources" in reply.text
    assert len(await talk.services.own_sources.list(READER)) == 2


async def test_export_then_import_restores_sources_and_topics_in_another_chat(
    talk: Talk, news_site: NewsSite
) -> None:
    await talk.send(READER, f"/addsource {news_site.url('/rss/economy.xml')}", language_code="en")
    await talk.send(READER, "/subscribe нефть OR газ", language_code="en")
    await talk.send(READER, f"/subscribe source:{news_site.url('/rss/all.xml')}")
    await talk.send(READER, "/time 07:30", language_code="en")
    await talk.send(READER, "/length 2", language_code="en")
    exported = await talk.send(READER, "/export", language_code="en")
    assert [m.document for m in exported.messages] == [
        "newsdigest-sources.opml",
        "newsdigest-topics.txt",
    ]
    opml, topics = talk.telegram.documents[-2:]
    assert b"/rss/economy.xml" in opml.content and b"/rss/all.xml" in opml.content

    sources_back = await upload(talk, MOVER, opml.content, opml.file_name)
    assert "2 added, 0 already there, 0 refused" in sources_back.text
    topics_back = await upload(talk, MOVER, topics.content, topics.file_name)
    assert "2 followed now, 0 already followed" in topics_back.text
    mover = await talk.services.subscribers.get(MOVER)
    assert mover is not None
    assert (mover.digest_time, mover.digest_length) == ("07:30", 2)
    queries = sorted(t.query for t in await talk.services.subscriptions.topics_of(MOVER))
    assert queries == sorted(t.query for t in await talk.services.subscriptions.topics_of(READER))
    assert {link.source.url for link in await talk.services.own_sources.list(MOVER)} == {
        link.source.url for link in await talk.services.own_sources.list(READER)
    }


async def test_import_alone_explains_which_files_to_send(talk: Talk) -> None:
    reply = await talk.send(READER, "/import", language_code="en")
    assert "OPML export from your feed reader" in reply.text


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<opml version="1.0"><head/><body><outline text="&lol2;" xmlUrl="https://x.kz/rss"/></body></opml>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<opml version="1.0"><head/><body><outline text="&xxe;" xmlUrl="https://x.kz/rss"/></body></opml>"""


def many_outlines(count: int) -> bytes:
    outlines = "".join(f'<outline xmlUrl="https://x{n}.kz/rss"/>' for n in range(count))
    return f'<opml version="2.0"><head/><body>{outlines}</body></opml>'.encode()


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "feeds.pdf", "this one is neither"),
        (BILLION_LAUGHS, "laughs.opml", "XML entities or a DTD"),
        (EXTERNAL_ENTITY, "xxe.opml", "XML entities or a DTD"),
        (many_outlines(10_000), "huge.opml", "more than 5000 outlines"),
        (b"<html><body>not opml</body></html>", "page.xml", "not an OPML list"),
        (b"\x00\x01 definitely not xml", "broken.opml", "not valid XML"),
        (b"\xff\xfe\x00garbage", "topics.txt", "not UTF-8 text"),
        (b"# nothing here\n", "topics.txt", "no topics or settings"),
    ],
)
async def test_every_bad_file_gets_a_clear_reply_and_nothing_is_added(
    talk: Talk, content: bytes, name: str, expected: str
) -> None:
    reply = await upload(talk, READER, content, name)
    assert expected in reply.text
    assert await talk.services.own_sources.list(READER) == []
    assert await talk.services.sources.list_all() == []


async def test_a_50_mb_file_is_refused_by_its_stated_size_without_downloading_it(
    talk: Talk,
) -> None:
    reply = await upload(talk, READER, b"<opml/>", "big.opml", declared_size=50 * 1024 * 1024)
    assert "larger than 1 MB" in reply.text
    assert talk.telegram.downloads == []
    assert talk.telegram.requests["getFile"] == 0


async def test_files_posted_in_a_group_are_left_alone_unless_captioned_import(
    talk: Talk, news_site: NewsSite
) -> None:
    talk.telegram.register_chat(-8_500, creator=READER)
    quiet = await upload(
        talk, -8_500, export_of("feedly.opml", news_site), "feedly.opml", user_id=READER
    )
    assert quiet.messages == []
    done = await upload(
        talk,
        -8_500,
        export_of("inoreader.opml", news_site),
        "inoreader.opml",
        user_id=READER,
        caption="/import",
    )
    assert "2 added" in done.text

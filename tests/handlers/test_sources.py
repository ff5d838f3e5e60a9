"""handlers/sources.py: a chat's own sources, end to end over the fake Bot API and the local
news site: add, dedupe, privacy between chats, /subscribe source:URL, removal."""

from __future__ import annotations

from datetime import timedelta

from bot.demo.news_site import NewsSite
from handlers.callbacks import LinkAsSource
from handlers.summary import link_digest
from services.sources.own import MAX_OWN_SOURCES
from services.storage.models import NewArticle
from tests.handlers.conftest import Talk

ALICE = 7_101
BOB = 7_202


async def test_anyone_adds_a_site_page_and_gets_its_feed_as_the_chats_own_source(
    talk: Talk, news_site: NewsSite
) -> None:
    reply = await talk.send(ALICE, f"/addsource {news_site.url('/')}", language_code="en")
    feed_url = news_site.url("/rss/all.xml")
    assert "Added to this chat's sources" in reply.text
    assert feed_url in reply.text
    [link] = await talk.services.own_sources.list(ALICE)
    assert link.source.url == feed_url
    assert not link.shared
    assert reply.message.callback_data() == [f"sf:{link.source.id}"]


async def test_the_same_feed_added_twice_or_by_two_chats_is_one_source(
    talk: Talk, news_site: NewsSite
) -> None:
    feed = news_site.url("/rss/all.xml")
    await talk.send(ALICE, f"/addsource {feed}", language_code="en")
    again = await talk.send(ALICE, f"/addsource {feed}", language_code="en")
    await talk.send(BOB, f"/addsource {feed}", language_code="en")
    assert "Already one of this chat's sources" in again.text
    assert [s.url for s in await talk.services.sources.list_all()] == [feed]
    assert len(await talk.services.own_sources.list(ALICE)) == 1
    assert len(await talk.services.own_sources.list(BOB)) == 1


async def test_sources_lists_only_the_chats_own_with_their_health(
    talk: Talk, news_site: NewsSite
) -> None:
    token_feed = news_site.url("/rss/all.xml") + "?token=s3cret"
    await talk.send(ALICE, f"/addsource {token_feed}", language_code="en")
    await talk.send(BOB, f"/addsource {news_site.url('/rss/empty.xml')}", language_code="en")
    alice = await talk.send(ALICE, "/sources", language_code="en")
    bob = await talk.send(BOB, "/sources", language_code="en")
    assert "s3cret" in alice.text and "not fetched yet" in alice.text
    assert "s3cret" not in bob.text and "/rss/empty.xml" in bob.text
    stranger = await talk.send(7_303, "/sources", language_code="en")
    assert "no sources of its own" in stranger.text


async def test_bad_addresses_get_a_clear_reply_and_nothing_is_added(
    talk: Talk, news_site: NewsSite
) -> None:
    cases = {
        "/addsource not a url": "does not look like a web address",
        f"/addsource {news_site.url('/about.html')}": "announces no",
        f"/addsource {news_site.url('/no/such/feed.xml')}": "There is no page",
    }
    for command, expected in cases.items():
        reply = await talk.send(ALICE, command, language_code="en")
        assert expected in reply.text or "neither an RSS" in reply.text, reply.text
    assert await talk.services.own_sources.list(ALICE) == []
    assert await talk.services.sources.list_all() == []


async def test_removesource_without_an_address_offers_buttons_and_a_button_removes(
    talk: Talk, news_site: NewsSite
) -> None:
    await talk.send(ALICE, f"/addsource {news_site.url('/rss/all.xml')}", language_code="en")
    [link] = await talk.services.own_sources.list(ALICE)
    offer = await talk.send(ALICE, "/removesource", language_code="en")
    assert offer.message.callback_data() == [f"sd:{link.source.id}"]
    done = await talk.press(ALICE, f"sd:{link.source.id}", language_code="en")
    assert "Removed from this chat's sources" in done.text
    assert await talk.services.own_sources.list(ALICE) == []
    [source] = await talk.services.sources.list_all()
    assert not source.enabled  # nobody follows it: no longer fetched


async def test_removesource_by_address_removes_only_from_that_chat(
    talk: Talk, news_site: NewsSite
) -> None:
    feed = news_site.url("/rss/all.xml")
    await talk.send(ALICE, f"/addsource {feed}", language_code="en")
    await talk.send(BOB, f"/addsource {feed}", language_code="en")
    reply = await talk.send(ALICE, f"/removesource {feed}", language_code="en")
    assert "Removed" in reply.text
    assert await talk.services.own_sources.list(ALICE) == []
    assert len(await talk.services.own_sources.list(BOB)) == 1
    [source] = await talk.services.sources.list_all()
    assert source.enabled
    missing = await talk.send(
        ALICE, "/removesource https://nowhere.example/rss", language_code="en"
    )
    assert "no source with the address" in missing.text


async def _store_from(talk: Talk, source_id: int, slug: str, title: str) -> None:
    url = f"https://private.example/{slug}"
    article_id = await talk.services.articles.add(
        NewArticle(
            url=url,
            canonical_url=url,
            content_hash=slug,
            language="ru",
            title=title,
            text=f"{title}. Подробности сообщили в среду утром.",
            summary=[f"{title}."],
            source_id=source_id,
        )
    )
    assert article_id is not None
    article = await talk.services.articles.get(article_id)
    assert article is not None
    await talk.services.topic_index.index_article(article)


async def test_articles_of_a_chats_own_source_reach_only_that_chats_search_and_digest(
    talk: Talk, news_site: NewsSite
) -> None:
    await talk.send(ALICE, f"/addsource {news_site.url('/rss/all.xml')}", language_code="en")
    [link] = await talk.services.own_sources.list(ALICE)
    await _store_from(talk, link.source.id, "baikonur", "Байконур принял новую ракету")
    alice = await talk.send(ALICE, "/search Байконур", language_code="en")
    bob = await talk.send(BOB, "/search Байконур", language_code="en")
    assert "Байконур принял новую ракету" in alice.text
    assert "Байконур принял новую ракету" not in bob.text
    for chat in (ALICE, BOB):
        await talk.send(chat, "/subscribe Байконур", language_code="en")
    talk.clock.advance(timedelta(minutes=1))
    alice_digest = await talk.services.digests.build_on_demand(ALICE)
    bob_digest = await talk.services.digests.build_on_demand(BOB)
    assert "Байконур принял новую ракету" in "".join(alice_digest.parts)
    assert "Байконур принял новую ракету" not in "".join(bob_digest.parts)


async def test_once_the_operator_lists_a_chats_source_everyone_reads_it(
    talk: Talk, news_site: NewsSite
) -> None:
    await talk.send(ALICE, f"/addsource {news_site.url('/rss/all.xml')}", language_code="en")
    [link] = await talk.services.own_sources.list(ALICE)
    await _store_from(talk, link.source.id, "baikonur", "Байконур принял новую ракету")
    await talk.services.own_sources.repository.set_shared(link.source.id, True)
    bob = await talk.send(BOB, "/search Байконур", language_code="en")
    assert "Байконур принял новую ракету" in bob.text


async def test_subscribe_source_follows_everything_from_it_as_a_topic(
    talk: Talk, news_site: NewsSite
) -> None:
    feed = news_site.url("/rss/all.xml")
    reply = await talk.send(ALICE, f"/subscribe source:{feed}", language_code="en")
    assert "You follow everything from" in reply.text
    [link] = await talk.services.own_sources.list(ALICE)
    [topic] = await talk.services.subscriptions.topics_of(ALICE)
    assert topic.query == f"source:{feed}"
    await _store_from(talk, link.source.id, "one", "Паводок затопил дороги Атырау")
    await _store_from(talk, link.source.id, "two", "Нацбанк сохранил базовую ставку")
    talk.clock.advance(timedelta(minutes=1))
    digest = await talk.services.digests.build_on_demand(ALICE)
    text = "".join(digest.parts)
    assert "Паводок затопил дороги Атырау" in text and "Нацбанк сохранил базовую ставку" in text
    again = await talk.press(ALICE, f"sf:{link.source.id}", language_code="en", check_button=False)
    assert "already follow everything" in again.text


async def test_a_group_member_who_is_not_an_admin_cannot_add_sources(
    talk: Talk, news_site: NewsSite
) -> None:
    talk.telegram.register_chat(-7_500, creator=ALICE)
    reply = await talk.send(-7_500, f"/addsource {news_site.url('/rss/all.xml')}", user_id=BOB)
    assert "administrators" in reply.text or "администратор" in reply.text
    talk.clock.advance(timedelta(seconds=5))
    done = await talk.send(
        -7_500, f"/addsource {news_site.url('/rss/all.xml')}", user_id=ALICE, language_code="en"
    )
    assert "Added to this chat's sources" in done.text
    assert len(await talk.services.own_sources.list(-7_500)) == 1


def add_button(url: str) -> str:
    return LinkAsSource(digest=link_digest(url)).pack()


async def test_add_as_a_source_under_a_summary_adds_the_sites_feed_like_addsource(
    talk: Talk, news_site: NewsSite
) -> None:
    article = news_site.url(news_site.articles[0].path)
    await talk.send(ALICE, article, language_code="en")

    done = await talk.press(ALICE, add_button(article), language_code="en")

    feed_url = news_site.url("/rss/all.xml")
    assert "Added to this chat's sources" in done.text and feed_url in done.text
    [link] = await talk.services.own_sources.list(ALICE)
    assert link.source.url == feed_url
    assert done.message.callback_data() == [f"sf:{link.source.id}"]
    assert feed_url in (await talk.send(ALICE, "/sources", language_code="en")).text
    assert await talk.services.own_sources.list(BOB) == []


async def test_add_as_a_source_tapped_twice_says_it_is_already_there(
    talk: Talk, news_site: NewsSite
) -> None:
    article = news_site.url(news_site.articles[1].path)
    await talk.send(ALICE, article, language_code="en")
    await talk.press(ALICE, add_button(article), language_code="en")

    again = await talk.press(ALICE, add_button(article), language_code="en")

    assert "Already one of this chat's sources" in again.text
    assert len(await talk.services.own_sources.list(ALICE)) == 1


async def test_add_as_a_source_keeps_the_limits_and_refusals_of_addsource(
    talk: Talk, news_site: NewsSite
) -> None:
    article = news_site.url(news_site.articles[0].path)
    await talk.send(ALICE, "/sources", language_code="en")  # the chat is known from here on
    await talk.send(ALICE, article, language_code="en")
    for number in range(MAX_OWN_SOURCES):
        await talk.services.own_sources.repository.add(
            ALICE, f"https://feeds.example/{number}.xml", name=f"feed {number}", language="ru"
        )

    refused = await talk.press(ALICE, add_button(article), language_code="en")

    assert f"You have {MAX_OWN_SOURCES} sources" in refused.text
    assert len(await talk.services.own_sources.list(ALICE)) == MAX_OWN_SOURCES


async def test_in_a_group_only_an_admin_may_add_the_summarised_link(
    talk: Talk, news_site: NewsSite
) -> None:
    group = -7_600
    talk.telegram.register_chat(group, creator=ALICE, members=[BOB])
    article = news_site.url(news_site.articles[0].path)
    await talk.send(group, f"/summary {article}", user_id=BOB, language_code="en")

    refused = await talk.press(group, add_button(article), user_id=BOB, language_code="en")

    assert refused.messages == []
    [answer] = refused.answers
    assert answer.show_alert and "administrators" in (answer.text or "")
    assert await talk.services.own_sources.list(group) == []
    done = await talk.press(group, add_button(article), user_id=ALICE, language_code="en")
    assert "Added to this chat's sources" in done.text
    assert len(await talk.services.own_sources.list(group)) == 1


async def test_a_forged_or_stale_add_button_is_answered_and_adds_nothing(
    talk: Talk, news_site: NewsSite
) -> None:
    article = news_site.url(news_site.articles[0].path)
    summary = (await talk.send(ALICE, article, language_code="en")).message.message_id
    other = news_site.url(news_site.articles[1].path)
    no_link = (await talk.send(ALICE, "/help", language_code="en")).messages[-1].message_id
    presses = {
        add_button(other): summary,  # not the link this summary is about
        "sl:not-a-digest": summary,
        add_button(article): no_link,  # on a message that holds no link
    }

    for data, message_id in presses.items():
        reply = await talk.press(
            ALICE, data, message_id=message_id, language_code="en", check_button=False
        )
        assert reply.messages == [], data
        [answer] = reply.answers
        assert answer.text, data
    assert await talk.services.own_sources.list(ALICE) == []

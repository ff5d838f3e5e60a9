"""services/sources/opml.py: what a feed reader's OPML file yields, and what is refused."""

from __future__ import annotations

import pytest

from services.ingest.feeds import NotAFeed
from services.ingest.fetch import BlockedAddress, ConnectionFailed, InvalidURL
from services.sources.opml import MAX_FILE_BYTES, OpmlError, OpmlFeed, read_opml, write_opml
from services.sources.own import OwnSourceLimit, Refusal, masked, refusal_of


def test_folders_are_flattened_and_each_feed_url_kept_once_in_document_order() -> None:
    data = b"""<opml version="2.0"><head/><body>
      <outline text="A"><outline text="B"><outline xmlUrl="https://b.kz/rss" title="Bee"/></outline>
      <outline xmlUrl="https://a.kz/rss" text="Ay"/></outline>
      <outline xmlUrl="https://b.kz/rss" title="Bee again"/>
      <outline text="a folder without feeds"/>
    </body></opml>"""
    assert read_opml(data) == [
        OpmlFeed("https://b.kz/rss", "Bee"),
        OpmlFeed("https://a.kz/rss", "Ay"),
    ]


def test_what_it_writes_it_reads_back_with_urls_and_titles_escaped() -> None:
    feeds = [OpmlFeed("https://x.kz/rss?a=1&b=2", "X & <Y>"), OpmlFeed("https://y.kz/atom", "Ы")]
    assert read_opml(write_opml("Newsdigest", feeds)) == feeds


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"x" * (MAX_FILE_BYTES + 1), "too_large"),
        (b'<!DOCTYPE o [<!ENTITY e "e">]><opml><body/></opml>', "entities"),
        (b"<opml><body>", "not_xml"),
        (b"<rss><channel/></rss>", "not_opml"),
        (b"<opml><body>" + b"<outline/>" * 5001 + b"</body></opml>", "too_many"),
    ],
)
def test_files_that_are_not_a_safe_opml_list_are_refused_with_a_reason(
    data: bytes, code: str
) -> None:
    with pytest.raises(OpmlError) as refused:
        read_opml(data)
    assert refused.value.code == code


def test_each_failure_to_add_a_feed_has_the_reason_a_reader_can_act_on() -> None:
    assert refusal_of(InvalidURL("bad", url="x")) is Refusal.NOT_A_URL
    assert refusal_of(BlockedAddress("private", url="x")) is Refusal.PRIVATE_ADDRESS
    assert refusal_of(ConnectionFailed("down", url="x")) is Refusal.UNREACHABLE
    assert refusal_of(NotAFeed("html")) is Refusal.NOT_A_FEED
    assert refusal_of(OwnSourceLimit("x")) is Refusal.OVER_LIMIT


def test_a_masked_url_keeps_no_user_password_query_or_fragment() -> None:
    assert masked("https://me:pw@feeds.kz:8443/private/rss?token=s3cret#x") == (
        "https://feeds.kz:8443/private/rss"
    )

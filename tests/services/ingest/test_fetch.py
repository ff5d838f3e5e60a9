"""The one HTTP client: limits, politeness, charsets and the SSRF guard, over real HTTP."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import tracemalloc
from datetime import timedelta
from typing import Any

import pytest

from bot.demo.news_site import NewsSite
from services.clock.clocks import ManualClock
from services.ingest.fetch import (
    USER_AGENT,
    BadResponse,
    BlockedAddress,
    ConnectionFailed,
    Fetcher,
    FetchLimits,
    FetchTimeout,
    HTTPStatusError,
    InvalidURL,
    IPAddress,
    RateLimited,
    ResponseTooLarge,
    TooManyRedirects,
    blocked_reason,
    decode_text,
)

LOOPBACK = ipaddress.ip_network("127.0.0.1/32")


def local_fetcher(**limits: Any) -> Fetcher:
    return Fetcher(allow_private_networks=True, limits=FetchLimits(**limits))


# --- ordinary fetching ------------------------------------------------------------


async def test_fetches_a_gzip_feed_and_says_who_is_asking(news_site: NewsSite) -> None:
    async with local_fetcher() as fetcher:
        result = await fetcher.fetch(news_site.url(NewsSite.FEED_ALL))

    headers = news_site.last_headers[NewsSite.FEED_ALL]
    assert headers["User-Agent"] == USER_AGENT
    assert "gzip" in headers["Accept-Encoding"]
    assert result.status == 200
    assert result.media_type == "application/rss+xml"
    assert news_site.articles[0].title in result.text()


async def test_a_second_request_with_the_stored_etag_costs_nothing(news_site: NewsSite) -> None:
    url = news_site.url(NewsSite.FEED_CONDITIONAL)
    async with local_fetcher() as fetcher:
        first = await fetcher.fetch(url)
        second = await fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)

    assert first.etag and first.last_modified and first.content
    assert second.not_modified
    assert second.content == b""
    assert news_site.not_modified_answers == 1


async def test_last_modified_alone_also_makes_the_request_conditional(news_site: NewsSite) -> None:
    url = news_site.url(NewsSite.FEED_CONDITIONAL)
    async with local_fetcher() as fetcher:
        first = await fetcher.fetch(url)
        second = await fetcher.fetch(url, last_modified=first.last_modified)

    assert second.not_modified


async def test_redirects_within_the_limit_are_followed(news_site: NewsSite) -> None:
    async with local_fetcher(max_redirects=3) as fetcher:
        result = await fetcher.fetch(news_site.url("/faults/redirect-chain/3"))

    assert result.status == 200
    assert result.final_url == news_site.url("/faults/redirect-chain/0")
    assert result.url == news_site.url("/faults/redirect-chain/3")


# --- faults -------------------------------------------------------------------------


async def test_a_redirect_loop_is_named_as_such(news_site: NewsSite) -> None:
    async with local_fetcher() as fetcher:
        with pytest.raises(TooManyRedirects, match="loop"):
            await fetcher.fetch(news_site.url(NewsSite.FAULT_REDIRECT_LOOP))


async def test_too_many_redirects_are_refused(news_site: NewsSite) -> None:
    async with local_fetcher(max_redirects=3) as fetcher:
        with pytest.raises(TooManyRedirects, match="more than 3 redirects"):
            await fetcher.fetch(news_site.url("/faults/redirect-chain/4"))


@pytest.mark.parametrize(
    ("path", "status", "gone"), [(NewsSite.FAULT_500, 500, False), (NewsSite.FAULT_404, 404, True)]
)
async def test_error_statuses_raise_with_the_status(
    news_site: NewsSite, path: str, status: int, gone: bool
) -> None:
    async with local_fetcher() as fetcher:
        with pytest.raises(HTTPStatusError, match=f"HTTP {status}") as caught:
            await fetcher.fetch(news_site.url(path))

    assert caught.value.status == status
    assert caught.value.gone is gone
    assert caught.value.url == news_site.url(path)


async def test_a_server_that_never_answers_hits_the_deadline(news_site: NewsSite) -> None:
    async with local_fetcher(deadline=0.3) as fetcher:
        with pytest.raises(FetchTimeout, match=r"0\.3 s"):
            await fetcher.fetch(news_site.url(NewsSite.FAULT_SLOW))


async def test_a_body_trickling_in_byte_by_byte_hits_the_deadline(news_site: NewsSite) -> None:
    # Each byte arrives well within the read timeout: only the overall deadline stops it.
    async with local_fetcher(deadline=0.3, read_timeout=5) as fetcher:
        with pytest.raises(FetchTimeout):
            await fetcher.fetch(news_site.url(NewsSite.FAULT_TRICKLE))


async def test_a_50_mib_body_is_cut_at_the_cap_with_bounded_memory(news_site: NewsSite) -> None:
    cap = 1024 * 1024
    tracemalloc.start()
    try:
        async with local_fetcher(max_bytes=cap) as fetcher:
            with pytest.raises(ResponseTooLarge, match="1024 KiB"):
                await fetcher.fetch(news_site.url(NewsSite.FAULT_HUGE))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6 * cap


async def test_a_gzip_bomb_is_stopped_at_the_decompressed_cap(news_site: NewsSite) -> None:
    cap = 1024 * 1024
    tracemalloc.start()
    try:
        async with local_fetcher(max_bytes=cap) as fetcher:
            with pytest.raises(ResponseTooLarge):
                await fetcher.fetch(news_site.url(NewsSite.FAULT_GZIP_BOMB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The bomb inflates to 64 MiB; we never hold more than a few times the cap.
    assert peak < 6 * cap


async def test_a_body_that_is_not_the_gzip_it_claims_is_a_bad_response(news_site: NewsSite) -> None:
    async with local_fetcher() as fetcher:
        with pytest.raises(BadResponse, match="gzip"):
            await fetcher.fetch(news_site.url(NewsSite.FAULT_BAD_GZIP))


async def test_retry_after_is_honoured_without_asking_the_server_again(
    news_site: NewsSite, clock: ManualClock
) -> None:
    url = news_site.url(NewsSite.FAULT_RETRY_AFTER)
    fetcher = Fetcher(allow_private_networks=True, clock=clock)
    async with fetcher:
        with pytest.raises(RateLimited) as first:
            await fetcher.fetch(url)
        clock.advance(timedelta(seconds=60))
        with pytest.raises(RateLimited) as second:
            await fetcher.fetch(news_site.url(NewsSite.FEED_ALL))
        assert news_site.hits[NewsSite.FEED_ALL] == 0
        clock.advance(timedelta(seconds=61))
        await fetcher.fetch(news_site.url(NewsSite.FEED_ALL))

    assert first.value.retry_after == 120
    assert 59 <= second.value.retry_after <= 60
    assert news_site.hits[NewsSite.FAULT_RETRY_AFTER] == 1
    assert news_site.hits[NewsSite.FEED_ALL] == 1


async def test_an_unresolvable_host_is_a_connection_failure() -> None:
    async with Fetcher() as fetcher:
        with pytest.raises(ConnectionFailed, match="could not be resolved"):
            await fetcher.fetch("http://no-such-host.invalid/feed.xml")


async def test_a_closed_port_is_a_connection_failure() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nobody listens there now

    async with local_fetcher() as fetcher:
        with pytest.raises(ConnectionFailed, match="could not connect to 127.0.0.1"):
            await fetcher.fetch(f"http://127.0.0.1:{port}/feed.xml")


async def test_a_server_that_hangs_up_mid_answer_is_a_bad_response() -> None:
    async def hang_up(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nhalf a body")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with local_fetcher() as fetcher:
            with pytest.raises(BadResponse, match="broke the connection"):
                await fetcher.fetch(f"http://127.0.0.1:{port}/page")
    finally:
        server.close()
        await server.wait_closed()


# --- concurrency --------------------------------------------------------------------


async def test_no_more_than_the_per_host_limit_at_once(news_site: NewsSite) -> None:
    news_site.slow_seconds = 0.2
    async with local_fetcher(per_host=2, max_connections=10) as fetcher:
        await asyncio.gather(*(fetcher.fetch(news_site.url(NewsSite.FAULT_SLOW)) for _ in range(6)))

    assert news_site.slow_max_in_flight == 2


async def test_no_more_than_the_global_limit_at_once(news_site: NewsSite) -> None:
    news_site.slow_seconds = 0.2
    async with local_fetcher(per_host=10, max_connections=3) as fetcher:
        await asyncio.gather(*(fetcher.fetch(news_site.url(NewsSite.FAULT_SLOW)) for _ in range(7)))

    assert news_site.slow_max_in_flight == 3


async def test_a_queue_for_one_slow_host_does_not_hold_up_another_host(news_site: NewsSite) -> None:
    async with (
        NewsSite(articles=2) as other,
        local_fetcher(per_host=1, max_connections=2) as fetcher,
    ):
        stuck = [
            asyncio.create_task(fetcher.fetch(news_site.url(NewsSite.FAULT_SLOW))) for _ in range(4)
        ]
        result = await asyncio.wait_for(fetcher.fetch(other.url(NewsSite.FEED_ALL)), timeout=3)
        assert not any(task.done() for task in stuck)
        news_site.release_slow()
        await asyncio.gather(*stuck)

    assert result.status == 200


# --- charsets -----------------------------------------------------------------------


async def test_a_windows_1251_page_with_the_charset_only_in_meta_reads_as_cyrillic(
    news_site: NewsSite,
) -> None:
    async with local_fetcher() as fetcher:
        result = await fetcher.fetch(news_site.url(NewsSite.FAULT_CP1251_PAGE))

    decoded = decode_text(result.content, result.content_type)
    assert decoded.encoding == "cp1251"
    assert decoded.found_by == "meta"
    assert news_site.articles[0].title in decoded.text


async def test_a_koi8_r_page_without_any_charset_is_detected(news_site: NewsSite) -> None:
    async with local_fetcher() as fetcher:
        result = await fetcher.fetch(news_site.url(NewsSite.FAULT_KOI8_PAGE))

    decoded = decode_text(result.content, result.content_type)
    assert decoded.found_by == "detected"
    assert news_site.articles[0].paragraphs[1] in decoded.text


TEXT = "Товарооборот Казахстана и России вырос, сообщило бюро национальной статистики."


def test_the_http_header_charset_comes_first() -> None:
    decoded = decode_text(TEXT.encode("koi8-r"), "text/html; charset=KOI8-R")
    assert (decoded.text, decoded.found_by) == (TEXT, "header")


def test_a_header_charset_the_bytes_do_not_fit_is_skipped() -> None:
    body = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head>{TEXT}'
    decoded = decode_text(body.encode("cp1251"), "text/html; charset=utf-8")
    assert decoded.found_by == "meta"
    assert TEXT in decoded.text


def test_the_xml_declaration_names_the_feed_encoding() -> None:
    body = f'<?xml version="1.0" encoding="windows-1251"?><rss><title>{TEXT}</title></rss>'
    decoded = decode_text(body.encode("cp1251"), "application/rss+xml")
    assert decoded.found_by == "xml"
    assert TEXT in decoded.text


def test_a_byte_order_mark_wins() -> None:
    decoded = decode_text(b"\xef\xbb\xbf" + TEXT.encode(), "text/html; charset=windows-1251")
    assert (decoded.text, decoded.found_by) == (TEXT, "bom")


def test_undeclared_utf8_is_read_as_utf8() -> None:
    assert decode_text(TEXT.encode()).found_by == "utf-8"


@pytest.mark.parametrize("codec", ["cp1251", "koi8-r"])
def test_undeclared_cyrillic_is_detected(codec: str) -> None:
    text = " ".join([TEXT] * 5)
    assert decode_text(text.encode(codec)).text == text


GERMAN = "Die Aktie ist am Dienstag gestiegen, eine schöne Überraschung für größere Anleger. " * 4


def test_a_declared_utf8_page_with_a_few_latin1_bytes_stays_utf8() -> None:
    body = GERMAN.encode() + "Grüße aus Köln".encode("latin-1")

    for content_type, page in (
        ("text/html; charset=utf-8", body),
        ("text/html", b'<meta charset="utf-8">' + body),
    ):
        decoded = decode_text(page, content_type)
        assert decoded.encoding == "utf-8"
        assert GERMAN in decoded.text
        assert "Gr\ufffd\ufffde aus K\ufffdln" in decoded.text


def test_an_undeclared_utf8_page_with_a_few_bad_bytes_stays_utf8() -> None:
    decoded = decode_text(TEXT.encode() * 3 + b"\xff")
    assert (decoded.encoding, decoded.found_by) == ("utf-8", "utf-8")
    assert decoded.text.startswith(TEXT * 3)


def test_valid_utf8_beats_a_single_byte_charset_in_the_header() -> None:
    decoded = decode_text(TEXT.encode(), "text/html; charset=windows-1251")
    assert decoded.text == TEXT


def test_an_encoding_outside_our_regions_is_detected_too() -> None:
    polish = (
        "Prezydent spotkał się z premierem w Warszawie, gdzie omówiono współpracę gospodarczą "
        "i źródła energii. Ścisłe konsultacje będą kontynuowane w przyszłym tygodniu. "
    ) * 3
    assert decode_text(polish.encode("cp1250")).text == polish


def test_an_unknown_declared_charset_is_ignored() -> None:
    decoded = decode_text(TEXT.encode(), "text/html; charset=x-no-such-charset")
    assert decoded.text == TEXT


# --- the SSRF guard -----------------------------------------------------------------

REFUSED = [
    "http://127.0.0.1/",
    "http://localhost/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[2002:7f00:1::1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://240.0.0.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://017700000001/",
    "http://127.1/",
]


@pytest.mark.parametrize("url", REFUSED)
async def test_non_public_addresses_are_refused(url: str) -> None:
    async with Fetcher() as fetcher:
        with pytest.raises(BlockedAddress, match="refused"):
            await fetcher.fetch(url)


async def test_dotted_octal_ipv4_is_refused_as_an_invalid_address() -> None:
    async with Fetcher() as fetcher:
        with pytest.raises(InvalidURL):
            await fetcher.fetch("http://0177.0.0.1/")


async def test_the_guard_refuses_a_live_local_server_it_could_reach(news_site: NewsSite) -> None:
    async with Fetcher() as fetcher:
        with pytest.raises(BlockedAddress, match="loopback"):
            await fetcher.fetch(news_site.url(NewsSite.FEED_ALL))
    assert news_site.hits[NewsSite.FEED_ALL] == 0


async def test_a_host_name_that_resolves_to_a_private_address_is_refused() -> None:
    async def resolver(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("10.1.2.3")]

    async with Fetcher(resolver=resolver) as fetcher:
        with pytest.raises(BlockedAddress, match=r"intranet\.example \(10\.1\.2\.3\).*private"):
            await fetcher.fetch("https://intranet.example/feed")


async def test_connections_go_to_the_address_the_guard_resolved(news_site: NewsSite) -> None:
    # The system cannot resolve news.test: only our resolver can, so a success proves the
    # connection used the checked address rather than a second lookup.
    async def resolver(host: str, port: int) -> list[IPAddress]:
        assert host == "news.test"
        return [ipaddress.ip_address("127.0.0.1")]

    port = news_site.base_url.rsplit(":", 1)[1]
    async with Fetcher(allow_private_networks=True, resolver=resolver) as fetcher:
        result = await fetcher.fetch(f"http://news.test:{port}{NewsSite.FEED_ALL}")
    assert result.status == 200


@pytest.mark.parametrize(
    "target",
    ["http://[::1]:{port}/", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/"],
)
async def test_every_redirect_hop_is_checked_again(news_site: NewsSite, target: str) -> None:
    port = news_site.base_url.rsplit(":", 1)[1]
    start = news_site.url("/redirect?to=" + target.format(port=port))
    # The site itself is reachable (exempt); where it redirects to is not.
    async with Fetcher(exempt_networks=[LOOPBACK]) as fetcher:
        with pytest.raises(BlockedAddress):
            await fetcher.fetch(start)
    assert news_site.hits["/redirect"] == 1


async def test_a_redirect_to_another_scheme_is_refused(news_site: NewsSite) -> None:
    async with local_fetcher() as fetcher:
        with pytest.raises(InvalidURL, match="only http and https"):
            await fetcher.fetch(news_site.url("/redirect?to=file:///etc/passwd"))


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/feed",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "gopher://x/",
        "example.com/feed",
        "http:///feed",
        "",
    ],
)
async def test_only_http_and_https_urls_with_a_host_are_fetched(url: str) -> None:
    async with Fetcher() as fetcher:
        with pytest.raises(InvalidURL):
            await fetcher.fetch(url)


@pytest.mark.parametrize("address", ["8.8.8.8", "95.173.136.70", "2a00:1450:4001::1"])
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


def test_allow_private_networks_lifts_the_guard() -> None:
    fetcher = Fetcher(allow_private_networks=True)
    assert fetcher.guard.reason(ipaddress.ip_address("127.0.0.1")) is None
    assert Fetcher().guard.reason(ipaddress.ip_address("127.0.0.1")) == "a loopback address"

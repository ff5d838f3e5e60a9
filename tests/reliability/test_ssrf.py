"""SSRF: links to private and local addresses, via /summary and /addsource, are all refused.

ALLOW_PRIVATE_NETWORKS is off. A "bait" server listens on 127.0.0.1 and counts every
request: whatever a user types, it must never be reached, and the user gets a clear
reply. Two cases need a name server, which a test must not use: a DNS name that
resolves to loopback, and a public-looking site that redirects to loopback. Both run
through the fetcher's own resolver hook — the real guard code with a resolver that
knows those two names (everything else goes to the system resolver). The "public"
site is a redirector on 127.0.0.2, which the guard exempts the way an operator
exempts their own feed host, so its first hop is fetched and its redirect is checked.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.app import build_dispatcher
from bot.config import Settings
from bot.demo.telegram_server import FakeTelegramServer
from services.ingest.fetch import Fetcher, IPAddress, system_resolver
from tests.conftest import MakeSettings
from tests.handlers.conftest import Talk
from tests.reliability.guarded import with_fetcher

ADMIN = 5_100
USER = 5_200
REFUSED = "I do not open links to private or local network addresses."
LOOPBACK_NAME = "intranet.example.test"  # a DNS name that resolves to 127.0.0.1
PUBLIC_NAME = "news.example.com"  # looks public; its site redirects to loopback


@dataclasses.dataclass
class Bait:
    port: int
    redirector_port: int
    hits: int = 0
    redirector_hits: int = 0

    def targets(self) -> list[str]:
        port = self.port
        return [
            f"http://127.0.0.1:{port}/rss",
            f"http://localhost:{port}/rss",
            f"http://[::1]:{port}/rss",
            "http://10.0.0.1/rss",
            "http://192.168.1.1/rss",
            "http://169.254.169.254/latest/meta-data/",
            f"http://0.0.0.0:{port}/rss",
            f"http://2130706433:{port}/rss",
            f"http://0x7f000001:{port}/rss",
            f"http://{LOOPBACK_NAME}:{port}/rss",
            f"http://{PUBLIC_NAME}:{self.redirector_port}/go?to=http://127.0.0.1:{port}/rss",
        ]


@asynccontextmanager
async def bait_servers() -> AsyncIterator[Bait]:
    async def bait(_: web.Request) -> web.Response:
        state.hits += 1
        return web.Response(text="<rss><channel><title>secret</title></channel></rss>")

    async def redirect(request: web.Request) -> web.Response:
        state.redirector_hits += 1
        raise web.HTTPFound(request.query["to"])

    bait_app = web.Application()
    bait_app.router.add_route("*", "/{tail:.*}", bait)
    redirector_app = web.Application()
    redirector_app.router.add_get("/go", redirect)
    async with (
        TestServer(bait_app, host="127.0.0.1") as bait_server,
        TestServer(redirector_app, host="127.0.0.2") as redirector,
    ):
        assert bait_server.port is not None and redirector.port is not None
        state = Bait(bait_server.port, redirector.port)
        # [::1] too, when this machine has IPv6 loopback: the same counter answers there.
        bait_v6 = TestServer(bait_app, host="::1", port=bait_server.port)
        try:
            await bait_v6.start_server()
        except OSError:
            bait_v6 = None
        try:
            yield state
        finally:
            if bait_v6 is not None:
                await bait_v6.close()


async def resolve_with_test_names(host: str, port: int) -> list[IPAddress]:
    names = {LOOPBACK_NAME: "127.0.0.1", PUBLIC_NAME: "127.0.0.2"}
    if host in names:
        return [ipaddress.ip_address(names[host])]
    return await system_resolver(host, port)


@pytest.fixture
def settings(make_settings: MakeSettings, fake_telegram: FakeTelegramServer) -> Settings:
    return make_settings(
        telegram_api_url=fake_telegram.url, admin_ids=str(ADMIN), allow_private_networks=False
    )


@pytest.fixture
async def guarded_talk(talk: Talk) -> AsyncIterator[Talk]:
    """The conversation with every fetch going through a guard that uses `resolve_with_test_names`."""
    services = talk.services
    fetcher = Fetcher(
        allow_private_networks=False,
        clock=services.clock,
        exempt_networks=[ipaddress.ip_network("127.0.0.2/32")],
        resolver=resolve_with_test_names,
    )
    guarded = with_fetcher(services, fetcher)
    talk.dispatcher = build_dispatcher(guarded)
    talk.services = guarded
    try:
        yield talk
    finally:
        await fetcher.aclose()


def targets_for_ids() -> Iterator[str]:
    yield from (
        "127.0.0.1",
        "localhost",
        "[::1]",
        "10.0.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "2130706433",
        "0x7f000001",
        "name-resolving-to-loopback",
        "public-url-redirecting-to-loopback",
    )


@pytest.mark.parametrize("index", range(11), ids=list(targets_for_ids()))
async def test_summary_refuses_private_and_local_addresses(guarded_talk: Talk, index: int) -> None:
    async with bait_servers() as bait:
        url = bait.targets()[index]
        reply = await guarded_talk.send(USER, f"/summary {url}", language_code="en")
    assert reply.text == REFUSED
    assert bait.hits == 0
    if PUBLIC_NAME in url:
        assert bait.redirector_hits == 1  # the first hop was fetched; the redirect was refused


@pytest.mark.parametrize("index", range(11), ids=list(targets_for_ids()))
async def test_addsource_refuses_private_and_local_addresses(
    guarded_talk: Talk, index: int
) -> None:
    async with bait_servers() as bait:
        url = bait.targets()[index]
        reply = await guarded_talk.send(ADMIN, f"/addsource {url}", language_code="en")
    assert reply.text == REFUSED
    assert bait.hits == 0
    assert await guarded_talk.services.sources.list_all() == []


async def test_a_plain_link_in_a_message_is_refused_the_same_way(guarded_talk: Talk) -> None:
    async with bait_servers() as bait:
        reply = await guarded_talk.send(
            USER, f"look at this: http://localhost:{bait.port}/admin", language_code="en"
        )
    assert reply.text == REFUSED
    assert bait.hits == 0

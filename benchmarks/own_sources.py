"""Own sources: what an ingest pass costs when 1,000 chats follow 300 distinct own sources.

    .venv/bin/python benchmarks/own_sources.py [--chats 1000] [--sources 300] [--per-chat 3]

A local feed server (in this process) serves `--sources` feeds of one entry each. Two
databases, built in the same run:

- baseline: the same feeds as the operator's shared sources, no chats at all;
- own: the feeds added by `--chats` chats as their own sources (each follows
  `--per-chat` of them, every feed followed by several chats), none shared.

For each, two forced passes (`Ingestor.run_pass(force=True)`): the first stores the
entries, the second is the steady state of every later interval (entries known). Figures:
HTTP requests the server saw per pass (goal: one feed fetch per distinct source, whatever
the number of chats), wall and CPU seconds per pass, and the after-pass health check of
own sources (services/sources/own_alerts.py), which reads every chat↔source link; ratios
are against the baseline of the same run (after a small warm-up pass counted in neither).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.clock.clocks import SystemClock  # noqa: E402
from services.delivery.sender import SendOutcome, SendResult  # noqa: E402
from services.ingest.fetch import Fetcher  # noqa: E402
from services.ingest.ingestor import Ingestor  # noqa: E402
from services.sources.own_alerts import OwnSourceNotices  # noqa: E402
from services.storage import (  # noqa: E402
    ArticleRepository,
    Database,
    SourceRepository,
    SubscriberRepository,
)
from services.storage.own_sources import OwnSourceRepository  # noqa: E402
from services.workers.cpu_pool import ThreadPool  # noqa: E402

PAGE = (
    "<html><head><title>Новость {n}</title></head><body><article><h1>Новость {n}</h1>"
    + "<p>Акимат города сообщил о ремонте дорог на улице номер {n}. "
    + "Работы продлятся до конца месяца, движение частично ограничат.</p>" * 4
    + "</article></body></html>"
)


def feed(n: int, base: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Лента {n}</title><link>{base}/</link><language>ru</language>"
        f"<item><title>Новость {n}</title><link>{base}/page/{n}.html</link>"
        f"<guid>{base}/page/{n}.html</guid><pubDate>Fri, 20 Mar 2026 06:00:00 +0000</pubDate>"
        "</item></channel></rss>"
    )


class FeedServer:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.base = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}.xml", self._feed)
        app.router.add_get("/page/{n}.html", self._page)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _feed(self, request: web.Request) -> web.Response:
        self.hits["feed"] += 1
        body = feed(int(request.match_info["n"]), self.base)
        return web.Response(text=body, content_type="application/rss+xml")

    async def _page(self, request: web.Request) -> web.Response:
        self.hits["page"] += 1
        return web.Response(text=PAGE.format(n=request.match_info["n"]), content_type="text/html")


class QuietSender:
    async def send_message(self, chat_id: int, text: str, *, html: bool = True) -> SendResult:
        return SendResult(SendOutcome.SENT)


async def scenario(
    server: FeedServer, folder: Path, *, sources: int, chats: int, per_chat: int
) -> dict[str, float]:
    clock = SystemClock()
    db = await Database.open(folder / f"{'own' if chats else 'shared'}.db")
    source_repo = SourceRepository(db, clock)
    own = OwnSourceRepository(db, clock)
    subscribers = SubscriberRepository(db, clock)
    urls = [f"{server.base}/feed/{n}.xml" for n in range(sources)]
    if not chats:
        for url in urls:
            await source_repo.upsert(url, name=url, language="ru")
    else:
        for chat in range(1, chats + 1):
            await subscribers.register(
                chat, chat_type="private", language="ru", timezone="UTC", digest_time="09:00"
            )
            for k in range(per_chat):
                url = urls[(chat + k * (sources // per_chat)) % sources]
                await own.add(chat, url, name=url, language="ru")
    figures: dict[str, float] = {
        "sources rows": len(await source_repo.list_all()),
        "links": sum(1 for _ in await own.followers()),
    }
    notices = OwnSourceNotices(
        own=own,
        subscribers=subscribers,
        sender=QuietSender(),
        clock=clock,
        compose=lambda notice, language: "",
    )
    pool = ThreadPool()
    async with Fetcher(allow_private_networks=True) as fetcher:
        ingestor = Ingestor(
            sources=source_repo,
            articles=ArticleRepository(db, clock),
            fetcher=fetcher,
            clock=clock,
            cpu=pool,
        )
        for number in (1, 2):
            server.hits.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            report = await ingestor.run_pass(force=True)
            figures[f"pass {number} seconds"] = time.perf_counter() - wall
            figures[f"pass {number} cpu"] = time.process_time() - cpu
            figures[f"pass {number} feed fetches"] = server.hits["feed"]
            figures[f"pass {number} page fetches"] = server.hits["page"]
            figures[f"pass {number} new"] = report.new
        started = time.perf_counter()
        await notices.check()
        figures["health check seconds"] = time.perf_counter() - started
    await db.close()
    return figures


async def main(chats: int, sources: int, per_chat: int) -> None:
    server = FeedServer()
    await server.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            warm = Path(folder) / "warm-up"  # imports and first-use costs, kept out of both
            warm.mkdir()
            await scenario(server, warm, sources=5, chats=0, per_chat=0)
            base = await scenario(server, Path(folder), sources=sources, chats=0, per_chat=0)
            ours = await scenario(
                server, Path(folder), sources=sources, chats=chats, per_chat=per_chat
            )
    finally:
        await server.close()
    print(
        f"{sources} distinct feeds; baseline: shared sources, no chats; "
        f"own: {chats} chats × {per_chat} own sources each ({ours['links']:.0f} links)\n"
    )
    print(f"  {'figure':<24} {'baseline':>10} {'own':>10} {'ratio':>7}")
    for key in base:
        if key == "links":
            continue
        ratio = ours[key] / base[key] if base[key] else float("nan")
        print(f"  {key:<24} {base[key]:10.3f} {ours[key]:10.3f} {ratio:7.2f}")
    per_source = ours["pass 2 feed fetches"] / sources
    print(f"\n  feed fetches per distinct source per pass (own): {per_source:.2f} (goal 1.00)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--per-chat", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.chats, arguments.sources, arguments.per_chat))

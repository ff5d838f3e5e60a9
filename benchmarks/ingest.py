"""Ingestion speed: 500 articles from the local news site, end to end and stage by stage.

    .venv/bin/python benchmarks/ingest.py [--articles 500]

The news site (bot/demo/news_site.py) runs in a process of its own, so its CPU is not
counted here. Figures:

1. Stages, each run alone over the same pages, in CPU milliseconds per article
   (time.process_time, all threads of this process): fetch (the guarded client, pages
   gzip-compressed by the site), extract (decode + trafilatura + metadata), clean
   (boilerplate rules + language + hash), store (ArticleRepository.add on a fresh SQLite
   file). Baseline, measured in the same run on the same pages: trafilatura alone
   (`bare_extraction` with metadata, its defaults); ratios are against it.
2. End to end: one `Ingestor.run_pass` over the site's section feeds into a fresh database,
   with the CPU work in a thread pool and in a process pool: articles per second, and the
   event loop's worst stall measured by a probe that asks to wake every 5 ms (the lateness
   of each wake-up). Goal: worst stall under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from services.clock.clocks import SystemClock  # noqa: E402
from services.ingest.clean import clean_text  # noqa: E402
from services.ingest.extract import PageContent, canonical_url, content_hash, extract_page  # noqa: E402
from services.ingest.feeds import parse_feed  # noqa: E402
from services.ingest.fetch import Fetcher, FetchResult, decode_text  # noqa: E402
from services.ingest.ingestor import Ingestor  # noqa: E402
from services.storage import ArticleRepository, Database, SourceRepository  # noqa: E402
from services.storage.models import NewArticle  # noqa: E402
from services.text.language import detect_language  # noqa: E402
from services.workers.cpu_pool import CpuPool, ProcessPool, ThreadPool  # noqa: E402

T = TypeVar("T")
TICK = 0.005


@dataclass
class LoopProbe:
    """Wakes every TICK seconds and records how late each wake-up was."""

    lateness: list[float]
    running: bool = True

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while self.running:
            asked = loop.time()
            await asyncio.sleep(TICK)
            self.lateness.append(loop.time() - asked - TICK)

    @property
    def worst_ms(self) -> float:
        return max(self.lateness, default=0.0) * 1000

    @property
    def p99_ms(self) -> float:
        if len(self.lateness) < 2:
            return self.worst_ms
        return statistics.quantiles(self.lateness, n=100)[98] * 1000


def start_site(articles: int) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.demo.news_site", "--articles", str(articles), "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    if not base_url.startswith("http"):
        process.kill()
        raise SystemExit("the news site did not start")
    return process, base_url


def cpu_ms_per(items: int, began: float) -> float:
    return (time.process_time() - began) * 1000 / items


async def timed_async(items: int, work: Callable[[], Awaitable[T]]) -> tuple[T, float]:
    began = time.process_time()
    result = await work()
    return result, cpu_ms_per(items, began)


def timed(items: int, work: Callable[[], T]) -> tuple[T, float]:
    began = time.process_time()
    result = work()
    return result, cpu_ms_per(items, began)


async def page_urls(fetcher: Fetcher, base_url: str) -> list[str]:
    feed = await fetcher.fetch(f"{base_url}/rss/all.xml")
    parsed = parse_feed(feed.content, url=feed.final_url, content_type=feed.content_type)
    return [entry.link for entry in parsed.entries]


async def stages(base_url: str, count: int) -> dict[str, float]:
    """CPU ms per article of each stage run alone, and of trafilatura alone."""
    async with Fetcher(allow_private_networks=True) as fetcher:
        urls = (await page_urls(fetcher, base_url))[:count]
        pages, fetch_ms = await timed_async(
            len(urls), lambda: asyncio.gather(*(fetcher.fetch(url) for url in urls))
        )
    htmls = [(page, decode_text(page.content, page.content_type).text) for page in pages]

    def extract_all() -> list[PageContent | None]:
        return [
            extract_page(decode_text(page.content, page.content_type).text, url=page.final_url)
            for page in pages
        ]

    def clean_all(found: list[PageContent | None]) -> list[tuple[str, str, str]]:
        cleaned = []
        for content in found:
            assert content is not None
            text = clean_text(content.text, title=content.title)
            language = detect_language(f"{content.title}\n{text}")
            cleaned.append((text, language, content_hash(text, content.title)))
        return cleaned

    def trafilatura_alone() -> list[object]:
        return [
            trafilatura.bare_extraction(html, url=page.final_url, with_metadata=True)
            for page, html in htmls
        ]

    _, baseline_ms = timed(len(pages), trafilatura_alone)
    found, extract_ms = timed(len(pages), extract_all)
    cleaned, clean_ms = timed(len(pages), lambda: clean_all(found))

    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "bench.db")
        repository = ArticleRepository(db, SystemClock())
        news = [
            NewArticle(
                url=page.url,
                canonical_url=(content.canonical_url if content else None)
                or canonical_url(page.url),
                content_hash=digest,
                language=language,
                title=content.title if content else "",
                text=text,
                published_at=content.published_at if content else None,
            )
            for page, content, (text, language, digest) in zip(pages, found, cleaned, strict=True)
        ]

        async def store_all() -> None:
            for article in news:
                await repository.add(article)

        _, store_ms = await timed_async(len(news), store_all)
        await db.close()
    return {
        "fetch": fetch_ms,
        "extract": extract_ms,
        "clean": clean_ms,
        "store": store_ms,
        "trafilatura": baseline_ms,
    }


def _warm() -> None:
    """Run the extraction stack once in a worker before the clock starts."""
    extract_page("<html><body><p>warm up</p></body></html>", url="http://localhost/")


async def end_to_end(base_url: str, cpu: CpuPool, sections: list[str]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "bench.db")
        clock = SystemClock()
        sources = SourceRepository(db, clock)
        articles = ArticleRepository(db, clock)
        for section in sections:
            await sources.upsert(f"{base_url}/rss/{section}.xml", name=section)
        async with Fetcher(allow_private_networks=True) as fetcher:
            ingestor = Ingestor(
                sources=sources, articles=articles, fetcher=fetcher, clock=clock, cpu=cpu
            )
            probe = LoopProbe([])
            probe_task = asyncio.create_task(probe.run())
            began_wall, began_cpu = time.perf_counter(), time.process_time()
            report = await ingestor.run_pass(force=True)
            wall = time.perf_counter() - began_wall
            cpu = time.process_time() - began_cpu
            probe.running = False
            await probe_task
        await db.close()
    return {
        "new": report.new,
        "failed": report.failed + report.failed_sources,
        "seconds": wall,
        "per_second": report.new / wall if wall else 0.0,
        "loop_cpu_ms": cpu * 1000 / max(report.new, 1),
        "worst_stall_ms": probe.worst_ms,
        "p99_stall_ms": probe.p99_ms,
    }


async def main(count: int) -> None:
    process, base_url = start_site(count)
    try:
        async with Fetcher(allow_private_networks=True) as fetcher:
            home: FetchResult = await fetcher.fetch(f"{base_url}/rss/all.xml")
        sections = sorted(
            {
                entry.link.split("/")[4]
                for entry in parse_feed(home.content, url=home.final_url).entries
            }
        )
        print(
            f"news site: {base_url}, {count} articles in {len(sections)} section feeds; "
            f"{os.cpu_count()} CPUs\n"
        )

        figures = await stages(base_url, count)
        baseline = figures["trafilatura"]
        print("CPU ms per article, each stage alone (ratio to trafilatura alone):")
        for stage in ("fetch", "extract", "clean", "store"):
            print(f"  {stage:<8} {figures[stage]:7.2f} ms   ×{figures[stage] / baseline:5.2f}")
        ours = sum(figures[stage] for stage in ("fetch", "extract", "clean", "store"))
        print(f"  {'total':<8} {ours:7.2f} ms   ×{ours / baseline:5.2f}")
        print(f"  baseline: trafilatura alone {baseline:.2f} ms\n")

        threaded = await end_to_end(base_url, ThreadPool(), sections)
        processes = ProcessPool()  # as the bot runs it: one worker per core but one
        await asyncio.gather(*(processes.run(_warm) for _ in range(processes.workers)))
        pooled = await end_to_end(base_url, processes, sections)
        processes.close()
        print("End to end, one pass over every section feed (fresh database each):")
        print(
            "  pool       articles  seconds  articles/s  loop-process CPU ms/article  "
            "worst stall  p99 stall"
        )
        for name, run in (("threads", threaded), (f"processes×{processes.workers}", pooled)):
            verdict = "ok" if run["worst_stall_ms"] < 100 else "OVER 100 ms"
            print(
                f"  {name:<10} {run['new']:8.0f}  {run['seconds']:7.2f}  {run['per_second']:10.1f}  "
                f"{run['loop_cpu_ms']:27.2f}  {run['worst_stall_ms']:8.1f} ms  "
                f"{run['p99_stall_ms']:6.1f} ms  {verdict}"
            )
        if threaded["failed"] or pooled["failed"]:
            print(f"  failures: threads {threaded['failed']:.0f}, processes {pooled['failed']:.0f}")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=500)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.articles))

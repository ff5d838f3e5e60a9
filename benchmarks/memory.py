"""Memory: the running bot's resident set before and after its models are loaded.

Starts the real `python -m bot run` (long polling against the fake Bot API, sources on the
local news site), samples the resident memory of the bot's process and of its worker
processes from /proc, and prints:

- after start-up, before the first ingest pass (the baseline: code, lemmatiser,
  catalogue, no articles, no word vectors);
- after the first pass has fetched, extracted, summarised, indexed and grouped the
  site's articles (same-event grouping has loaded navec's news vectors by then);
- the peak seen while the pass ran.

Goal: the bot's own process with the models loaded ≤ 350 MB. Worker processes are shown
apart: they do extraction and summarising, and one holds the story index (with its own copy
of the word vectors).

    .venv/bin/python benchmarks/memory.py [--articles 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings  # noqa: E402
from bot.demo.news_site import NewsSite  # noqa: E402
from bot.demo.telegram_server import DEFAULT_TOKEN, FakeTelegramServer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PASS_DONE = "ingest pass done"
FIRST_PASS_AFTER = 5.0  # seconds: the scheduler's first ingest pass (bot/scheduler.py)


def rss_mb(pid: int) -> float:
    """Resident set of one process in MB, from /proc (0 when it has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    """Direct and indirect children of `pid` (the worker pools and their helpers)."""
    found: list[int] = []
    queue = [pid]
    while queue:
        parent = queue.pop()
        try:
            listed = Path(f"/proc/{parent}/task/{parent}/children").read_text(encoding="ascii")
        except OSError:
            continue
        for child in map(int, listed.split()):
            found.append(child)
            queue.append(child)
    return found


def sample(pid: int) -> tuple[float, float]:
    """(the bot's process, all its children together), in MB."""
    return rss_mb(pid), sum(rss_mb(child) for child in children(pid))


async def run(articles: int) -> None:
    with tempfile.TemporaryDirectory(prefix="newsdigest-memory-") as folder:
        work = Path(folder)
        async with (
            FakeTelegramServer(token=DEFAULT_TOKEN) as telegram,
            NewsSite(articles=articles) as site,
        ):
            feeds = site.sources()
            (work / "sources.toml").write_text(
                "\n".join(
                    f'[[sources]]\nurl = "{feed.url}"\nname = "{feed.name}"\n'
                    f'language = "{feed.language}"\n'
                    for feed in feeds
                ),
                encoding="utf-8",
            )
            env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
            env.update(
                PYTHONPATH=str(ROOT),
                BOT_TOKEN=DEFAULT_TOKEN,
                TELEGRAM_API_URL=telegram.url,
                DATABASE_PATH=str(work / "newsdigest.db"),
                SOURCES_FILE=str(work / "sources.toml"),
                TOPICS_FILE=str(ROOT / "config" / "topics.toml"),
                ALLOW_PRIVATE_NETWORKS="true",
                INGEST_INTERVAL_MINUTES="1",  # a scheduled pass spreads its sources over this
                LOG_LEVEL="INFO",
            )
            log = work / "bot.log"
            with log.open("wb") as sink:
                bot = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", "run", cwd=work, env=env, stdout=sink, stderr=sink
                )
            started = time.monotonic()
            try:
                await asyncio.sleep(FIRST_PASS_AFTER - 1.5)
                idle = sample(bot.pid)
                peak = idle
                deadline = started + 300
                while PASS_DONE not in log.read_text(encoding="utf-8", errors="replace"):
                    if bot.returncode is not None or time.monotonic() > deadline:
                        raise SystemExit(
                            f"the bot stopped or the pass never ended:\n{log.read_text()}"
                        )
                    now = sample(bot.pid)
                    peak = (max(peak[0], now[0]), max(peak[1], now[1]))
                    await asyncio.sleep(0.2)
                await asyncio.sleep(2.0)  # the pass's last groupings settle
                loaded = sample(bot.pid)
                peak = (max(peak[0], loaded[0]), max(peak[1], loaded[1]))
            finally:
                bot.terminate()
                await bot.wait()
            done = [line for line in log_lines(log) if PASS_DONE in line]
    print(f"memory of `python -m bot run`, {len(feeds)} feeds, {articles} articles on the site")
    print(f"  {done[-1].strip() if done else ''}")
    print(f"{'':34} | {'bot process':>12} | {'workers':>10}")
    print(f"{'after start-up (baseline)':34} | {idle[0]:9.0f} MB | {idle[1]:7.0f} MB")
    print(f"{'after the first pass (models on)':34} | {loaded[0]:9.0f} MB | {loaded[1]:7.0f} MB")
    print(f"{'peak during the pass':34} | {peak[0]:9.0f} MB | {peak[1]:7.0f} MB")
    print(f"ratio loaded/baseline (bot process): {loaded[0] / idle[0]:.2f}; goal ≤ 350 MB")


def log_lines(log: Path) -> list[str]:
    try:
        return log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    args = parser.parse_args()
    asyncio.run(run(args.articles))


if __name__ == "__main__":
    main()

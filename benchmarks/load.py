"""Load: 1,000 updates a second of mixed commands while the bot ingests 500 articles.

Four processes, as in production: the real bot (`python -m bot run`, long polling);
"Telegram" — the fake Bot API server, which injects the load at a steady rate and
timestamps every reply (a process of its own, so the load generator never competes
with what it measures); the local news site; and this controller. Latency is from the
moment an update is queued at the fake server to the moment the bot's first reply to
that chat arrives there (getUpdates, dispatch, handler, sendMessage: what a user
waits). Each command comes from a user of its own, so replies pair up with commands
without guessing (and the per-user throttle measures nothing here).

Two runs with the same load: the bot idle over the same 500 articles, stored before it
started (the baseline: searches have as much to search, no pass runs), then the bot
ingesting those 500 articles from the local site (its first pass begins 5 s after start).
Both are warmed up over stored articles before measuring: the ingesting run once more
after its pass has stored the first WARM_ARTICLES, so a one-off load at first use (the
word vectors of the digest's no-event-twice check) is not counted against the pass.
Printed per run: p50/p99/max latency, updates lost (no reply within the drain time),
replies per second, the CPU seconds the bot and the fake server spent, and for the
ingest run how much of the load window the ingest pass covered; then the ratios
ingesting/idle. Goals: p99 ≤ 200 ms, 0 lost, and people's commands never wait behind a
pass: p99 while ingesting ≤ 2× the idle bot's.

This measures the bot's own latency, not Telegram's send budget: the bot runs with
SEND_RATE at 1,000 a second (above any offered rate here) and the fake Bot API with its
rate limits off (`TimedTelegram` is started without `global_rate` / `chat_rate`), so no
reply waits in the pacer's queue. How replies share Telegram's 30 a second with digests
is measured by benchmarks/burst.py.

    .venv/bin/python benchmarks/load.py [--rate 1000] [--seconds 15] [--articles 500]
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres | --postgres]

With --database-url both runs are made again with the bot on PostgreSQL (a scratch
database per run, created and dropped on that server; its owner needs CREATEDB), and the
PostgreSQL/SQLite ratios of the same figures are printed. --postgres starts a throwaway
server for that on a free loopback port, as the tests do (tests/postgres_server.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import multiprocessing
import os
import re
import resource
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings  # noqa: E402
from bot.demo.news_corpus import FAMILIES  # noqa: E402
from bot.demo.telegram_server import DEFAULT_TOKEN, FakeTelegramServer  # noqa: E402
from tests.postgres_server import create_database, drop_database  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# What people send, weighted roughly by how often: cheap commands, database reads, chatter.
COMMANDS = (
    ["/help"] * 3
    + ["/start"] * 2
    + ["/mytopics"] * 2
    + ["/topics"] * 2
    + ["/search Казахстан Россия", "/search нефть OR газ", "/search уран"]
    + ["/time 9:30", "/length 3", "/language", "/timezone Asia/Almaty"]
    + ["/digest", "/subscribe Байконур", "/unknown", "привет", "что нового?"]
)
FIRST_USER = 10_000_000
BATCH_SECONDS = 0.01  # inject in batches every 10 ms: 10 updates per batch at 1,000/s
SEND_RATE = 1000  # the bot's pace: above every offered rate, so no reply queues for it
WARM_ARTICLES = 20  # stored by the pass before the ingesting run's second warm-up
DRAIN_SECONDS = 20.0  # an update still unanswered after this long without any reply is lost


# --- "Telegram": the fake Bot API server and the load, in a process of their own ----------


class TimedTelegram(FakeTelegramServer):
    """The fake Bot API, noting when the first reply to each waiting chat arrives."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.waiting: dict[int, tuple[float, str]] = {}  # chat id → (queued at, command)
        self.latencies: list[float] = []
        self.by_command: dict[str, list[float]] = {}

    def queue_command(self, chat_id: int, text: str) -> None:
        self.inject_message(chat_id, text, language_code="ru")
        self.waiting[chat_id] = (time.monotonic(), text.split(" ", 1)[0])

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        payload = super()._m_sendMessage(params)
        queued = self.waiting.pop(int(payload["chat"]["id"]), None)
        if queued is not None:
            latency = time.monotonic() - queued[0]
            self.latencies.append(latency)
            self.by_command.setdefault(queued[1], []).append(latency)
        return payload

    def reset(self) -> None:
        self.latencies.clear()
        self.by_command.clear()


async def warm_up(telegram: TimedTelegram) -> None:
    """Every kind of command once, answered, before measuring: first uses load the
    lemmatiser, the topic index and the database pages, which is start-up, not load."""
    for offset, command in enumerate(dict.fromkeys(COMMANDS)):
        telegram.queue_command(FIRST_USER - 1 - offset, command)
    await telegram.wait_until(lambda: not telegram.waiting, 180, "warm-up replies")
    telegram.reset()


async def inject(telegram: TimedTelegram, rate: int, seconds: float) -> dict[str, Any]:
    """`rate` commands a second for `seconds`, each from a user with nothing outstanding;
    then wait for the replies; returns what was measured."""
    total = int(rate * seconds)
    commands = itertools.cycle(COMMANDS)
    per_batch = max(1, round(rate * BATCH_SECONDS))
    sent = 0
    started_wall = time.time()
    began = time.monotonic()
    while sent < total:
        for _ in range(min(per_batch, total - sent)):
            telegram.queue_command(FIRST_USER + sent, next(commands))  # one command per user
            sent += 1
        await asyncio.sleep(max(0.0, began + sent / rate - time.monotonic()))
    load_seconds = time.monotonic() - began
    # Drain: wait while replies keep coming; what is still unanswered after a quiet spell
    # of DRAIN_SECONDS is lost.
    answered = -1
    while telegram.waiting and answered != len(telegram.latencies):
        answered = len(telegram.latencies)
        with contextlib.suppress(TimeoutError):
            await telegram.wait_until(lambda: not telegram.waiting, DRAIN_SECONDS, "replies")
    return {
        "sent": sent,
        "load_seconds": load_seconds,
        "load_started": started_wall,
        "replies_seconds": time.monotonic() - began,
        "latencies": list(telegram.latencies),
        "by_command": dict(telegram.by_command),
        "lost": len(telegram.waiting),
        "errors": len(telegram.errors),
        "cpu_seconds": time.process_time(),
    }


async def telegram_main(connection: Connection) -> None:
    telegram = TimedTelegram(token=DEFAULT_TOKEN)  # rate limits off: the bot's own latency
    async with telegram:
        connection.send(telegram.url)
        loop = asyncio.get_running_loop()
        while True:
            order, *args = await loop.run_in_executor(None, connection.recv)
            if order == "ready":
                await telegram.wait_until(lambda: telegram.requests["getUpdates"] > 0, 120)
                await warm_up(telegram)
                connection.send(True)
            elif order == "warm":
                await warm_up(telegram)
                connection.send(True)
            elif order == "load":
                connection.send(await inject(telegram, *args))
            else:
                return


def telegram_process(connection: Connection) -> None:
    asyncio.run(telegram_main(connection))


# --- the controller --------------------------------------------------------------------


@dataclass
class Run:
    name: str
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    by_command: dict[str, list[float]] = field(default_factory=dict)
    lost: int = 0
    errors: int = 0
    load_seconds: float = 0.0
    replies_seconds: float = 0.0
    load_started: float = 0.0  # wall clock of the first update
    ingest_window: tuple[float, float] | None = None  # wall clock of the ingest pass
    ingest_line: str = ""
    bot_cpu: float = 0.0
    telegram_cpu: float = 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    @property
    def ingest_overlap(self) -> float:
        """Share of the load window during which the ingest pass was running."""
        if self.ingest_window is None or self.load_seconds == 0:
            return 0.0
        start, end = self.ingest_window
        load_end = self.load_started + self.load_seconds
        overlap = min(end, load_end) - max(start, self.load_started)
        return max(0.0, overlap) / self.load_seconds


async def start_news_site(articles: int) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.demo.news_site",
        "--articles",
        str(articles),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 60)
    return process, line.decode().strip()


def write_sources(path: Path, base_url: str | None) -> None:
    if base_url is None:
        path.write_text("", encoding="utf-8")
        return
    blocks = [
        f'[[sources]]\nurl = "{base_url}/rss/{family.section}.xml"\n'
        f'name = "Local {family.section}"\nlanguage = "{family.language}"\n'
        for family in FAMILIES
    ]
    path.write_text("\n".join(blocks), encoding="utf-8")


def bot_env(folder: Path, telegram_url: str, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(
        BOT_TOKEN=DEFAULT_TOKEN,
        TELEGRAM_API_URL=telegram_url,
        DATABASE_PATH=str(folder / "newsdigest.db"),
        SOURCES_FILE=str(folder / "sources.toml"),
        TOPICS_FILE=str(ROOT / "config" / "topics.toml"),
        ALLOW_PRIVATE_NETWORKS="true",
        INGEST_INTERVAL_MINUTES="1",  # the first pass starts 5 s in, sources 3-4 s apart
        # Nobody's digest falls due during a run, whatever the hour: the load's thousands of
        # new users would otherwise get today's digest (benchmarks/delivery.py measures that).
        DIGEST_CATCHUP_HOURS="0",
        DEFAULT_DIGEST_TIME=(datetime.now(UTC) + timedelta(hours=12)).strftime("%H:%M"),
        DEFAULT_TIMEZONE="UTC",
        LOG_LEVEL=os.environ.get("LOAD_LOG_LEVEL", "INFO"),
        # The bot's own latency, not the pacer's queue: replies may go as fast as it can
        # make them (benchmarks/burst.py measures Telegram's budget).
        SEND_RATE=str(SEND_RATE),
    )
    return env


def ingest_window(log: str) -> tuple[tuple[float, float] | None, str]:
    """(start, end) wall-clock of the first ingest pass in the bot's log, and its line."""
    for line in log.splitlines():
        if "ingest pass" not in line:
            continue
        stamp = re.search(r"time=(\S+)", line)
        seconds = re.search(r"seconds=([\d.]+)", line)
        if stamp and seconds:
            end = datetime.fromisoformat(stamp.group(1).replace("Z", "+00:00")).timestamp()
            return (end - float(seconds.group(1)), end), line
    return None, ""


async def ask(connection: Connection, *message: Any) -> Any:
    connection.send(message)
    return await asyncio.get_running_loop().run_in_executor(None, connection.recv)


BOT_COMMAND = ("-m", "bot", "run")
BARE_COMMAND = (str(ROOT / "benchmarks" / "bare_bot.py"),)


async def scratch_database(server_url: str, name: str) -> str:
    """A new, empty database on the server of `server_url`; its URL."""
    database = f"load_{name.replace('-', '_')}_{os.getpid()}_{int(time.time()) % 10**6}"
    return await create_database(server_url, database)


async def stored_articles(folder: Path, database_url: str | None) -> int:
    if database_url:
        conn = await asyncpg.connect(database_url)
        try:
            return int(await conn.fetchval("SELECT COUNT(*) FROM articles"))
        except asyncpg.UndefinedTableError:  # the schema is not there yet
            return 0
        finally:
            await conn.close()
    with contextlib.suppress(sqlite3.Error), sqlite3.connect(folder / "newsdigest.db") as conn:
        return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    return 0


async def preload(folder: Path, articles: int, database_url: str | None = None) -> None:
    """Store `articles` from the local site with the ingest command, before the bot starts."""
    site, base_url = await start_news_site(articles)
    try:
        write_sources(folder / "sources.toml", base_url)
        ingest = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "ingest",
            cwd=ROOT,
            env=bot_env(folder, "http://127.0.0.1:9", database_url),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, said = await ingest.communicate()
        if ingest.returncode != 0:
            raise RuntimeError(f"the preload ingest failed: {said.decode(errors='replace')}")
        if database_url:  # the idle bot runs no pass
            conn = await asyncpg.connect(database_url)
            try:
                await conn.execute("UPDATE sources SET enabled = FALSE")
            finally:
                await conn.close()
        else:
            with sqlite3.connect(folder / "newsdigest.db") as db:
                db.execute("UPDATE sources SET enabled = 0")
    finally:
        site.terminate()
        await site.wait()


async def run(
    name: str,
    *,
    rate: int,
    seconds: float,
    articles: int,
    stored: int = 0,
    command: tuple[str, ...] = BOT_COMMAND,
    server_url: str | None = None,
) -> Run:
    """One bot under the load: ingesting `articles` meanwhile, or idle over `stored` ones.

    With `server_url` the bot's store is a scratch PostgreSQL database on that server."""
    result = Run(name)
    folder = Path(tempfile.mkdtemp(prefix=f"newsdigest-load-{name}-"))
    database_url = await scratch_database(server_url, name) if server_url else None
    try:
        return await _run(
            result, folder, database_url, rate=rate, seconds=seconds, articles=articles,
            stored=stored, command=command,
        )  # fmt: skip
    finally:
        if server_url and database_url:
            await drop_database(server_url, database_url)


async def _run(
    result: Run,
    folder: Path,
    database_url: str | None,
    *,
    rate: int,
    seconds: float,
    articles: int,
    stored: int,
    command: tuple[str, ...],
) -> Run:
    if stored:
        await preload(folder, stored, database_url)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    site = None
    base_url = None
    if articles:
        site, base_url = await start_news_site(articles)
    write_sources(folder / "sources.toml", base_url)
    log_path = folder / "bot.log"
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    telegram = context.Process(target=telegram_process, args=(theirs,), daemon=True)
    telegram.start()
    url = await asyncio.get_running_loop().run_in_executor(None, ours.recv)
    with log_path.open("wb") as log:
        bot = await asyncio.create_subprocess_exec(
            sys.executable,
            *command,
            cwd=folder,
            env=bot_env(folder, url, database_url),
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        await ask(ours, "ready")
        if articles:  # start the load once the pass is storing articles
            await wait_for_articles(folder, database_url, WARM_ARTICLES, 300)
            # Warm up again now that there is something to find: the first search that
            # shows several stories loads the word vectors of the no-event-twice check,
            # start-up the idle run paid in its own warm-up, over its stored articles.
            await ask(ours, "warm")
            await wait_for_line(log_path, "ingest pass", 0)
        elif stored:  # as long after start as the ingesting run: past its first (empty) pass
            await wait_for_line(log_path, "ingest pass", 120)
        measured = await ask(ours, "load", rate, seconds)
        if articles:  # let the pass finish so its line is in the log
            with contextlib.suppress(TimeoutError):
                await wait_for_line(log_path, "ingest pass", 600)
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 120)
        ours.send(("stop",))
        telegram.join(30)
        if site is not None:
            site.terminate()
            await site.wait()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - children_before
    for key in ("sent", "latencies", "by_command", "lost", "errors", "load_seconds"):
        setattr(result, key, measured[key])
    result.replies_seconds = measured["replies_seconds"]
    result.load_started = measured["load_started"]
    result.telegram_cpu = measured["cpu_seconds"]
    result.bot_cpu = children - result.telegram_cpu  # the bot (and the news site, if any)
    result.ingest_window, result.ingest_line = ingest_window(log_path.read_text("utf-8", "replace"))
    return result


async def wait_for_articles(
    folder: Path, database_url: str | None, count: int, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if await stored_articles(folder, database_url) >= count:
            return
        if time.monotonic() > deadline:
            raise TimeoutError("no article stored")
        await asyncio.sleep(0.2)


async def wait_for_line(path: Path, needle: str, timeout: float) -> None:
    """Wait until `needle` is in the bot's log; with timeout 0, check that it is not yet."""
    if timeout == 0:
        assert needle not in path.read_text("utf-8", "replace"), "the pass ended before the load"
        return
    deadline = time.monotonic() + timeout
    while needle not in path.read_text("utf-8", "replace"):
        if time.monotonic() > deadline:
            raise TimeoutError(needle)
        await asyncio.sleep(0.5)


def report(run_: Run) -> None:
    achieved = run_.sent / run_.load_seconds if run_.load_seconds else 0.0
    replied = len(run_.latencies) / run_.replies_seconds if run_.replies_seconds else 0.0
    print(
        f"{run_.name:>10}: {run_.sent} updates in {run_.load_seconds:.1f} s ({achieved:.0f}/s"
        f" offered); {len(run_.latencies)} replies ({replied:.0f}/s), lost {run_.lost},"
        f" API errors {run_.errors}; latency p50 {run_.percentile(0.50):.0f} ms,"
        f" p99 {run_.percentile(0.99):.0f} ms, max {max(run_.latencies, default=0) * 1000:.0f} ms"
    )
    slowest = sorted(
        (
            (sorted(values)[int(0.99 * (len(values) - 1))], name, len(values))
            for name, values in run_.by_command.items()
        ),
        reverse=True,
    )[:4]
    print(
        "            slowest p99 by command: "
        + ", ".join(f"{name} {p99 * 1000:.0f} ms ({count})" for p99, name, count in slowest)
    )
    print(
        f"            CPU: bot {run_.bot_cpu:.1f} s, fake Telegram + load {run_.telegram_cpu:.1f} s"
        + (
            f"; mean latency {statistics.fmean(run_.latencies) * 1000:.0f} ms"
            if run_.latencies
            else ""
        )
    )


async def both_runs(args: argparse.Namespace, server_url: str | None) -> tuple[Run, Run]:
    """The idle run and the ingesting run, on SQLite or on PostgreSQL at `server_url`."""
    store = "postgresql" if server_url else "sqlite"
    idle = await run(
        f"idle-{store}", rate=args.rate, seconds=args.seconds, articles=0,
        stored=args.articles, server_url=server_url,
    )  # fmt: skip
    report(idle)
    busy = await run(
        f"ingesting-{store}", rate=args.rate, seconds=args.seconds, articles=args.articles,
        server_url=server_url,
    )  # fmt: skip
    report(busy)
    return idle, busy


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server: both runs again with the bot on it, and the ratios",
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="start a throwaway PostgreSQL server (as the tests do) and use it as --database-url",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="first the same load on a bare aiogram bot (benchmarks/bare_bot.py): the framework's ceiling here",
    )
    args = parser.parse_args()
    print(
        f"load: {args.rate} updates/s for {args.seconds:g} s of mixed commands; "
        f"{os.cpu_count()} CPUs; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    if args.floor:
        bare = await run(
            "bare", rate=args.rate, seconds=args.seconds, articles=0, command=BARE_COMMAND
        )
        report(bare)
    idle, busy = await both_runs(args, None)
    with contextlib.ExitStack() as stack:
        if args.postgres and not args.database_url:
            args.database_url = stack.enter_context(throwaway_postgres())
        if args.database_url:
            print("-- the same on PostgreSQL (DATABASE_URL)")
            pg_idle, pg_busy = await both_runs(args, args.database_url)
            compare(pg_idle, pg_busy, idle, busy)
            print("-- SQLite (the default store):")
    summarise(idle, busy)


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL server of its own on a free loopback port, removed afterwards."""
    from tests.postgres_server import PostgresServer, server_binaries

    binaries = server_binaries()
    if binaries is None:
        raise SystemExit("--postgres: no PostgreSQL server binaries here (set PG_BIN)")
    server = PostgresServer(binaries).start()
    try:
        yield server.url()
    finally:
        server.stop()


def compare(pg_idle: Run, pg_busy: Run, idle: Run, busy: Run) -> None:
    """PostgreSQL's own ingesting/idle ratios, then PostgreSQL against SQLite."""
    print_pass(pg_busy)
    for label, share in (("p50", 0.50), ("p99", 0.99)):
        ratio = pg_busy.percentile(share) / pg_idle.percentile(share)
        print(f"postgresql ratio ingesting/idle {label}: {ratio:.2f}")
    for label, share in (("p50", 0.50), ("p99", 0.99)):
        print(
            f"ratio postgresql/sqlite {label}: idle"
            f" {pg_idle.percentile(share) / idle.percentile(share):.2f}, ingesting"
            f" {pg_busy.percentile(share) / busy.percentile(share):.2f}"
        )
    print(f"lost on postgresql: idle {pg_idle.lost}, ingesting {pg_busy.lost}")
    print_goal(pg_idle, pg_busy)


def print_pass(busy: Run) -> None:
    if busy.ingest_window:
        start, end = busy.ingest_window
        print(
            f"ingest pass: {end - start:.1f} s, covering {busy.ingest_overlap:.0%} of the load"
            f" window; {busy.ingest_line.split('msg=', 1)[-1]}"
        )
    else:
        print("ingest pass: not seen in the bot's log within 10 minutes")


def print_goal(idle: Run, busy: Run) -> None:
    verdict = busy.percentile(0.99) <= 200 and busy.lost == 0 and idle.lost == 0
    print(f"goal (p99 <= 200 ms while ingesting, 0 lost): {'met' if verdict else 'NOT met'}")
    ratio = busy.percentile(0.99) / idle.percentile(0.99)
    print(f"goal (p99 ingesting <= 2x idle): {'met' if ratio <= 2 else 'NOT met'} ({ratio:.2f}x)")


def summarise(idle: Run, busy: Run) -> None:
    print_pass(busy)
    for label, share in (("p50", 0.50), ("p99", 0.99)):
        ratio = busy.percentile(share) / idle.percentile(share)
        print(f"ratio ingesting/idle {label}: {ratio:.2f}")
    print_goal(idle, busy)


if __name__ == "__main__":
    asyncio.run(main())

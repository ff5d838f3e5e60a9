"""The offline demo: the whole product against a local fake Telegram and a local news site.

No token and no network: the fake Bot API server and the news site (bot/demo/, the same
ones the tests use) run in this process on 127.0.0.1. Everything between them is the real
bot: one ingest pass reads the site's feeds through the guarded fetcher (private networks
allowed for this run only), extracts, summarises, indexes and clusters; a demo user talks
to the real dispatcher over long polling — /start, /topics, two taps on the catalogue; one
delivery pass sends the digest through the real sender.

Everything it needs ships in the package (the fakes, the hand-written articles in
corpus/, the default topic catalogue), so an installed `newsdigest demo` runs in any
folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import tomllib
from collections.abc import AsyncIterator, Callable, Iterator, Sized
from dataclasses import dataclass, field
from functools import partial
from importlib import resources
from pathlib import Path

from pydantic import SecretStr

from bot.app import Services, build_bot, build_dispatcher, open_services
from bot.config import Settings
from bot.demo.news_corpus import written_articles
from bot.demo.news_site import NewsSite
from bot.demo.telegram_server import FakeTelegramServer
from bot.telegram import TelegramSender

DEMO_TOKEN = "123456789:DEMO-offline-token-not-a-real-one"
DEMO_USER = 700_100
DEMO_ARTICLES = {"ru": 16, "en": 5, "kk": 4}  # hand-written articles served by the site
TOPICS = ("kazakhstan-russia", "energy-uranium")  # catalogue slugs the demo user follows
SHIPPED_CATALOGUE = "topics.toml"  # config/topics.toml as shipped in this package
REPLY_TIMEOUT = 30.0


@dataclass
class DemoResult:
    database: Path
    catalogue: Path | None = None  # TOPICS_FILE, or None for the shipped catalogue
    articles_new: int = 0
    sources: int = 0
    conversation: list[tuple[str, str]] = field(default_factory=list)  # (who, text)
    digest: list[str] = field(default_factory=list)  # the messages of the digest, as seen
    followed: list[str] = field(default_factory=list)  # titles of the topics followed
    seconds: float = 0.0


def has_demo_topics(path: Path) -> bool:
    """Whether the catalogue at `path` is readable TOML holding every topic the demo follows."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    entries = data.get("topics", [])
    slugs = {entry.get("slug") for entry in entries if isinstance(entry, dict)}
    return set(TOPICS) <= slugs


@contextlib.contextmanager
def demo_catalogue(settings: Settings) -> Iterator[Path]:
    """TOPICS_FILE when it holds the demo's topics, otherwise the catalogue shipped in the
    package: the demo must not depend on the folder it is started in."""
    if has_demo_topics(settings.topics_file):
        yield settings.topics_file
        return
    with resources.as_file(resources.files("bot.demo") / SHIPPED_CATALOGUE) as shipped:
        yield shipped


def demo_settings(
    settings: Settings, telegram_url: str, folder: Path, topics_file: Path
) -> Settings:
    """The operator's settings with everything that would reach the outside replaced."""
    return settings.model_copy(
        update={
            "bot_token": SecretStr(DEMO_TOKEN),
            "telegram_api_url": telegram_url,
            "database_path": folder / "newsdigest-demo.db",
            "sources_file": folder / "sources.toml",
            "topics_file": topics_file,
            "allow_private_networks": True,
            "admin_ids": frozenset(),
            "webhook_url": None,
            "webhook_port": None,
        }
    )


def write_sources(path: Path, site: NewsSite) -> int:
    feeds = site.sources()
    blocks = [
        f'[[sources]]\nurl = "{feed.url}"\nname = "{feed.name}"\nlanguage = "{feed.language}"\n'
        for feed in feeds
    ]
    path.write_text("\n".join(blocks), encoding="utf-8")
    return len(feeds)


async def run_demo(
    settings: Settings, folder: Path, progress: Callable[[str], None] = lambda _: None
) -> DemoResult:
    """Run the demo with its database in `folder` (emptied first); returns what happened."""
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("newsdigest-demo.db*"):
        old.unlink()
    async with (
        FakeTelegramServer(token=DEMO_TOKEN, bot_username="newsdigest_demo_bot") as telegram,
        NewsSite(articles=written_articles(DEMO_ARTICLES)) as site,
    ):
        with demo_catalogue(settings) as topics_file:
            config = demo_settings(settings, telegram.url, folder, topics_file)
            result = DemoResult(database=config.database_path)
            if topics_file == settings.topics_file:
                result.catalogue = topics_file
            await converse_and_deliver(config, telegram, site, result, progress)
    result.seconds = time.perf_counter() - started
    return result


async def converse_and_deliver(
    config: Settings,
    telegram: FakeTelegramServer,
    site: NewsSite,
    result: DemoResult,
    progress: Callable[[str], None],
) -> None:
    """Ingest the site, let the demo user follow the demo's topics, deliver her digest."""
    result.sources = write_sources(config.sources_file, site)
    progress(
        f"local news site {site.base_url}: {result.sources} feeds, {len(site.articles)} articles"
    )
    progress(f"topic catalogue: {result.catalogue or 'the one shipped with Newsdigest'}")
    async with open_services(config) as services:
        report = await services.ingestor.run_pass(force=True)
        result.articles_new = report.new
        progress(f"ingested {report.new} articles ({report.failed} failed)")
        await talk(services, telegram, result)
        progress("the demo user follows: " + ", ".join(result.followed))
        # Stored times have whole-second precision and a pass takes what arrived before
        # the second it runs in; the demo is fast enough to ingest and deliver within one.
        await asyncio.sleep(1.0 - time.time() % 1.0)
        bot = build_bot(config)
        try:
            before = len(telegram.sent)
            await services.delivery.run_pass(TelegramSender(bot), everyone=True)
            result.digest = [
                message.text for message in telegram.sent[before:] if message.chat_id == DEMO_USER
            ]
        finally:
            await bot.session.close()


async def talk(services: Services, telegram: FakeTelegramServer, result: DemoResult) -> None:
    """The demo user's conversation, over long polling with the real dispatcher."""
    from handlers.callbacks import TopicToggle

    async with polling(services):
        await say(telegram, result, "/start")
        await say(telegram, result, "/topics")
        for slug in TOPICS:
            topic = await services.topics.by_slug(slug)
            if topic is None:
                continue
            data = TopicToggle(topic_id=topic.id).pack()
            edits = len(telegram.edits)
            telegram.inject_callback(DEMO_USER, data, first_name="Айгерим", language_code="ru")
            # The tap is answered, then the keyboard is redrawn with a ✓: wait for the redraw.
            await telegram.wait_until(
                partial(_more_than, telegram.edits, edits), REPLY_TIMEOUT, "tap"
            )
            result.conversation.append(("user", f"[taps «{topic.title('ru')}»]"))
            result.followed.append(topic.title("ru"))


def _more_than(items: Sized, count: int) -> bool:
    return len(items) > count


async def say(telegram: FakeTelegramServer, result: DemoResult, text: str) -> None:
    count = len(telegram.messages(DEMO_USER))
    telegram.inject_message(DEMO_USER, text, first_name="Айгерим", language_code="ru")
    result.conversation.append(("user", text))
    replies = await telegram.wait_for_messages(DEMO_USER, count + 1, REPLY_TIMEOUT)
    result.conversation.extend(("bot", reply.text) for reply in replies[count:])


@contextlib.asynccontextmanager
async def polling(services: Services) -> AsyncIterator[None]:
    """The dispatcher polling the fake Telegram in the background while the block runs."""
    bot = build_bot(services.settings)
    dispatcher = build_dispatcher(services)
    task = asyncio.create_task(
        dispatcher.start_polling(
            bot, handle_signals=False, close_bot_session=False, polling_timeout=1
        )
    )
    try:
        yield
    finally:
        await dispatcher.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await bot.session.close()

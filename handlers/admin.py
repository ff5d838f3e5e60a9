"""Admin commands: /stats, /sources, /addsource URL, /removesource URL.

/sources, /addsource and /removesource here manage the shared sources, the operator's,
that everyone reads; /sources also lists the admin's own (handlers/sources.py), while
chats' own sources are only counted, never listed: their URLs may carry private tokens.

Only for ADMIN_IDS, and only in a private chat (source errors and counts are not for
a group). For anyone else the router's filter fails and the update falls through to
the fallback router, which answers exactly as it does for any unknown command: the
bot does not reveal that admin commands exist.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject, Filter
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from handlers.options import Options
from handlers.replies import fill, quote
from handlers.summary import fetch_failure
from services.clock.zones import zone_of
from services.ingest.feeds import FeedError, NotAFeed
from services.ingest.fetch import FetchError
from services.sources.admin import SourceAdmin
from services.sources.health import SourceState, failing_since
from services.sources.own import OwnSources
from services.sources.stats import AdminStatsService, SourceReport
from services.storage.models import Subscriber
from services.text.html import MESSAGE_LIMIT

URL_SHOWN = 200
ERROR_SHOWN = 200
STATE_MARKS = {
    SourceState.HEALTHY: "✅",
    SourceState.NEW: "🆕",
    SourceState.FAILING: "⚠️",
    SourceState.DOWN: "❌",
    SourceState.DISABLED: "⏸",
}


class IsAdmin(Filter):
    """The sender is in ADMIN_IDS and the chat is private."""

    async def __call__(self, message: Message, options: Options) -> bool:
        user = message.from_user
        return (
            message.chat.type == ChatType.PRIVATE
            and user is not None
            and user.id in options.admin_ids
        )


def build_router() -> Router:
    router = Router(name="admin")
    router.message.filter(IsAdmin())
    router.message.register(stats, Command("stats"))
    router.message.register(list_sources, Command("sources"))
    router.message.register(add_source, Command("addsource"))
    router.message.register(remove_source, Command("removesource"))
    return router


def _zone(subscriber: Subscriber | None, options: Options) -> ZoneInfo:
    return zone_of(subscriber.timezone if subscriber else options.default_timezone)


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return _("never")
    return moment.astimezone(zone).strftime("%d.%m %H:%M")


async def stats(
    message: Message,
    admin_stats: AdminStatsService,
    options: Options,
    known_subscriber: Subscriber | None = None,
) -> None:
    numbers = await admin_stats.collect()
    zone = _zone(known_subscriber, options)
    await message.answer(
        fill(
            _(
                "<b>Statistics</b>\n"
                "Subscribers: {active} active, {paused} paused, {blocked} blocked the bot\n"
                "Topics: {topics}\n"
                "Articles today: {articles}\n"
                "Sources: {healthy} healthy, {failing} failing, {disabled} off\n"
                "Last ingest: {last_ingest}; last success: {last_success}\n"
                "Digests sent today: {digests}\n"
                "<i>Times in {zone}; today began at {day_start}.</i>"
            ),
            active=numbers.subscribers_active,
            paused=numbers.subscribers_paused,
            blocked=numbers.subscribers_blocked,
            topics=numbers.topics,
            articles=numbers.articles_today,
            healthy=numbers.sources_healthy,
            failing=numbers.sources_failing,
            disabled=numbers.sources_disabled,
            last_ingest=_when(numbers.last_ingest_at, zone),
            last_success=_when(numbers.last_success_at, zone),
            digests=numbers.digests_sent_today,
            zone=zone.key,
            day_start=_when(numbers.day_start, zone),
        )
    )


def _source_line(report: SourceReport, zone: ZoneInfo) -> str:
    source = report.source
    head = fill(
        "{mark} <b>{name}</b> — {url}",
        mark=STATE_MARKS[report.state],
        name=quote(source.name),
        url=quote(source.url, URL_SHOWN),
    )
    if report.state.in_trouble:
        detail = fill(
            _("failing since {since}, {failures} failed fetches: {error}"),
            since=_when(failing_since(source), zone),
            failures=source.consecutive_failures,
            error=quote(source.last_error or "?", ERROR_SHOWN),
        )
    elif report.state is SourceState.HEALTHY:
        detail = fill(_("last success {when}"), when=_when(source.last_success_at, zone))
    elif report.state is SourceState.NEW:
        detail = _("not fetched yet")
    else:
        detail = _("switched off")
    return f"{head}\n    {detail}"


def split_lines(lines: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Whole lines packed into as few messages of at most `limit` characters as possible.

    Each line is short (names, URLs and errors are clipped), so no line is ever cut.
    """
    messages: list[str] = []
    current = ""
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit and current:
            messages.append(current)
            candidate = line
        current = candidate
    if current:
        messages.append(current)
    return messages


async def list_sources(
    message: Message,
    admin_stats: AdminStatsService,
    options: Options,
    own_sources: OwnSources,
    known_subscriber: Subscriber | None = None,
) -> None:
    from handlers.sources import own_sources_messages  # it packs lines with split_lines

    private = await own_sources.repository.private_source_ids()
    reports = [r for r in await admin_stats.sources_report() if r.source.id not in private]
    own = (
        await own_sources_messages(own_sources, known_subscriber, admin_stats.now())
        if known_subscriber is not None
        else []
    )
    if not reports:
        await message.answer(_("No sources yet. Add one with /addsource URL."))
    else:
        zone = _zone(known_subscriber, options)
        header = fill(_("<b>Sources</b> ({count}), those in trouble first:"), count=len(reports))
        for text in split_lines([header] + [_source_line(report, zone) for report in reports]):
            await message.answer(text)
    if private:
        await message.answer(
            fill(
                _("And {count} sources that only chats follow as their own (not listed)."),
                count=len(private),
            )
        )
    for text in own:
        await message.answer(text)


async def add_source(message: Message, command: CommandObject, source_admin: SourceAdmin) -> None:
    url = (command.args or "").strip()
    if not url:
        await message.answer(
            _(
                "Send the address of a feed, or of a site page that links to its feed: "
                "<code>/addsource https://example.kz/rss</code>"
            )
        )
        return
    try:
        added = await source_admin.add(url)
    except FetchError as error:
        await message.answer(fill(fetch_failure(error), url=quote(url, URL_SHOWN)))
        return
    except NotAFeed:
        await message.answer(
            fill(
                _("{url} is neither an RSS or Atom feed nor a page that links to one."),
                url=quote(url, URL_SHOWN),
            )
        )
        return
    except FeedError:
        await message.answer(
            fill(_("The feed at {url} is broken: I cannot read it."), url=quote(url, URL_SHOWN))
        )
        return
    if added.existed:
        template = _("Already a source, switched on: <b>{name}</b>\n{url}")
    else:
        template = _(
            "Added: <b>{name}</b>\n{url}\n"
            "The feed has {entries} entries now; they come in with the next ingest."
        )
    await message.answer(
        fill(
            template,
            name=quote(added.source.name),
            url=quote(added.source.url, URL_SHOWN),
            entries=added.feed.entries,
        )
    )


async def remove_source(
    message: Message, command: CommandObject, source_admin: SourceAdmin
) -> None:
    url = (command.args or "").strip()
    if not url:
        await message.answer(
            _("Send the source's address as /sources shows it: <code>/removesource URL</code>")
        )
        return
    removed = await source_admin.remove(url)
    if removed is None:
        await message.answer(
            fill(
                _("No source has the address {url}; /sources lists them."),
                url=quote(url, URL_SHOWN),
            )
        )
        return
    text = fill(
        _("Removed: <b>{name}</b>\n{url}\nArticles already stored from it stay."),
        name=quote(removed.source.name),
        url=quote(removed.source.url, URL_SHOWN),
    )
    if removed.in_sources_file:
        text += "\n" + _(
            "It is listed in the sources file too and comes back at the next start "
            "unless it is removed there."
        )
    await message.answer(text)

"""`sources`, `add-source URL`, `remove-source URL`: the news sources and their health.

    sources                  every source: state, name, URL, last success, failures, error
    add-source URL [--name NAME] [--language ru|kk|en]
                             fetches URL first: a feed is added as it is; a web page is
                             resolved to the feed it announces with <link rel="alternate">
    remove-source URL        removes it (articles already stored stay)

Sources listed in SOURCES_FILE are loaded at every start, so a source removed here but
still listed there comes back: the command says so. `sources` lists chats' own sources
too; a private feed's address can carry a token, so theirs are shown with the query and
the user:password part replaced by "***".
"""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit, urlunsplit

from bot.config import Settings
from services.ingest.feeds import FeedError
from services.ingest.fetch import FetchError
from services.sources.admin import NotASourceURL
from services.sources.health import SourceState, source_state
from services.storage.models import LANGUAGES, Source


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    listing = subparsers.add_parser("sources", help="list the news sources with their health")
    listing.set_defaults(handler=sources_command)

    add = subparsers.add_parser(
        "add-source", help="add a feed, or a site page whose feed link is followed"
    )
    add.add_argument("url", help="an RSS/Atom feed or a web page that links to one")
    add.add_argument("--name", default=None, help="default: the feed's own title")
    add.add_argument("--language", choices=LANGUAGES, default=None, help="default: the feed's")
    add.set_defaults(handler=add_source_command)

    remove = subparsers.add_parser("remove-source", help="remove a source by its URL")
    remove.add_argument("url")
    remove.set_defaults(handler=remove_source_command)


async def sources_command(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_services

    async with open_services(settings) as services:
        stored = await services.sources.list_all()
        private = await services.own_sources.repository.private_source_ids()
        now = services.clock.now()
    if not stored:
        print("No sources. Add one with `add-source URL` or list them in SOURCES_FILE.")
        return 0
    for source in stored:
        print(render_source(source, source_state(source, now), private=source.id in private))
    counts: dict[SourceState, int] = {}
    for source in stored:
        state = source_state(source, now)
        counts[state] = counts.get(state, 0) + 1
    print("Total: " + ", ".join(f"{count} {state.value}" for state, count in counts.items()))
    return 0


def without_secrets(url: str) -> str:
    """`url` with its user:password and query replaced by "***" and no fragment: where a
    private feed keeps its token. Host and path still tell the operator which feed it is."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rpartition("@")[2]
    query = "***" if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def render_source(source: Source, state: SourceState, *, private: bool = False) -> str:
    """Two or three lines: state, name and language; the URL; what went wrong, if anything.
    A `private` source (a chat's own, not shared) has the secrets of its URL masked."""
    language = f" [{source.language}]" if source.language else ""
    url = without_secrets(source.url) if private else source.url
    own = " (a chat's own)" if private else ""
    lines = [f"{state.value.upper():<8} {source.name}{language}{own}", f"         {url}"]
    details = []
    if source.last_success_at:
        details.append(f"last success {source.last_success_at:%Y-%m-%d %H:%M} UTC")
    elif source.last_fetch_at is None:
        details.append("not fetched yet")
    if source.consecutive_failures:
        details.append(f"{source.consecutive_failures} failures in a row")
    if source.next_fetch_at:
        details.append(f"next try {source.next_fetch_at:%Y-%m-%d %H:%M} UTC")
    if details:
        lines.append("         " + "; ".join(details))
    if source.last_error:
        error = source.last_error.replace(source.url, url) if private else source.last_error
        lines.append(f"         error: {error}")
    return "\n".join(lines)


async def add_source_command(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_services

    async with open_services(settings) as services:
        try:
            added = await services.source_admin.add(
                args.url, name=args.name, language=args.language
            )
        except NotASourceURL as exc:
            print(f"Cannot add {args.url!r}: {exc}.")
            return 2
        except (FetchError, FeedError) as exc:
            print(f"Cannot add {args.url.strip()}: {exc}.")
            return 1
    source, feed = added.source, added.feed
    verb = "Updated" if added.existed else "Added"
    print(f"{verb}: {source.name} — {source.url} ({feed.entries} entries now in the feed).")
    if feed.kind == "page":
        print(f"The page {args.url.strip()} announces this feed; the feed is what will be read.")
    return 0


async def remove_source_command(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_services

    url = args.url.strip()
    async with open_services(settings) as services:
        removed = await services.source_admin.remove(url)
    if removed is None:
        print(f"No source has the URL {url}; `sources` lists them.")
        return 1
    print(f"Removed {url}. Articles already stored from it stay.")
    if removed.in_sources_file:
        print(
            f"It is listed in SOURCES_FILE ({settings.sources_file}) and will come back at the "
            "next start: remove it there too."
        )
    return 0

"""`digest QUERY [--since 24h] [--format text|html]`: a topic's digest from stored articles.

No Telegram: it prints what a subscriber to QUERY would read, so topics and the
renderer can be checked from a terminal. HTML is printed message by message.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import timedelta

from bot.config import Settings

_SPAN = re.compile(r"^\s*(\d{1,4})\s*([mhdw])\s*$", re.IGNORECASE)
_UNIT = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MAX_SPAN = timedelta(days=90)


def parse_span(value: str) -> timedelta:
    """'24h', '90m', '2d', '1w' as a timedelta (at most 90 days)."""
    match = _SPAN.match(value)
    if not match:
        raise argparse.ArgumentTypeError(
            f"expected a span such as 24h, 90m, 2d or 1w, not {value!r}"
        )
    span = timedelta(**{_UNIT[match.group(2).lower()]: int(match.group(1))})
    if not timedelta() < span <= MAX_SPAN:
        raise argparse.ArgumentTypeError("expected a span between 1m and 90d")
    return span


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "digest", help="print the digest for a topic query from stored articles (no Telegram)"
    )
    parser.add_argument("query", help='a topic query, e.g. "Казахстан Россия" or "уран OR АЭС"')
    parser.add_argument(
        "--since",
        type=parse_span,
        default=timedelta(hours=24),
        help="how far back to look: 90m, 24h (default), 2d, 1w",
    )
    parser.add_argument("--format", choices=("text", "html"), default="text")
    parser.add_argument("--language", choices=("ru", "en", "kk"), default="ru")
    parser.add_argument(
        "--timezone", default=None, help="time zone for the times shown (default: DEFAULT_TIMEZONE)"
    )
    parser.set_defaults(handler=digest_command)


async def digest_command(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_services
    from services.clock.zones import check_timezone
    from services.digest.render import render_html, render_text
    from services.topics.query import QueryError

    try:
        timezone = check_timezone(args.timezone or settings.default_timezone)
    except ValueError as exc:
        print(f"--timezone: {exc}", file=sys.stderr)
        return 2
    async with open_services(settings) as services:
        since = services.clock.now() - args.since
        try:
            digest = await services.digests.for_query(
                args.query, since=since, language=args.language, timezone=timezone
            )
        except QueryError as exc:
            print(f"Query not understood: {exc}", file=sys.stderr)
            return 2
    if digest.is_empty:
        print(f"No stored stories match {args.query!r} in the last {_describe(args.since)}.")
        return 0
    if args.format == "text":
        print(render_text(digest), end="")
        return 0
    parts = render_html(digest)
    for number, part in enumerate(parts, start=1):
        if len(parts) > 1:
            print(f"--- message {number} of {len(parts)} ---")
        print(part)
    return 0


def _describe(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} h" if hours < 48 else f"{hours / 24:g} days"

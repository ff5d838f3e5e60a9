"""`run`: the bot itself — long polling (or webhook) with the scheduler."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.config import Settings, missing_token_message

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("run", help="run the bot (polling, or webhook if WEBHOOK_URL)")
    parser.set_defaults(handler=run_command)


async def run_command(args: argparse.Namespace, settings: Settings) -> int:
    if settings.bot_token is None:
        print(missing_token_message(), file=sys.stderr)
        return 2
    from bot.runtime import run_bot

    await run_bot(settings)
    return 0

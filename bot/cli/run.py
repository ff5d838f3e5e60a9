"""`run`: the bot itself — long polling (or webhook) with the scheduler.

Without a BOT_TOKEN there is no bot to run; instead of stopping at an error, a
newcomer gets the offline demo (one line says so), then how to get a token.
"""

from __future__ import annotations

import argparse
import logging
import sys

from bot.config import Settings, missing_token_message

log = logging.getLogger(__name__)

DEMO_INSTEAD = (
    "BOT_TOKEN is not set, so this is the offline demo instead of the bot: a local fake "
    "Telegram and news site, nothing is sent anywhere."
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("run", help="run the bot (polling, or webhook if WEBHOOK_URL)")
    parser.set_defaults(handler=run_command)


async def run_command(args: argparse.Namespace, settings: Settings) -> int:
    if settings.bot_token is None:
        from bot.cli.demo import demo_command

        print(DEMO_INSTEAD, file=sys.stderr, flush=True)
        code = await demo_command(argparse.Namespace(folder=None), settings)
        print(missing_token_message().splitlines()[0], file=sys.stderr)
        return code
    from bot.runtime import run_bot

    await run_bot(settings)
    return 0

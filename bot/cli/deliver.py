"""`deliver [--now]`: one delivery pass, then exit.

Every subscriber due now gets their digest (`--now`: every active subscriber, for
their current local date). What a pass leaves unfinished — a crash, Telegram
down — the next pass resumes; no chat ever gets two digests for one date.
Beside replicas on PostgreSQL the run joins their heartbeat while it sends, so it and
they together keep to SEND_RATE (bot/send_budget.py).
"""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings, missing_token_message


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "deliver", help="one delivery pass: every subscriber due now gets the digest"
    )
    parser.add_argument(
        "--now",
        action="store_true",
        help="treat every active subscriber as due (demos and checks)",
    )
    parser.set_defaults(handler=deliver_command)


async def deliver_command(args: argparse.Namespace, settings: Settings) -> int:
    if settings.bot_token is None:
        print(missing_token_message(), file=sys.stderr)
        return 2
    from bot.app import build_bot, open_services
    from bot.send_budget import sending_share
    from bot.telegram import TelegramSender

    async with open_services(settings) as services:
        bot = build_bot(settings)
        try:
            async with sending_share(services, bot):
                report = await services.delivery.run_pass(TelegramSender(bot), everyone=args.now)
        finally:
            await bot.session.close()
    if report.skipped_locked:
        print("Another delivery pass is running on this database; nothing done.", file=sys.stderr)
        return 1
    print(
        f"due {report.due}, built {report.built} ({report.empty} empty), resumed {report.resumed};"
        f" delivered {report.completed}, messages sent {report.parts_sent},"
        f" left for the next pass {report.left_pending}, blocked {report.blocked}"
    )
    return 0

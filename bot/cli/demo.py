"""`demo`: Newsdigest working end to end with no token and no network (see bot/demo/runner.py).

It prints the conversation and the digest; with no digest received it exits 1, since the
demo's point is that one arrives.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot.config import Settings

RULE = "─" * 60


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo", help="offline demo: a local fake Telegram and a local news site, no token needed"
    )
    parser.add_argument(
        "--folder",
        type=Path,
        default=None,
        help="where the demo database goes (default: a 'demo' folder next to DATABASE_PATH)",
    )
    parser.set_defaults(handler=demo_command)


def demo_folder(settings: Settings, folder: Path | None) -> Path:
    return folder if folder is not None else settings.database_path.parent / "demo"


async def demo_command(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo.runner import run_demo

    if settings.log_level == "INFO":  # the demo's own lines tell the story; logs would drown it
        logging.getLogger().setLevel(logging.WARNING)
    folder = demo_folder(settings, args.folder).resolve()
    print("Newsdigest demo: a fake Telegram and a news site on 127.0.0.1, no token, no network.")
    result = await run_demo(settings, folder, progress=lambda line: print(f"  · {line}"))
    print(RULE)
    for who, text in result.conversation:
        prefix = "Айгерим → " if who == "user" else "бот → "
        first, *rest = text.splitlines() or [""]
        print(prefix + first)
        for line in rest[:6]:
            print(" " * len(prefix) + line)
        if len(rest) > 6:
            print(" " * len(prefix) + "…")
    print(RULE)
    if result.digest:
        print(f"The digest she received ({len(result.digest)} message(s)):\n")
        for number, text in enumerate(result.digest, 1):
            if len(result.digest) > 1:
                print(f"[{number}/{len(result.digest)}]")
            print(text)
            print()
    else:
        print("She received no digest: nothing matched her topics.", file=sys.stderr)
    print(RULE)
    print(f"Database: {result.database}")
    print(
        f"  {result.articles_new} articles from {result.sources} feeds; try\n"
        f"  DATABASE_PATH={result.database} {invoked_as()} digest 'Казахстан Россия'"
    )
    print(f"Done in {result.seconds:.1f} s.")
    return 0 if result.digest else 1


def invoked_as() -> str:
    """How the user started this command, for the hint they can paste: the console script
    of an installed package, or `python -m bot` in a checkout."""
    return "newsdigest" if Path(sys.argv[0]).name == "newsdigest" else "python -m bot"

"""`python -m bot COMMAND` (also the `newsdigest` console script); `run` is the default."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import Sequence

from bot.cli import build_parser
from bot.config import ConfigError, load_settings
from bot.logging import configure_logging, secrets_of
from services.storage import StorageError


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, load settings and run the command; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not args_list or args_list[0].startswith("-") and args_list[0] not in ("-h", "--help"):
        args_list.insert(0, "run")
    args = parser.parse_args(args_list)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, secrets=secrets_of(settings))
    try:
        return int(asyncio.run(handler(args, settings)))
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except StorageError as exc:
        print(f"Database error: {exc}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:  # a write refused mid-way: SQLite rolled it back, nothing is lost
        print(
            f"Database error: {exc} in {settings.database_path}; check that its disk has free "
            "space and is writable, then run the command again.",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

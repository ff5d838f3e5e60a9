"""CLI commands: each module here adds its subcommand through `register(subparsers)`."""

from __future__ import annotations

import argparse
import importlib
import pkgutil


def build_parser() -> argparse.ArgumentParser:
    """The `newsdigest` argument parser with every command module in this package."""
    parser = argparse.ArgumentParser(
        prog="newsdigest",
        description="Newsdigest: a Telegram bot that sends one summarised news digest a day.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(subparsers)
    return parser

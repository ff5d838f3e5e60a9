"""`migrate-db --to postgresql://…`: copy the SQLite database into an empty PostgreSQL one.

The SQLite file is DATABASE_PATH (or DATABASE_URL when that names a SQLite file). The
target gets the schema first, then every row; the counts of both are printed per table,
and the command fails when any differ. A target that already holds rows is refused
unless `--force` (which empties it first).
"""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "migrate-db", help="copy the SQLite database into an empty PostgreSQL one"
    )
    parser.add_argument(
        "--to", required=True, metavar="URL", help="postgresql://user:password@host:port/db"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace what the target database holds"
    )
    parser.set_defaults(handler=migrate_db_command)


async def migrate_db_command(args: argparse.Namespace, settings: Settings) -> int:
    from services.storage import Database, PostgresDatabase, parse_database_url
    from services.storage.copy import copy_database

    target_url = parse_database_url(args.to)
    if target_url.kind != "postgresql":
        print("migrate-db: --to must be a postgresql:// URL", file=sys.stderr)
        return 2
    source_url = parse_database_url(settings.store_url)
    if source_url.path is None:
        print("migrate-db: the source must be SQLite (DATABASE_PATH)", file=sys.stderr)
        return 2
    if not source_url.path.exists():
        print(f"migrate-db: no database at {source_url.path}", file=sys.stderr)
        return 2
    source = await Database.open(source_url.path)
    try:
        target = await PostgresDatabase.open(target_url.url)
        try:
            counts = await copy_database(source, target, replace=args.force)
        finally:
            await target.close()
    finally:
        await source.close()
    width = max(len(count.table) for count in counts)
    print(f"{'table':<{width}}  {'sqlite':>9}  {'postgresql':>10}")
    for count in counts:
        print(f"{count.table:<{width}}  {count.source_rows:>9}  {count.target_rows:>10}")
    print(f"copied {source_url.path} to {target_url.shown}")
    differing = [count.table for count in counts if count.source_rows != count.target_rows]
    if differing:
        print(f"migrate-db: row counts differ in {', '.join(differing)}", file=sys.stderr)
        return 1
    return 0

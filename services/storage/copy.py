"""Copy a SQLite database into an empty PostgreSQL one (`newsdigest migrate-db`).

Both are first brought to the same migration, so their tables have the same columns.
Rows go over table by table, parents before children, in one PostgreSQL transaction
(a failure leaves the target as it was) through COPY; flags become booleans, and each
identity continues after the largest id copied. A target that already holds rows is
refused unless `replace` says to empty it first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.storage.database import Database, StorageError
from services.storage.postgres import PostgresDatabase

# Parents before children; tables a later migration adds follow in name order.
TABLE_ORDER = (
    "sources",
    "stories",
    "articles",
    "articles_fts",
    "story_fingerprints",
    "subscribers",
    "topics",
    "subscriptions",
    "deliveries",
    "delivered_stories",
)
_BATCH = 5000


@dataclass(frozen=True, slots=True)
class TableCount:
    table: str
    source_rows: int
    target_rows: int


async def source_tables(source: Database) -> list[str]:
    """The SQLite tables to copy, in copying order (FTS5's own shadow tables left out)."""
    rows = await source.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name NOT LIKE 'articles_fts_%'"
    )
    names = {str(row[0]) for row in rows}
    known = [name for name in TABLE_ORDER if name in names]
    return known + sorted(names - set(known))


async def _target_columns(target: PostgresDatabase, table: str) -> dict[str, str]:
    rows = await target.fetchall(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
        (table,),
    )
    return {str(row[0]): str(row[1]) for row in rows}


async def _count(db: Database | PostgresDatabase, table: str) -> int:
    row = await db.fetchone(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - our own names
    return int(row[0]) if row else 0


async def copy_database(
    source: Database, target: PostgresDatabase, *, replace: bool = False
) -> list[TableCount]:
    """Copy every table of `source` into `target`; the row counts of both, per table."""
    tables = await source_tables(source)
    columns = {table: await _target_columns(target, table) for table in tables}
    missing = [table for table in tables if not columns[table]]
    if missing:
        raise StorageError(f"the target database has no table {', '.join(missing)}")
    filled = [table for table in tables if await _count(target, table)]
    if filled and not replace:
        raise StorageError(
            f"the target database is not empty ({', '.join(filled)} hold rows);"
            " use --force to replace its contents"
        )
    async with target.pool.acquire() as conn, conn.transaction():
        if filled:
            await conn.execute(
                f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"  # noqa: S608
            )
        for table in tables:
            await _copy_table(source, conn, table, columns[table])
    return [
        TableCount(table, await _count(source, table), await _count(target, table))
        for table in tables
    ]


async def _copy_table(source: Database, conn: Any, table: str, types: dict[str, str]) -> None:
    names = list(types)
    flags = {index for index, name in enumerate(names) if types[name] == "boolean"}
    # articles_fts is an FTS5 table in SQLite: its key is the hidden rowid column.
    selected = ", ".join("rowid" if name == "rowid" else f'"{name}"' for name in names)
    last = -(2**63)
    while True:
        rows = await source.fetchall(
            f"SELECT rowid AS _rowid, {selected} FROM {table}"  # noqa: S608 - our own names
            " WHERE rowid > ? ORDER BY rowid LIMIT ?",
            (last, _BATCH),
        )
        if not rows:
            break
        last = int(rows[-1][0])
        records = [
            tuple(
                bool(value) if index in flags and value is not None else value
                for index, value in enumerate(tuple(row)[1:])
            )
            for row in rows
        ]
        await conn.copy_records_to_table(table, records=records, columns=names)
    if types.get("id") in ("bigint", "integer"):  # an identity goes on after the copied ids
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )

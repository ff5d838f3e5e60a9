"""What differs between the two stores, kept in one small place.

The repositories write one SQL for both: `?` placeholders (or `:name` with a dict),
`INSERT … ON CONFLICT … RETURNING`, `TRUE`/`FALSE`, `CASE` rather than SQLite's
two-argument `MIN`/`MAX`. Times are ISO-8601 UTC text in both stores (fixed width, so
text order is time order and every comparison means the same). What is left differs
here: the placeholders PostgreSQL wants (`$1`, `$2`, …), whether the store has FTS5,
and which migration file a number resolves to.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_PART = _NAME_START | frozenset("0123456789")


@dataclass(frozen=True, slots=True)
class Dialect:
    """One store's SQL differences."""

    name: str  # "sqlite" or "postgresql"; also the migration variant suffix
    full_text: bool  # SQLite FTS5 answers searches; elsewhere the in-memory window does
    replicas: bool  # several processes may share the store (claims and leases matter)
    skip_locked: str  # appended to a SELECT that picks rows to claim: skip rows being claimed


SQLITE = Dialect("sqlite", full_text=True, replicas=False, skip_locked="")
POSTGRESQL = Dialect(
    "postgresql", full_text=False, replicas=True, skip_locked=" FOR UPDATE SKIP LOCKED"
)


@lru_cache(maxsize=1024)
def numbered(sql: str) -> tuple[str, tuple[str, ...] | None]:
    """`?` and `:name` placeholders as PostgreSQL's `$n`.

    Returns the statement and, for named placeholders, the names in `$n` order (a name
    used twice is one parameter). Quoted strings, quoted identifiers, comments and
    `::type` casts are left alone.
    """
    out: list[str] = []
    names: list[str] = []
    positional = 0
    index = 0
    length = len(sql)
    while index < length:
        char = sql[index]
        if char in "'\"":
            end = index + 1
            while end < length:
                if sql[end] == char:
                    if end + 1 < length and sql[end + 1] == char:
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[index : end + 1])
            index = end + 1
        elif char == "-" and sql.startswith("--", index):
            end = sql.find("\n", index)
            end = length if end < 0 else end
            out.append(sql[index:end])
            index = end
        elif char == "?":
            positional += 1
            out.append(f"${positional}")
            index += 1
        elif char == ":" and sql.startswith("::", index):
            out.append("::")
            index += 2
        elif char == ":" and index + 1 < length and sql[index + 1] in _NAME_START:
            end = index + 1
            while end < length and sql[end] in _NAME_PART:
                end += 1
            name = sql[index + 1 : end]
            if name not in names:
                names.append(name)
            out.append(f"${names.index(name) + 1}")
            index = end
        else:
            out.append(char)
            index += 1
    if positional and names:
        raise ValueError("a statement mixes ? and :name placeholders")
    return "".join(out), (tuple(names) if names else None)

"""Each Telegram update handled by one replica, and finished by another if its own dies.

A replica claims an update when its handling starts (`claim`: one INSERT … ON CONFLICT
DO NOTHING, the update's JSON kept beside it) and marks it finished when the handler
returns (`finish_many`: the updates a replica finished in the last moment together). An update that comes again — to a new polling leader, which gets
what the dead one had fetched and not confirmed, or as a webhook retry — finds the row
and is skipped. The claim holds while its replica is alive (its heartbeat in `replicas`,
services/storage/replicas.py): a claim left unfinished by a replica gone stale is taken
over by a live one (`take_over_orphans`), which handles the stored update. So an update
is handled once, except that one whose reply went out just before its replica died is
handled again: a repeated reply rather than a lost one. Rows are kept `KEEP`, far longer
than Telegram takes to send an update again (the next getUpdates after a takeover, a
webhook retry), then pruned; a taken-over claim counts from its takeover.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from services.clock.clocks import Clock
from services.storage.convert import to_db_time
from services.storage.in_lists import in_lists
from services.storage.replicas import STALE_AFTER
from services.storage.store import Store

KEEP = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Orphan:
    """An update whose replica died before finishing it, now claimed by this one."""

    update_id: int
    payload: str  # the update as Telegram sent it (JSON)
    was_claimed_by: str


class UpdateClaims:
    """This replica's claims on updates, under its replica name (the heartbeat's id)."""

    def __init__(
        self, db: Store, clock: Clock, *, owner: str, stale_after: timedelta = STALE_AFTER
    ) -> None:
        self._db = db
        self._clock = clock
        self.owner = owner
        self._stale_after = stale_after

    async def claim(self, update_id: int, payload: str) -> bool:
        """Take the update; False when a replica (this one or another) already has."""
        rows = await self._db.execute_returning(
            "INSERT INTO update_claims (update_id, claimed_by, claimed_at, payload)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
            (update_id, self.owner, to_db_time(self._clock.now()), payload),
        )
        return bool(rows)

    async def finish(self, update_id: int) -> None:
        """The update was handled: nobody handles it again, its JSON is not needed."""
        await self.finish_many([update_id])

    async def finish_many(self, update_ids: Sequence[int]) -> None:
        """`finish` for several updates, in one statement (per IN_LIST_SIZE of them)."""
        now = to_db_time(self._clock.now())
        for chunk, marks in in_lists(update_ids):
            await self._db.execute(
                "UPDATE update_claims SET finished_at = ?, payload = ''"
                f" WHERE claimed_by = ? AND update_id IN ({marks})",  # noqa: S608 - only ?s
                (now, self.owner, *chunk),
            )

    async def take_over_orphans(self, *, limit: int = 50) -> list[Orphan]:
        """Claim the unfinished updates of replicas no longer alive; the ones taken.

        Each is taken by a compare-and-set on its owner, so of several replicas looking
        at once exactly one gets it.
        """
        moment = self._clock.now()
        candidates = await self._db.fetchall(
            "SELECT update_id, claimed_by FROM update_claims"
            " WHERE finished_at IS NULL AND claimed_by <> ? AND claimed_by NOT IN"
            " (SELECT id FROM replicas WHERE seen_at >= ?) ORDER BY update_id LIMIT ?",
            (self.owner, to_db_time(moment - self._stale_after), limit),
        )
        taken: list[Orphan] = []
        for update_id, dead in ((int(row[0]), str(row[1])) for row in candidates):
            rows = await self._db.execute_returning(
                "UPDATE update_claims SET claimed_by = ?, claimed_at = ?"
                " WHERE update_id = ? AND claimed_by = ? AND finished_at IS NULL"
                " RETURNING payload",
                (self.owner, to_db_time(moment), update_id, dead),
            )
            if rows:
                taken.append(Orphan(update_id, str(rows[0][0]), dead))
        return taken

    async def prune(self, *, keep: timedelta = KEEP) -> int:
        """Forget claims older than `keep`; how many were deleted."""
        return await self._db.execute_rowcount(
            "DELETE FROM update_claims WHERE claimed_at < ?",
            (to_db_time(self._clock.now() - keep),),
        )

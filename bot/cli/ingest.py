"""`ingest`: one ingestion pass now, with what it did per source.

ingest [--due-only]
    Fetches every enabled source (with --due-only, only those not backing off after
    failures, as the scheduled job does), stores the new articles, and prints new /
    duplicate / failed counts per source. Exits 1 only when every source failed.

On PostgreSQL the pass takes the replicas' ingest role first, as `run`'s scheduled job
does: a `newsdigest ingest` from cron never overlaps a replica's pass. When a replica
holds the role, nothing is fetched; that is said, and the exit code is 0 (the pass is
being done).
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from bot.config import Settings
from services.ingest.ingestor import IngestReport, SourceReport

NOTES_SHOWN = 3


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ingest", help="fetch every enabled source once; new/duplicate/failed per source"
    )
    parser.add_argument(
        "--due-only",
        action="store_true",
        help="skip sources that are backing off after failures, as the scheduled job does",
    )
    parser.set_defaults(handler=ingest_command)


SKIPPED = "Another process is running an ingest pass on this database; nothing done."


async def ingest_command(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_services
    from services.storage.replicas import role_lock

    async with open_services(settings) as services:
        lock = role_lock(services.db, "ingest") if services.db.dialect.replicas else None
        if lock is not None and not await lock.try_acquire():
            print(SKIPPED)
            return 0
        try:
            report = await services.ingestor.run_pass(force=not args.due_only)
        finally:
            if lock is not None:
                await lock.release()
    print(render_report(report))
    return 1 if report.all_failed else 0


def render_report(report: IngestReport) -> str:
    """The pass as a table, one line per source, its problems under it, totals last."""
    if not report.sources:
        if report.skipped:
            return f"No source is due: {report.skipped} backing off after failures (see `sources`)."
        return "No enabled sources. Add one with `add-source URL` or list them in SOURCES_FILE."
    width = min(max(len(item.name) for item in report.sources), 40)
    lines = [f"{'source':<{width}}  {'new':>5} {'dup':>5} {'failed':>6}  status"]
    for item in report.sources:
        lines.append(
            f"{item.name[:width]:<{width}}  {item.new:>5} {item.duplicate:>5} {item.failed:>6}  "
            f"{_status(item)}"
        )
        lines.extend(f"{'':<{width}}    · {note}" for note in item.notes[:NOTES_SHOWN])
        if len(item.notes) > NOTES_SHOWN:
            lines.append(f"{'':<{width}}    · … and {len(item.notes) - NOTES_SHOWN} more")
    failed = report.failed_sources
    summary = (
        f"Total: {report.new} new, {report.duplicate} duplicate, {report.failed} failed; "
        f"{len(report.sources) - failed} of {len(report.sources)} sources ok"
    )
    if report.skipped:
        summary += f", {report.skipped} backing off"
    lines.append(f"{summary} ({timedelta(seconds=round(report.seconds))}).")
    return "\n".join(lines)


def _status(item: SourceReport) -> str:
    if item.error is not None:
        retry = f"; next try {item.retry_at:%Y-%m-%d %H:%M} UTC" if item.retry_at else ""
        return f"FAILED: {item.error}{retry}"
    return "not modified" if item.not_modified else "ok"

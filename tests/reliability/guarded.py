"""Services whose every fetch goes through a fetcher of the test's making (its own resolver)."""

from __future__ import annotations

import dataclasses

from bot.app import Services
from services.ingest.fetch import Fetcher
from services.ingest.ingestor import Ingestor
from services.ingest.link_summary import LinkSummaries
from services.sources.admin import SourceAdmin


def with_fetcher(services: Services, fetcher: Fetcher) -> Services:
    """A copy of `services` in which /summary, links and /addsource fetch with `fetcher`."""
    ingestor = Ingestor(
        sources=services.sources, articles=services.articles, fetcher=fetcher, clock=services.clock
    )
    return dataclasses.replace(
        services,
        fetcher=fetcher,
        ingestor=ingestor,
        link_summaries=LinkSummaries(fetcher, services.summarizer),
        source_admin=SourceAdmin(
            ingestor=ingestor, sources=services.sources, sources_file=services.settings.sources_file
        ),
    )

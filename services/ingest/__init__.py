"""Ingestion: the one guarded HTTP client, feeds, extraction, cleaning and the pass over sources.

May import summary, storage, text, workers and clock; never topics, stories, digest or above."""

"""Digests: who is due, what goes in, ranking, phrases, rendering and the schedule.

May import stories, topics, storage, text and clock."""

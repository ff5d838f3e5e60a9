"""Composition root of Newsdigest: configuration, wiring, CLI, scheduler and the Telegram adapter."""

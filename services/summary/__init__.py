"""Extractive summaries: sentence hygiene, the news ranking and the sumy algorithms.

May import storage (its models), text, workers and clock."""

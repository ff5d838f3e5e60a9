"""What handlers need from the operator's configuration, as one small value.

The composition root fills it from its settings and hands it over as workflow data
(`options`), so handlers read who the admins are and what a new chat starts with
without knowing where the configuration comes from.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Options:
    admin_ids: frozenset[int]  # Telegram user ids allowed the admin commands
    default_timezone: str  # IANA name a new chat starts with
    default_digest_time: str  # "HH:MM" a new chat starts with

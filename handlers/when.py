"""Saying when the next digest comes, in the chat's language and local time."""

from __future__ import annotations

from datetime import datetime

from aiogram.utils.i18n import gettext as _

from handlers.replies import Html, fill
from services.digest.schedule import DigestSchedule
from services.storage.models import Subscriber


def moment_label(moment: datetime, now: datetime) -> Html:
    """ "today at 09:00" / "tomorrow at 09:00" / "on 2026-03-29 at 09:00", in local time."""
    local_now = now.astimezone(moment.tzinfo)
    days = (moment.date() - local_now.date()).days
    clock = moment.strftime("%H:%M")
    if days == 0:
        return Html(fill(_("today at {time}"), time=clock))
    if days == 1:
        return Html(fill(_("tomorrow at {time}"), time=clock))
    return Html(fill(_("on {date} at {time}"), date=moment.date().isoformat(), time=clock))


async def next_digest_label(
    schedule: DigestSchedule, subscriber: Subscriber, now: datetime
) -> Html:
    """When the next digest comes, or that the digest is paused."""
    moment = await schedule.next_digest(subscriber)
    if moment is None:
        return Html(_("paused (/resume turns it back on)"))
    return moment_label(moment, now)

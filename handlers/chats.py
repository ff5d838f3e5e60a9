"""Kinds of chats handlers tell apart: a group speaks only when spoken to."""

from __future__ import annotations

from aiogram.enums import ChatType

GROUP_CHATS = (ChatType.GROUP, ChatType.SUPERGROUP)

"""The aiohttp session to the Bot API, keeping aiogram's parsed response models alive.

aiogram parses every answer with `Response[<method's result type>]`, a pydantic generic
that pydantic caches only weakly: once garbage-collected it is rebuilt, some
milliseconds of CPU each time, which showed as several percent of handling an update.
Holding each model once built keeps them in pydantic's cache for the life of the process.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType


class ApiSession(AiohttpSession):
    """AiohttpSession whose response models are built once per result type."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._response_models: dict[Any, type[Response[Any]]] = {}

    def check_response(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status_code: int,
        content: str,
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self._response_models:
            self._response_models[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)

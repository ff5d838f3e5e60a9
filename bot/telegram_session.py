"""The aiohttp session to the Bot API: JSON request bodies, response models kept alive.

aiogram's AiohttpSession sends every call as an urlencoded form. Percent-encoding runs
in pure Python over every byte of the text, and Cyrillic text is two bytes a letter,
each turned into three characters: for a help text or a digest it was the largest
single cost of answering a message. The Bot API takes `application/json` bodies too,
and `json.dumps` does the same job in C, so calls without a file go as JSON; calls that
upload a file keep aiogram's multipart form.

aiogram parses every answer with `Response[<method's result type>]`, a pydantic generic
that pydantic caches only weakly: once garbage-collected it is rebuilt, some
milliseconds of CPU each time, which showed as several percent of handling an update.
Holding each model once built keeps them in pydantic's cache for the life of the process.
"""

from __future__ import annotations

from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientError, ClientTimeout

JSON_HEADERS = {"Content-Type": "application/json"}


class ApiSession(AiohttpSession):
    """AiohttpSession that posts JSON and builds each response model once."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._response_models: dict[Any, type[Response[Any]]] = {}

    def json_body(self, bot: Bot, method: TelegramMethod[TelegramType]) -> bytes | None:
        """The call's parameters as a JSON object, or None when it uploads a file."""
        files: dict[str, Any] = {}
        params = self.prepare_value(
            method.model_dump(warnings=False), bot=bot, files=files, _dumps_json=False
        )
        if files:
            return None
        params = {key: value for key, value in params.items() if value not in (None, "")}
        return self.json_dumps(params).encode()

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,
    ) -> TelegramType:
        body = self.json_body(bot, method)
        if body is None:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=body,
                headers=JSON_HEADERS,
                timeout=ClientTimeout(total=self.timeout if timeout is None else timeout),
            ) as resp:
                raw_result = await resp.text()
        except TimeoutError as exc:
            raise TelegramNetworkError(method=method, message="Request timeout error") from exc
        except ClientError as exc:
            message = f"{type(exc).__name__}: {exc}"
            raise TelegramNetworkError(method=method, message=message) from exc
        response = self.check_response(
            bot=bot, method=method, status_code=resp.status, content=raw_result
        )
        return cast(TelegramType, response.result)

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

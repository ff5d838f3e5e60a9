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

The JSON body is built here from the call's public model dump (aiogram's own
`prepare_value` flattens values for forms, and leaving nested objects unencoded needs a
private switch), resolving the bot's defaults and turning files into multipart as aiogram
would.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from typing import Any, cast

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile, TelegramObject
from aiohttp import ClientError, ClientTimeout

JSON_HEADERS = {"Content-Type": "application/json"}


class ApiSession(AiohttpSession):
    """AiohttpSession that posts JSON and builds each response model once."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._response_models: dict[Any, type[Response[Any]]] = {}

    def json_body(self, bot: Bot, method: TelegramMethod[TelegramType]) -> bytes | None:
        """The call's parameters as a JSON object, or None when it uploads a file."""
        params = {}
        for key, value in method.model_dump(warnings=False).items():
            plain = json_value(value, bot)
            if plain is _UPLOAD:
                return None
            if plain not in (None, ""):
                params[key] = plain
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


class _Upload:
    """Marks a value that holds a file: such a call goes as aiogram's multipart form."""


_UPLOAD: Any = _Upload()


def json_value(value: Any, bot: Bot) -> Any:
    """`value` as JSON can hold it, with the bot's defaults filled in; `_UPLOAD` for a file.

    None inside objects and lists is dropped, as aiogram does for its forms.
    """
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Default):
        return json_value(bot.default[value.name], bot)
    if isinstance(value, InputFile):
        return _UPLOAD
    if isinstance(value, TelegramObject):
        value = value.model_dump(warnings=False)
    if isinstance(value, dict):
        items = {key: json_value(item, bot) for key, item in value.items()}
        if any(item is _UPLOAD for item in items.values()):
            return _UPLOAD
        return {key: item for key, item in items.items() if item is not None}
    if isinstance(value, list | tuple):
        values = [json_value(item, bot) for item in value]
        if any(item is _UPLOAD for item in values):
            return _UPLOAD
        return [item for item in values if item is not None]
    if isinstance(value, Enum):
        return json_value(value.value, bot)
    if isinstance(value, timedelta):
        return round((datetime.now() + value).timestamp())  # noqa: DTZ005 (as aiogram does)
    if isinstance(value, datetime):
        return round(value.timestamp())
    return value

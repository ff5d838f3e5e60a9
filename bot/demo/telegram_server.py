"""A strict fake of the Telegram Bot API on 127.0.0.1, for tests, `demo` and benchmarks.

It answers the methods the bot uses the way Telegram does, including Telegram's
refusals (DESIGN.md, "Telegram's rules that bite"): HTML that Telegram cannot
parse, text over 4096 characters, empty text, callback_data outside 1-64 bytes,
flood limits (429 with retry_after), blocked users (403) and unknown chats.
A bot that passes against it does not trip over those rules in production.

Tests drive it from the other side: inject a user's message or button press,
then read what the bot sent. It needs only aiohttp (no pytest):

    async with FakeTelegramServer() as telegram:
        bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(telegram.url)))
        telegram.inject_message(42, "/start", language_code="en")
        ...
        [reply] = await telegram.wait_for_messages(42, 1)

Everything runs on the event loop that started the server; call the test API
from that loop's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import re
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from bot.demo.telegram_html import HtmlParseError, ParsedText, check_link, parse_html

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_COMMANDS = 100
MAX_CAPTION_LENGTH = 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files, as Telegram does
DEFAULT_TOKEN = "123456:TEST-TOKEN"
_TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]+$")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
# Updates Telegram sends when allowed_updates is empty or never given.
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply "
    "markup are exactly the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """A refusal in Telegram's words: HTTP status, description and optional parameters."""

    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass(frozen=True, slots=True)
class RecordedError:
    """One refused request, as the client saw it."""

    method: str
    status: int
    description: str
    chat_id: int | None

    @property
    def found_nothing(self) -> bool:
        """A lookup of a chat the bot cannot see (`/channel @name` naming nobody): Telegram's
        answer to a question, not a message it refused."""
        return self.method in {"getChat", "getChatMember"} and self.description.endswith(
            "chat not found"
        )


@dataclass(slots=True)
class SentMessage:
    """A message the bot sent; edits change it in place (and are logged in `edits`)."""

    chat_id: int
    message_id: int
    text: str  # what the user sees: after entity parsing, markup removed
    raw_text: str  # exactly as the bot sent it
    parse_mode: str | None
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    date: int
    reply_to_message_id: int | None = None
    edited: bool = False
    deleted: bool = False
    document: str | None = None  # the file name, for a document sent with sendDocument
    message_thread_id: int | None = None  # the forum topic it was posted in

    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard's buttons, row by row, flattened."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or []
        return [button for row in rows for button in row]

    def callback_data(self) -> list[str]:
        """The callback_data of every inline button, in order."""
        return [b["callback_data"] for b in self.buttons() if "callback_data" in b]


@dataclass(frozen=True, slots=True)
class SentDocument:
    """A file the bot sent with sendDocument: its name and bytes as uploaded."""

    chat_id: int
    message_id: int
    file_name: str
    content: bytes
    caption: str | None


@dataclass(frozen=True, slots=True)
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    size: int


@dataclass(frozen=True, slots=True)
class Edit:
    """One successful edit of a bot message."""

    chat_id: int
    message_id: int
    method: str
    text: str | None
    raw_text: str | None
    reply_markup: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None


@dataclass(slots=True)
class _Chat:
    info: dict[str, Any]
    blocked: bool = False
    next_message_id: int = 1
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> payload
    members: dict[int, str] = field(default_factory=dict)  # user id -> status
    bot_status: str | None = None  # the bot's own status, when a test set it (set_bot_status)
    threads: set[int] = field(default_factory=set)  # a forum's topics (message_thread_id)

    @property
    def id(self) -> int:
        return int(self.info["id"])

    @property
    def type(self) -> str:
        return str(self.info["type"])


class _Window:
    """At most `capacity` events per sliding `seconds`."""

    def __init__(self, capacity: int, seconds: float) -> None:
        self.capacity = capacity
        self.seconds = seconds
        self.events: deque[float] = deque()

    def retry_after(self, now: float) -> int:
        """0 when one more event fits now, else whole seconds to wait (at least 1)."""
        while self.events and self.events[0] <= now - self.seconds:
            self.events.popleft()
        if len(self.events) < self.capacity:
            return 0
        return max(1, math.ceil(self.events[0] + self.seconds - now))

    def add(self, now: float) -> None:
        self.events.append(now)

    @classmethod
    def per_second(cls, rate: float) -> _Window:
        if rate >= 1:
            return cls(int(rate), 1.0)
        return cls(1, 1.0 / rate)


class FakeTelegramServer:
    """The Bot API on a random 127.0.0.1 port; `url` is the base for TelegramAPIServer.from_base.

    Rate limits are off unless given: `global_rate` and `chat_rate` in messages a
    second (Telegram: about 30 and 1), `group_rate_per_minute` for groups (about 20).
    `clock` (seconds, like time.time) drives message dates and the rate windows,
    so rate tests can move time instead of sleeping.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_username: str = "newsdigest_test_bot",
        bot_name: str = "Newsdigest",
        global_rate: float | None = None,
        chat_rate: float | None = None,
        group_rate_per_minute: int | None = None,
        strict_escaping: bool = True,
        clock: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.strict_escaping = strict_escaping
        self.clock = clock
        self._host = host
        self._port = port
        self._global_window = _Window.per_second(global_rate) if global_rate else None
        self._chat_rate = chat_rate
        self._group_rate_per_minute = group_rate_per_minute
        self._chat_windows: dict[int, _Window] = {}
        self._group_windows: dict[int, _Window] = {}
        self._bot_id = int((token or DEFAULT_TOKEN).split(":", 1)[0])

        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1000
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._callbacks: dict[str, dict[str, Any]] = {}  # id -> query, until answered
        self._callback_ids = itertools.count(1)
        self._waiters: list[asyncio.Future[None]] = []
        self._failures: dict[str, deque[ApiError]] = {}
        self._closing = False

        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_deliveries: list[tuple[int, int]] = []  # (update_id, HTTP status)
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_wakeup: asyncio.Event | None = None

        self.sent: list[SentMessage] = []
        self.documents: list[SentDocument] = []
        self.downloads: list[str] = []  # file paths the bot downloaded
        self._files: dict[str, _StoredFile] = {}  # by file_id
        self._file_ids = itertools.count(1)
        self.edits: list[Edit] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.requests: Counter[str] = Counter()
        self.errors: list[RecordedError] = []
        self.rate_limited = 0  # how many 429s were returned
        self._flood_until = 0.0
        self._flood_retry_after = 0

        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None
        self.url = ""
        self._methods: dict[str, Callable[[dict[str, Any]], Any]] = {
            name.lower(): getattr(self, f"_m_{name}")
            for name in (
                "getMe",
                "logOut",
                "close",
                "getUpdates",
                "setWebhook",
                "deleteWebhook",
                "getWebhookInfo",
                "sendMessage",
                "sendDocument",
                "getFile",
                "sendChatAction",
                "editMessageText",
                "editMessageReplyMarkup",
                "deleteMessage",
                "answerCallbackQuery",
                "setMyCommands",
                "getMyCommands",
                "deleteMyCommands",
                "getChatMember",
                "getChatAdministrators",
                "getChat",
            )
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeTelegramServer:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        port = sockets[0].getsockname()[1]
        self.url = f"http://{self._host}:{port}"
        return self

    async def close(self) -> None:
        """Stop: long polls return at once, the webhook sender stops, the port is freed."""
        self._closing = True
        self._notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegramServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ test API: the world

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self._bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def register_user(
        self,
        user_id: int,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """Make a Telegram user known (later calls update the name and language)."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        return user

    def register_chat(
        self,
        chat_id: int,
        *,
        chat_type: str | None = None,
        title: str | None = None,
        first_name: str = "Test",
        username: str | None = None,
        language_code: str | None = None,
        members: Iterable[int] = (),
        admins: Iterable[int] = (),
        creator: int | None = None,
        is_forum: bool = False,
    ) -> dict[str, Any]:
        """Make a chat known, as if its user had opened the bot (or added it to a group).

        Private chats have the user's id; groups and channels have negative ids. `admins`
        and `creator` answer getChatMember / getChatAdministrators. `is_forum` makes a
        supergroup a forum, whose topics are threads (`open_thread`). A channel takes posts
        from the bot only once `set_bot_status` made it an administrator.
        """
        kind = chat_type or ("private" if chat_id > 0 else "group")
        if kind not in ("private", "group", "supergroup", "channel"):
            raise ValueError(f"unknown chat type {kind!r}")
        if (kind == "private") != (chat_id > 0):
            raise ValueError("private chats have positive ids, groups and channels negative ones")
        info: dict[str, Any] = {"id": chat_id, "type": kind}
        if kind == "private":
            info["first_name"] = first_name
            if chat_id not in self._users or language_code or username:
                self.register_user(
                    chat_id, first_name=first_name, username=username, language_code=language_code
                )
        else:
            info["title"] = title or f"Group {chat_id}"
        if is_forum:
            if kind != "supergroup":
                raise ValueError("only supergroups are forums")
            info["is_forum"] = True
        if username:
            info["username"] = username
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(info)
        else:
            chat.info = info
        if kind == "private":
            chat.members[chat_id] = "member"
        for user_id in members:
            chat.members.setdefault(user_id, "member")
        for user_id in admins:
            chat.members[user_id] = "administrator"
        if creator is not None:
            chat.members[creator] = "creator"
        for user_id in chat.members:
            self._users.setdefault(user_id, {"id": user_id, "is_bot": False, "first_name": "Test"})
        return dict(info)

    def set_bot_status(
        self, chat_id: int, status: str, *, notify: bool = False, by: int | None = None
    ) -> dict[str, Any] | None:
        """An administrator makes the bot an administrator ("administrator", allowed to
        post), a plain member, or removes it ("left", "kicked"). With `notify`, the bot gets
        the my_chat_member update Telegram sends, from `by`."""
        chat = self._require_chat(chat_id)
        old = chat.bot_status or ("kicked" if chat.blocked else "member")
        chat.bot_status = status
        chat.blocked = status in ("left", "kicked")
        return self._member_update(chat, old=old, new=status, by=by) if notify else None

    def set_member_status(
        self, chat_id: int, user_id: int, status: str, *, notify: bool = False
    ) -> dict[str, Any] | None:
        """A person's status in a chat changes (e.g. no longer an administrator). With
        `notify`, the bot gets the chat_member update Telegram sends to administrator bots."""
        chat = self._require_chat(chat_id)
        old = chat.members.get(user_id, "left")
        chat.members[user_id] = status
        user = self._users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": "Test"}
        )
        if not notify:
            return None
        return self.inject_update(
            {
                "chat_member": {
                    "chat": dict(chat.info),
                    "from": user,
                    "date": int(self.clock()),
                    "old_chat_member": self._member_at(user, old),
                    "new_chat_member": self._member_at(user, status),
                }
            }
        )

    def open_thread(self, chat_id: int, thread_id: int) -> None:
        """A forum topic is created (messages in it carry `message_thread_id`)."""
        chat = self._require_chat(chat_id)
        if not chat.info.get("is_forum"):
            raise ValueError(f"chat {chat_id} is not a forum")
        chat.threads.add(thread_id)

    def close_thread(self, chat_id: int, thread_id: int) -> None:
        """A forum topic is deleted: posting in it answers "message thread not found"."""
        self._require_chat(chat_id).threads.discard(thread_id)

    def block_chat(self, chat_id: int, *, notify: bool = False) -> None:
        """The user blocks the bot (or a group removes it): every send answers 403 from now on.

        With `notify`, the bot also gets the my_chat_member update Telegram sends.
        """
        chat = self._require_chat(chat_id)
        chat.blocked = True
        if notify:
            self._member_update(chat, old="member", new="kicked")

    def unblock_chat(self, chat_id: int, *, notify: bool = False) -> None:
        chat = self._require_chat(chat_id)
        chat.blocked = False
        if notify:
            self._member_update(chat, old="kicked", new="member")

    def is_blocked(self, chat_id: int) -> bool:
        return self._require_chat(chat_id).blocked

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        description: str = "Internal Server Error",
        times: int = 1,
        **parameters: Any,
    ) -> None:
        """Answer the next `times` calls of `method` with this error (e.g. a 502 from Telegram)."""
        queue = self._failures.setdefault(method.lower(), deque())
        queue.extend(ApiError(status, description, **parameters) for _ in range(times))

    def flood(self, seconds: float, *, retry_after: int = 2) -> None:
        """For the next `seconds` (by `clock`) every message sent or edited gets 429 with
        `retry_after`, as Telegram does during flood control, whatever the rate limits say."""
        self._flood_until = self.clock() + seconds
        self._flood_retry_after = retry_after

    # ------------------------------------------------------------------ test API: users act

    def inject_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        first_name: str = "Test",
        username: str | None = None,
        language_code: str | None = "ru",
        chat_type: str | None = None,
        title: str | None = None,
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
        forwarded_from: int | None = None,
    ) -> dict[str, Any]:
        """A user writes `text` in the chat (registering both); returns the update queued.

        Commands get bot_command entities as Telegram adds them. `message_thread_id`:
        written in that topic of a forum (opened if new); `forwarded_from`: the message is
        a post forwarded from that channel.
        """
        sender_id = user_id if user_id is not None else (chat_id if chat_id > 0 else 1)
        user = self.register_user(
            sender_id, first_name=first_name, username=username, language_code=language_code
        )
        if chat_id not in self._chats or chat_type or title:
            self.register_chat(chat_id, chat_type=chat_type, title=title, first_name=first_name)
        chat = self._chats[chat_id]
        chat.members.setdefault(sender_id, "member")
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat),
            "from": user,
            "chat": dict(chat.info),
            "date": int(self.clock()),
            "text": text,
        }
        entities = _command_entities(text)
        if entities:
            message["entities"] = entities
        if reply_to_message_id is not None:
            message["reply_to_message"] = chat.messages[reply_to_message_id]
        if message_thread_id is not None:
            self.open_thread(chat_id, message_thread_id)
            message["message_thread_id"] = message_thread_id
            message["is_topic_message"] = True
        if forwarded_from is not None:
            origin = self._require_chat(forwarded_from)
            message["forward_origin"] = {
                "type": "channel",
                "chat": dict(origin.info),
                "message_id": max(origin.next_message_id - 1, 1),
                "date": int(self.clock()),
            }
        chat.messages[message["message_id"]] = message
        return self.inject_update({"message": message})

    def inject_document(
        self,
        chat_id: int,
        content: bytes,
        *,
        file_name: str,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        declared_size: int | None = None,
        user_id: int | None = None,
        language_code: str | None = "ru",
        chat_type: str | None = None,
    ) -> dict[str, Any]:
        """A user sends a file (message.document); the bot fetches it with getFile and the
        file download. `declared_size` stands for a file too big to hold in a test (Telegram
        states the size; getFile refuses files over 20 MB)."""
        sender_id = user_id if user_id is not None else (chat_id if chat_id > 0 else 1)
        user = self.register_user(sender_id, language_code=language_code)
        if chat_id not in self._chats or chat_type:
            self.register_chat(chat_id, chat_type=chat_type)
        chat = self._chats[chat_id]
        chat.members.setdefault(sender_id, "member")
        number = next(self._file_ids)
        stored = _StoredFile(
            file_id=f"BQACAgIAAx{number:06d}",
            file_unique_id=f"AgAD{number:06d}",
            file_path=f"documents/file_{number}{_suffix(file_name)}",
            content=content,
            size=declared_size if declared_size is not None else len(content),
        )
        self._files[stored.file_id] = stored
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat),
            "from": user,
            "chat": dict(chat.info),
            "date": int(self.clock()),
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": stored.size,
            },
        }
        if caption is not None:
            message["caption"] = caption
            entities = _command_entities(caption)
            if entities:
                message["caption_entities"] = entities
        chat.messages[message["message_id"]] = message
        return self.inject_update({"message": message})

    def inject_callback(
        self,
        chat_id: int,
        data: str,
        *,
        message_id: int | None = None,
        user_id: int | None = None,
        first_name: str = "Test",
        language_code: str | None = "ru",
        check_button: bool = True,
    ) -> dict[str, Any]:
        """A user presses an inline button with `data`; returns the update queued.

        The message defaults to the latest bot message in the chat that carries a
        button with this data. With `check_button`, pressing a button that is not
        there is a test error, because Telegram users cannot do that either.
        """
        chat = self._require_chat(chat_id)
        target = self._callback_target(chat, data, message_id, check_button)
        sender_id = user_id if user_id is not None else (chat_id if chat_id > 0 else 1)
        user = self.register_user(sender_id, first_name=first_name, language_code=language_code)
        query_id = f"{self._bot_id}{next(self._callback_ids):08d}"
        query: dict[str, Any] = {
            "id": query_id,
            "from": user,
            "message": target,
            "chat_instance": str(abs(chat_id)),
            "data": data,
        }
        self._callbacks[query_id] = query
        return self.inject_update({"callback_query": query})

    def inject_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue any update (an update_id is assigned); the bot receives it by getUpdates or webhook."""
        queued = {"update_id": self._next_update_id, **update}
        self._next_update_id += 1
        self._updates.append(queued)
        self._notify()
        if self._webhook_wakeup is not None:
            self._webhook_wakeup.set()
        return queued

    # ------------------------------------------------------------------ test API: what happened

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[SentMessage]:
        """What the bot sent to the chat, oldest first."""
        return [m for m in self.sent if m.chat_id == chat_id and (include_deleted or not m.deleted)]

    def last_message(self, chat_id: int) -> SentMessage:
        found = self.messages(chat_id)
        if not found:
            raise AssertionError(f"the bot sent nothing to chat {chat_id}")
        return found[-1]

    def message(self, chat_id: int, message_id: int) -> SentMessage:
        for sent in self.sent:
            if sent.chat_id == chat_id and sent.message_id == message_id:
                return sent
        raise KeyError((chat_id, message_id))

    def commands_for(self, language_code: str = "", scope: str = "default") -> list[str]:
        """The command names set with setMyCommands for this language and scope type."""
        key = (json.dumps({"type": scope}, sort_keys=True), language_code)
        return [item["command"] for item in self.commands.get(key, [])]

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by the bot."""
        return len(self._updates)

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition"
    ) -> None:
        """Wait (without polling) until predicate() holds; TimeoutError says what was missing."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, remaining)

    async def wait_for_messages(
        self, chat_id: int, count: int = 1, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Wait until the bot has sent at least `count` messages to the chat; return them all."""
        try:
            await self.wait_until(
                lambda: len(self.messages(chat_id)) >= count,
                timeout,
                f"{count} message(s) to chat {chat_id}",
            )
        except TimeoutError as exc:
            got = [m.text[:80] for m in self.messages(chat_id)]
            errors = [e for e in self.errors if e.chat_id in (chat_id, None)]
            raise TimeoutError(f"{exc}; got {got}; errors {errors}") from None
        return self.messages(chat_id)

    async def wait_for_updates_consumed(self, timeout: float = 5.0) -> None:
        """Wait until the bot has confirmed every queued update."""
        await self.wait_until(lambda: not self._updates, timeout, "the bot to confirm all updates")

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method_name = request.match_info["method"]
        method = self._methods.get(method_name.lower())
        self.requests[method_name] += 1
        chat_id: int | None = None
        try:
            match = _TOKEN_RE.fullmatch(token)
            if match is None or (self.token is not None and token != self.token):
                raise ApiError(401, "Unauthorized")
            self._bot_id = int(match.group(1))
            if method is None:
                raise ApiError(404, "Not Found")
            params = await _read_params(request)
            chat_id = _maybe_int(params.get("chat_id"))
            failures = self._failures.get(method_name.lower())
            if failures:
                raise failures.popleft()
            result = method(params)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as exc:
            if exc.status == 429:
                self.rate_limited += 1
            self.errors.append(RecordedError(method_name, exc.status, exc.description, chat_id))
            body: dict[str, Any] = {
                "ok": False,
                "error_code": exc.status,
                "description": exc.description,
            }
            if exc.parameters:
                body["parameters"] = exc.parameters
            self._notify()
            return web.json_response(body, status=exc.status)
        self._notify()
        return web.json_response({"ok": True, "result": result})

    def _notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _require_chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise KeyError(f"chat {chat_id} is not registered with the fake server")
        return chat

    def _next_message_id(self, chat: _Chat) -> int:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        return message_id

    def _member_update(
        self, chat: _Chat, *, old: str, new: str, by: int | None = None
    ) -> dict[str, Any]:
        actor = by if by is not None else (chat.id if chat.id > 0 else 1)
        user = self._users.get(actor, {"id": actor, "is_bot": False, "first_name": "Test"})
        new_member = self._member_at(self.bot_user, new)
        old_member = self._member_at(self.bot_user, old)
        return self.inject_update(
            {
                "my_chat_member": {
                    "chat": dict(chat.info),
                    "from": user,
                    "date": int(self.clock()),
                    "old_chat_member": old_member,
                    "new_chat_member": new_member,
                }
            }
        )

    def _member_at(self, user: dict[str, Any], status: str) -> dict[str, Any]:
        """A ChatMember of `status` in an update (rights: an administrator may post)."""
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "kicked":
            member["until_date"] = 0
        elif status == "administrator":
            member.update(_ADMIN_RIGHTS, can_post_messages=True, can_edit_messages=True)
        elif status == "creator":
            member["is_anonymous"] = False
        return member

    def _check_thread(self, chat: _Chat, params: dict[str, Any]) -> int | None:
        thread = _maybe_int(params.get("message_thread_id"))
        if params.get("message_thread_id") in (None, ""):
            return None
        if thread is None or not chat.info.get("is_forum") or thread not in chat.threads:
            raise ApiError(400, "Bad Request: message thread not found")
        return thread

    def _check_can_post(self, chat: _Chat) -> None:
        """Only a channel's administrators post in it."""
        if chat.type == "channel" and chat.bot_status not in ("administrator", "creator"):
            if chat.bot_status in (None, "left", "kicked"):
                raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
            raise ApiError(400, "Bad Request: need administrator rights in the channel chat")

    def _callback_target(
        self, chat: _Chat, data: str, message_id: int | None, check_button: bool
    ) -> dict[str, Any]:
        candidates = [m for m in self.messages(chat.id) if message_id in (None, m.message_id)]
        if message_id is not None and not candidates:
            raise KeyError(f"no bot message {message_id} in chat {chat.id}")
        with_button = [m for m in candidates if data in m.callback_data()]
        if with_button:
            return chat.messages[with_button[-1].message_id]
        if check_button:
            offered = [m.callback_data() for m in candidates]
            raise AssertionError(
                f"no button with callback_data {data!r} in chat {chat.id}: {offered}"
            )
        if not candidates:
            raise KeyError(f"the bot sent nothing to chat {chat.id} to press a button on")
        return chat.messages[candidates[-1].message_id]

    # ------------------------------------------------------------------ shared checks

    def _chat_for(self, params: dict[str, Any], *, sending: bool = True) -> _Chat:
        raw = params.get("chat_id")
        if raw in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat: _Chat | None = None
        if isinstance(raw, str) and raw.startswith("@"):
            chat = next(
                (c for c in self._chats.values() if c.info.get("username") == raw[1:]), None
            )
        else:
            chat_id = _maybe_int(raw)
            chat = self._chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if sending and chat.blocked:
            if chat.type == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        return chat

    def _check_rate(self, chat: _Chat) -> None:
        now = self.clock()
        if now < self._flood_until:
            wait = self._flood_retry_after
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        windows: list[_Window] = []
        if self._global_window is not None:
            windows.append(self._global_window)
        if self._chat_rate:
            windows.append(
                self._chat_windows.setdefault(chat.id, _Window.per_second(self._chat_rate))
            )
        if self._group_rate_per_minute and chat.type in ("group", "supergroup", "channel"):
            windows.append(
                self._group_windows.setdefault(chat.id, _Window(self._group_rate_per_minute, 60.0))
            )
        wait = max((window.retry_after(now) for window in windows), default=0)
        if wait:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        for window in windows:
            window.add(now)

    def _parse_text(self, params: dict[str, Any]) -> ParsedText:
        raw = params.get("text")
        text = raw if isinstance(raw, str) else ""
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        parse_mode = params.get("parse_mode") or None
        if parse_mode is None:
            parsed = ParsedText(text, _json_param(params, "entities") or [])
        elif str(parse_mode).lower() == "html":
            try:
                parsed = parse_html(text, strict_escaping=self.strict_escaping)
            except HtmlParseError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        elif str(parse_mode).lower() in ("markdown", "markdownv2"):
            raise ApiError(
                400,
                "Bad Request: can't parse entities: this fake Bot API implements "
                "parse_mode HTML only",
            )
        else:
            raise ApiError(400, "Bad Request: unsupported parse_mode")
        parsed = _strip(parsed)
        if not parsed.text:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(parsed.text) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        return parsed

    def _check_markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        raw = params.get("reply_markup")
        if raw in (None, ""):
            return None
        try:
            markup = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            raise ApiError(
                400, "Bad Request: can't parse reply keyboard markup JSON object"
            ) from None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            _check_inline_keyboard(markup["inline_keyboard"])
            return markup
        if any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
            return markup
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")

    def _message_payload(self, sent: SentMessage, chat: _Chat) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "message_id": sent.message_id,
            "from": self.bot_user,
            "chat": dict(chat.info),
            "date": sent.date,
            "text": sent.text,
        }
        if sent.entities:
            payload["entities"] = sent.entities
        if sent.reply_markup and "inline_keyboard" in sent.reply_markup:
            payload["reply_markup"] = sent.reply_markup
        if sent.edited:
            payload["edit_date"] = int(self.clock())
        if sent.message_thread_id is not None:
            payload["message_thread_id"] = sent.message_thread_id
            payload["is_topic_message"] = True
        if chat.type == "channel":  # a channel post has no sender, only its chat
            del payload["from"]
            payload["sender_chat"] = dict(chat.info)
        if sent.reply_to_message_id is not None:
            replied = chat.messages.get(sent.reply_to_message_id)
            if replied is not None:
                payload["reply_to_message"] = replied
        return payload

    def _stored_bot_message(self, params: dict[str, Any], verb: str) -> tuple[_Chat, SentMessage]:
        if params.get("inline_message_id"):
            raise ApiError(400, f"Bad Request: message to {verb} not found")
        chat = self._chat_for(params)
        message_id = _maybe_int(params.get("message_id"))
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        if message_id not in chat.messages:
            raise ApiError(400, f"Bad Request: message to {verb} not found")
        try:
            sent = self.message(chat.id, message_id)
        except KeyError:
            raise ApiError(400, "Bad Request: message can't be edited") from None
        if sent.deleted:
            raise ApiError(400, f"Bad Request: message to {verb} not found")
        return chat, sent

    # ------------------------------------------------------------------ Bot API methods

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_logOut(self, params: dict[str, Any]) -> bool:
        return True

    def _m_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _maybe_int(params.get("offset")) or 0
        limit = _maybe_int(params.get("limit")) or 100
        limit = min(max(limit, 1), 100)
        timeout = max(_maybe_int(params.get("timeout")) or 0, 0)
        allowed = _json_param(params, "allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # wakes an earlier long poll, which then answers 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._drop_unwanted_updates()
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self._updates or self._closing:
                return self._updates[:limit]
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, remaining)

    def _drop_unwanted_updates(self) -> None:
        def wanted(update: dict[str, Any]) -> bool:
            kind = next(key for key in update if key != "update_id")
            if self._allowed_updates:
                return kind in self._allowed_updates
            return kind not in _DEFAULT_EXCLUDED_UPDATES

        self._updates = [u for u in self._updates if wanted(u)]

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if secret and not _SECRET_RE.fullmatch(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if url:
            parsed = check_link(url) if url.startswith(("http://", "https://")) else None
            host_ok = url.startswith(("http://127.0.0.1", "http://localhost"))
            if parsed is None and not host_ok:
                raise ApiError(400, "Bad Request: bad webhook: invalid webhook URL specified")
        if _truthy(params.get("drop_pending_updates")):
            self._updates.clear()
        allowed = _json_param(params, "allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        self.webhook_url = url or None
        self.webhook_secret = str(secret) if secret else None
        self._poll_generation += 1
        self._notify()
        if self.webhook_url:
            self._ensure_webhook_sender()
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        if _truthy(params.get("drop_pending_updates")):
            self._updates.clear()
        self.webhook_url = None
        self.webhook_secret = None
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for(params)
        self._check_can_post(chat)
        parsed = self._parse_text(params)
        markup = self._check_markup(params)
        reply_to = self._reply_target(chat, params)
        thread = self._check_thread(chat, params)
        self._check_rate(chat)
        sent = SentMessage(
            chat_id=chat.id,
            message_id=self._next_message_id(chat),
            text=parsed.text,
            raw_text=str(params.get("text")),
            parse_mode=params.get("parse_mode") or None,
            entities=parsed.entities,
            reply_markup=markup,
            date=int(self.clock()),
            reply_to_message_id=reply_to,
            message_thread_id=thread,
        )
        self.sent.append(sent)
        payload = self._message_payload(sent, chat)
        chat.messages[sent.message_id] = payload
        return payload

    def _m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for(params)
        files: dict[str, tuple[str, bytes]] = params.get(_FILES) or {}
        reference = str(params.get("document") or "")
        key = (
            reference.removeprefix("attach://") if reference.startswith("attach://") else "document"
        )
        if key in files:
            file_name, content = files[key]
        elif reference in self._files:
            file_name, content = reference, self._files[reference].content
        else:
            raise ApiError(400, "Bad Request: there is no document in the request")
        if not content:
            raise ApiError(400, "Bad Request: file must be non-empty")
        caption = params.get("caption")
        parsed = (
            self._parse_text({"text": caption, "parse_mode": params.get("parse_mode")})
            if isinstance(caption, str) and caption.strip()
            else ParsedText("", [])
        )
        if len(parsed.text) > MAX_CAPTION_LENGTH:
            raise ApiError(400, "Bad Request: message caption is too long")
        markup = self._check_markup(params)
        self._check_rate(chat)
        sent = SentMessage(
            chat_id=chat.id,
            message_id=self._next_message_id(chat),
            text=parsed.text,
            raw_text=str(caption or ""),
            parse_mode=params.get("parse_mode") or None,
            entities=parsed.entities,
            reply_markup=markup,
            date=int(self.clock()),
            document=file_name,
        )
        self.sent.append(sent)
        self.documents.append(
            SentDocument(chat.id, sent.message_id, file_name, content, parsed.text or None)
        )
        payload = self._message_payload(sent, chat)
        del payload["text"]
        payload.pop("entities", None)
        payload["document"] = {
            "file_id": f"BQACAgIAAy{sent.message_id:06d}",
            "file_unique_id": f"AgAE{sent.message_id:06d}",
            "file_name": file_name,
            "file_size": len(content),
        }
        if parsed.text:
            payload["caption"] = parsed.text
            if parsed.entities:
                payload["caption_entities"] = parsed.entities
        chat.messages[sent.message_id] = payload
        return payload

    def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if stored.size > MAX_DOWNLOAD_BYTES:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    async def _download(self, request: web.Request) -> web.Response:
        """GET /file/bot<token>/<file_path>: the bytes of a file getFile named."""
        token = request.match_info["token"]
        if _TOKEN_RE.fullmatch(token) is None or (self.token is not None and token != self.token):
            return web.Response(status=401, text="Unauthorized")
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.file_path == path and stored.size <= MAX_DOWNLOAD_BYTES:
                self.downloads.append(path)
                return web.Response(body=stored.content, content_type="application/octet-stream")
        return web.Response(status=404, text="Not Found")

    def _reply_target(self, chat: _Chat, params: dict[str, Any]) -> int | None:
        reply = _json_param(params, "reply_parameters") or {}
        if not isinstance(reply, dict):
            raise ApiError(400, "Bad Request: can't parse reply parameters JSON object")
        message_id = _maybe_int(reply.get("message_id", params.get("reply_to_message_id")))
        if message_id is None:
            return None
        if message_id in chat.messages:
            return message_id
        if _truthy(reply.get("allow_sending_without_reply")) or _truthy(
            params.get("allow_sending_without_reply")
        ):
            return None
        raise ApiError(400, "Bad Request: message to be replied not found")

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        chat = self._chat_for(params)
        action = str(params.get("action") or "")
        if action not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self.chat_actions.append((chat.id, action))
        return True

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, sent = self._stored_bot_message(params, "edit")
        parsed = self._parse_text(params)
        markup = self._check_markup(params)
        if (parsed.text, parsed.entities, markup) == (sent.text, sent.entities, sent.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        self._check_rate(chat)
        sent.text, sent.entities, sent.reply_markup = parsed.text, parsed.entities, markup
        sent.raw_text = str(params.get("text"))
        sent.parse_mode = params.get("parse_mode") or None
        sent.edited = True
        self.edits.append(
            Edit(chat.id, sent.message_id, "editMessageText", sent.text, sent.raw_text, markup)
        )
        payload = self._message_payload(sent, chat)
        chat.messages[sent.message_id] = payload
        return payload

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, sent = self._stored_bot_message(params, "edit")
        markup = self._check_markup(params)
        if markup == sent.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        self._check_rate(chat)
        sent.reply_markup = markup
        sent.edited = True
        self.edits.append(
            Edit(chat.id, sent.message_id, "editMessageReplyMarkup", None, None, markup)
        )
        payload = self._message_payload(sent, chat)
        chat.messages[sent.message_id] = payload
        return payload

    def _m_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat = self._chat_for(params, sending=False)
        message_id = _maybe_int(params.get("message_id"))
        if message_id is None or message_id not in chat.messages:
            raise ApiError(400, "Bad Request: message to delete not found")
        del chat.messages[message_id]
        with contextlib.suppress(KeyError):
            self.message(chat.id, message_id).deleted = True
        return True

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if self._callbacks.pop(query_id, None) is None:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        text = params.get("text")
        self.callback_answers.append(
            CallbackAnswer(
                query_id,
                str(text) if text else None,
                _truthy(params.get("show_alert")),
                str(params["url"]) if params.get("url") else None,
            )
        )
        return True

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = _json_param(params, "scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        language = str(params.get("language_code") or "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise ApiError(400, "Bad Request: invalid language code specified")
        return json.dumps(scope, sort_keys=True), language

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = _json_param(params, "commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise ApiError(400, "Bad Request: too many commands specified")
        cleaned: list[dict[str, str]] = []
        for item in commands:
            if not isinstance(item, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand JSON object")
            name = str(item.get("command") or "")
            description = str(item.get("description") or "")
            if not _COMMAND_RE.fullmatch(name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description.strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        key = self._commands_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    def _m_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return list(self.commands.get(self._commands_key(params), []))

    def _m_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _member(self, chat: _Chat, user_id: int) -> dict[str, Any]:
        user = self._users.get(user_id)
        if user is None:
            raise ApiError(400, "Bad Request: user not found")
        status = chat.members.get(user_id, "left")
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(_ADMIN_RIGHTS)
            if chat.type == "channel":
                member.update(can_post_messages=True, can_edit_messages=True)
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def _m_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for(params, sending=False)
        user_id = _maybe_int(params.get("user_id"))
        if user_id is None:
            raise ApiError(400, "Bad Request: user_id is empty")
        if user_id == self._bot_id:
            if chat.bot_status is not None:
                return self._member_at(self.bot_user, chat.bot_status)
            return {"status": "kicked" if chat.blocked else "member", "user": self.bot_user} | (
                {"until_date": 0} if chat.blocked else {}
            )
        return self._member(chat, user_id)

    def _m_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        """The chat by id or @username (a ChatFullInfo, with what the bot uses of it)."""
        chat = self._chat_for(params, sending=False)
        private_channel = chat.type == "channel" and not chat.info.get("username")
        if private_channel and chat.bot_status in ("left", "kicked"):
            raise ApiError(400, "Bad Request: chat not found")  # the bot cannot see it
        info = dict(chat.info)
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return info

    def _m_getChatAdministrators(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat = self._chat_for(params, sending=False)
        if chat.type == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        return [
            self._member(chat, user_id)
            for user_id, status in chat.members.items()
            if status in ("creator", "administrator")
        ]

    # ------------------------------------------------------------------ webhook delivery

    def _ensure_webhook_sender(self) -> None:
        if self._webhook_wakeup is None:
            self._webhook_wakeup = asyncio.Event()
        self._webhook_wakeup.set()
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._send_webhooks())

    async def _send_webhooks(self) -> None:
        """POST queued updates to the webhook one by one, as Telegram does; retry on failure."""
        assert self._webhook_wakeup is not None
        if self._client is None:
            self._client = ClientSession(timeout=ClientTimeout(total=10))
        while not self._closing:
            await self._webhook_wakeup.wait()
            self._webhook_wakeup.clear()
            while self.webhook_url and self._updates and not self._closing:
                self._drop_unwanted_updates()
                if not self._updates:
                    break
                update = self._updates[0]
                headers = {}
                if self.webhook_secret:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook_secret
                try:
                    async with self._client.post(
                        self.webhook_url, json=update, headers=headers
                    ) as response:
                        status = response.status
                except (ClientError, TimeoutError):
                    status = 0
                self.webhook_deliveries.append((update["update_id"], status))
                if 200 <= status < 300:
                    if self._updates and self._updates[0] is update:
                        self._updates.pop(0)
                    self._notify()
                else:
                    self._notify()
                    await asyncio.sleep(0.2)  # Telegram backs off too before retrying


# ---------------------------------------------------------------------- helpers


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON request body must be an object")
        params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = value
            elif isinstance(value, web.FileField):  # its name as before, its bytes kept
                params[key] = value.filename
                params.setdefault(_FILES, {})[key] = (value.filename, value.file.read())
            else:
                params[key] = ""
    return params


_ADMIN_RIGHTS: dict[str, Any] = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_send_welcome_messages": False,
}

_FILES = "__files__"  # where _read_params keeps uploaded files: {field: (name, bytes)}


def _suffix(file_name: str) -> str:
    dot = file_name.rfind(".")
    return file_name[dot:][:10] if dot > 0 else ""


def _maybe_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def _json_param(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if isinstance(value, str):
        if not value:
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
    return value


def _strip(parsed: ParsedText) -> ParsedText:
    """Telegram trims whitespace around a message; entities move with the text."""
    text = parsed.text
    stripped = text.strip()
    if stripped == text:
        return parsed
    shift = len(text[: len(text) - len(text.lstrip())].encode("utf-16-le")) // 2
    limit = len(stripped.encode("utf-16-le")) // 2
    entities = []
    for entity in parsed.entities:
        start = max(0, entity["offset"] - shift)
        end = min(limit, entity["offset"] + entity["length"] - shift)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(stripped, entities)


def _command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command entities for /commands in the text, in UTF-16 offsets like Telegram."""
    entities = []
    for match in re.finditer(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?", text):
        offset = len(text[: match.start()].encode("utf-16-le")) // 2
        entities.append({"type": "bot_command", "offset": offset, "length": len(match.group())})
    return entities


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(
            400,
            'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays',
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise ApiError(
                    400,
                    "Bad Request: can't parse inline keyboard button: InlineKeyboardButton should be an Object",
                )
            text = button.get("text")
            if not isinstance(text, str) or not text.strip():
                raise ApiError(
                    400, "Bad Request: can't parse inline keyboard button: Text must be non-empty"
                )
            actions = [key for key in _BUTTON_ACTIONS if key in button]
            if not actions:
                raise ApiError(
                    400,
                    "Bad Request: can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard",
                )
            if "callback_data" in button:
                data = button["callback_data"]
                size = len(data.encode("utf-8")) if isinstance(data, str) else 0
                if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if "url" in button:
                url = button["url"]
                if not isinstance(url, str) or check_link(url) is None:
                    raise ApiError(
                        400,
                        f"Bad Request: inline keyboard button URL '{url}' is invalid: Wrong HTTP URL",
                    )

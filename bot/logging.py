"""Structured logs: one `key=value` line per event (logfmt), with secrets masked.

Why logfmt: an operator can read it in `docker logs` and a log shipper can parse it
without a JSON dependency. Fields passed with `extra={...}` become keys of their own,
so services keep using the standard `logging` module (they never import bot/) and
still produce structured lines:

    log.info("ingest pass", extra={"new": 12, "failed": 1, "duration_ms": 840})
    → time=… level=info logger=services.ingest msg="ingest pass" new=12 failed=1 duration_ms=840

Why a masking filter: the bot token is a password to the bot; it can surface in an
exception's URL (`…/bot<token>/getUpdates`). The filter rewrites every record on the
way out, message, fields and traceback alike, with the masker Telegram's error
descriptions go through too (bot/masking.py).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from bot.config import Settings
from bot.masking import SecretMasker

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
    | {"message", "asctime", "taskName"}
)
# Chatty third-party loggers: one line per HTTP request, per update or per job run
# drowns the per-pass lines at INFO. They still speak at WARNING and above.
_QUIET_AT_INFO = ("httpx", "httpcore", "apscheduler", "aiogram.event", "aiohttp.access")
_OWN_KEYS = frozenset({"time", "level", "logger", "msg", "exc"})
_PAIR = re.compile(r"^([a-z_][a-z0-9_.]*)=([^\s\"'=]+)$")


def _needs_quotes(text: str) -> bool:
    return not text or any(char in text for char in ' ="\\') or not text.isprintable()


def format_value(value: object) -> str:
    """One logfmt value: bare when safe, otherwise a double-quoted, escaped string."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 3))
    text = value.isoformat(timespec="seconds") if isinstance(value, datetime) else str(value)
    return json.dumps(text, ensure_ascii=False) if _needs_quotes(text) else text


def split_message(message: str) -> tuple[str, list[tuple[str, str]]]:
    """Lift trailing `key=value` words out of a message written as "what happened k=v k=v".

    So `log.info("delivery pass due=%s sent=%s", …)` becomes `msg="delivery pass" due=3
    sent=3`: callers may write either style and the line is proper logfmt. Only bare
    words are lifted; a value with spaces (a repr, a sentence) stays in the message.
    """
    words = message.split(" ")
    lifted: list[tuple[str, str]] = []
    while len(words) > 1:
        match = _PAIR.match(words[-1])
        if match is None or match.group(1) in _OWN_KEYS:
            break
        lifted.append((match.group(1), match.group(2)))
        words.pop()
    lifted.reverse()
    return " ".join(words), lifted


def extra_fields(record: logging.LogRecord) -> dict[str, object]:
    """The fields a caller attached with `extra=`, in the order they were given."""
    return {key: value for key, value in vars(record).items() if key not in _STANDARD_ATTRS}


class KeyValueFormatter(logging.Formatter):
    """`time=… level=… logger=… msg="…" key=value …`, one line even with a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        message, lifted = split_message(record.getMessage())
        parts = [
            f"time={moment.replace('+00:00', 'Z')}",
            f"level={record.levelname.lower()}",
            f"logger={format_value(record.name)}",
            f"msg={format_value(message)}",
        ]
        parts.extend(f"{key}={value}" for key, value in lifted)
        parts.extend(f"{key}={format_value(value)}" for key, value in extra_fields(record).items())
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            parts.append(f"exc={format_value(record.exc_text)}")
        return " ".join(parts)


class SecretMaskFilter(logging.Filter):
    """Replaces every configured secret (and the private half of a bot token) with ***."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._masker = SecretMasker(secrets)

    def mask(self, text: str) -> str:
        return self._masker.mask(text)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._masker:
            return True
        record.msg = self.mask(record.getMessage())
        record.args = None
        for key, value in extra_fields(record).items():
            if isinstance(value, str):
                setattr(record, key, self.mask(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        return True


def configure_logging(
    level: str = "INFO", *, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """Send every log record through one key=value handler on stderr; returns that handler.

    Replaces handlers installed earlier (a second call reconfigures, not duplicates).
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    handler.addFilter(SecretMaskFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    quiet_level = logging.WARNING if logging.getLevelName(level) >= logging.INFO else logging.DEBUG
    for name in _QUIET_AT_INFO:
        logging.getLogger(name).setLevel(quiet_level)
    return handler


def secrets_of(settings: Settings) -> list[str]:
    """The values in Settings that must never reach a log line (token, webhook secret)."""
    return [
        secret.get_secret_value()
        for secret in (settings.bot_token, settings.webhook_secret)
        if secret is not None
    ]

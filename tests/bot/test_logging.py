"""bot/logging.py: one key=value line per record, secrets never written."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.config import load_settings
from bot.logging import configure_logging, format_value, secrets_of
from bot.masking import MASK, SecretMasker

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    configure_logging("INFO", secrets=[TOKEN, "webhook-secret-value"], stream=stream)
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved_handlers:
        root.addHandler(handler)
    root.setLevel(saved_level)


def test_a_record_is_one_line_of_key_value_pairs_with_its_extra_fields(
    captured: io.StringIO,
) -> None:
    logging.getLogger("services.ingest.ingestor").info(
        "ingest pass", extra={"new": 12, "failed": 1, "duration_ms": 840.1234}
    )
    line = captured.getvalue()
    assert line.count("\n") == 1
    assert "level=info logger=services.ingest" in line
    assert 'msg="ingest pass" new=12 failed=1 duration_ms=840.123' in line


def test_values_with_spaces_quotes_or_newlines_are_quoted_and_stay_on_one_line() -> None:
    assert format_value("plain") == "plain"
    assert format_value("two words") == '"two words"'
    assert format_value('say "hi"\nthen go') == '"say \\"hi\\"\\nthen go"'
    assert format_value("") == '""'
    assert format_value(None) == "null"
    assert format_value(True) == "true"


def test_a_traceback_is_kept_on_the_same_line(captured: io.StringIO) -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("x").exception("pass failed")
    line = captured.getvalue()
    assert line.count("\n") == 1
    assert "RuntimeError: boom" in line
    assert "exc=" in line


def test_the_token_is_masked_in_messages_arguments_fields_and_tracebacks(
    captured: io.StringIO,
) -> None:
    log = logging.getLogger("aiogram.dispatcher")
    log.warning("GET https://api.telegram.org/bot%s/getUpdates failed", TOKEN)
    log.warning("url", extra={"url": f"https://api.telegram.org/bot{TOKEN}/getMe"})
    try:
        raise ConnectionError(f"cannot reach /bot{TOKEN}/sendMessage")
    except ConnectionError:
        log.exception("send failed")
    log.warning("private half alone: %s", TOKEN.split(":", 1)[1])
    log.warning("webhook secret: webhook-secret-value")
    output = captured.getvalue()
    assert TOKEN not in output
    assert TOKEN.split(":", 1)[1] not in output
    assert "webhook-secret-value" not in output
    assert output.count(MASK) == 5


def test_chatty_library_loggers_are_quiet_at_info_but_not_at_debug(captured: io.StringIO) -> None:
    logging.getLogger("httpx").info("HTTP Request: GET https://example.org 200")
    logging.getLogger("apscheduler.executors.default").info("Job executed successfully")
    assert captured.getvalue() == ""
    configure_logging("DEBUG", stream=captured)
    logging.getLogger("httpx").debug("now visible")
    assert "now visible" in captured.getvalue()


def test_configuring_twice_replaces_the_handler_instead_of_doubling_lines(
    captured: io.StringIO,
) -> None:
    configure_logging("INFO", stream=captured)
    logging.getLogger("x").info("once")
    assert captured.getvalue().count("once") == 1


def test_the_secrets_taken_from_settings_are_the_token_and_the_webhook_secret() -> None:
    settings = load_settings(_env_file=None, bot_token=TOKEN, webhook_secret="webhook-secret-value")
    assert secrets_of(settings) == [TOKEN, "webhook-secret-value"]
    assert secrets_of(load_settings(_env_file=None, bot_token="")) == []


def test_key_value_words_at_the_end_of_a_message_become_fields_of_their_own(
    captured: io.StringIO,
) -> None:
    logging.getLogger("services.delivery.service").info(
        "delivery pass due=%s completed=%s send_s=%.2f", 3, 2, 1.5
    )
    logging.getLogger("x").warning("sender raised chat_id=5 error=%r", ConnectionError("a b"))
    first, second = captured.getvalue().splitlines()
    assert first.endswith('msg="delivery pass" due=3 completed=2 send_s=1.50')
    assert "msg=\"sender raised chat_id=5 error=ConnectionError('a b')\"" in second


def test_the_masker_takes_the_token_whole_before_its_private_half_and_skips_short_values() -> None:
    masker = SecretMasker([TOKEN, "short"], placeholder="<token>")

    assert masker.mask(f"/bot{TOKEN}/getMe and {TOKEN.split(':', 1)[1]} short") == (
        "/bot<token>/getMe and <token> short"
    )
    assert not SecretMasker(["short", ""])

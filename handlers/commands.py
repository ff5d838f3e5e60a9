"""The bot's commands with their descriptions: the list /help shows and the menu the bot
publishes (setMyCommands) come from this one table, so they never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from services.text.i18n import N_


@dataclass(frozen=True, slots=True)
class CommandInfo:
    name: str
    description: str  # English message id, translated per language


COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo("start", N_("Start: what the bot does")),
    CommandInfo("help", N_("All commands")),
    CommandInfo("topics", N_("Topic catalogue: tap to follow")),
    CommandInfo("subscribe", N_("Follow your own query")),
    CommandInfo("unsubscribe", N_("Stop following a topic")),
    CommandInfo("mytopics", N_("Your topics and digest settings")),
    CommandInfo("digest", N_("The digest right now")),
    CommandInfo("summary", N_("Summarise an article by its link")),
    CommandInfo("search", N_("Search stored news")),
    CommandInfo("sources", N_("This chat's own sources")),
    CommandInfo("addsource", N_("Add a feed or a site as a source")),
    CommandInfo("removesource", N_("Remove one of the chat's sources")),
    CommandInfo("export", N_("Your sources (OPML) and topics as files")),
    CommandInfo("import", N_("Bring sources (OPML) or topics from a file")),
    CommandInfo("time", N_("Digest time, e.g. /time 9:30")),
    CommandInfo("timezone", N_("Your time zone")),
    CommandInfo("length", N_("Summary length, 1–5 sentences")),
    CommandInfo("language", N_("Language of the bot")),
    CommandInfo("channel", N_("Digests in your channel")),
    CommandInfo("pause", N_("Pause the daily digest")),
    CommandInfo("resume", N_("Resume the daily digest")),
)

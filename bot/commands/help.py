"""The help text: only what this person may do."""

from __future__ import annotations

from bot.context import Turn
from bot.views import Notice, Reply

EVERYONE = ("on", "off", "pause", "resume", "settings", "topics", "privacy", "my-data", "forget-me")
COMMS = ("new", "new_inline", "list", "end", "stats")
HR = ("policy", "policy_set", "roles", "roles_change", "invite", "stats", "overview", "audit")


def help_reply(turn: Turn, *, unknown: str | None = None) -> Reply:
    t = turn.t
    entries = list(EVERYONE)
    if "comms" in turn.roles:
        entries += COMMS
    if "hr" in turn.roles:
        entries += [entry for entry in HR if entry not in entries]
    lines = [t(f"help.{entry}") for entry in entries]
    if unknown is not None:
        lines.insert(0, t("error.unknown_command", word=unknown))
    return Reply.of(Notice(title=t("help.title"), lines=(*lines, t("help.footer"))))

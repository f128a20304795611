"""The help text: only what this person may do (the lines come from the registry)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.context import Turn
from bot.views import Notice, Reply


def help_reply(turn: Turn, keys: Sequence[str], *, unknown: str | None = None) -> Reply:
    """The help lines ``keys`` in the person's language; an unknown word is named first."""
    t = turn.t
    lines = [t(key) for key in keys]
    if unknown is not None:
        lines.insert(0, t("error.unknown_command", word=unknown))
    return Reply.of(Notice(title=t("help.title"), lines=(*lines, t("help.footer"))))

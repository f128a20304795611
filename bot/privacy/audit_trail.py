"""``/share audit``: HR reads the trail of admin actions; employee actions are never in it."""

from __future__ import annotations

from bot.context import Turn
from bot.views import Notice, Reply
from storage import audit
from storage.states import AuditAction

LIMIT = 50
ACTIONS = frozenset(AuditAction)


async def show(turn: Turn) -> Reply:
    """The most recent admin actions, newest first, with who did them and when."""
    t = turn.t
    entries = await audit.recent(turn.session, limit=LIMIT)
    lines = [
        t(
            "audit.line",
            when=t.when(entry.at),
            actor=entry.actor,
            action=t(f"audit.action.{entry.action}") if entry.action in ACTIONS else entry.action,
            detail=entry.detail,
        )
        for entry in entries
    ]
    footer = t("audit.kept", days=turn.policy.retention_days, limit=LIMIT)
    return Reply.of(Notice(title=t("audit.title"), lines=(*(lines or [t("audit.empty")]), footer)))

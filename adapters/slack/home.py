"""The App Home tab: a person's settings, queue, privacy and data rights; comms and HR extras."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from adapters.slack.blocks import (
    Block,
    actions,
    form_summary_blocks,
    header,
    section,
    view_blocks,
)
from bot.commands.registry import REGISTRY
from bot.core import Overview
from bot.views import Button, ButtonStyle, Form, Reply
from storage.states import Participation, Role

HOME_BLOCKS = 100


class Publishing:
    """One App Home publish per person at a time. Asked again while one runs, it publishes
    once more when that one is done, however often it was asked meanwhile: each publish
    reads the page when it starts, so the last change is always on it, and a burst of
    clicks costs two publishes instead of one per click."""

    def __init__(self) -> None:
        self._again: dict[str, bool] = {}  # person -> asked again while publishing

    async def publish(self, user: str, publish: Callable[[], Awaitable[None]]) -> None:
        if user in self._again:
            self._again[user] = True
            return
        self._again[user] = False
        try:
            while True:
                await publish()
                if not self._again[user]:
                    return
                self._again[user] = False
        finally:
            del self._again[user]


def say(label: str, command: str, style: ButtonStyle = "default") -> Button:
    """A button that runs a ``/share`` command (rendered as ``say|<n>`` with the command)."""
    return Button(label, style=style, says=command)


def home_view(overview: Overview, page: Reply) -> dict[str, Any]:
    """``views.publish`` payload built from :meth:`Sharebot.overview` and :meth:`Sharebot.home`."""
    t = overview.t
    on = overview.participation == Participation.ON
    blocks: list[Block] = [
        header(t("slack.home.title")),
        section(t(f"slack.home.status.{overview.participation}")),
        *actions(
            (
                say(t("slack.home.off"), "off") if on else say(t("slack.home.on"), "on", "primary"),
                say(t("slack.home.settings"), "settings"),
                say(t("slack.home.my_data"), "my-data"),
                say(t("slack.home.forget_me"), "forget-me", "danger"),
            )
        ),
        {"type": "divider"},
        header(t("slack.home.queue")),
    ]
    if overview.queue:
        lines = [
            f"{f'#{q.suggestion_id} · ' if q.suggestion_id else ''}{q.due_text} — {q.reason_text}"
            for q in overview.queue[:20]
        ]
        blocks.append(section("\n".join(lines)))
    else:
        blocks.append(section(t("slack.home.queue_empty")))
    for view in page.views:
        blocks.append({"type": "divider"})
        if isinstance(view, Form):
            blocks += form_summary_blocks(view)
            form = REGISTRY.by_form.get(view.form_id)
            if form is not None:
                blocks += actions((say(t("slack.home.change"), form.opened_by),))
        else:
            blocks += view_blocks(view)
    if Role.COMMS in overview.roles:
        blocks += actions((say(t("slack.home.new"), "new", "primary"),))
    return {"type": "home", "blocks": blocks[:HOME_BLOCKS]}

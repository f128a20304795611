"""Slack payloads in the core's terms: command text, which button, where it was pressed; pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.slack.blocks import PRESS, SAY, SHARE

# Links as Slack escapes them in command text: <https://x.example/a|x.example/a> or <https://…>.
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|[^>]*)?>")
# Mentions the core understands stay as they are: <@U123|anna>, <#C123|general>.


def command_text(text: str) -> str:
    """The ``/share`` text with Slack's link escapes and entities undone, mentions kept."""
    unlinked = _LINK.sub(lambda found: found.group(1), text)
    return unlinked.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass(frozen=True)
class Pressed:
    """A button press: ``kind`` is ``do`` (a core button), ``say`` (a command) or ``share``."""

    kind: str
    action: str
    value: str
    in_home: bool
    response_url: str | None
    trigger_id: str | None


def pressed(body: Mapping[str, Any]) -> Pressed | None:
    """The first action of a ``block_actions`` payload, or None when it is not ours."""
    found = body.get("actions") or []
    if not found:
        return None
    first = found[0]
    kind, _, rest = str(first.get("action_id", "")).partition("|")
    if kind not in (PRESS, SAY, SHARE):
        return None
    action = rest.rsplit("|", 1)[0] if kind == PRESS else ""
    view = body.get("view") or {}
    return Pressed(
        kind=kind,
        action=action,
        value=str(first.get("value") or ""),
        in_home=view.get("type") == "home",
        response_url=body.get("response_url") or None,
        trigger_id=body.get("trigger_id") or None,
    )

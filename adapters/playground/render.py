"""Core view models to the JSON the playground page renders; pure functions."""

from __future__ import annotations

import dataclasses
from typing import Any

from adapters.playground.transcript import Message
from bot.views import View


def render_view(view: View | str) -> dict[str, Any]:
    """``{"type": "SuggestionCard", ...fields}``; plain text becomes ``{"type": "Text"}``."""
    if isinstance(view, str):
        return {"type": "Text", "text": view}
    data = dataclasses.asdict(view)
    data["type"] = type(view).__name__
    return data


def render_message(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "kind": message.kind,
        "at": message.at.isoformat(),
        "view": render_view(message.view),
    }

"""Conversation references: botbuilder's object <-> the JSON kept in ``Person.address``."""

from __future__ import annotations

import json
from typing import Any

from botbuilder.schema import ConversationReference

MAX_LENGTH = 4000  # Person.address


class BadReference(ValueError):
    """A stored address that is not a usable conversation reference."""


def dump(reference: ConversationReference) -> str:
    """The reference as compact JSON, in the Bot Framework's own field names."""
    text = json.dumps(reference.serialize(), separators=(",", ":"), sort_keys=True)
    if len(text) > MAX_LENGTH:
        raise BadReference("conversation reference longer than the address column")
    return text


def load(address: str | None) -> ConversationReference:
    """The reference stored by :func:`dump` or by the translation of an activity."""
    if not address:
        raise BadReference("no conversation address stored")
    try:
        data: Any = json.loads(address)
    except ValueError as error:
        raise BadReference("stored address is not JSON") from error
    if not isinstance(data, dict):
        raise BadReference("stored address is not a JSON object")
    reference = ConversationReference().deserialize(data)
    if not reference.service_url or not reference.conversation or not reference.conversation.id:
        raise BadReference("stored address lacks a service URL or conversation id")
    return reference

"""The message shortcut "Suggest for sharing": a ``message_action`` payload's message as the
core's :class:`SharedMessage`; pure functions.

Slack writes links, mentions and channels in a message's ``text`` as ``<https://…|label>``,
``<@U…>`` and ``<#C…|name>``, and escapes ``&``, ``<`` and ``>``. Photos come from image blocks
and attachments (public addresses Slack shows); files uploaded into Slack stay behind its
sign-in (``url_private`` needs the app's token and ``files:read``), so they are not handed over.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from bot.ports import SharedMessage

CALLBACK = "suggest_from_message"
_LINK = re.compile(r"<((?:https?)://[^|>]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+\|([^>]*)>")
_SPECIAL = re.compile(r"<[@#!][^>]*>")  # mentions without a name, @here, dates
_SPACES = re.compile(r"[ \t]+")


def shared_message(message: Mapping[str, Any]) -> SharedMessage:
    """The message's text without Slack's markup, its first link, and its photos."""
    text = str(message.get("text") or "")
    links = [html.unescape(match.group(1)) for match in _LINK.finditer(text)]
    link = links[0] if links else ""

    def label(match: re.Match[str]) -> str:
        """A link's label stays; the first link itself goes to the link field."""
        url, shown = match.group(1), match.group(2)
        if shown and shown != url:
            return shown
        return "" if html.unescape(url) == link else html.unescape(url)

    text = _LINK.sub(label, text)
    text = _CHANNEL.sub(lambda match: f"#{match.group(1)}", text)
    text = _SPECIAL.sub("", text)
    text = html.unescape(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return SharedMessage(
        text="\n".join(line for line in lines if line), link=link, photos=photos_of(message)
    )


def photos_of(message: Mapping[str, Any]) -> tuple[str, ...]:
    """Photo addresses in image blocks and attachments, in order, each once."""
    found: list[str] = []
    for block in message.get("blocks") or []:
        if isinstance(block, Mapping) and block.get("type") == "image":
            found.append(str(block.get("image_url") or ""))
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, Mapping):
            found.append(str(attachment.get("image_url") or ""))
    return tuple(dict.fromkeys(url for url in found if url.startswith(("https://", "http://"))))

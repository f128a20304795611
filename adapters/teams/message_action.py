"""The message action "Suggest for sharing" (a ``composeExtensions`` action command with
``fetchTask``): the message Teams hands over as the core's :class:`SharedMessage`, and the task
module answers; pure functions.

Teams sends the message's body as HTML. Photos pasted into Teams are kept behind its sign-in
(``hostedContents``), so only images at public addresses are handed over.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from bot.ports import SharedMessage

SUGGEST_COMMAND = "suggestForSharing"
FETCH_TASK = "composeExtension/fetchTask"
SUBMIT_ACTION = "composeExtension/submitAction"
CARD = "application/vnd.microsoft.card.adaptive"
_BREAKS = frozenset({"br", "p", "div", "li", "tr"})
_SIGNED_IN = ("/hostedcontents/", ".asm.skype.com/", "teams.microsoft.com/")
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
_SPACES = re.compile(r"[ \t\xa0]+")
_MARKS = re.compile(r"[`*]")


class _Body(HTMLParser):
    """Text (mentions left out), links and images of a Teams message's HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, list[str]]] = []
        self.images: list[str] = []
        self._mention = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "at":
            self._mention += 1
        elif tag == "a" and (found.get("href") or "").startswith(("https://", "http://")):
            self.links.append((str(found["href"]), []))
        elif tag == "img" and found.get("src"):
            self.images.append(str(found["src"]))
        if tag in _BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "at":
            self._mention = max(self._mention - 1, 0)
        if tag in _BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._mention:
            self.parts.append(data)
            if self.links:
                self.links[-1][1].append(data)


def shared_message(payload: Mapping[str, Any]) -> SharedMessage:
    """``value.messagePayload`` as the core's shared message: text, first link, photos."""
    body = payload.get("body") or {}
    content = str(body.get("content") or "")
    if str(body.get("contentType") or "html").lower() != "html":
        content = html.escape(content).replace("\n", "<br>")
    parsed = _Body()
    parsed.feed(content)
    parsed.close()
    text = "".join(parsed.parts)
    links = [url for url, _ in parsed.links] or _URL.findall(text)
    link = links[0] if links else ""
    if link:  # the link goes to the link field; its label, if it has one, stays
        text = text.replace(link, "")
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return SharedMessage(
        text="\n".join(line for line in lines if line), link=link, photos=_photos(payload, parsed)
    )


def _photos(payload: Mapping[str, Any], parsed: _Body) -> tuple[str, ...]:
    found = list(parsed.images)
    for attachment in payload.get("attachments") or []:
        if isinstance(attachment, Mapping):
            kind = str(attachment.get("contentType") or "")
            if kind.startswith("image/"):
                found.append(str(attachment.get("contentUrl") or ""))
    public = [
        url
        for url in found
        if url.startswith(("https://", "http://"))
        and not any(mark in url.lower() for mark in _SIGNED_IN)
    ]
    return tuple(dict.fromkeys(public))


def task_form(card: dict[str, Any], title: str) -> dict[str, Any]:
    """A task module (Teams' dialog) showing ``card``: the compose form, or it again with its
    problems marked."""
    return {
        "task": {
            "type": "continue",
            "value": {
                "title": title[:64],
                "height": "large",
                "width": "medium",
                "card": {"contentType": CARD, "content": card},
            },
        }
    }


def task_message(text: str) -> dict[str, Any]:
    """A task module answer that only says something (closed with OK): plain text, so the
    core's marks (``*bold*``, ``code``) are left out."""
    return {"task": {"type": "message", "value": _MARKS.sub("", text)}}

"""The playground's chat history: it stands in for the platform's DM history, in memory."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.views import View

Kind = Literal["bot", "me", "ephemeral"]


@dataclass
class Message:
    id: int
    kind: Kind
    at: datetime
    view: View | str


@dataclass
class Transcript:
    """Messages per person and listeners for live updates (server-sent events)."""

    messages: dict[str, list[Message]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _listeners: set[asyncio.Queue[str]] = field(default_factory=set)

    def add(self, person: str, kind: Kind, at: datetime, view: View | str) -> Message:
        message = Message(next(self._ids), kind, at, view)
        self.messages.setdefault(person, []).append(message)
        self.changed(person)
        return message

    def replace(self, person: str, message_id: int, view: View) -> bool:
        for message in self.messages.get(person, []):
            if message.id == message_id:
                message.view = view
                self.changed(person)
                return True
        return False

    def of(self, person: str) -> list[Message]:
        return list(self.messages.get(person, []))

    def changed(self, person: str) -> None:
        for queue in list(self._listeners):
            queue.put_nowait(person)

    def listen(self) -> asyncio.Queue[str]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._listeners.add(queue)
        return queue

    def unlisten(self, queue: asyncio.Queue[str]) -> None:
        self._listeners.discard(queue)

    def close(self) -> None:
        """End every live stream (server shutdown): listeners receive an empty name."""
        for queue in list(self._listeners):
            queue.put_nowait("")

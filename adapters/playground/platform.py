"""The playground's Messenger and Directory: the only simulated part of the playground."""

from __future__ import annotations

from adapters.playground import demo
from adapters.playground.transcript import Transcript
from bot.clock import Clock
from bot.ports import UNLIMITED, Actor, Addressee, SendLimits, Target, Unreachable
from bot.views import View


class PlaygroundMessenger:
    """Delivers into the transcript; the message id is the reference for later updates."""

    def __init__(self, transcript: Transcript, clock: Clock) -> None:
        self.transcript = transcript
        self.clock = clock
        self.limits: SendLimits = UNLIMITED

    async def send(self, to: Addressee, view: View) -> str | None:
        if to.user_key not in demo.BY_KEY:
            raise Unreachable("not a playground person")
        message = self.transcript.add(to.user_key, "bot", self.clock.now(), view)
        return str(message.id)

    async def update(self, to: Addressee, message_ref: str, view: View) -> None:
        self.transcript.replace(to.user_key, int(message_ref), view)


EVERYONE = frozenset({"everyone", "team", "alle"})


class PlaygroundDirectory:
    """Everyone in the demo organisation is one team; a few channels group them."""

    async def members(self, target: str) -> list[Actor] | None:
        if target.lower().lstrip("#") in EVERYONE | {"general"}:
            return [person.actor for person in demo.PEOPLE]
        return None

    async def target(self, text: str) -> Target | None:
        name = text.strip().lstrip("#").lower()
        if name in EVERYONE:
            return Target(demo.PLATFORM, "", "everyone")
        members = demo.CHANNELS.get(name)
        if members is None:
            return None
        return Target(demo.PLATFORM, name, f"#{name}", len(members))

    async def member_keys(self, target: Target) -> frozenset[str] | None:
        members = demo.CHANNELS.get(target.key)
        return frozenset(members) if members is not None else None

    async def lookup(self, reference: str) -> Actor | None:
        person = demo.find(reference)
        return person.actor if person else None

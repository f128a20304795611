"""One incoming activity: translated, handed to the core, answered in the personal chat."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ChannelAccount

from adapters.teams import references
from adapters.teams.activities import Incoming, translate
from adapters.teams.directory import TeamsDirectory
from adapters.teams.messenger import activity_for
from adapters.teams.personal import open_chat
from bot.core import Sharebot
from bot.views import Reply


class TeamsTurns:
    """Runs the core for Teams activities; the answer is always a new message, never an edit."""

    def __init__(
        self, core: Sharebot, adapter: CloudAdapter, app_id: str, directory: TeamsDirectory
    ) -> None:
        self.core = core
        self.adapter = adapter
        self.app_id = app_id
        self.directory = directory

    def bot_for(self, body: Mapping[str, Any]) -> ActivityBot:
        """The botbuilder ``Bot`` for one request; it sees the activity's JSON as sent."""
        return ActivityBot(self, body)

    async def handle(self, context: TurnContext, body: Mapping[str, Any]) -> None:
        incoming = translate(body)
        if incoming.kind == "ignore" or incoming.actor is None:
            return
        with self.directory.lent(context):
            if incoming.personal:
                await self._send(context, await self._run(incoming))
            else:
                await self._answer_privately(context, incoming)

    async def _answer_privately(self, context: TurnContext, incoming: Incoming) -> None:
        """A command in a channel is answered in the person's personal chat, never in the
        channel: answers (settings, my-data, …) are for that person only."""
        assert incoming.actor is not None
        activity = context.activity
        reference = await open_chat(
            self.adapter,
            self.app_id,
            service_url=activity.service_url,
            tenant_id=(activity.channel_data or {}).get("tenant", {}).get("id"),
            bot=ChannelAccount(id=activity.recipient.id, name=activity.recipient.name),
            member_id=activity.from_property.id,
        )
        actor = replace(incoming.actor, address=references.dump(reference))
        reply = await self._run(replace(incoming, actor=actor))

        async def answer(personal: TurnContext) -> None:
            personal.activity.id = None  # new messages, not replies to the continuation event
            await self._send(personal, reply)

        await self.adapter.continue_conversation(reference, answer, self.app_id)

    async def _run(self, incoming: Incoming) -> Reply:
        actor = incoming.actor
        assert actor is not None
        if incoming.kind == "press":
            return await self.core.press(actor, incoming.action, incoming.value)
        if incoming.kind == "submit":
            return await self.core.submit(actor, incoming.form_id, incoming.values)
        if incoming.kind == "installed":
            return await self.core.say(actor, "help")
        return await self.core.say(actor, incoming.text)

    async def _send(self, context: TurnContext, reply: Reply) -> None:
        for view in reply.views:
            await context.send_activity(activity_for(view))


class ActivityBot:
    """botbuilder's ``Bot`` protocol (``on_turn``) for one authenticated request."""

    def __init__(self, turns: TeamsTurns, body: Mapping[str, Any]) -> None:
        self.turns = turns
        self.body = body

    async def on_turn(self, context: TurnContext) -> None:
        await self.turns.handle(context, self.body)

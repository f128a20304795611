"""One incoming activity: translated, handed to the core, answered in the personal chat."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes

from adapters.teams import references
from adapters.teams.activities import Incoming, translate
from adapters.teams.cards import render_card
from adapters.teams.directory import TeamsDirectory
from adapters.teams.message_action import task_form, task_message
from adapters.teams.messenger import activity_for
from adapters.teams.personal import open_chat_from
from bot.core import Sharebot
from bot.views import Form, Notice, Reply, View, plain_text

logger = logging.getLogger(__name__)


class TeamsTurns:
    """Runs the core for Teams activities; the answer is always a new message, never an edit."""

    def __init__(
        self, core: Sharebot, adapter: CloudAdapter, app_id: str, directory: TeamsDirectory
    ) -> None:
        self.core = core
        self.adapter = adapter
        self.app_id = app_id
        self.directory = directory
        self._background: set[asyncio.Task[None]] = set()

    def bot_for(self, body: Mapping[str, Any]) -> ActivityBot:
        """The botbuilder ``Bot`` for one request; it sees the activity's JSON as sent."""
        return ActivityBot(self, body)

    async def handle(self, context: TurnContext, body: Mapping[str, Any]) -> None:
        incoming = translate(body)
        if incoming.kind == "ignore" or incoming.actor is None:
            return
        if incoming.invoke:
            # Answered in this request's own response, wherever it comes from (Teams waits
            # five seconds for a task module).
            with self.directory.lent(context):
                try:
                    answer = await self._task(incoming)
                except Exception:
                    await _answer_invoke(context, task_message(self._apology_text(incoming)))
                    raise  # for the log (adapters.teams.app), type only
            await _answer_invoke(context, answer)
            return
        if incoming.personal:
            with self.directory.lent(context):
                try:
                    reply = await self._run(incoming)
                except Exception:
                    await self._send(context, self._apology(incoming))
                    raise  # for the log (adapters.teams.app), type only
                await self._send(context, reply)  # a repeat has nothing to send
            return
        # Answered after this request has been: opening personal chats for a whole team can
        # outlast the 15 s Teams waits, and Teams would then send the command again.
        task = asyncio.get_running_loop().create_task(self._in_background(context, incoming))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def idle(self) -> None:
        """Wait for channel commands still being answered (tests and shutdown)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def _in_background(self, context: TurnContext, incoming: Incoming) -> None:
        try:
            with self.directory.lent(context):
                await self._answer_privately(context, incoming)
        except Exception as error:
            # Only the type at ERROR: a message may carry a user id (privacy rule 6).
            logger.error("teams: a channel command failed (%s)", type(error).__name__)
            logger.debug("teams: channel command failure details", exc_info=error)

    async def _answer_privately(self, context: TurnContext, incoming: Incoming) -> None:
        """A command in a channel is answered in the person's personal chat, never in the
        channel: answers (settings, my-data, …) are for that person only."""
        assert incoming.actor is not None
        member = context.activity.from_property.id
        reference = await open_chat_from(self.adapter, self.app_id, context, member)
        actor = replace(incoming.actor, address=references.dump(reference))
        failure: Exception | None = None
        try:
            reply = await self._run(replace(incoming, actor=actor))
        except Exception as error:
            reply, failure = self._apology(incoming), error
        if reply.repeated:
            return

        async def answer(personal: TurnContext) -> None:
            personal.activity.id = None  # new messages, not replies to the continuation event
            await self._send(personal, reply)

        await self.adapter.continue_conversation(reference, answer, self.app_id)
        if failure is not None:
            raise failure  # for the log, type only (below)

    async def _run(self, incoming: Incoming) -> Reply:
        actor = incoming.actor
        assert actor is not None
        request = incoming.request
        if incoming.kind == "press":
            return await self.core.press(actor, incoming.action, incoming.value, request=request)
        if incoming.kind == "submit":
            return await self.core.submit(actor, incoming.form_id, incoming.values, request=request)
        if incoming.kind == "installed":
            return await self.core.say(actor, "help", request=request)
        return await self.core.say(actor, incoming.text, request=request)

    async def _task(self, incoming: Incoming) -> dict[str, Any]:
        """The message action's dialog: the compose form (again, with its problems), or what
        the core answered, as a short message."""
        actor = incoming.actor
        assert actor is not None
        if incoming.kind == "compose_from" and incoming.message is not None:
            reply = await self.core.compose_from(actor, incoming.message, request=incoming.request)
        else:
            reply = await self._run(incoming)
        if reply.repeated:
            return {}  # acted on before: nothing more to show
        forms = [view for view in reply.views if isinstance(view, Form)]
        if forms:
            return task_form(render_card(forms[0]), forms[0].title)
        said: list[View] = [view for view in reply.views if isinstance(view, Notice)]
        said = said or list(reply.views)
        return task_message("\n\n".join(plain_text(view) for view in said))

    def _apology(self, incoming: Incoming) -> Reply:
        """An unexpected failure (a bug, the database gone) gets a short apology, not silence."""
        return Reply.of(Notice((self._apology_text(incoming),)))

    def _apology_text(self, incoming: Incoming) -> str:
        locale = incoming.actor.locale if incoming.actor else None
        return self.core.ctx.catalogue.apology(locale)

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


async def _answer_invoke(context: TurnContext, body: dict[str, Any]) -> None:
    """The invoke's answer: botbuilder returns it as the HTTP response."""
    await context.send_activity(
        Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body))
    )

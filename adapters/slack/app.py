"""The Slack app: bolt's AsyncApp on the shared aiohttp server (or Socket Mode), wired to the core.

Handlers acknowledge first and work afterwards, so Slack's three seconds are never at stake;
answers are ephemeral (``response_url``) or modals, and never edit the pressed message. A
command, press or form that arrives again with the same ``trigger_id`` acts once: the copy
gets the same empty acknowledgement and nothing else.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters.settings import Settings
from adapters.slack.blocks import PRESS, SAY, message
from adapters.slack.client import HTTP_TIMEOUT
from adapters.slack.errors import error_code
from adapters.slack.home import Publishing, home_view
from adapters.slack.intake import signed_request
from adapters.slack.logs import bolt_logger
from adapters.slack.modal import (
    PREVIEW,
    field_errors,
    form_id_of,
    form_modal,
    hidden_values,
    result_modal,
    submitted_values,
)
from adapters.slack.payloads import command_text, pressed
from adapters.slack.people import PLATFORM, People
from adapters.slack.shortcut import CALLBACK as SHORTCUT
from adapters.slack.shortcut import shared_message
from bot.commands.registry import leaves_no_trace
from bot.core import Sharebot
from bot.ports import Actor
from bot.views import Form, Reply, View

logger = logging.getLogger(__name__)
ROUTE = "/slack/events"
SEEN_EVENTS = 5000
WORKERS = 4


class SlackApp:
    """Translates Slack requests into core calls and core replies into Block Kit."""

    def __init__(
        self, core: Sharebot, client: AsyncWebClient, people: People, settings: Settings
    ) -> None:
        self.core = core
        self.client = client
        self.people = people
        self.command = settings.slack_command
        self.app_token = settings.slack_app_token
        self._seen: OrderedDict[str, None] = OrderedDict()
        # Work after the ack is bounded: a burst of clicks queues here instead of piling
        # transactions onto the database all at once.
        self._work = asyncio.Semaphore(WORKERS)
        self._busy: set[asyncio.Task[Any]] = set()
        self._publishing = Publishing()
        self._socket: Any = None
        self.verifier = SignatureVerifier(settings.slack_signing_secret or "socket-mode")
        self.bolt = AsyncApp(
            client=client,
            signing_secret=settings.slack_signing_secret or "socket-mode",
            # Checked once, before parsing, by :func:`signed_request` (the only way in over
            # HTTP: :meth:`handle`); Socket Mode needs none.
            request_verification_enabled=False,
            process_before_response=False,
            logger=bolt_logger(),
        )
        self._register()

    # -- wiring -------------------------------------------------------------------------------

    def _register(self) -> None:
        bolt = self.bolt
        bolt.middleware(self._once)
        bolt.command(self.command)(self._on_command)
        bolt.action(re.compile(rf"^({PRESS}|{SAY})\|"))(self._on_action)
        bolt.action(re.compile(r"^share\|"))(self._on_share_link)
        bolt.action(PREVIEW)(self._on_preview)
        bolt.view(re.compile(r"^form\|"))(self._on_submit)
        bolt.shortcut(SHORTCUT)(self._on_shortcut)
        bolt.event("app_home_opened")(self._on_home_opened)

    def add_routes(self, app: web.Application) -> None:
        if not self.app_token:
            app.router.add_post(ROUTE, self.handle)
        app.on_startup.append(self._start)
        app.on_shutdown.append(lambda _: self.idle())  # answer what was acked, then stop
        app.on_cleanup.append(self._stop)

    async def handle(self, request: web.Request) -> web.Response:
        """``POST /slack/events``: events, commands and interactivity, signed (401 otherwise)
        before anything is parsed (400 for a signed body that is no Slack request)."""
        response = await self.bolt.async_dispatch(await signed_request(request, self.verifier))
        return await to_aiohttp_response(response)

    async def _start(self, _: web.Application) -> None:
        # One connection pool for every Web API call (made here: it needs the running loop).
        self.client.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT),
            connector=aiohttp.TCPConnector(limit=100),
        )
        if self.app_token:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(self.bolt, self.app_token)
            await self._socket.connect_async()
            logger.info("Slack: connected in Socket Mode")

    async def _stop(self, _: web.Application) -> None:
        if self._socket is not None:
            await self._socket.close_async()
        if self.client.session is not None:
            await self.client.session.close()

    async def idle(self) -> None:
        """Wait until the work behind every acknowledged request is done (tests, shutdown)."""
        while self._busy:
            await asyncio.gather(*list(self._busy), return_exceptions=True)

    def _track(self) -> None:
        """Count the running listener (bolt starts it as a task after the ack) as busy."""
        task = asyncio.current_task()
        if task is not None and task not in self._busy:
            self._busy.add(task)
            task.add_done_callback(self._busy.discard)

    async def _once(
        self, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        """Slack retries an event it thinks we missed; the first delivery was handled already."""
        if req.headers.get("x-slack-retry-num"):
            return BoltResponse(status=200, body="")
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        if event_id:
            if event_id in self._seen:
                return BoltResponse(status=200, body="")
            self._seen[event_id] = None
            while len(self._seen) > SEEN_EVENTS:
                self._seen.popitem(last=False)
        return await next()

    # -- listeners ----------------------------------------------------------------------------

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        self._track()
        await ack()
        user, response_url = str(body["user_id"]), body.get("response_url")
        async with self._apology(user, response_url):
            actor = await self.people.actor(user)
            text = command_text(str(body.get("text") or ""))
            reply = await self.core.say(actor, text, request=_trigger(body))
            if reply.repeated:
                return
            await self._answer(
                actor, reply, response_url=response_url, trigger_id=body.get("trigger_id")
            )
            if reply.changed:
                await self.publish_home(actor)

    @asynccontextmanager
    async def _apology(self, user: str, response_url: str | None) -> AsyncIterator[None]:
        """An unexpected failure (a bug, the database gone) gets a short apology, not silence."""
        try:
            yield
        except Exception as error:
            # The kind of failure only: a traceback's text can carry the person's Slack id.
            logger.error("a Slack request failed (%s)", type(error).__name__)
            logger.debug("a Slack request failed", exc_info=error)
            if response_url:
                known = self.people.known(user)
                text = self.core.ctx.catalogue.apology(known.locale if known else None)
                await self._respond(response_url, {"response_type": "ephemeral", "text": text})

    async def _on_share_link(self, ack: AsyncAck) -> None:
        """A URL button: Slack opens the link and tells us; the click counts at ``/s/{token}``
        only. Nothing is looked up, logged or called here (privacy rule 2)."""
        await ack()

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        self._track()
        await ack()
        press = pressed(body)
        if press is None:
            return
        user = str(body["user"]["id"])
        async with self._apology(user, press.response_url):
            if press.kind != SAY and leaves_no_trace(press.action):
                # No users.info for these presses, not even when the cache is old: the press
                # must leave no trace a bystander's silence does not (privacy rule 2).
                actor = self.people.known(user) or Actor(PLATFORM, user)
            else:
                actor = await self.people.actor(user)
            async with self._work:  # the core's turn only; the answers go out beside others
                if press.kind == SAY:
                    reply = await self.core.say(actor, press.value, request=press.trigger_id)
                else:
                    reply = await self.core.press(
                        actor, press.action, press.value, request=press.trigger_id
                    )
            if reply.repeated:
                return
            await self._answer(
                actor, reply, response_url=press.response_url, trigger_id=press.trigger_id
            )
            if reply.changed:
                await self.publish_home(actor)

    async def _on_shortcut(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """The message shortcut "Suggest for sharing": the compose modal filled from the
        message (comms), or a short explanation only the presser sees."""
        self._track()
        await ack()
        user, response_url = str(body["user"]["id"]), body.get("response_url")
        async with self._apology(user, response_url):
            actor = await self.people.actor(user)
            message = shared_message(body.get("message") or {})
            async with self._work:
                reply = await self.core.compose_from(actor, message, request=_trigger(body))
            if reply.repeated:
                return
            await self._answer(
                actor, reply, response_url=response_url, trigger_id=body.get("trigger_id")
            )

    async def _on_preview(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """The compose modal again, with the card as it would look; nothing is saved."""
        self._track()
        await ack()
        view = body.get("view") or {}
        user = str(body["user"]["id"])
        async with self._apology(user, None):
            actor = await self.people.actor(user)
            values = {**submitted_values(view.get("state") or {}), **hidden_values(view)}
            reply = await self.core.preview(actor, values)
            forms = [v for v in reply.views if isinstance(v, Form)]
            if not forms or not view.get("id"):
                return
            await self._call(
                self.client.views_update(
                    view_id=view["id"],
                    hash=view.get("hash"),
                    view=await self._modal(actor, forms[0]),
                )
            )

    async def _modal(self, actor: Actor, form: Form) -> dict[str, Any]:
        t = await self.core.texts(actor)
        return form_modal(form, close=t("slack.close"), preview_label=t("slack.preview"))

    async def _on_submit(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        self._track()
        form_id = form_id_of(str(view.get("callback_id", ""))) or ""
        user = str(body["user"]["id"])
        async with self._apology(user, None):
            actor = await self.people.actor(user)
            values = {**submitted_values(view.get("state") or {}), **hidden_values(view)}
            reply = await self.core.submit(actor, form_id, values, request=_trigger(body))
            if reply.repeated:
                await ack()
                return
            forms = [v for v in reply.views if isinstance(v, Form)]
            errors = field_errors(forms[0]) if forms else {}
            if errors:
                await ack(response_action="errors", errors=errors)
                return
            if forms:
                await ack(response_action="update", view=await self._modal(actor, forms[0]))
            else:
                t = await self.core.texts(actor)
                shown = result_modal(reply.views, title=t("slack.title"), close=t("slack.close"))
                await ack(response_action="update", view=shown)
            if reply.changed:
                await self.publish_home(actor)

    async def _on_home_opened(self, event: dict[str, Any]) -> None:
        self._track()
        if event.get("tab", "home") != "home":
            return
        user = str(event["user"])
        async with self._apology(user, None):
            await self.publish_home(await self.people.actor(user))

    # -- answers ------------------------------------------------------------------------------

    async def _answer(
        self, actor: Actor, reply: Reply, *, response_url: str | None, trigger_id: str | None
    ) -> None:
        """Forms open as modals; everything else is ephemeral (or a modal from the App Home)."""
        forms = [v for v in reply.views if isinstance(v, Form)]
        others: list[View] = [v for v in reply.views if not isinstance(v, Form)]
        if not forms and not others:
            return
        if forms and trigger_id:
            modal = await self._modal(actor, forms[0])
            await self._call(self.client.views_open(trigger_id=trigger_id, view=modal))
            trigger_id = None
        elif forms:
            others = [*forms, *others]
        if not others:
            return
        if response_url:
            await self._respond(response_url, {"response_type": "ephemeral", **message(others)})
        elif trigger_id:
            t = await self.core.texts(actor)
            view = result_modal(tuple(others), title=t("slack.title"), close=t("slack.close"))
            await self._call(self.client.views_open(trigger_id=trigger_id, view=view))

    async def _respond(self, url: str, payload: dict[str, Any]) -> None:
        payload["replace_original"] = False
        session = self.client.session
        assert session is not None
        try:
            async with session.post(url, json=payload) as response:
                await response.read()  # a body left unread would cost the pooled connection
                if response.status >= 400:
                    logger.warning("Slack refused an answer (HTTP %d)", response.status)
        except (aiohttp.ClientError, TimeoutError) as error:
            logger.warning("could not answer in Slack: %s", type(error).__name__)

    async def publish_home(self, actor: Actor) -> None:
        async def publish() -> None:
            async with self._work:
                overview, page = await self.core.page(actor)
            await self._call(
                self.client.views_publish(user_id=actor.user_key, view=home_view(overview, page))
            )

        await self._publishing.publish(actor.user_key, publish)

    async def _call(self, call: Awaitable[Any]) -> None:
        try:
            await call
        except SlackApiError as error:
            logger.warning("Slack call failed: %s", error_code(error))
        except (aiohttp.ClientError, TimeoutError) as error:
            logger.warning("Slack call failed: %s", type(error).__name__)


def _trigger(body: dict[str, Any]) -> str | None:
    """The ``trigger_id`` Slack gives each command and interaction: the same in a copy."""
    trigger = body.get("trigger_id")
    return str(trigger) if trigger else None

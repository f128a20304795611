"""Wiring: the CloudAdapter with Bot Framework authentication at ``POST /api/messages``."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from jwt import PyJWTError

from adapters.settings import Settings
from adapters.teams.connector import SingleAttemptAuthentication
from adapters.teams.directory import TeamsDirectory
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.turns import TeamsTurns
from bot.core import Sharebot

logger = logging.getLogger(__name__)
ROUTE = "/api/messages"
MAX_BODY = 256 * 1024


@dataclass(frozen=True)
class BotConfiguration:
    """The attribute names botbuilder's configuration classes read."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TENANTID: str
    APP_TYPE: str


def build_adapter(settings: Settings) -> CloudAdapter:
    """Authentication is off when MICROSOFT_APP_ID is empty (Emulator, local tests)."""
    configuration = BotConfiguration(
        APP_ID=settings.microsoft_app_id,
        APP_PASSWORD=settings.microsoft_app_password,
        APP_TENANTID=settings.microsoft_app_tenant_id,
        APP_TYPE=settings.microsoft_app_type or "MultiTenant",
    )
    adapter = CloudAdapter(SingleAttemptAuthentication(configuration))
    adapter.on_turn_error = _turn_failed
    return adapter


async def _turn_failed(context: TurnContext, error: Exception) -> None:
    # Only the error's type at ERROR: a message or traceback may carry a user id (DESIGN §6.6).
    # Not raised again: Teams would only resend the activity.
    logger.error("teams: a turn failed (%s)", type(error).__name__)
    logger.debug("teams: turn failure details", exc_info=error)


class Teams:
    """The Teams adapter: its Messenger and Directory for the core, its route for the app."""

    def __init__(self, settings: Settings, adapter: CloudAdapter | None = None) -> None:
        self.app_id = settings.microsoft_app_id
        self.adapter = adapter or build_adapter(settings)
        self.messenger = TeamsMessenger(self.adapter, self.app_id)
        self.directory = TeamsDirectory(self.adapter, self.app_id)
        self.turns: TeamsTurns | None = None

    async def idle(self) -> None:
        """Wait until commands from channels have been answered (tests and shutdown)."""
        if self.turns is not None:
            await self.turns.idle()

    def add_routes(self, app: web.Application, core: Sharebot) -> None:
        turns = self.turns = TeamsTurns(core, self.adapter, self.app_id, self.directory)

        async def messages(request: web.Request) -> web.StreamResponse:
            if request.content_length and request.content_length > MAX_BODY:
                raise web.HTTPRequestEntityTooLarge(MAX_BODY, request.content_length)
            try:
                body = await request.json()
            except ValueError as error:
                raise web.HTTPBadRequest(text="body is not JSON") from error
            if not isinstance(body, dict):
                raise web.HTTPBadRequest(text="body is not an activity")
            # The adapter authenticates (401 without a valid token when an app id is set)
            # before the bot sees anything.
            try:
                response = await self.adapter.process(request, turns.bot_for(body))
            except PyJWTError as error:
                # botbuilder turns a missing or refused token into 401 itself, but lets a
                # malformed one escape as a decoding error: that is a 401 too, not a 500.
                raise web.HTTPUnauthorized() from error
            return response or web.Response(status=201)

        app.router.add_post(ROUTE, messages)

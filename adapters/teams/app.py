"""Wiring: the CloudAdapter with Bot Framework authentication at ``POST /api/messages``."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web
from botbuilder.core import TurnContext, serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter

from adapters.settings import Settings
from adapters.teams.connector import SingleAttemptAuthentication
from adapters.teams.directory import TeamsDirectory
from adapters.teams.intake import authenticate, incoming
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.signing_keys import KeyRing
from adapters.teams.turns import TeamsTurns
from bot.core import Sharebot

logger = logging.getLogger(__name__)
ROUTE = "/api/messages"


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
    # Only the error's type at ERROR: a message or traceback may carry a user id (privacy rule 6).
    # Not raised again: Teams would only resend the activity. The person's apology is sent
    # where the core's turn runs (TeamsTurns).
    logger.error("teams: a turn failed (%s)", type(error).__name__)
    logger.debug("teams: turn failure details", exc_info=error)


class Teams:
    """The Teams adapter: its Messenger and Directory for the core, its route for the app."""

    def __init__(
        self,
        settings: Settings,
        adapter: CloudAdapter | None = None,
        keys: KeyRing | None = None,
    ) -> None:
        self.app_id = settings.microsoft_app_id
        self.adapter = adapter or build_adapter(settings)
        # botbuilder's signing keys, fetched off the request path (kept fresh with an app id)
        self.keys = keys or KeyRing(keep_fresh=bool(self.app_id))
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
            # 4xx for anything that is not an authenticated activity, before the bot sees it
            body, activity = await incoming(request, authenticated=bool(self.app_id))
            auth = self.adapter.bot_framework_authentication
            checked = await authenticate(auth, activity, request)
            bot = turns.bot_for(body)
            answer = await self.adapter.process_activity(checked, activity, bot.on_turn)
            if answer:
                body = answer.body
                if not isinstance(body, dict | list):  # a botbuilder model (expected replies)
                    body = serializer_helper(body)
                return web.json_response(body, status=answer.status)
            return web.Response(status=201)

        app.router.add_post(ROUTE, messages)
        app.on_startup.append(lambda _: self.keys.start())
        app.on_cleanup.append(lambda _: self.keys.stop())

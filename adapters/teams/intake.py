"""What ``POST /api/messages`` lets through: a JSON activity, authenticated, in bounded time.

botbuilder's own ``CloudAdapter.process`` answers a missing Content-Type or a ``from`` that
is a string with a 500 and a traceback, and lets some refused tokens escape as errors. Here
every such request is a 400, 401, 413 or 415 before the bot sees anything: without a bearer
token (when authentication is on) before the body is even read.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult, BotFrameworkAuthentication

logger = logging.getLogger(__name__)
MAX_BODY = 256 * 1024
# Longer than a request waits for signing keys (adapters.teams.signing_keys): a last bound.
AUTHENTICATION_SECONDS = 8.0


def _refused(reason: str) -> web.HTTPUnauthorized:
    logger.info("Teams request refused: %s", reason)
    return web.HTTPUnauthorized()


async def incoming(request: web.Request, *, authenticated: bool) -> tuple[dict[str, Any], Activity]:
    """The request's JSON and the activity botbuilder reads from it; raises 4xx otherwise."""
    if request.content_length and request.content_length > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(MAX_BODY, request.content_length)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if authenticated and (scheme != "Bearer" or not token.strip()):
        raise _refused("no bearer token")
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="send the activity as application/json")
    try:
        body = await request.json()
    except ValueError as error:
        raise web.HTTPBadRequest(text="body is not JSON") from error
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="body is not an activity")
    try:
        activity = Activity().deserialize(body)
    except Exception as error:  # any shape botbuilder cannot read (msrest raises several)
        raise web.HTTPBadRequest(text="body is not an activity") from error
    if not isinstance(activity.type, str) or not activity.type:
        raise web.HTTPBadRequest(text="the activity has no type")
    return body, activity


async def authenticate(
    authentication: BotFrameworkAuthentication, activity: Activity, request: web.Request
) -> AuthenticateRequestResult:
    """botbuilder's check of the token (a no-op without an app id); any refusal is a 401."""
    header = request.headers.get("Authorization", "")
    try:
        async with asyncio.timeout(AUTHENTICATION_SECONDS):
            return await authentication.authenticate_request(activity, header)
    except TimeoutError as error:
        raise _refused("authentication took too long") from error
    except Exception as error:  # botbuilder refuses with PermissionError, jwt errors, Exception
        raise _refused(type(error).__name__) from error

"""What ``POST /slack/events`` lets through: signed first, parsed after.

bolt parses a request's body before it checks the signature, so an unsigned body that is
broken JSON (or a broken ``payload=``) ends in a 500 and a traceback. Here the signature is
checked on the raw body with slack_sdk's ``SignatureVerifier`` first (401 otherwise), and
only a signed body is parsed, once, into the request bolt dispatches (400 when it is no JSON
object). This is the one signature check: bolt's own is off (see :mod:`adapters.slack.app`).
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

logger = logging.getLogger(__name__)


async def signed_request(request: web.Request, verifier: SignatureVerifier) -> AsyncBoltRequest:
    """The request for bolt, once its signature holds; raises 401 or 400 otherwise."""
    try:
        body = (await request.read()).decode()
    except UnicodeDecodeError:
        body = None  # Slack signs UTF-8 text; slack_sdk cannot check anything else
    if body is None or not (_signed(verifier, body, request) or _ssl_check(body)):
        logger.info("Slack request refused: missing, wrong or stale signature")
        raise web.HTTPUnauthorized()
    try:
        signed = AsyncBoltRequest(
            body=body,
            query=request.query_string,
            headers=request.headers,  # type: ignore[arg-type]
        )
        if not isinstance(signed.body, dict):
            raise ValueError("not a JSON object")
        return signed
    except Exception as error:  # signed, yet no Slack request: bolt's parsing raises several
        raise web.HTTPBadRequest(text="the body is not a Slack request") from error


def _signed(verifier: SignatureVerifier, body: str, request: web.Request) -> bool:
    try:
        return verifier.is_valid(
            body,
            request.headers.get("X-Slack-Request-Timestamp"),
            request.headers.get("X-Slack-Signature"),
        )
    except ValueError:  # a timestamp that is no number
        return False


def _ssl_check(body: str) -> bool:
    """Slack's certificate check (``ssl_check=1``) may come unsigned; bolt answers it with
    an empty 200. It carries no JSON, so parsing it cannot fail."""
    fields = dict(parse_qsl(body, keep_blank_values=True))
    return fields.get("ssl_check") == "1" and "payload" not in fields and "{" not in body

"""The Slack Web API client and what it needs from the settings."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from adapters.settings import Settings

HTTP_TIMEOUT = 10.0


def web_client(settings: Settings) -> AsyncWebClient:
    """The one Web API client: no retry handlers (the dispatcher decides about retries)."""
    return AsyncWebClient(
        token=settings.slack_bot_token or None,
        base_url=_api_base(settings.slack_api_url),
        timeout=int(HTTP_TIMEOUT),
        retry_handlers=[],
        logger=_client_logger(),
    )


def _client_logger() -> logging.Logger:
    """slack_sdk's own logger, its level set to the one in force when that is above DEBUG.

    Before every call slack_sdk builds a debug line with the whole request (every block of
    the message) unless its logger's *own* level is above DEBUG: it reads ``logger.level``,
    not the level the logger inherits, so with the usual settings it built the line for
    nothing on every message (7% of a fan-out's time, measured with py-spy).
    """
    logger = logging.getLogger("slack_sdk.web.async_base_client")
    if logger.level == logging.NOTSET and logger.getEffectiveLevel() > logging.DEBUG:
        logger.setLevel(logger.getEffectiveLevel())
    return logger


def _api_base(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def problem(settings: Settings) -> str | None:
    """The one line that says what Slack still needs, or None when it has what it needs."""
    if not settings.slack_bot_token:
        return "SLACK_BOT_TOKEN is not set: Slack needs the app's bot token (xoxb-…)"
    if not settings.slack_app_token and not settings.slack_signing_secret:
        return (
            "SLACK_SIGNING_SECRET is not set: Slack in HTTP mode needs it "
            "(or set SLACK_APP_TOKEN for Socket Mode)"
        )
    return None

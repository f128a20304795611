"""The Slack Web API client and what it needs from the settings."""

from __future__ import annotations

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
    )


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

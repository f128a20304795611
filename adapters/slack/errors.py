"""Reading Slack's failures without trusting their shape."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError


def error_code(error: SlackApiError) -> str | None:
    """Slack's ``error`` field; None when the answer was not Slack's JSON (a proxy's 503)."""
    data = getattr(error.response, "data", None)
    code = data.get("error") if isinstance(data, dict) else None
    return str(code) if code else None

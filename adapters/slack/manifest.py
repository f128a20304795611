"""The Slack app manifest (``sharebot manifest slack``): one slash command, the message shortcut
"Suggest for sharing", interactivity, the App Home, and the smallest set of scopes that covers
what Sharebot does."""

from __future__ import annotations

import json
from typing import Any

import yaml

from adapters.settings import Settings
from adapters.slack.app import ROUTE
from adapters.slack.shortcut import CALLBACK

NAME = "Sharebot"
DESCRIPTION = "Occasional, voluntary suggestions to share news from work. Suggests, never watches."
# Why each scope is needed; nothing else is asked for.
SCOPES = {
    "commands": "the /share slash command and the message shortcut “Suggest for sharing”",
    "chat:write": "suggestion cards and invitations in the app's DM, marking ended cards",
    "users:read": "time zone, locale and name of a person (users.info); users.list for invitations",
    "channels:read": "members of a public channel for /share invite and new … --to #channel",
    "groups:read": "members of a private channel the app is in, for invite and --to",
}
EVENTS = ("app_home_opened",)
SHORTCUT = "Suggest for sharing"


def slack_manifest(settings: Settings) -> dict[str, Any]:
    """The manifest as a dict; request URLs point at ``SHAREBOT_PUBLIC_URL``/slack/events."""
    socket_mode = bool(settings.slack_app_token)
    url = f"{settings.base_url}{ROUTE}"
    command: dict[str, Any] = {
        "command": settings.slack_command,
        "description": "Sharebot: on, off, pause, settings, privacy, my-data, help",
        "usage_hint": "help",
        "should_escape": True,  # channels and people arrive as <#C…> and <@U…>
    }
    events: dict[str, Any] = {"bot_events": list(EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if not socket_mode:
        command["url"] = url
        events["request_url"] = url
        interactivity["request_url"] = url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": NAME,
            "description": DESCRIPTION,
            "background_color": "#2f4858",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": NAME, "always_online": False},
            "slash_commands": [command],
            "shortcuts": [
                {
                    "name": SHORTCUT,
                    "type": "message",
                    "callback_id": CALLBACK,
                    "description": "Comms: open Sharebot's compose form filled from this message",
                }
            ],
        },
        "oauth_config": {"scopes": {"bot": list(SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def manifest_json(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def manifest_yaml(manifest: dict[str, Any]) -> str:
    return yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100)

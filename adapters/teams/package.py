"""The Teams app package: ``manifest.json`` (the bot and the message action "Suggest for
sharing") and two icons in a zip an admin uploads."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any
from urllib.parse import urlsplit

from adapters.settings import Settings
from adapters.teams.icons import ACCENT, color_icon, outline_icon
from adapters.teams.message_action import SUGGEST_COMMAND

MANIFEST_VERSION = "1.23"
SCHEMA_URL = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.23/MicrosoftTeams.schema.json"
)
APP_VERSION = "0.1.0"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0", "::"}

PERSONAL_COMMANDS = (
    ("help", "What you can do with Sharebot"),
    ("on", "Get an occasional suggestion to share"),
    ("off", "No more suggestions"),
    ("pause 2w", "Pause suggestions for two weeks (10d or a date work too)"),
    ("resume", "End a pause early"),
    ("settings", "Topics, networks, how often, style, language"),
    ("privacy", "What is stored and who can see what"),
    ("my-data", "Your data as JSON"),
    ("new", "Comms: compose a suggestion"),
    ("list", "Comms: upcoming, running and recent suggestions"),
)
TEAM_COMMANDS = (
    ("help", "What you can do with Sharebot (answered in your personal chat)"),
    ("invite team", "HR: invite this team's members who never decided, once"),
    ("settings", "Your settings (answered in your personal chat)"),
)


def _message_action() -> dict[str, Any]:
    """The message action "Suggest for sharing": Teams asks for its dialog at once."""
    return {
        "id": SUGGEST_COMMAND,
        "type": "action",
        "title": "Suggest for sharing",
        "description": "Comms: open Sharebot's compose form filled from this message",
        "context": ["message"],
        "fetchTask": True,
    }


class PackageError(ValueError):
    """The package cannot be built from these settings; the message names the setting."""


def manifest(settings: Settings) -> dict[str, Any]:
    """``manifest.json`` for manifest schema 1.23; the bot id is ``MICROSOFT_APP_ID``."""
    bot_id = settings.microsoft_app_id.strip()
    if not bot_id:
        raise PackageError(
            "MICROSOFT_APP_ID is empty: set it to the app id of your Azure Bot registration"
        )
    if not _GUID.match(bot_id):
        raise PackageError(f"MICROSOFT_APP_ID {bot_id!r} is not an app id (a GUID)")
    base = settings.base_url
    host = urlsplit(base).hostname or ""
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": APP_VERSION,
        "id": bot_id,
        "developer": {
            "name": "Sharebot",
            "websiteUrl": base,
            "privacyUrl": base,
            "termsOfUseUrl": base,
        },
        "name": {"short": "Sharebot", "full": "Sharebot: share suggestions, never watched"},
        "description": {
            "short": "Occasional, voluntary suggestions to share news from work.",
            "full": (
                "Sharebot sends you, only if you want, an occasional suggestion to share "
                "something about your workplace on your own social media, with draft wording "
                "and one-click share buttons. Pause or stop at any time. Nobody can see who "
                "took part: comms and HR get anonymous totals only."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": bot_id,
                "scopes": ["personal", "team"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    _commands(["personal"], PERSONAL_COMMANDS),
                    _commands(["team"], TEAM_COMMANDS),
                ],
            }
        ],
        "composeExtensions": [
            {
                "botId": bot_id,
                "commands": [_message_action()],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host] if host and host not in _LOOPBACK else [],
    }


def _commands(scopes: list[str], commands: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    return {
        "scopes": scopes,
        "commands": [{"title": title, "description": text} for title, text in commands],
    }


def build_package(settings: Settings) -> bytes:
    """The zip: ``manifest.json``, ``color.png`` (192×192) and ``outline.png`` (32×32)."""
    data = json.dumps(manifest(settings), indent=2, ensure_ascii=False).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", data)
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    return buffer.getvalue()

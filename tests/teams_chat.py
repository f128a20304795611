"""The real server with the Teams adapter, driven by activities shaped as Teams sends them."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from adapters.server import Runtime, build_runtime
from adapters.settings import Settings, load_settings
from adapters.teams.cards import ACTION, FORM, KIND, VALUE
from adapters.teams.directory import TeamsDirectory
from adapters.teams.signing_keys import KeyRing
from storage import people
from storage.database import Database
from storage.models import Person
from tests.fake_connector import FakeConnector, running_connector
from tests.playground_server import serving
from tests.support import FakeClock, objects_in

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT = {"id": "28:sharebot-bot-id", "name": "Sharebot"}
TEAM = "19:team-general@thread.tacv2"
CHANNEL = "19:channel-general@thread.tacv2"


@dataclass(frozen=True)
class Member:
    """A Teams user: ``29:…`` id in conversations, AAD object id as Sharebot's key."""

    name: str
    aad: str
    locale: str = "en-GB"
    timezone: str = "Europe/Berlin"

    @property
    def id(self) -> str:
        return f"29:1{self.name.lower()}"

    @property
    def chat(self) -> str:
        """Their personal conversation with the bot."""
        return f"a:personal-{self.id}"  # what the fake connector answers when it is created

    @property
    def account(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "aadObjectId": self.aad}

    def roster_entry(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "aadObjectId": self.aad,
            "givenName": self.name,
            "userPrincipalName": f"{self.name.lower()}@example.com",
            "tenantId": TENANT,
            "userRole": "user",
        }


def _guid(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"


PEOPLE = {
    "hanna": Member("Hanna", _guid(1), "de-AT", "Europe/Vienna"),
    "chris": Member("Chris", _guid(2)),
    "anna": Member("Anna", _guid(3), "de-DE", "Europe/Berlin"),
    "ben": Member("Ben", _guid(4), "en-GB", "Europe/London"),
    "clara": Member("Clara", _guid(5), "de-AT", "Europe/Vienna"),
}


@dataclass
class TeamsChat:
    """Posts activities to ``/api/messages`` like Teams; the connector sees the answers."""

    url: str
    runtime: Runtime
    connector: FakeConnector
    http: aiohttp.ClientSession
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    def base(self, member: Member, conversation: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": f"f:{next(self._ids)}",
            "timestamp": "2026-12-02T10:00:00.000Z",
            "serviceUrl": self.connector.url,
            "channelId": "msteams",
            "from": member.account,
            "conversation": conversation,
            "recipient": BOT,
            "locale": member.locale,
            "entities": [
                {
                    "type": "clientInfo",
                    "locale": member.locale,
                    "country": member.locale[-2:],
                    "platform": "Web",
                    "timezone": member.timezone,
                }
            ],
            "channelData": {"tenant": {"id": TENANT}},
        }

    def personal(self, member: Member) -> dict[str, Any]:
        return {"conversationType": "personal", "tenantId": TENANT, "id": member.chat}

    def message(self, who: str, text: str) -> dict[str, Any]:
        member = PEOPLE[who]
        activity = self.base(member, self.personal(member))
        activity.update(type="message", text=text, textFormat="plain")
        return activity

    def channel_message(self, who: str, text: str, *, mention_bot: bool = True) -> dict[str, Any]:
        member = PEOPLE[who]
        conversation = {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": TENANT,
            "id": f"{CHANNEL};messageid=17000000{next(self._ids)}",
        }
        activity = self.base(member, conversation)
        mention = "<at>Sharebot</at>"
        activity.update(
            type="message",
            text=f"{mention} {text}" if mention_bot else text,
            textFormat="plain",
            channelData={
                "teamsChannelId": CHANNEL,
                "teamsTeamId": TEAM,
                "channel": {"id": CHANNEL},
                "team": {"id": TEAM},
                "tenant": {"id": TENANT},
            },
        )
        if mention_bot:
            activity["entities"].append({"type": "mention", "text": mention, "mentioned": BOT})
        return activity

    def card_press(self, who: str, data: dict[str, Any]) -> dict[str, Any]:
        """What Teams sends when an ``Action.Submit`` is pressed: a message with ``value``."""
        member = PEOPLE[who]
        activity = self.base(member, self.personal(member))
        activity.update(type="message", value=data, replyToId="activity-1")
        return activity

    def installed(self, who: str) -> dict[str, Any]:
        """What Teams sends when a person adds the app: ``installationUpdate``, their locale."""
        member = PEOPLE[who]
        activity = self.base(member, self.personal(member))
        activity.update(type="installationUpdate", action="add")
        activity["entities"] = [{"type": "clientInfo", "locale": member.locale}]
        return activity

    def bot_added(self, who: str) -> dict[str, Any]:
        """What Teams sends for the same installation as well: the bot added, no locale."""
        member = PEOPLE[who]
        activity = self.base(member, self.personal(member))
        activity.update(type="conversationUpdate", membersAdded=[member.account, BOT])
        for key in ("entities", "locale"):
            activity.pop(key)
        return activity

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> int:
        async with self.http.post(
            f"{self.url}/api/messages", json=activity, headers=headers or {}
        ) as response:
            status = response.status
        teams = self.runtime.teams
        assert teams is not None
        await teams.idle()  # channel commands are answered after the request
        return status

    async def say(self, who: str, text: str) -> list[dict[str, Any]]:
        """Send a personal message; the cards that came back."""
        before = len(self.connector.cards(PEOPLE[who].chat))
        status = await self.post(self.message(who, text))
        assert status in (200, 201), status
        return self.connector.cards(PEOPLE[who].chat)[before:]

    async def press(self, who: str, data: dict[str, Any]) -> list[dict[str, Any]]:
        before = len(self.connector.cards(PEOPLE[who].chat))
        assert await self.post(self.card_press(who, data)) in (200, 201)
        return self.connector.cards(PEOPLE[who].chat)[before:]

    async def tick(self) -> None:
        await self.runtime.dispatcher.tick()

    @property
    def directory(self) -> TeamsDirectory:
        directory = self.runtime.ctx.directories["teams"]
        assert isinstance(directory, TeamsDirectory)
        return directory


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Action.* in a card, nested ones too."""
    return [o for o in objects_in(card) if str(o.get("type", "")).startswith("Action.")]


def submit_data(card: dict[str, Any], action: str) -> dict[str, Any]:
    """The data of the card's Action.Submit that presses the core's ``action``."""
    found: dict[str, Any] = next(
        a["data"] for a in actions(card) if a.get("data", {}).get(ACTION) == action
    )
    return found


async def cards_to(chat: TeamsChat, who: str) -> list[dict[str, Any]]:
    """Every card in ``who``'s personal chat, once the notes sent after turns have gone out."""
    await chat.runtime.dispatcher.idle()
    return chat.connector.cards(PEOPLE[who].chat)


def share_urls(card: dict[str, Any]) -> list[str]:
    return [a["url"] for a in actions(card) if a["type"] == "Action.OpenUrl"]


def card_text(card: dict[str, Any]) -> str:
    """Every text and button title in a card, for assertions."""
    return "\n".join(
        o[key]
        for o in objects_in(card)
        for key in ("text", "title", "label")
        if isinstance(o.get(key), str)
    )


async def find_person(chat: TeamsChat, who: str) -> Person | None:
    """The person as Sharebot stored them."""
    async with chat.runtime.database.transaction() as session:
        return await people.find(session, "teams", PEOPLE[who].aad)


def text(chat: TeamsChat, message_id: str, language: str = "en", **params: object) -> str:
    """A catalogue text, to compare answers with what the bot means to say."""
    return chat.runtime.ctx.catalogue.text(language, message_id, **params)


async def make_comms(chat: TeamsChat, who: str = "chris") -> None:
    """``who`` becomes comms, and suggestions go out at once (no spread)."""
    await chat.say("hanna", f"roles grant {PEOPLE[who].aad} comms")
    await chat.say("hanna", "policy set spread_minutes 0")


def press(action: str, value: str = "") -> dict[str, Any]:
    """An Action.Submit button's data, as Teams returns it in ``value``."""
    return {KIND: "press", ACTION: action, VALUE: value}


def submit(form: str, **values: str) -> dict[str, Any]:
    """A card form's data with its inputs, as Teams returns it in ``value``."""
    return {KIND: "submit", FORM: form, **values}


def teams_settings(**extra: str) -> Settings:
    """Sharebot on Teams with Hanna an admin, and ``extra`` on top or instead (no ``.env`` is
    read: see ``tests/conftest.py``)."""
    values = {
        "SHAREBOT_ADAPTERS": "teams",
        "SHAREBOT_HOST": "127.0.0.1",
        "SHAREBOT_ADMINS": f"teams:{PEOPLE['hanna'].aad}",
        **extra,
    }
    return load_settings(**values)


@asynccontextmanager
async def running_teams(
    database: Database,
    clock: FakeClock,
    settings: Settings | None = None,
    *,
    keys: KeyRing | None = None,
) -> AsyncIterator[TeamsChat]:
    """Sharebot with Teams on an ephemeral port, and a fake connector on another.

    ``keys``: where the Bot Framework's signing keys come from (a fake OpenID host).
    """
    runtime = build_runtime(settings or teams_settings(), database=database, clock=clock)
    if keys is not None:
        assert runtime.teams is not None
        runtime.teams.keys = keys
    async with (
        serving(runtime) as url,
        running_connector() as connector,
        aiohttp.ClientSession() as http,
    ):
        yield TeamsChat(url, runtime, connector, http)
        await runtime.dispatcher.idle()

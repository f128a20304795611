"""Incoming Teams activities (their JSON) to neutral events for the core; pure functions.

Works on the activity's JSON as Teams sends it, so it is tested with recorded payloads and
needs no botbuilder object.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from adapters.teams.cards import ACTION, FORM, KIND, VALUE
from adapters.teams.message_action import (
    FETCH_TASK,
    SUBMIT_ACTION,
    SUGGEST_COMMAND,
    shared_message,
)
from bot.ports import Actor, SharedMessage

PLATFORM = "teams"
CHANNEL_ID = "msteams"
MAX_ADDRESS = 4000  # Person.address
_MENTION = re.compile(r"<at>(.*?)</at>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t]+")

Payload = Mapping[str, Any]


@dataclass(frozen=True)
class Incoming:
    """What a person did, in the core's terms.

    ``kind``: ``say`` (text), ``press`` (a card button), ``submit`` (a card form),
    ``installed`` (the app was added to the person's personal chat), ``compose_from`` (the
    message action "Suggest for sharing" on ``message``) or ``ignore``. ``invoke``: the
    activity is an invoke, answered in the HTTP response itself (a task module).
    ``personal`` is False in team channels and group chats: answers then go to the person's
    personal chat, never to the channel. ``request`` identifies the activity (Teams sends the
    same one again, with the same id, when the bot answered slowly).
    """

    kind: str
    actor: Actor | None = None
    personal: bool = True
    request: str | None = None
    text: str = ""
    action: str = ""
    value: str = ""
    form_id: str = ""
    values: Mapping[str, str] = field(default_factory=dict)
    message: SharedMessage | None = None
    invoke: bool = False


IGNORE = Incoming("ignore")


def translate(activity: Payload) -> Incoming:
    """The event behind one activity; anything Sharebot does not handle is ``ignore``."""
    incoming = _event(activity)
    if incoming.kind == "ignore":
        return incoming
    return replace(incoming, request=request_of(activity))


def request_of(activity: Payload) -> str | None:
    """The activity's id within its conversation (ids are unique only there), or None."""
    activity_id = activity.get("id")
    conversation_id = (activity.get("conversation") or {}).get("id")
    if not isinstance(activity_id, str) or not activity_id or not isinstance(conversation_id, str):
        return None
    return f"{conversation_id}|{activity_id}"


def _event(activity: Payload) -> Incoming:
    kind = activity.get("type")
    if kind == "installationUpdate":
        return _installation(activity)
    if kind == "invoke":
        return _message_action(activity)
    if kind != "message":
        return IGNORE
    actor = actor_of(activity)
    if actor is None:
        return IGNORE
    personal = is_personal(activity)
    data = activity.get("value")
    if isinstance(data, Mapping) and data.get(KIND) in ("press", "submit"):
        if data[KIND] == "press":
            return Incoming(
                "press",
                actor,
                personal,
                action=str(data.get(ACTION, "")),
                value=str(data.get(VALUE, "")),
            )
        return Incoming(
            "submit", actor, personal, form_id=str(data.get(FORM, "")), values=_inputs(data)
        )
    text = activity.get("text")
    if not isinstance(text, str):
        return IGNORE
    if not personal and not mentions_bot(activity):
        return IGNORE
    return Incoming("say", actor, personal, text=command_text(activity))


def _message_action(activity: Payload) -> Incoming:
    """The message action "Suggest for sharing": its dialog asked for (``fetchTask``), or the
    dialog's form submitted (``submitAction``)."""
    actor = actor_of(activity)
    value = activity.get("value")
    if actor is None or not isinstance(value, Mapping):
        return IGNORE
    if value.get("commandId") != SUGGEST_COMMAND:
        return IGNORE
    personal = is_personal(activity)
    name = activity.get("name")
    if name == FETCH_TASK:
        payload = value.get("messagePayload")
        message = shared_message(payload if isinstance(payload, Mapping) else {})
        return Incoming("compose_from", actor, personal, message=message, invoke=True)
    data = value.get("data")
    if name == SUBMIT_ACTION and isinstance(data, Mapping) and data.get(KIND) == "submit":
        return Incoming(
            "submit",
            actor,
            personal,
            form_id=str(data.get(FORM, "")),
            values=_inputs(data),
            invoke=True,
        )
    return IGNORE


def _inputs(data: Mapping[str, Any]) -> dict[str, str]:
    """A card form's inputs: every key of the submitted data that Sharebot does not own."""
    return {str(k): _form_value(v) for k, v in data.items() if not str(k).startswith(KIND)}


def _installation(activity: Payload) -> Incoming:
    """The app added to a person's personal chat: remember them and say hello, once.

    Teams announces one installation twice: as ``installationUpdate`` (action ``add``, with the
    person's locale) and as a ``conversationUpdate`` that adds the bot (without it). Only the
    former greets, so the greeting comes once and in the person's language.
    """
    if activity.get("action") != "add" or not is_personal(activity):
        return IGNORE
    actor = actor_of(activity)
    return Incoming("installed", actor) if actor is not None else IGNORE


def is_personal(activity: Payload) -> bool:
    conversation = activity.get("conversation") or {}
    kind = conversation.get("conversationType")
    return kind == "personal" or (kind is None and not conversation.get("isGroup"))


def actor_of(activity: Payload) -> Actor | None:
    """The person behind the activity; the AAD object id is their key (``teams:<id>``).

    The conversation address is kept only for the personal chat: a channel's address would
    send that person's suggestions to everyone in the channel.
    """
    sender = activity.get("from") or {}
    key = sender.get("aadObjectId")
    if not isinstance(key, str) or not key:
        return None
    info = client_info(activity)
    locale = info.get("locale") or activity.get("locale")
    address = _address(reference_of(activity)) if is_personal(activity) else None
    return Actor(
        platform=PLATFORM,
        user_key=key,
        display_name=_short(sender.get("name"), 128),
        locale=_short(locale, 16),
        timezone=_short(info.get("timezone"), 64),
        address=address,
    )


def client_info(activity: Payload) -> dict[str, str]:
    """The ``clientInfo`` entity Teams adds to messages (locale, IANA time zone)."""
    for entity in activity.get("entities") or []:
        if isinstance(entity, Mapping) and entity.get("type") == "clientInfo":
            return {k: v for k, v in entity.items() if isinstance(v, str)}
    return {}


def reference_of(activity: Payload) -> dict[str, Any]:
    """The conversation reference (service URL, conversation, tenant) for later messages.

    Mirrors botbuilder's ``TurnContext.get_conversation_reference`` in JSON form.
    """
    conversation = dict(activity.get("conversation") or {})
    tenant = (activity.get("channelData") or {}).get("tenant", {}).get("id")
    tenant = tenant or conversation.get("tenantId")
    if tenant:
        conversation["tenantId"] = tenant
        conversation["tenantID"] = tenant  # the key botbuilder's ConversationAccount reads
    reference = {
        "activityId": None,
        "user": _account(activity.get("from")),
        "bot": _account(activity.get("recipient")),
        "conversation": conversation,
        "channelId": activity.get("channelId") or CHANNEL_ID,
        "locale": activity.get("locale"),
        "serviceUrl": activity.get("serviceUrl"),
    }
    return {k: v for k, v in reference.items() if v is not None}


def _address(reference: dict[str, Any]) -> str | None:
    """The reference as stored in ``Person.address``; names go first when it is too long."""
    text = json.dumps(reference, separators=(",", ":"))
    if len(text) > MAX_ADDRESS:
        for account in ("user", "bot", "conversation"):
            if isinstance(reference.get(account), dict):
                reference[account].pop("name", None)
        text = json.dumps(reference, separators=(",", ":"))
    return text if len(text) <= MAX_ADDRESS else None


def mentions_bot(activity: Payload) -> bool:
    bot_id = _id(activity.get("recipient"))
    return any(_id(m.get("mentioned")) == bot_id for m in _mentions(activity))


def command_text(activity: Payload) -> str:
    """The message text as a ``/share`` command: the bot's mention removed, other mentions
    replaced by that person's id (``roles grant <at>Anna</at> comms`` -> ``… 29:1abc comms``)."""
    text = str(activity.get("text") or "")
    bot_id = _id(activity.get("recipient"))
    for mention in _mentions(activity):
        mentioned = mention.get("mentioned") or {}
        tag = str(mention.get("text") or "")
        if not tag:
            continue
        replacement = "" if _id(mentioned) == bot_id else _mention_key(mentioned)
        text = text.replace(tag, f" {replacement} ", 1)
    text = _MENTION.sub(lambda m: m.group(1).replace(" ", "_"), text)
    text = html.unescape(_TAG.sub(" ", text)).replace("\xa0", " ")
    return _SPACES.sub(" ", text).strip()


def _mention_key(mentioned: Payload) -> str:
    key = mentioned.get("aadObjectId") or mentioned.get("id") or ""
    return str(key)


def _mentions(activity: Payload) -> list[Payload]:
    return [
        e
        for e in activity.get("entities") or []
        if isinstance(e, Mapping) and e.get("type") == "mention"
    ]


def _form_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _account(account: object) -> dict[str, Any] | None:
    if not isinstance(account, Mapping):
        return None
    return {k: v for k, v in account.items() if k in ("id", "name", "aadObjectId", "role")}


def _id(account: object) -> str | None:
    return account.get("id") if isinstance(account, Mapping) else None


def _short(value: object, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None

"""The shape of a person's ``my-data`` export, typed for the tests that read it."""

from __future__ import annotations

import json
from typing import TypedDict, cast

from bot.views import DataExport, View


class ExportedPerson(TypedDict):
    platform: str
    user_id: str
    display_name: str | None
    conversation_address: str | None
    timezone: str | None
    platform_locale: str | None


class ExportedPreferences(TypedDict):
    participation: str
    invited: bool
    reachable: bool
    plans_from: str | None
    paused_until: str | None
    language: str | None
    topics: list[str]
    networks: list[str]
    max_per_week: int | None
    style: str


class ExportedDelivery(TypedDict):
    suggestion: int | None
    kind: str
    state: str
    due_at: str
    reason: str | None
    caption_variant: int
    claimed_at: str | None
    message_ref: str | None
    digest_suggestions: list[int] | None


class ExportedProposal(TypedDict):
    number: int
    url: str
    text: str
    photos: list[str]
    state: str
    proposed_at: str
    decided_at: str | None


class ExportedAuditEntry(TypedDict):
    at: str
    actor: str
    action: str
    detail: str


class MyData(TypedDict):
    person: ExportedPerson
    preferences: ExportedPreferences
    roles: list[str]
    deliveries: list[ExportedDelivery]
    recent_message_times: list[str]
    your_suggestions_waiting_for_approval: list[int]
    proposals: list[ExportedProposal]
    admin_actions_naming_you: list[ExportedAuditEntry]


def exported_data(view: View) -> MyData:
    """The JSON of a ``my-data`` answer (see ``parse_my_data``)."""
    assert isinstance(view, DataExport), view
    return parse_my_data(view.content)


def parse_my_data(content: str) -> MyData:
    """A ``my-data`` file's JSON; its sections must be exactly those ``MyData`` names, so the
    type the tests rely on cannot drift from what the bot exports."""
    data = json.loads(content)
    assert isinstance(data, dict) and set(data) == set(MyData.__required_keys__), data
    assert set(data["person"]) == set(ExportedPerson.__required_keys__), data["person"]
    assert set(data["preferences"]) == set(ExportedPreferences.__required_keys__)
    return cast(MyData, data)

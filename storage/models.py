"""Database tables. Every table and column here is explained in bot/privacy/tables.yaml, from
which PRIVACY.md's tables are written."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from storage.states import (
    AuditAction,
    DeliveryKind,
    DeliveryState,
    Participation,
    ProposalState,
    Style,
    SuggestionState,
)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Stores aware UTC datetimes as naive UTC, so SQLite and PostgreSQL behave alike."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class StoredState(sa.types.TypeDecorator[StrEnum]):
    """A state or kind of :mod:`storage.states`, stored as its plain string and read back as
    its member; writing a value outside the enum fails before it reaches the database."""

    impl = sa.String
    cache_ok = True

    def __init__(self, states: type[StrEnum], length: int = 16) -> None:
        super().__init__(length)
        self.states = states

    def process_bind_param(self, value: StrEnum | str | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else str(self.states(value))

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> StrEnum | None:
        return None if value is None else self.states(value)


def _state(states: type[StrEnum], default: StrEnum, *, index: bool = False) -> Any:
    return Field(
        default=default, sa_column=Column(StoredState(states), nullable=False, index=index)
    )


def _when(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Person(SQLModel, table=True):
    """Someone the bot has met on a platform, with their own preferences."""

    __tablename__ = "person"
    __table_args__ = (sa.UniqueConstraint("platform", "user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    user_key: str = Field(max_length=128)
    display_name: str | None = Field(default=None, max_length=128)
    address: str | None = Field(default=None, max_length=4000)
    timezone: str | None = Field(default=None, max_length=64)
    platform_locale: str | None = Field(default=None, max_length=16)
    participation: Participation = _state(Participation, Participation.UNDECIDED)
    invited: bool = False
    reachable: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    plans_from: datetime | None = _when()
    paused_until: datetime | None = _when()
    language: str | None = Field(default=None, max_length=8)
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    networks: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    max_per_week: int | None = None
    style: Style = _state(Style, Style.EACH)


class RoleGrant(SQLModel, table=True):
    """A role (comms or hr) held by a person."""

    __tablename__ = "role_grant"

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(primary_key=True, max_length=16)


class PolicySetting(SQLModel, table=True):
    """One key of the organisation's policy; missing keys take their default."""

    __tablename__ = "policy_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=256)


class Suggestion(SQLModel, table=True):
    """Something comms suggests sharing: a link, caption variants, hashtags."""

    __tablename__ = "suggestion"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    captions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    hashtags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    networks: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    topic: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=8)
    state: SuggestionState = _state(SuggestionState, SuggestionState.SCHEDULED, index=True)
    starts_at: datetime = _when(nullable=False, index=True)
    expires_at: datetime | None = _when()
    ended_at: datetime | None = _when()
    created_at: datetime = _when(nullable=False)
    reached: int = 0
    # The photos, in order: each ``{"token": …, "url": …}``; the bytes are in ``suggestion_image``
    images: list[dict[str, str]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    # Every network's button leads to the share page (photos, wordings, QR code) first
    page: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # Only the opted-in members of a channel or team, as they are when it starts
    # (``{"platform": …, "key": …, "label": …}``); none: everyone
    audience: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class ApprovalRequest(SQLModel, table=True):
    """A suggestion waiting for a second person's approval, and who wrote it: only so that the
    author cannot approve it and hears the outcome. Deleted when it is decided or ends."""

    __tablename__ = "approval_request"

    suggestion_id: int = Field(foreign_key="suggestion.id", primary_key=True, ondelete="CASCADE")
    author_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")


class Proposal(SQLModel, table=True):
    """Something an employee proposes comms should suggest: stored with the proposer, since it
    is their own voluntary act (they hear the outcome), and never part of any figure."""

    __tablename__ = "proposal"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    url: str = Field(max_length=2000)
    text: str = Field(max_length=1000)
    # The photo addresses, checked like a suggestion's when proposed; fetched again if used
    images: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    state: ProposalState = _state(ProposalState, ProposalState.OPEN, index=True)
    created_at: datetime = _when(nullable=False)
    decided_at: datetime | None = _when()


class SuggestionImage(SQLModel, table=True):
    """A photo of a suggestion, fetched and checked once when it was created, served by Sharebot.

    Serving a copy means the photo's host never learns when, or from where, a card was opened.
    """

    __tablename__ = "suggestion_image"

    token: str = Field(primary_key=True, max_length=32)
    suggestion_id: int = Field(foreign_key="suggestion.id", index=True, ondelete="CASCADE")
    content_type: str = Field(max_length=32)
    data: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))


class Delivery(SQLModel, table=True):
    """The outbox: one message planned for one person, deleted when its suggestion ends."""

    __tablename__ = "delivery"
    __table_args__ = (
        sa.Index("ix_delivery_state_due", "state", "due_at"),
        # the due digests, found without reading the rest of the outbox (a fan-out's rows)
        sa.Index(
            "ix_delivery_digest_due",
            "state",
            "due_at",
            sqlite_where=sa.text("kind = 'digest'"),
            postgresql_where=sa.text("kind = 'digest'"),
        ),
        sa.UniqueConstraint("suggestion_id", "person_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    # found by suggestion through the unique (suggestion_id, person_id) index: a second one
    # of its own was one more to write at every change of state
    suggestion_id: int | None = Field(default=None, foreign_key="suggestion.id", ondelete="CASCADE")
    kind: DeliveryKind = _state(DeliveryKind, DeliveryKind.CARD)
    state: DeliveryState = _state(DeliveryState, DeliveryState.PENDING)
    due_at: datetime = _when(nullable=False)
    claimed_at: datetime | None = _when()
    variant: int = 0
    message_ref: str | None = Field(default=None, max_length=4000)
    reason: str | None = Field(default=None, max_length=16)
    bundle: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class RecentDelivery(SQLModel, table=True):
    """When a person last got a message: their attention budget, nothing about what it was."""

    __tablename__ = "recent_delivery"
    __table_args__ = (sa.Index("ix_recent_delivery_person_at", "person_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    at: datetime = _when(nullable=False)


class ShareLink(SQLModel, table=True):
    """The one share link of a suggestion for a network, and its anonymous click counter."""

    __tablename__ = "share_link"
    __table_args__ = (sa.UniqueConstraint("suggestion_id", "network"),)

    token: str = Field(primary_key=True, max_length=32)
    suggestion_id: int = Field(foreign_key="suggestion.id", ondelete="CASCADE")
    network: str = Field(max_length=16)
    clicks: int = 0


class AuditEntry(SQLModel, table=True):
    """An admin action (comms or HR), readable by HR; never an employee action."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(nullable=False, index=True)
    actor: str = Field(max_length=160)
    action: AuditAction = Field(sa_column=Column(StoredState(AuditAction, 32), nullable=False))
    detail: str = Field(default="", max_length=2000)


class Heartbeat(SQLModel, table=True):
    """The one row ``/healthz`` writes, to know the database still takes writes."""

    __tablename__ = "heartbeat"

    id: int = Field(default=1, primary_key=True)
    beat_at: datetime = _when(nullable=False)


class HandledRequest(SQLModel, table=True):
    """A request from a platform that was acted on, so that a copy delivered again is not:
    only a hash of the platform's request id and the hour, nothing about a person."""

    __tablename__ = "handled_request"

    fingerprint: str = Field(primary_key=True, max_length=64)
    seen_hour: datetime = _when(nullable=False, index=True)


class SigningKey(SQLModel, table=True):
    """The key that signs links to the figures page, made once when ``SHAREBOT_SECRET_KEY`` is
    not set, so that every Sharebot process of one installation signs and checks alike."""

    __tablename__ = "signing_key"

    purpose: str = Field(primary_key=True, max_length=32)
    secret: str = Field(max_length=128)
    created_at: datetime = _when(nullable=False)


class OptInMonth(SQLModel, table=True):
    """People opted in during one month, as the release rule showed it last that month: a band
    of width k, or nothing when the band was not shown. An aggregate; no person in it."""

    __tablename__ = "opt_in_month"

    month: str = Field(primary_key=True, max_length=7)  # "2026-12", in the policy's time zone
    k: int  # the anonymity threshold the band was cut with
    low: int | None = None
    high: int | None = None

"""The states and kinds stored in the tables, typed: a value outside these cannot be written.

Each is a ``StrEnum``, so a row read back compares equal to its member and the database keeps
plain strings (no migration, and PRIVACY.md names the same words).
"""

from __future__ import annotations

from enum import StrEnum


class Participation(StrEnum):
    """A person's own answer: never asked or never answered, yes, or no."""

    UNDECIDED = "undecided"
    ON = "on"
    OFF = "off"


class Style(StrEnum):
    """How a person gets suggestions: each on its own, or one weekly digest."""

    EACH = "each"
    DIGEST = "digest"


class Role(StrEnum):
    COMMS = "comms"
    HR = "hr"


class SuggestionState(StrEnum):
    """scheduled -> running -> ended; with policy ``approval required`` it begins
    ``waiting`` (for approval) and is then approved (scheduled) or rejected."""

    WAITING = "waiting"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    ENDED = "ended"
    REJECTED = "rejected"


class ProposalState(StrEnum):
    """An employee's proposal: open until comms make it a suggestion or decline it."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class DeliveryKind(StrEnum):
    """A suggestion card, a card in a weekly digest, or an invitation to take part."""

    CARD = "card"
    DIGEST = "digest"
    INVITATION = "invitation"


class DeliveryState(StrEnum):
    """pending -> sending -> sent; ``uncertain`` when it may have been shown (never again)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    UNCERTAIN = "uncertain"


class AuditAction(StrEnum):
    """The admin actions the audit trail keeps; employee actions are never among them."""

    SUGGESTION_CREATED = "suggestion.created"
    SUGGESTION_ENDED = "suggestion.ended"
    SUGGESTION_APPROVED = "suggestion.approved"
    SUGGESTION_REJECTED = "suggestion.rejected"
    POLICY_CHANGED = "policy.changed"
    # a stored value brought inside new SHAREBOT_POLICY_LIMITS when Sharebot started
    POLICY_CLAMPED = "policy.clamped"
    ROLE_GRANTED = "role.granted"
    ROLE_REVOKED = "role.revoked"
    INVITATION_SENT = "invitation.sent"

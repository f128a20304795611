"""The names of Sharebot's buttons and forms: cards, adapters and the registry all use these.

What each one does, who may press it and whether it leaves a trace is declared once, in
:mod:`bot.commands.registry`.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """A button that calls back into the core (a URL button has none)."""

    COPY = "card.copy"
    ANOTHER = "card.another"
    PAUSE = "card.pause"
    STOP = "card.stop"
    INVITE_YES = "invite.yes"
    INVITE_NO = "invite.no"
    OPEN_SETTINGS = "settings.open"
    FORGET_CONFIRM = "forget.confirm"
    FORGET_CANCEL = "forget.cancel"
    END_SUGGESTION = "suggestion.end"
    APPROVE = "suggestion.approve"
    REJECT = "suggestion.reject"
    ACCEPT_PROPOSAL = "proposal.accept"
    DECLINE_PROPOSAL = "proposal.decline"


class FormId(StrEnum):
    """A form the core shows and takes back filled in."""

    SETTINGS = "settings"
    COMPOSE = "compose"
    POLICY = "policy"
    REJECT = "reject"
    PROPOSE = "propose"
    DECLINE = "decline"

"""The optional reason of a "no" (a rejected suggestion, a declined proposal): its form, its
checks, and how the person it concerns reads it."""

from __future__ import annotations

from bot.commands.buttons import FormId
from bot.errors import UserError
from bot.i18n import Texts
from bot.views import Form, FormField

MAX_REASON = 500


def reason_form(t: Texts, form_id: FormId, *, number: int, about: str) -> Form:
    """A short form asking for the reason; ``about`` names the hidden value (``suggestion``
    or ``proposal``) that carries ``number`` back. Its texts are ``<form_id>.*``."""
    return Form(
        form_id=form_id,
        title=t(f"{form_id}.title", id=number),
        intro=t(f"{form_id}.intro"),
        submit_label=t(f"{form_id}.submit"),
        fields=(
            FormField("reason", t("reject.reason"), "textarea", hint=t(f"{form_id}.reason.hint")),
        ),
        hidden={about: str(number)},
    )


def reason_of(text: str) -> str:
    """The reason as given, on one line; too long a reason is refused."""
    reason = " ".join(text.split())
    if len(reason) > MAX_REASON:
        raise UserError("approval.reason_long", limit=MAX_REASON)
    return reason


def because(t: Texts, reason: str) -> str:
    """The line that gives the reason, or says that none was given."""
    return t("approval.reason", reason=reason) if reason else t("approval.no_reason")

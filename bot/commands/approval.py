"""Four-eyes approval: with the policy ``approval required`` a new suggestion waits until a second
person approves it — someone with the comms role who did not write it, or HR.

Only who wrote a waiting suggestion is stored (``approval_request``), so that they cannot
approve it themselves and hear the outcome; it goes when the suggestion is decided or ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.commands.buttons import Action, FormId
from bot.commands.grammar import parse_id
from bot.commands.reasons import because, reason_form, reason_of
from bot.context import Context, Turn
from bot.delivery.audience import target_of
from bot.errors import UserError
from bot.i18n import Texts
from bot.sharing.cards import short_url
from bot.views import Button, Notice, Reply
from storage import audit, people, suggestions
from storage.models import Person, Suggestion
from storage.states import AuditAction, Role, SuggestionState

SHOWN_CAPTIONS = 3


async def hold(ctx: Context, turn: Turn, suggestion: Suggestion) -> None:
    """Keep a new (already saved, waiting) suggestion for approval and send its card to
    everyone who may approve it."""
    assert suggestion.id is not None
    await suggestions.ask_approval(turn.session, suggestion.id, turn.person_id)
    author = turn.person.display_name or turn.person.user_key
    for person in await approvers(ctx, turn):
        card = approval_card(ctx.texts_for(person, turn.policy), suggestion, author=author)
        turn.tell(person, card)


async def approvers(ctx: Context, turn: Turn) -> list[Person]:
    """Everyone holding the comms or HR role (HR named in the configuration too), except the
    person of the turn."""
    found: dict[tuple[str, str], Person] = {}
    for person, role in await people.role_holders(turn.session):
        if role in (Role.COMMS, Role.HR):
            found[(person.platform, person.user_key)] = person
    for platform, key in sorted(ctx.admins):
        if (platform, key) not in found:
            known = await people.find(turn.session, platform, key)
            found[(platform, key)] = known or Person(platform=platform, user_key=key)
    found.pop((turn.person.platform, turn.person.user_key), None)
    return list(found.values())


def approval_card(t: Texts, suggestion: Suggestion, *, author: str) -> Notice:
    """What an approver gets: the suggestion in short, and Approve / Reject."""
    assert suggestion.id is not None
    value = str(suggestion.id)
    return Notice(
        title=t("approval.title", id=suggestion.id),
        lines=(t("approval.asks", author=author), *summary(t, suggestion)),
        buttons=(
            Button(t("approval.approve"), Action.APPROVE, value, "primary"),
            Button(t("approval.reject"), Action.REJECT, value, "danger"),
        ),
    )


def summary(t: Texts, suggestion: Suggestion) -> tuple[str, ...]:
    """A suggestion in a few lines: link, wordings, hashtags, photos, start and end."""
    lines = [t("approval.link", url=suggestion.url, short=short_url(suggestion.url))]
    lines += [f"“{caption}”" for caption in suggestion.captions[:SHOWN_CAPTIONS]]
    if len(suggestion.captions) > SHOWN_CAPTIONS:
        lines.append(t("approval.more", n=len(suggestion.captions) - SHOWN_CAPTIONS))
    if suggestion.hashtags:
        lines.append(" ".join(f"#{tag}" for tag in suggestion.hashtags))
    if suggestion.images:
        lines.append(t("approval.photos", n=len(suggestion.images)))
    if (target := target_of(suggestion)) is not None:
        lines.append(t("list.audience", audience=target.label))
    lines.append(t("approval.start", when=t.when(suggestion.starts_at)))
    if suggestion.expires_at is not None:
        lines.append(t("approval.end", when=t.when(suggestion.expires_at)))
    return tuple(lines)


async def approve(ctx: Context, turn: Turn, text: str) -> Reply:
    """``approve <id>``: a waiting suggestion is scheduled; a start that passed meanwhile
    means now. Its author hears who approved it."""
    suggestion, author = await _decidable(turn, text)
    assert suggestion.id is not None
    if suggestion.expires_at is not None and suggestion.expires_at <= turn.now:
        raise UserError("approval.expired", id=suggestion.id)
    starts = max(suggestion.starts_at, turn.now)
    if not await suggestions.approve(turn.session, suggestion.id, starts):
        raise UserError("approval.decided", id=suggestion.id)
    await audit.record(
        turn.session,
        at=turn.now,
        actor=turn.actor_name,
        action=AuditAction.SUGGESTION_APPROVED,
        detail=f"#{suggestion.id}",
    )
    if author is not None:
        t = ctx.texts_for(author, turn.policy)
        turn.tell(
            author,
            Notice(
                lines=(
                    t("approval.approved", id=suggestion.id, by=_name(turn.person)),
                    _start(t, starts, turn),
                )
            ),
        )
    turn.wake = True
    t = turn.t
    return Reply.of(Notice(lines=(t("approval.done", id=suggestion.id), _start(t, starts, turn))))


async def reject_command(ctx: Context, turn: Turn, text: str) -> Reply:
    """``reject <id> [reason]``."""
    number, _, reason = text.strip().partition(" ")
    return await reject(ctx, turn, number, reason)


async def reject(ctx: Context, turn: Turn, number: str, reason: str) -> Reply:
    """A waiting suggestion never starts; its author hears it, with the reason if one was given."""
    reason = reason_of(reason)
    suggestion, author = await _decidable(turn, number)
    assert suggestion.id is not None
    if not await suggestions.reject(turn.session, suggestion.id, turn.now):
        raise UserError("approval.decided", id=suggestion.id)
    await audit.record(
        turn.session,
        at=turn.now,
        actor=turn.actor_name,
        action=AuditAction.SUGGESTION_REJECTED,
        detail=f"#{suggestion.id}: {reason}" if reason else f"#{suggestion.id}",
    )
    if author is not None:
        t = ctx.texts_for(author, turn.policy)
        rejected = t("approval.rejected", id=suggestion.id, by=_name(turn.person))
        turn.tell(author, Notice(lines=(rejected, because(t, reason))))
    return Reply.of(Notice(lines=(turn.t("approval.rejected_done", id=suggestion.id),)))


async def reject_form(ctx: Context, turn: Turn, action: Action, value: str) -> Reply:
    """The Reject button: a short form for the (optional) reason."""
    suggestion, _ = await _decidable(turn, value)
    assert suggestion.id is not None
    return Reply.of(reason_form(turn.t, FormId.REJECT, number=suggestion.id, about="suggestion"))


async def submit_reject(ctx: Context, turn: Turn, values: Mapping[str, str]) -> Reply:
    return await reject(ctx, turn, values.get("suggestion", ""), values.get("reason", ""))


async def withdraw_all(turn: Turn) -> None:
    """The person asked to be forgotten: what they wrote and is still waiting is withdrawn,
    or it would wait without anyone knowing who may not approve it."""
    for suggestion_id in await suggestions.waiting_by(turn.session, turn.person_id):
        if await suggestions.end(turn.session, suggestion_id, turn.now):
            await audit.record(
                turn.session,
                at=turn.now,
                actor=turn.actor_name,
                action=AuditAction.SUGGESTION_ENDED,
                detail=f"#{suggestion_id} (withdrawn: its author asked to be forgotten)",
            )


async def _decidable(turn: Turn, text: str) -> tuple[Suggestion, Person | None]:
    """The waiting suggestion ``text`` names and its author, if someone other than the
    person of the turn wrote it; otherwise a clear answer why it cannot be decided."""
    if not text.strip():
        raise UserError("error.id_missing")
    suggestion_id = parse_id(text)
    suggestion = await suggestions.get(turn.session, suggestion_id)
    if suggestion is None:
        raise UserError("error.no_suggestion", id=suggestion_id)
    if suggestion.state != SuggestionState.WAITING:
        state = turn.t(f"state.{suggestion.state}")
        raise UserError("approval.not_waiting", id=suggestion_id, state=state)
    author_id = await suggestions.author_of(turn.session, suggestion_id)
    if author_id == turn.person_id:
        raise UserError("approval.own", id=suggestion_id)
    found = await people.by_ids(turn.session, [author_id]) if author_id is not None else []
    return suggestion, found[0] if found else None


def _start(t: Texts, starts: datetime, turn: Turn) -> str:
    return t("new.starts_now") if starts <= turn.now else t("new.starts_at", when=t.when(starts))


def _name(person: Person) -> str:
    return person.display_name or person.user_key

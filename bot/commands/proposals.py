"""Proposals: an employee proposes something to share; comms make it a suggestion or decline it.

A proposal is the proposer's own voluntary act, so it is stored with them (they hear the
outcome, see it in ``my-data``, and ``forget-me`` deletes it). Comms see what was proposed,
never who proposed it; no figure ever counts proposals.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.commands import prefetch
from bot.commands.buttons import Action, FormId
from bot.commands.grammar import (
    Command,
    ProposalDraft,
    parse_id,
    parse_proposal,
    photo_lines,
    proposal_draft,
    proposal_photo_urls,
)
from bot.commands.reasons import because, reason_form, reason_of
from bot.context import Context, Peek, Prefetched, Turn
from bot.errors import UserError
from bot.i18n import Texts
from bot.sharing.cards import short_url
from bot.sharing.photos import checked
from bot.views import Button, FieldKind, Form, FormField, Notice, Reply
from storage import people, proposals
from storage.models import Person, Proposal
from storage.states import ProposalState, Role

MAX_OPEN = 5  # open proposals per person: enough to share ideas, too few to flood comms
LISTED = 10
_FIELDS: tuple[tuple[str, FieldKind], ...] = (
    ("url", "text"),
    ("text", "textarea"),
    ("images", "textarea"),
)


async def photos_of_command(ctx: Context, peek: Peek, command: Command) -> Prefetched:
    """``propose … --image <url>``: the photos, fetched and checked before the turn."""
    return await prefetch.photos(ctx, proposal_photo_urls(command.rest))


async def photos_of_form(ctx: Context, peek: Peek, values: Mapping[str, str]) -> Prefetched:
    return await prefetch.photos(ctx, photo_lines(values.get("images", "")))


async def propose(ctx: Context, turn: Turn, command: Command) -> Reply:
    """``propose`` opens the form; ``propose <url> <text> [--image <url>]`` sends one."""
    if not command.rest:
        return Reply.of(proposal_form(turn))
    return await _send(ctx, turn, parse_proposal(command.rest))


async def submit_form(ctx: Context, turn: Turn, values: Mapping[str, str]) -> Reply:
    """The proposal form: sent, or back with the problem next to its field."""
    try:
        draft = proposal_draft(
            values.get("url", "").strip(), values.get("text", ""), values.get("images", "").split()
        )
        return await _send(ctx, turn, draft)
    except UserError as error:
        field = {"error.url": "url"}.get(error.key, "images" if "photo" in error.key else "text")
        return Reply.of(proposal_form(turn, values, {field: turn.t(error.key, **error.params)}))


def proposal_form(
    turn: Turn, values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None
) -> Form:
    t, values, errors = turn.t, values or {}, errors or {}
    return Form(
        form_id=FormId.PROPOSE,
        title=t("propose.title"),
        intro=t("propose.intro"),
        submit_label=t("propose.submit"),
        fields=tuple(
            FormField(
                name,
                t(f"propose.{name}"),
                kind,
                values.get(name, ""),
                hint=t(f"propose.{name}.hint"),
                error=errors.get(name, ""),
                required=name != "images",
            )
            for name, kind in _FIELDS
        ),
    )


async def _send(ctx: Context, turn: Turn, draft: ProposalDraft) -> Reply:
    checked(draft.photos, turn.photos)  # the same checks as a suggestion's photos
    if await proposals.count_open(turn.session, turn.person_id) >= MAX_OPEN:
        raise UserError("error.proposal_limit", limit=MAX_OPEN)
    proposal = await proposals.add(
        turn.session,
        Proposal(
            person_id=turn.person_id,
            url=draft.url,
            text=draft.text,
            images=list(draft.photos),
            created_at=turn.now,
        ),
    )
    assert proposal.id is not None
    for person, role in await people.role_holders(turn.session):
        if role == Role.COMMS and person.id != turn.person_id:
            turn.tell(person, proposal_card(ctx.texts_for(person, turn.policy), proposal))
    return Reply.of(Notice(lines=(turn.t("propose.sent", id=proposal.id),)))


def proposal_card(t: Texts, proposal: Proposal) -> Notice:
    """What comms see of a proposal: what was proposed and when, never by whom."""
    assert proposal.id is not None
    value = str(proposal.id)
    lines = [
        t("proposal.from_colleague", day=t.day(proposal.created_at)),
        t("approval.link", url=proposal.url, short=short_url(proposal.url)),
        f"“{proposal.text}”",
        *(t("proposal.photo", url=url) for url in proposal.images),
    ]
    return Notice(
        title=t("proposal.title", id=proposal.id),
        lines=tuple(lines),
        buttons=(
            Button(t("proposal.accept"), Action.ACCEPT_PROPOSAL, value, "primary"),
            Button(t("proposal.decline"), Action.DECLINE_PROPOSAL, value),
        ),
    )


async def listing(ctx: Context, turn: Turn, command: Command) -> Reply:
    """``proposals``: the open ones, each as its card (the longest waiting first)."""
    t = turn.t
    found = await proposals.open_ones(turn.session, LISTED)
    if not found:
        return Reply.of(Notice(title=t("proposals.title"), lines=(t("proposals.empty"),)))
    total = await proposals.count_open(turn.session)
    head = Notice(
        title=t("proposals.title"), lines=(t("proposals.count", n=total, shown=len(found)),)
    )
    return Reply((head, *(proposal_card(t, proposal) for proposal in found)))


async def open_for_suggestion(turn: Turn, text: str) -> Proposal:
    """The open proposal a *Make it a suggestion* button names (for the compose form)."""
    return await _open(turn, text)


async def accepted(ctx: Context, turn: Turn, proposal_text: str, suggestion_id: int) -> None:
    """A suggestion was made from the proposal the compose form names (a hidden value from
    the client, so checked): it is closed and its proposer told; anything else is ignored."""
    if not proposal_text.isdigit():
        return
    proposal = await proposals.get(turn.session, int(proposal_text))
    if proposal is None or not await proposals.decide(
        turn.session, int(proposal_text), ProposalState.ACCEPTED, turn.now
    ):
        return
    proposer = await _proposer(turn, proposal)
    if proposer is not None:
        t = ctx.texts_for(proposer, turn.policy)
        note = t("proposal.accepted", id=proposal.id, suggestion=suggestion_id)
        turn.tell(proposer, Notice(lines=(note,)))


async def decline_form(ctx: Context, turn: Turn, action: Action, value: str) -> Reply:
    """*Decline*: a short form for the (optional) reason the proposer gets."""
    proposal = await _open(turn, value)
    assert proposal.id is not None
    return Reply.of(reason_form(turn.t, FormId.DECLINE, number=proposal.id, about="proposal"))


async def decline(ctx: Context, turn: Turn, values: Mapping[str, str]) -> Reply:
    reason = reason_of(values.get("reason", ""))
    proposal = await _open(turn, values.get("proposal", ""))
    assert proposal.id is not None
    if not await proposals.decide(turn.session, proposal.id, ProposalState.DECLINED, turn.now):
        raise UserError("proposal.decided", id=proposal.id)
    proposer = await _proposer(turn, proposal)
    if proposer is not None:
        t = ctx.texts_for(proposer, turn.policy)
        declined = t("proposal.declined", id=proposal.id)
        turn.tell(proposer, Notice(lines=(declined, because(t, reason))))
    return Reply.of(Notice(lines=(turn.t("decline.done", id=proposal.id),)))


async def _open(turn: Turn, text: str) -> Proposal:
    """The open proposal ``text`` names, or a clear answer why there is none."""
    if not text.strip():
        raise UserError("error.button")
    proposal_id = parse_id(text)
    proposal = await proposals.get(turn.session, proposal_id)
    if proposal is None:
        raise UserError("proposal.gone", id=proposal_id)
    if proposal.state != ProposalState.OPEN:
        raise UserError("proposal.decided", id=proposal_id)
    return proposal


async def _proposer(turn: Turn, proposal: Proposal) -> Person | None:
    found = await people.by_ids(turn.session, [proposal.person_id])
    return found[0] if found else None

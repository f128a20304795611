"""One-time invitations from HR to people who never decided, and their answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.commands.buttons import Action
from bot.commands.grammar import Command
from bot.context import Context, Peek, Prefetched, Turn
from bot.delivery import slots
from bot.delivery.planning import Planning
from bot.errors import UserError
from bot.i18n import Texts
from bot.policy import Policy
from bot.ports import Actor
from bot.views import Button, Notice, Reply
from storage import audit, outbox, people
from storage.models import Person
from storage.states import AuditAction, DeliveryKind, Participation

CHUNK = 1000  # members met, and invited, per statement


async def members_of_target(ctx: Context, peek: Peek, command: Command) -> Prefetched:
    """The members of ``invite <target>``, asked of the platform before the turn (paging
    through a large workspace takes a while); nothing is asked while invitations are off."""
    directory = ctx.directories.get(peek.actor.platform)
    if not command.rest or directory is None or peek.policy.participation != "invite":
        return Prefetched()
    return Prefetched(members=await directory.members(command.rest))


async def invite(ctx: Context, turn: Turn, target: str, members: Sequence[Actor] | None) -> Reply:
    """Plan one invitation for each member of ``target`` who never decided and was never invited.

    ``members`` were asked of the platform before this turn's transaction (see
    ``Sharebot.say``); None when the platform does not know the target. The answer gives no
    count: how many had decided would tell HR about a small group.
    """
    if turn.policy.participation != "invite":
        raise UserError("error.invite_disabled")
    if not target:
        raise UserError("error.invite_usage")
    if members is None:
        raise UserError("error.invite_target", target=target[:40])
    planning = Planning(turn.policy)
    for start in range(0, len(members), CHUNK):
        await _invite_some(turn, planning, members[start : start + CHUNK])
    await audit.record(
        turn.session,
        at=turn.now,
        actor=turn.actor_name,
        action=AuditAction.INVITATION_SENT,
        detail=target[:200],
    )
    turn.wake = True
    return Reply.of(Notice(lines=(turn.t("invite.done", target=target),)))


async def _invite_some(turn: Turn, planning: Planning, members: Sequence[Actor]) -> None:
    """One chunk of the members: meet them, and plan an invitation for those never asked."""
    found = await people.meet(turn.session, turn.person.platform, [m.user_key for m in members])
    by_key = {person.user_key: person for person in found}
    planned: dict[int, datetime] = {}
    for member in members:
        person = by_key.get(member.user_key)
        if person is None:
            continue
        _remember_reach(person, member)
        if (
            person.participation != Participation.UNDECIDED
            or person.invited
            or not person.reachable
        ):
            continue
        due = _invitation_time(planning, person, turn.now)
        if due is not None and person.id is not None:
            planned[person.id] = due
    await turn.session.flush()
    # Only people this turn marks as invited get a row: a concurrent invitation (another
    # HR person, another process) cannot plan a second one.
    mine = await people.mark_invited(turn.session, list(planned))
    await outbox.add_many(
        turn.session,
        [
            outbox.Planned(person_id, planned[person_id], DeliveryKind.INVITATION)
            for person_id in sorted(mine)
        ],
    )


def _remember_reach(person: Person, member: Actor) -> None:
    """Keep how to reach a member the directory found (Teams: their new personal chat)."""
    if member.address and person.address != member.address:
        person.address = member.address
    if member.display_name and not person.display_name:
        person.display_name = member.display_name


def _invitation_time(planning: Planning, person: Person, now: datetime) -> datetime | None:
    """Inside the person's window, spread like a suggestion (invitations have no budget)."""
    assert person.id is not None
    calendar = planning.calendar(person)
    opened = calendar.next_open(now)
    if opened is None:
        return None
    return calendar.advance(opened, planning.policy.spread * slots.spread_fraction(0, person.id))


def invitation_card(t: Texts, policy: Policy) -> Notice:
    return Notice(
        title=t("invitation.title"),
        lines=(t("invitation.text", max=policy.max_per_week), t("invitation.free")),
        buttons=(
            Button(t("invitation.yes"), Action.INVITE_YES, style="primary"),
            Button(t("invitation.no"), Action.INVITE_NO),
        ),
    )

"""One-time invitations from HR to people who never decided, and their answers."""

from __future__ import annotations

from datetime import datetime

from bot import planner
from bot.context import Context, Turn
from bot.errors import UserError
from bot.i18n import Texts
from bot.planning import Planning
from bot.policy import Policy
from bot.ports import Actor
from bot.views import Button, Notice, Reply
from storage import audit, outbox, people
from storage.models import Person


async def invite(ctx: Context, turn: Turn, target: str) -> Reply:
    """Plan one invitation for each member of ``target`` who never decided and was never invited.

    The answer gives no count: how many had decided would tell HR about a small group.
    """
    if turn.policy.participation != "invite":
        raise UserError("error.invite_disabled")
    if not target:
        raise UserError("error.invite_usage")
    directory = ctx.directories.get(turn.person.platform)
    members = await directory.members(target) if directory else None
    if members is None:
        raise UserError("error.invite_target", target=target[:40])
    for member in members:
        person = await people.get_or_create(turn.session, member.platform, member.user_key)
        _remember_reach(person, member)
    fresh = await people.undecided(
        turn.session, turn.person.platform, [m.user_key for m in members]
    )
    planning = Planning(turn.policy)
    rows = []
    for person in fresh:
        person.invited = True
        due = _invitation_time(planning, person, turn.now)
        if due is not None:
            rows.append(
                {
                    "person_id": person.id,
                    "suggestion_id": None,
                    "kind": "invitation",
                    "state": outbox.PENDING,
                    "due_at": due,
                    "reason": None,
                    "variant": 0,
                }
            )
    await turn.session.flush()
    await outbox.add_many(turn.session, rows)
    await audit.record(
        turn.session,
        at=turn.now,
        actor=turn.actor_name,
        action="invitation.sent",
        detail=target[:200],
    )
    turn.wake = True
    return Reply.of(Notice(lines=(turn.t("invite.done", target=target),)))


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
    return calendar.advance(opened, planning.policy.spread * planner.spread_fraction(0, person.id))


def invitation_card(t: Texts, policy: Policy) -> Notice:
    return Notice(
        title=t("invitation.title"),
        lines=(t("invitation.text", max=policy.max_per_week), t("invitation.free")),
        buttons=(
            Button(t("invitation.yes"), "invite.yes", style="primary"),
            Button(t("invitation.no"), "invite.no"),
        ),
    )

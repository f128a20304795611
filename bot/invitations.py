"""One-time invitations from HR to people who never decided, and their answers."""

from __future__ import annotations

from datetime import datetime

from bot import planner
from bot.context import Context, Turn
from bot.errors import UserError
from bot.i18n import Texts
from bot.planning import zone_of
from bot.policy import Policy, holiday_calendar
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
        await people.get_or_create(turn.session, member.platform, member.user_key)
    fresh = await people.undecided(
        turn.session, turn.person.platform, [m.user_key for m in members]
    )
    rows = []
    for person in fresh:
        person.invited = True
        due = _invitation_time(person, turn.policy, turn)
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


def _invitation_time(person: Person, policy: Policy, turn: Turn) -> datetime | None:
    assert person.id is not None
    calendar = planner.Calendar(policy.window, zone_of(person, policy), holiday_calendar(policy))
    opened = calendar.next_open(turn.now)
    if opened is None:
        return None
    return calendar.advance(opened, policy.spread * planner.spread_fraction(0, person.id))


def invitation_card(t: Texts, policy: Policy) -> Notice:
    return Notice(
        title=t("invitation.title"),
        lines=(t("invitation.text", max=policy.max_per_week), t("invitation.free")),
        buttons=(
            Button(t("invitation.yes"), "invite.yes", style="primary"),
            Button(t("invitation.no"), "invite.no"),
        ),
    )

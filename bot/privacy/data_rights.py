"""What a person can know and decide about their own data: privacy, my-data, forget-me."""

from __future__ import annotations

import json

from bot.commands import approval
from bot.commands.buttons import Action
from bot.context import Turn
from bot.views import Button, DataExport, Notice, Reply
from storage import audit, outbox, people, proposals, recent, suggestions

PRIVACY_SECTIONS = (
    "stored",
    "proposals",
    "not_stored",
    "comms",
    "hr",
    "figures",
    "nobody",
    "rights",
    "opt_out",
)


def privacy(turn: Turn) -> Reply:
    t = turn.t
    policy = turn.policy
    lines = tuple(
        t(
            f"privacy.{section}",
            k=policy.anonymity_threshold,
            days=policy.retention_days,
            delay=policy.report_delay_hours,
        )
        for section in PRIVACY_SECTIONS
    )
    disclosure = policy.disclosure_in(t.language)
    shared = (
        t("privacy.disclosure", line=disclosure) if disclosure else t("privacy.disclosure.none")
    )
    return Reply.of(Notice(title=t("privacy.title"), lines=(*lines, shared)))


async def export(turn: Turn) -> dict[str, object]:
    """Everything stored about the person, and nothing else."""
    person = turn.person
    deliveries = await outbox.for_person(turn.session, turn.person_id)
    times = await recent.recent_for(turn.session, turn.person_id)
    return {
        "person": {
            "platform": person.platform,
            "user_id": person.user_key,
            "display_name": person.display_name,
            "conversation_address": person.address,
            "timezone": person.timezone,
            "platform_locale": person.platform_locale,
        },
        "preferences": {
            "participation": person.participation,
            "invited": person.invited,
            "reachable": person.reachable,
            "plans_from": person.plans_from.isoformat() if person.plans_from else None,
            "paused_until": person.paused_until.isoformat() if person.paused_until else None,
            "language": person.language,
            "topics": person.topics,
            "networks": person.networks,
            "max_per_week": person.max_per_week,
            "style": person.style,
        },
        "roles": sorted(await people.roles_of(turn.session, turn.person_id)),
        "deliveries": [
            {
                "suggestion": d.suggestion_id,
                "kind": d.kind,
                "state": d.state,
                "due_at": d.due_at.isoformat(),
                "reason": d.reason,
                "caption_variant": d.variant,
                "claimed_at": d.claimed_at.isoformat() if d.claimed_at else None,
                "message_ref": d.message_ref,
                "digest_suggestions": d.bundle,
            }
            for d in deliveries
        ],
        "recent_message_times": [when.isoformat() for when in times],
        "your_suggestions_waiting_for_approval": await suggestions.waiting_by(
            turn.session, turn.person_id
        ),
        "proposals": [
            {
                "number": p.id,
                "url": p.url,
                "text": p.text,
                "photos": p.images,
                "state": p.state,
                "proposed_at": p.created_at.isoformat(),
                "decided_at": p.decided_at.isoformat() if p.decided_at else None,
            }
            for p in await proposals.of_person(turn.session, turn.person_id)
        ],
        "admin_actions_naming_you": [
            {"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "detail": e.detail}
            for e in await audit.naming(turn.session, turn.actor_name)
        ],
    }


async def my_data(turn: Turn) -> Reply:
    data = await export(turn)
    content = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
    return Reply.of(
        DataExport(
            title=turn.t("mydata.title"),
            lines=(turn.t("mydata.intro"), turn.t("mydata.nothing_else")),
            filename="sharebot-my-data.json",
            content=content,
        )
    )


def confirm_forget(turn: Turn) -> Reply:
    t = turn.t
    return Reply.of(
        Notice(
            title=t("forget.title"),
            lines=(t("forget.question"),),
            buttons=(
                Button(t("forget.confirm"), Action.FORGET_CONFIRM, style="danger"),
                Button(t(Action.FORGET_CANCEL), Action.FORGET_CANCEL),
            ),
        )
    )


async def forget(turn: Turn) -> Reply:
    await approval.withdraw_all(turn)
    await people.forget(turn.session, turn.person_id)
    return Reply.of(Notice(lines=(turn.t("forget.done"),)))

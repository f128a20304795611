"""HR's view of the policy: show it as a form, change one key or several."""

from __future__ import annotations

from collections.abc import Mapping

from bot.commands.buttons import FormId
from bot.context import Turn
from bot.delivery.planning import replan_everyone
from bot.errors import UserError
from bot.policy import KEYS, BadPolicyValue, normalized, policy_from
from bot.views import Form, FormField, Notice, Reply
from storage import audit
from storage import policy as stored_policy
from storage.states import AuditAction

# Keys whose change moves deliveries already planned.
PLANNING_KEYS = frozenset(
    {"max_per_week", "min_gap_hours", "window", "holidays", "timezone", "spread_minutes"}
)


def policy_form(
    turn: Turn, values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None
) -> Form:
    t, current = turn.t, turn.policy.as_text()
    values, errors = values or {}, errors or {}
    return Form(
        form_id=FormId.POLICY,
        title=t("policy.title"),
        intro=t("policy.intro"),
        submit_label=t("policy.save"),
        required_text=t("form.required"),
        fields=tuple(
            FormField(
                key,
                key,
                "text",
                values.get(key, current[key]),
                hint=t(f"policy.hint.{key}"),
                error=errors.get(key, ""),
                required=True,
            )
            for key in KEYS
        ),
    )


async def show_or_set(turn: Turn, rest: str) -> Reply:
    words = rest.split(maxsplit=2)
    if not words:
        return Reply.of(policy_form(turn))
    if words[0].lower() != "set" or len(words) < 3:
        raise UserError("error.policy_usage")
    key, value = words[1].lower(), words[2]
    try:
        text = normalized(key, value)
    except BadPolicyValue as error:
        raise UserError(error.key, **error.params) from error
    changed = await _apply(turn, {key: text})
    return Reply.of(
        Notice(
            lines=(turn.t("policy.set" if changed else "policy.unchanged", key=key, value=text),)
        )
    )


async def submit(turn: Turn, values: Mapping[str, str]) -> Reply:
    """Apply the policy form: all keys are checked first; one bad value changes nothing."""
    accepted: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key in KEYS:
        if key not in values:
            continue
        try:
            accepted[key] = normalized(key, values[key])
        except BadPolicyValue as error:
            errors[key] = turn.t(error.key, **error.params)
    if errors:
        return Reply.of(policy_form(turn, values, errors))
    changed = await _apply(turn, accepted)
    keys = ", ".join(changed) or "–"
    return Reply.of(Notice(lines=(turn.t("policy.saved", keys=keys),)))


async def _apply(turn: Turn, values: Mapping[str, str]) -> list[str]:
    current = turn.policy.as_text()
    changed = [key for key, value in values.items() if current[key] != value]
    for key in changed:
        await stored_policy.store(turn.session, key, values[key])
        await audit.record(
            turn.session,
            at=turn.now,
            actor=turn.actor_name,
            action=AuditAction.POLICY_CHANGED,
            detail=f"{key}: {current[key]} -> {values[key]}",
        )
    if PLANNING_KEYS & set(changed):
        new_policy = policy_from(await stored_policy.load(turn.session))
        await replan_everyone(turn.session, new_policy, turn.now)
        turn.wake = True
    return changed

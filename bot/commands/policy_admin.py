"""HR's view of the policy: show it as a form, change one key or several, within the bounds
agreed with the works council (:mod:`bot.limits`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.buttons import FormId
from bot.context import Context, Turn
from bot.delivery.planning import replan_everyone
from bot.errors import UserError
from bot.i18n import Texts
from bot.limits import WINDOW, Bound, PolicyLimits
from bot.policy import KEYS, BadPolicyValue, normalized, policy_from
from bot.views import Form, FormField, Notice, Reply
from storage import audit
from storage import policy as stored_policy
from storage.states import AuditAction

logger = logging.getLogger(__name__)

# Keys whose change moves deliveries already planned.
PLANNING_KEYS = frozenset(
    {"max_per_week", "min_gap_hours", "window", "holidays", "timezone", "spread_minutes"}
)
# Who changed the policy when a stored value was brought inside new bounds at start.
LIMITS_ACTOR = "SHAREBOT_POLICY_LIMITS"
_BOUND_TEXTS = {"<=": "max", ">=": "min", "=": "fixed"}


def _kind(bound: Bound) -> str:
    """Which text says what the bound is: at most, at least, fixed, inside a window."""
    return "window" if bound.key == WINDOW and bound.op == "<=" else _BOUND_TEXTS[bound.op]


def policy_form(
    turn: Turn,
    limits: PolicyLimits,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> Form:
    """The policy as a form; each field's hint names the bounds it must stay within."""
    t, current = turn.t, turn.policy.as_text()
    values, errors = values or {}, errors or {}
    return Form(
        form_id=FormId.POLICY,
        title=t("policy.title"),
        intro=" ".join([t("policy.intro"), *([t("policy.intro.limits")] if limits.bounds else [])]),
        submit_label=t("policy.save"),
        required_text=t("form.required"),
        fields=tuple(
            FormField(
                key,
                key,
                "text",
                values.get(key, current[key]),
                hint=" ".join(
                    [t(f"policy.hint.{key}"), *(bound_hint(t, b) for b in limits.of(key))]
                ),
                error=errors.get(key, ""),
                required=True,
            )
            for key in KEYS
        ),
    )


def bound_hint(t: Texts, bound: Bound) -> str:
    """``Works agreement: at most 2.`` — a bound as the policy form shows it."""
    return t(f"policy.hint.bound.{_kind(bound)}", value=bound.text)


async def show_or_set(turn: Turn, rest: str, limits: PolicyLimits) -> Reply:
    words = rest.split(maxsplit=2)
    if not words:
        return Reply.of(policy_form(turn, limits))
    if words[0].lower() != "set" or len(words) < 3:
        raise UserError("error.policy_usage")
    key, value = words[1].lower(), words[2]
    try:
        text = _allowed(key, value, limits)
    except BadPolicyValue as error:
        raise UserError(error.key, **error.params) from error
    changed = await _apply(turn, {key: text})
    return Reply.of(
        Notice(
            lines=(turn.t("policy.set" if changed else "policy.unchanged", key=key, value=text),)
        )
    )


async def submit(turn: Turn, values: Mapping[str, str], limits: PolicyLimits) -> Reply:
    """Apply the policy form: all keys are checked first; one bad value changes nothing."""
    accepted: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key in KEYS:
        if key not in values:
            continue
        try:
            accepted[key] = _allowed(key, values[key], limits)
        except BadPolicyValue as error:
            errors[key] = turn.t(error.key, **error.params)
    if errors:
        return Reply.of(policy_form(turn, limits, values, errors))
    changed = await _apply(turn, accepted)
    keys = ", ".join(changed) or "–"
    return Reply.of(Notice(lines=(turn.t("policy.saved", keys=keys),)))


def _allowed(key: str, value: str, limits: PolicyLimits) -> str:
    """The value as stored, when the policy takes it and no bound of the works agreement
    forbids it; else :class:`BadPolicyValue` with the reason (the bound, named)."""
    text = normalized(key, value)
    broken = limits.broken_by(key, text)
    if broken is not None:
        raise BadPolicyValue(f"policy.error.bound.{_kind(broken)}", key=key, value=broken.text)
    return text


async def _apply(turn: Turn, values: Mapping[str, str]) -> list[str]:
    current = turn.policy.as_text()
    changed = {key: (current[key], value) for key, value in values.items() if current[key] != value}
    if await _store(turn.session, changed, actor=turn.actor_name, at=turn.now):
        turn.wake = True
    turn.forget_wordings = bool(changed)  # the disclosure line or the form of address
    return list(changed)


async def _store(
    session: AsyncSession,
    changes: Mapping[str, tuple[str, str]],
    *,
    actor: str,
    at: datetime,
    action: AuditAction = AuditAction.POLICY_CHANGED,
) -> bool:
    """Store changed values, each with its audit entry; plan again when delivery times move.
    True when deliveries were planned again."""
    for key, (old, new) in changes.items():
        await stored_policy.store(session, key, new)
        await audit.record(
            session, at=at, actor=actor, action=action, detail=f"{key}: {old} -> {new}"
        )
    if not PLANNING_KEYS & set(changes):
        return False
    await replan_everyone(session, policy_from(await stored_policy.load(session)), at)
    return True


async def clamp_to_limits(ctx: Context) -> dict[str, tuple[str, str]]:
    """At start: bring a stored policy that breaks the bounds now in force inside them.

    Each value moved is logged and kept in the audit trail (``policy.clamped``, by
    ``SHAREBOT_POLICY_LIMITS``); returns what moved, ``{key: (before, after)}``.
    """
    if not ctx.limits.bounds:
        return {}
    now = ctx.clock.now()
    async with ctx.database.transaction() as session:
        policy = policy_from(await stored_policy.load(session))
        changes = ctx.limits.clamped(policy)
        await _store(
            session, changes, actor=LIMITS_ACTOR, at=now, action=AuditAction.POLICY_CLAMPED
        )
    for key, (old, new) in changes.items():
        logger.warning("policy %s: %s -> %s, to keep within SHAREBOT_POLICY_LIMITS", key, old, new)
    if changes:
        ctx.wake_dispatcher()
    return changes

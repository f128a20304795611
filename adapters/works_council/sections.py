"""The parts of the works-council document, each from the live installation's facts."""

from __future__ import annotations

from html import escape

from babel.dates import format_datetime

from adapters.works_council.markup import Words
from adapters.works_council.version import Build
from bot.i18n import Texts, day_of_month
from bot.limits import Bound
from bot.policy import KEYS, Policy
from bot.privacy.installation import Installation, RoleHolder
from bot.privacy.release import ORDER
from bot.privacy.reports import suggestion_notice
from bot.sharing.networks import LABELS
from bot.views import plain_text
from storage.states import Role

_BOUND_WORDS = {"<=": "max", ">=": "min", "=": "fixed"}


def moment(language: str, facts: Installation) -> str:
    """When the document was made, in the policy's time zone."""
    return format_datetime(
        facts.at,
        f"{day_of_month(language)} MMMM y, HH:mm zzzz",
        tzinfo=facts.policy.zone,
        locale=language,
    )


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{cell}</th>" for cell in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _numbers(policy: Policy) -> dict[str, object]:
    """The policy's values by name, for texts that quote them."""
    return {
        "k": policy.anonymity_threshold,
        "double": 2 * policy.anonymity_threshold,
        "delay": policy.report_delay_hours,
        "days": policy.retention_days,
        "max": policy.max_per_week,
        "gap": policy.min_gap_hours,
        "window": policy.window.text,
    }


def summary(w: Words, facts: Installation) -> str:
    return w.blocks("summary.body", **_numbers(facts.policy))


def roles(w: Words, t: Texts, facts: Installation) -> str:
    rows = []
    for role in (Role.HR, Role.COMMS):
        holders = [h for h in facts.roles if h.role == role]
        names = [_holder(w, h) for h in holders] or [w("roles.none")]
        rows.append([escape(t(f"role.{role}")), "<br>".join(names)])
    return (
        w.blocks("roles.intro")
        + _table([w("roles.role"), w("roles.holders")], rows)
        + w.blocks("roles.after")
    )


def _holder(w: Words, holder: RoleHolder) -> str:
    source = w("roles.configured") if holder.configured else w("roles.granted")
    return f"{escape(holder.name)} <span class='muted'>({escape(holder.platform)}; {source})</span>"


def policy(w: Words, facts: Installation) -> str:
    shown = facts.policy.as_text()
    rows = []
    for key in KEYS:
        value = shown[key]
        origin = w("policy.set") if key in facts.stored else w("policy.default")
        meaning = explain(w, key, value, facts.policy)
        if key in facts.outside:
            now, then = facts.outside[key]
            meaning += f'<p class="note">{w("policy.outside", now=now, then=then)}</p>'
        rows.append([f"<code>{key}</code>", f"<code>{escape(value)}</code>", meaning, origin])
    headers = [w("policy.key"), w("policy.value"), w("policy.meaning"), w("policy.origin")]
    return w.blocks("policy.intro") + _table(headers, rows)


def explain(w: Words, key: str, value: str, policy: Policy) -> str:
    """What a policy value means for people: ``explain.<key>.<value>`` where a value has a
    text of its own (``participation opt-in``), else ``explain.<key>`` with the value in it."""
    own = f"explain.{key}.{value}"
    chosen = own if w.catalogue.template(w.language, own) else f"explain.{key}"
    return w(chosen, value=value, **_numbers(policy))


def bounds(w: Words, facts: Installation) -> str:
    limits = facts.limits
    if not limits.bounds:
        return w.blocks("bounds.none") + w.blocks("bounds.how")
    shown = facts.policy.as_text()
    rows = [
        [
            f"<code>{bound.key}</code>",
            bound_text(w, bound),
            f"<code>{escape(shown[bound.key])}</code>",
            w("bounds.kept") if bound.key not in facts.outside else w("bounds.broken"),
        ]
        for bound in limits.bounds
    ]
    headers = [w("policy.key"), w("bounds.rule"), w("bounds.now"), w("bounds.state")]
    return (
        w.blocks("bounds.intro", setting=limits.text)
        + _table(headers, rows)
        + w.blocks("bounds.enforced")
        + w.blocks("bounds.how")
    )


def bound_text(w: Words, bound: Bound) -> str:
    kind = "window" if bound.key == "window" and bound.op == "<=" else _BOUND_WORDS[bound.op]
    return w(f"bounds.{kind}", value=bound.text)


def seen(w: Words, t: Texts, facts: Installation) -> str:
    rule, example = facts.rule, facts.example
    reached = example.facts.reached
    low, high = rule.band(reached)
    notice = plain_text(suggestion_notice(t, example.figures, rule))
    clicks = sorted(example.facts.clicks.items(), key=lambda item: ORDER.index(item[0]))
    reasons = []
    for network, count in clicks:
        label = LABELS.get(network) or t("stats.copy")
        if rule.shows(count, reached):
            key = "seen.example.shown"
        elif count < rule.k:
            key = "seen.example.few"
        else:
            key = "seen.example.many"
        reasons.append(
            "<li>"
            + w(key, network=label, count=count, k=rule.k, low=low, high=high, top=low - rule.k)
            + "</li>"
        )
    opted_in = (
        t("overview.opted_in", n=f"{facts.opted_in[0]}–{facts.opted_in[1]}")
        if facts.opted_in
        else t("overview.opted_in_hidden")
    )
    used = ", ".join(f"{LABELS.get(n) or t('stats.copy')} {c}" for n, c in clicks)
    return (
        w.blocks("seen.body", **_numbers(facts.policy))
        + f"<h3>{w('seen.example.title', k=rule.k)}</h3>"
        + w.blocks("seen.example.intro", reached=reached, used=used, **_numbers(facts.policy))
        + f"<pre>{escape(notice)}</pre>"
        + f"<ul>{''.join(reasons)}</ul>"
        + w.blocks("seen.live")
        + f"<pre>{escape(opted_in)}</pre>"
    )


def nobody(w: Words, facts: Installation) -> str:
    return w.blocks("nobody.body", **_numbers(facts.policy))


def release_rule(w: Words, facts: Installation) -> str:
    return w.blocks("rule.body", **_numbers(facts.policy)) + w.blocks(
        "rule.differencing", **_numbers(facts.policy)
    )


def rights(w: Words, facts: Installation) -> str:
    policy = facts.policy
    disclosure = policy.disclosure_in(w.language)
    line = (
        w.blocks("rights.disclosure", line=disclosure, value=policy.disclosure)
        if disclosure
        else w.blocks("rights.disclosure.none")
    )
    return (
        w.blocks("rights.body", **_numbers(policy))
        + f"<h3>{w('rights.disclosure.title')}</h3>"
        + line
    )


def audit_trail(w: Words, t: Texts, facts: Installation) -> str:
    rows = [
        [escape(t(f"audit.action.{action}")), f"<code>{action}</code>", str(count)]
        for action, count in facts.audit_counts
    ]
    total = sum(count for _, count in facts.audit_counts)
    rows.append([f"<strong>{w('audit.total')}</strong>", "", f"<strong>{total}</strong>"])
    since = format_datetime(
        facts.audit_since,
        f"{day_of_month(w.language)} MMMM y",
        tzinfo=facts.policy.zone,
        locale=w.language,
    )
    return (
        w.blocks("audit.intro", since=since, **_numbers(facts.policy))
        + _table([w("audit.kind"), w("audit.code"), w("audit.count")], rows)
        + w.blocks("audit.after")
    )


def version(w: Words, build: Build, language: str) -> str:
    if build.commit:
        commit = w.blocks("version.commit", commit=build.commit)
        if build.modified:
            commit += w.blocks("version.commit.modified")
    else:
        commit = w.blocks("version.commit.unknown")
    return (
        w.blocks("version.body", version=build.version)
        + commit
        + w.blocks("version.again", lang=language)
    )

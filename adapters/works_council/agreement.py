"""The appendix: a draft works agreement with this installation's numbers filled in, under
German law (BetrVG § 87 Abs. 1 Nr. 6) or Austrian law (ArbVG §§ 96, 96a), clearly a draft."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.works_council.markup import Words
from adapters.works_council.version import Build
from bot.privacy.installation import Installation
from storage.states import Role

if TYPE_CHECKING:  # the document imports this module
    from adapters.works_council.document import Request

PARAGRAPHS = 13
# Paragraphs whose text depends on the installation: the variant chosen from its facts.
_VARIANTS = {3: "participation", 8: "limits", 9: "disclosure"}


def appendix(w: Words, facts: Installation, request: Request, build: Build) -> str:
    country = request.country
    values = _values(w, facts, request, build)
    paragraphs = "".join(
        f"<h3>§ {number} {w(f'agreement.{number}.title')}</h3>"
        + w.blocks(_key(number, facts), **values)
        for number in range(1, PARAGRAPHS + 1)
    )
    return (
        f'<section id="agreement" class="appendix agreement">'
        f"<h2>{w('agreement.appendix')}: {w(f'agreement.title.{country}')}</h2>"
        f'<div class="draft">{w.blocks("agreement.draft", **values)}</div>'
        f"{w.blocks('agreement.parties', **values)}"
        f"{w.blocks('agreement.preamble', **values)}"
        f"{paragraphs}"
        f'<div class="signatures"><div>{w("agreement.sign.employer")}</div>'
        f"<div>{w('agreement.sign.council')}</div></div></section>"
    )


def _key(number: int, facts: Installation) -> str:
    """``agreement.<n>.body``, or its variant for this installation (``agreement.8.none``)."""
    variant = _VARIANTS.get(number)
    policy = facts.policy
    if variant == "participation":
        return f"agreement.{number}.{policy.participation}"
    if variant == "limits":
        return f"agreement.{number}.{'set' if facts.limits.bounds else 'none'}"
    if variant == "disclosure":
        return f"agreement.{number}.{'none' if policy.disclosure == 'none' else 'set'}"
    return f"agreement.{number}.body"


def _values(w: Words, facts: Installation, request: Request, build: Build) -> dict[str, object]:
    policy, country = facts.policy, request.country
    holidays = (
        w.plain("agreement.holidays.none")
        if policy.holidays == "none"
        else w.plain("agreement.holidays", value=policy.holidays)
    )
    return {
        "organisation": request.organisation,
        "law": w.plain(f"law.{country}.name"),
        "basis": w.plain(f"law.{country}.basis"),
        "employees": w.plain(f"law.{country}.employees"),
        "termination": w.plain(f"law.{country}.termination"),
        "version": build.version,
        "commit": build.commit[:12] if build.commit else w.plain("version.unknown"),
        "max": policy.max_per_week,
        "gap": policy.min_gap_hours,
        "window": policy.window.text,
        "holidays": holidays,
        "spread": policy.spread_minutes,
        "k": policy.anonymity_threshold,
        "double": 2 * policy.anonymity_threshold,
        "delay": policy.report_delay_hours,
        "days": policy.retention_days,
        "limits": facts.limits.text,
        "disclosure": policy.disclosure_in(w.language),
        "hr": _names(facts, Role.HR) or w.plain("agreement.nobody"),
        "comms": _names(facts, Role.COMMS) or w.plain("agreement.nobody"),
    }


def _names(facts: Installation, role: Role) -> str:
    return ", ".join(holder.name for holder in facts.roles if holder.role == role)

"""``/share dashboard`` and the figures page behind its signed link (privacy rule 4).

The command answers privately with a link that carries a pass naming the role, not the
person; the page reads the same anonymous facts ``/share stats`` reads and builds everything
through the release rule (:mod:`bot.privacy.figures_page`).
"""

from __future__ import annotations

from datetime import datetime

from bot.commands.grammar import Command
from bot.context import Context, Peek, Prefetched, Turn
from bot.policy import Policy, policy_from
from bot.privacy.facts import facts_of, id_of, rule_from
from bot.privacy.figures_page import FiguresPage, PageFacts, build_page, month_keys
from bot.privacy.passes import Pass, role_of
from bot.views import Button, Notice, Reply
from storage import figures, opt_in
from storage import policy as stored_policy
from storage.states import Role


async def signing_key(ctx: Context, peek: Peek, command: Command) -> Prefetched:
    """The signing key, read (or made) in its own transaction before the command's: the
    registry's ``fetch`` for the commands that hand out a link."""
    await ctx.passes.load(ctx.database, ctx.clock.now())
    return Prefetched()


def dashboard_button(ctx: Context, turn: Turn, granted: Pass | None = None) -> Button:
    """A button that opens the figures page for the asking person's role, for 15 minutes."""
    granted = granted or ctx.passes.issue(role_of(turn.roles), turn.now)
    return Button(turn.t("dashboard.link.button"), url=ctx.dashboard_url(granted.token))


async def open_dashboard(ctx: Context, turn: Turn) -> Reply:
    """``/share dashboard``: the private link, and until when it works."""
    granted = ctx.passes.issue(role_of(turn.roles), turn.now)
    t = turn.t
    line = t(
        "dashboard.link", role=t(f"dashboard.role.{granted.role}"), until=t.when(granted.until)
    )
    button = dashboard_button(ctx, turn, granted)
    return Reply.of(Notice(title=t("dashboard.link.title"), lines=(line,), buttons=(button,)))


async def figures_page(ctx: Context, token: str, language: str) -> FiguresPage:
    """The page a signed link shows, in ``language``; :class:`PassRefused` for a link that is
    forged, altered or expired (checked before anything is read)."""
    now = ctx.clock.now()
    await ctx.passes.load(ctx.database, now)
    granted = ctx.passes.check(token, now)
    async with ctx.database.transaction() as session:
        policy = policy_from(await stored_policy.load(session))
        t = ctx.catalogue.bind(language, policy.zone)
        keys = month_keys(now, t)
        started = await figures.started_since(session, _month_start(keys[0], policy))
        clicks = await figures.clicks_of(session, [id_of(s) for s in started])
        opted_in, known, recorded = 0, 0, {}
        if granted.role is Role.HR:  # the comms page has no opt-in figures: not even read
            opted_in, known = await figures.head_counts(session)
            recorded = await opt_in.since(session, keys[0])
    facts = PageFacts(
        started=[facts_of(s, clicks[id_of(s)]) for s in started],
        links={id_of(s): s.url for s in started},
        opted_in=opted_in,
        known=known,
        recorded=recorded,
    )
    return build_page(
        facts, role=granted.role, rule=rule_from(policy), now=now, t=t, valid_until=granted.until
    )


def _month_start(key: str, policy: Policy) -> datetime:
    year, month = (int(part) for part in key.split("-"))
    return datetime(year, month, 1, tzinfo=policy.zone)

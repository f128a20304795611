"""The core's front door: every adapter hands over text, button presses and forms here.

What each command, button and form does, and who may use it, is in
:mod:`bot.commands.registry`; this module runs them, one turn and one transaction at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import policy_admin, preferences, repeats, roles, suggestions
from bot.commands.grammar import Command
from bot.commands.help import help_reply
from bot.commands.registry import REGISTRY, FormSpec, Press, Verb, allowed, help_lines, parse
from bot.context import Context, Peek, Prefetched, Turn
from bot.errors import UserError
from bot.i18n import Texts
from bot.policy import Policy, policy_from
from bot.ports import Actor, SharedMessage
from bot.privacy import data_rights
from bot.views import Form, Notice, Reply
from storage import outbox, people
from storage import policy as stored_policy
from storage.models import Person
from storage.states import DeliveryKind, DeliveryState, Role

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueEntry:
    """A delivery waiting for its time, as the person may see it."""

    suggestion_id: int | None
    due_text: str
    reason_text: str


@dataclass(frozen=True)
class Overview:
    t: Texts
    policy: Policy
    participation: str
    roles: frozenset[str]
    queue: tuple[QueueEntry, ...]


class Sharebot:
    """Runs commands, button presses and form submissions for one person at a time."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def say(self, actor: Actor, text: str, *, request: str | None = None) -> Reply:
        """Handle one ``/share …`` command (parsed once, here).

        ``request`` (here and in :meth:`press` and :meth:`submit`) is the platform's id of the
        request that carried it, when it has one: a copy with the same id acts only once.
        """
        try:
            command = parse(text)
        except UserError as error:
            refused = error
            return await self._run(
                actor, lambda turn: self._not_a_command(turn, refused), request=request
            )
        verb = REGISTRY.verb(command.verb)
        fetched = await self._prefetch(actor, verb, command)
        return await self._run(
            actor,
            lambda turn: self._command(turn, verb, command, fetched),
            changes=verb.changed(command),
            request=request,
        )

    async def press(
        self, actor: Actor, action: str, value: str = "", *, request: str | None = None
    ) -> Reply:
        """Handle a button; nothing here edits the message the button was on.

        Logged at DEBUG only: at INFO, a person who pressed "copy text" would leave a log line
        that a person who did nothing does not (privacy rule 2 in docs/architecture.md).
        """
        logger.debug("button %s", action)
        press = REGISTRY.by_action.get(action)
        if press is None:
            return await self._run(actor, _unknown_button, request=request)
        if press.quick is not None and press.allows(frozenset()):
            # Its answer needs nothing about the person and it writes nothing: no turn
            answer = await press.quick(self.ctx, press.action, value)
            if answer is not None:
                return answer
        # Buttons that only help someone take part change nothing, not even what the platform
        # told us about the person: pressing them leaves the rows as they were, so they are
        # not marked as handled either (a copy only shows the text again).
        return await self._run(
            actor,
            lambda turn: self._press(turn, press, value),
            remember=not press.taking_part,
            changes=press.changes,
            request=None if press.taking_part else request,
        )

    async def submit(
        self,
        actor: Actor,
        form_id: str,
        values: Mapping[str, str],
        *,
        request: str | None = None,
    ) -> Reply:
        """Handle a submitted form; a form with problems comes back with them marked."""
        logger.debug("form %s", form_id)
        spec = REGISTRY.by_form.get(form_id)
        fetched = Prefetched()
        if spec is not None and spec.fetch is not None:
            peek = await self._peek(actor)
            if spec.allows(peek.roles):
                fetched = await spec.fetch(self.ctx, peek, values)
        reply = await self._run(
            actor,
            lambda turn: self._submit(turn, spec, form_id, values, fetched),
            changes=True,
            request=request,
        )
        if any(isinstance(view, Form) for view in reply.views):  # back with its problems
            reply = replace(reply, changed=False)
        return reply

    async def settings(self, actor: Actor) -> Reply:
        """The person's settings form, for adapters that show it outside the conversation."""

        async def work(turn: Turn) -> Reply:
            return Reply.of(preferences.settings_form(turn))

        return await self._run(actor, work)

    async def overview(self, actor: Actor) -> Overview:
        """What a person's own page shows beside the chat: their queue and the policy in force."""
        async with self.ctx.database.transaction() as session:
            turn = await self._begin(session, actor, self.ctx.clock.now())
            return await self._overview(turn)

    async def page(self, actor: Actor) -> tuple[Overview, Reply]:
        """:meth:`overview` and :meth:`home` together (the App Home), in a transaction that
        only reads unless Sharebot knows the person and the platform says something new about
        them (then they are updated, as :meth:`overview` does)."""
        now = self.ctx.clock.now()
        async with self.ctx.database.reading() as session:
            found = await people.find_with_roles(session, actor.platform, actor.user_key)
            if found is None or not _would_remember(found.person, actor):
                # Someone never met, or just forgotten (forget-me is followed by this page),
                # sees what a newcomer sees and is not created: that would undo forget-me.
                met = found or people.Met(_stranger(actor), set())
                turn = await self._turn_of(session, actor, met, now)
                return await self._overview(turn), await self._home(turn)
        async with self.ctx.database.transaction() as session:
            turn = await self._begin(session, actor, now)
            return await self._overview(turn), await self._home(turn)

    async def _overview(self, turn: Turn) -> Overview:
        met = turn.person.id is not None
        rows = await outbox.for_person(turn.session, turn.person_id) if met else []
        t = turn.t
        queue = tuple(
            QueueEntry(
                row.suggestion_id, t.when(row.due_at), t(f"queue.reason.{row.reason or 'none'}")
            )
            for row in rows
            if row.state == DeliveryState.PENDING and row.kind != DeliveryKind.INVITATION
        )
        return Overview(
            t=t,
            policy=turn.policy,
            participation=turn.person.participation,
            roles=turn.roles,
            queue=queue,
        )

    async def texts(self, actor: Actor) -> Texts:
        """The person's texts (language and zone), for an adapter's own labels; writes nothing
        (someone never met gets the policy's language)."""
        async with self.ctx.database.reading() as session:
            person = await people.find(session, actor.platform, actor.user_key)
            policy = policy_from(await stored_policy.load(session))
        return self.ctx.texts_for(person or Person(platform=actor.platform, user_key=""), policy)

    async def preview(self, actor: Actor, values: Mapping[str, str]) -> Reply:
        """The compose form with a preview of the card being typed (comms only; saves nothing)."""

        async def work(turn: Turn) -> Reply:
            verb = REGISTRY.verb("new")
            if not verb.allows(turn.roles):
                raise UserError(verb.refusal, command=verb.name)
            return Reply.of(suggestions.compose_preview(turn, values))

        return await self._run(actor, work)

    async def compose_from(
        self, actor: Actor, message: SharedMessage, *, request: str | None = None
    ) -> Reply:
        """The compose form filled from a chat message, for "Suggest for sharing" (comms only;
        everyone else gets a short explanation). Saves nothing."""

        async def work(turn: Turn) -> Reply:
            if not REGISTRY.verb("new").allows(turn.roles):
                raise UserError("shortcut.comms_only")
            return Reply.of(suggestions.compose_from_message(turn, message))

        return await self._run(actor, work, request=request)

    async def home(self, actor: Actor) -> Reply:
        """Everything a person's own page shows beside :meth:`overview` (Slack App Home).

        Their settings form and the privacy explanation; for comms the suggestion list, for HR
        the policy form and the roles. Nothing is logged: opening one's page leaves no trace.
        """
        return await self._run(actor, self._home)

    async def _home(self, turn: Turn) -> Reply:
        views = [preferences.settings_form(turn), *data_rights.privacy(turn).views]
        if allowed("list", turn.roles):
            views += (await suggestions.listing(turn)).views
        if allowed("policy", turn.roles):
            views.append(policy_admin.policy_form(turn, self.ctx.limits))
        if allowed("roles", turn.roles):
            views += (await roles.show(self.ctx, turn)).views
        return Reply(tuple(views))

    async def _not_a_command(self, turn: Turn, error: UserError) -> Reply:
        if error.key == "error.unknown_command":
            keys = help_lines(turn.roles)
            return help_reply(turn, keys, unknown=str(error.params["word"]))
        raise error

    async def _prefetch(self, actor: Actor, verb: Verb, command: Command) -> Prefetched:
        """What a command needs from outside Sharebot, fetched before its transaction opens
        (paging through a large workspace or fetching photos takes a while), and only for
        someone allowed to run it: nobody else can make Sharebot fetch anything."""
        if verb.fetch is None:
            return Prefetched()
        peek = await self._peek(actor)
        if not verb.allows(peek.roles):
            return Prefetched()
        return await verb.fetch(self.ctx, peek, command)

    async def _peek(self, actor: Actor) -> Peek:
        """Who is asking and the policy, read without writing (a newcomer is not created)."""
        async with self.ctx.database.reading() as session:
            found = await people.find_with_roles(session, actor.platform, actor.user_key)
            policy = policy_from(await stored_policy.load(session))
        return Peek(actor, self._with_configured(actor, found.roles if found else set()), policy)

    def _with_configured(self, actor: Actor, held: set[str]) -> frozenset[str]:
        """The roles a person holds, with HR for the admins named in the configuration."""
        if (actor.platform, actor.user_key) in self.ctx.admins:
            held = held | {Role.HR}
        return frozenset(held)

    async def _command(
        self, turn: Turn, verb: Verb, command: Command, fetched: Prefetched
    ) -> Reply:
        if not verb.allows(turn.roles):
            raise UserError(verb.refusal, command=command.verb)
        logger.info("command %s", verb.name)
        turn.members = fetched.members
        turn.photos = fetched.photos
        turn.targets = fetched.targets
        return await verb.run(self.ctx, turn, command)

    async def _press(self, turn: Turn, press: Press, value: str) -> Reply:
        if not press.allows(turn.roles):
            raise UserError("error.button")
        return await press.run(self.ctx, turn, press.action, value)

    async def _submit(
        self,
        turn: Turn,
        spec: FormSpec | None,
        form_id: str,
        values: Mapping[str, str],
        fetched: Prefetched,
    ) -> Reply:
        if spec is None or not spec.allows(turn.roles):
            raise UserError("error.not_allowed", command=form_id[:40])
        turn.photos = fetched.photos
        turn.targets = fetched.targets
        return await spec.run(self.ctx, turn, values)

    async def _run(
        self,
        actor: Actor,
        work: Callable[[Turn], Awaitable[Reply]],
        *,
        remember: bool = True,
        changes: bool = False,
        request: str | None = None,
    ) -> Reply:
        """One unit of work for one person, in one transaction.

        A request seen before does nothing: its id is claimed in this same transaction, so
        the claim and the work commit together or not at all. A :class:`UserError` rolls the
        work back (a first contact too: it is made again next time) and becomes a notice in
        the person's language; the request still counts as handled. ``changes``: whether the
        work can change what the person's own page shows (the reply tells the adapter).
        """
        turn: Turn | None = None
        try:
            async with self.ctx.database.transaction() as session:
                now = self.ctx.clock.now()
                first = request is None or await repeats.first_time(
                    session, actor.platform, request, now
                )
                if first:
                    turn = await self._begin(session, actor, now, remember)
                    reply = await work(turn)
        except UserError as error:
            assert turn is not None
            if request is not None:
                async with self.ctx.database.transaction() as session:
                    await repeats.first_time(session, actor.platform, request, turn.now)
            return Reply.of(Notice(lines=(turn.t(error.key, **error.params),)))
        if turn is None:
            self.ctx.metrics.repeated.labels(actor.platform).inc()
            return Reply(repeated=True)
        if turn.forget_wordings:
            self.ctx.wordings.forget()
        if turn.notices:
            self.ctx.notify(tuple(turn.notices))
        if turn.wake:
            self.ctx.wake_dispatcher()
        return replace(reply, changed=changes)

    async def _begin(
        self, session: AsyncSession, actor: Actor, now: datetime, remember: bool = True
    ) -> Turn:
        """Meet the person (first contact creates them) and gather what the turn needs."""
        met = await people.meet_one(session, actor.platform, actor.user_key)
        if remember:
            _remember_platform_details(met.person, actor)
        return await self._turn_of(session, actor, met, now)

    async def _turn_of(
        self, session: AsyncSession, actor: Actor, met: people.Met, now: datetime
    ) -> Turn:
        policy = policy_from(await stored_policy.load(session))
        person = met.person
        return Turn(
            session=session,
            actor=actor,
            person=person,
            roles=self._with_configured(actor, met.roles),
            policy=policy,
            t=self.ctx.texts_for(person, policy),
            now=now,
        )


def _stranger(actor: Actor) -> Person:
    """Someone Sharebot has not met, as the platform describes them; never stored."""
    person = Person(platform=actor.platform, user_key=actor.user_key)
    _remember_platform_details(person, actor)
    return person


def _would_remember(person: Person, actor: Actor) -> bool:
    """Whether :func:`_remember_platform_details` would change anything."""
    return not person.reachable or any(
        value and getattr(person, name) != value for name, value in _platform_details(actor)
    )


def _platform_details(actor: Actor) -> tuple[tuple[str, str | None], ...]:
    return (
        ("display_name", actor.display_name),
        ("platform_locale", actor.locale),
        ("timezone", actor.timezone),
        ("address", actor.address),
    )


def _remember_platform_details(person: Person, actor: Actor) -> None:
    """Keep what the platform told us (name, locale, zone, address) up to date."""
    for name, value in _platform_details(actor):
        if value and getattr(person, name) != value:
            setattr(person, name, value)
    if not person.reachable:
        person.reachable = True  # they wrote to the bot, so it can reach them again


async def _unknown_button(turn: Turn) -> Reply:
    raise UserError("error.button")

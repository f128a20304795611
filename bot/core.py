"""The core's front door: every adapter hands over text, button presses and forms here."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import invitations, policy_admin, preferences, roles, suggestions
from bot.commands.grammar import Command, parse, photo_lines, photo_urls
from bot.commands.help import help_reply
from bot.context import Context, Turn
from bot.errors import UserError
from bot.i18n import Texts
from bot.policy import Policy, policy_from
from bot.ports import Actor
from bot.privacy import audit_trail, data_rights, reports
from bot.sharing.cards import variant_of
from bot.sharing.networks import COPY, copy_text
from bot.sharing.photos import Fetched, fetch_all
from bot.views import Button, Notice, Reply
from storage import outbox, people, shares
from storage import policy as stored_policy
from storage import suggestions as stored_suggestions
from storage.models import Person

logger = logging.getLogger(__name__)
Handler = Callable[[Context, Turn, Command], Awaitable[Reply]]

COMMANDS: Mapping[str, Handler] = {
    "help": lambda ctx, turn, cmd: _done(help_reply(turn)),
    "on": lambda ctx, turn, cmd: preferences.opt_in(turn),
    "off": lambda ctx, turn, cmd: preferences.opt_out(turn),
    "pause": lambda ctx, turn, cmd: preferences.pause(turn, cmd),
    "resume": lambda ctx, turn, cmd: preferences.resume(turn),
    "settings": lambda ctx, turn, cmd: _done(Reply.of(preferences.settings_form(turn))),
    "topics": lambda ctx, turn, cmd: preferences.topics(turn, cmd),
    "privacy": lambda ctx, turn, cmd: _done(data_rights.privacy(turn)),
    "my-data": lambda ctx, turn, cmd: data_rights.my_data(turn),
    "forget-me": lambda ctx, turn, cmd: _done(data_rights.confirm_forget(turn)),
    "new": lambda ctx, turn, cmd: suggestions.create_inline(ctx, turn, cmd),
    "list": lambda ctx, turn, cmd: suggestions.listing(turn),
    "end": lambda ctx, turn, cmd: suggestions.end(ctx, turn, cmd.rest),
    "stats": lambda ctx, turn, cmd: reports.stats(turn, cmd.rest),
    "policy": lambda ctx, turn, cmd: policy_admin.show_or_set(turn, cmd.rest),
    "roles": lambda ctx, turn, cmd: roles.change(ctx, turn, cmd),
    "invite": lambda ctx, turn, cmd: invitations.invite(ctx, turn, cmd.rest, turn.members),
    "audit": lambda ctx, turn, cmd: audit_trail.show(turn),
}


async def _done(reply: Reply) -> Reply:
    return reply


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


# Card buttons that only help someone take part: they must leave no trace at all.
TAKING_PART = frozenset({"card.copy", "card.another"})


class Sharebot:
    """Runs commands, button presses and form submissions for one person at a time."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def say(self, actor: Actor, text: str) -> Reply:
        """Handle one ``/share …`` command."""
        members, photos = await self._fetch_first(actor, text)
        return await self._run(actor, lambda turn: self._say(turn, text, members, photos))

    async def _fetch_first(self, actor: Actor, text: str) -> tuple[list[Actor] | None, Fetched]:
        """What a command needs from outside Sharebot, fetched before its transaction opens
        (paging through a large workspace or fetching photos takes a while), and only for
        someone allowed to run it: nobody else can make Sharebot fetch anything."""
        try:
            command = parse(text)
        except UserError:
            return None, {}
        directory = self.ctx.directories.get(actor.platform)
        if command.verb == "invite" and command.rest and directory is not None:
            turn = await self._peek(actor)
            if roles.allowed("invite", turn.roles) and turn.policy.participation == "invite":
                return await directory.members(command.rest), {}
        if command.verb == "new":
            return None, await self._photos_for(actor, photo_urls(command.rest))
        return None, {}

    async def _photos_for(self, actor: Actor, urls: list[str]) -> Fetched:
        if not urls or not roles.allowed("new", (await self._peek(actor)).roles):
            return {}
        if self.ctx.photos is None:
            return {url: UserError("error.photo.unreachable", url=url[:80]) for url in urls}
        return await fetch_all(self.ctx.photos, urls)

    async def _peek(self, actor: Actor) -> Turn:
        async with self.ctx.database.transaction() as session:
            return await self._begin(session, actor, self.ctx.clock.now())

    async def press(self, actor: Actor, action: str, value: str = "") -> Reply:
        """Handle a button; nothing here edits the message the button was on.

        Logged at DEBUG only: at INFO, a person who pressed "copy text" would leave a log line
        that a person who did nothing does not (DESIGN §6 rule 2).
        """
        logger.debug("button %s", action)
        # "copy text" and "another wording" change nothing, not even what the platform told
        # us about the person: pressing them leaves the rows as they were (DESIGN §6 rule 2).
        remember = action not in TAKING_PART
        return await self._run(
            actor, lambda turn: self._press(turn, action, value), remember=remember
        )

    async def submit(self, actor: Actor, form_id: str, values: Mapping[str, str]) -> Reply:
        """Handle a submitted form; a form with problems comes back with them marked."""
        logger.debug("form %s", form_id)
        photos: Fetched = {}
        if form_id == "compose":
            photos = await self._photos_for(actor, photo_lines(values.get("images", "")))
        return await self._run(actor, lambda turn: self._submit(turn, form_id, values, photos))

    async def settings(self, actor: Actor) -> Reply:
        """The person's settings form, for adapters that show it outside the conversation."""
        return await self._run(actor, lambda turn: _done(Reply.of(preferences.settings_form(turn))))

    async def overview(self, actor: Actor) -> Overview:
        """What a person's own page shows beside the chat: their queue and the policy in force."""
        async with self.ctx.database.transaction() as session:
            turn = await self._begin(session, actor, self.ctx.clock.now())
            rows = await outbox.for_person(session, turn.person_id)
        t = turn.t
        queue = tuple(
            QueueEntry(
                row.suggestion_id, t.when(row.due_at), t(f"queue.reason.{row.reason or 'none'}")
            )
            for row in rows
            if row.state == outbox.PENDING and row.kind != "invitation"
        )
        return Overview(
            t=t,
            policy=turn.policy,
            participation=turn.person.participation,
            roles=turn.roles,
            queue=queue,
        )

    async def texts(self, actor: Actor) -> Texts:
        """The person's texts (language and zone), for an adapter's own labels; changes nothing."""
        async with self.ctx.database.transaction() as session:
            turn = await self._begin(session, actor, self.ctx.clock.now(), remember=False)
        return turn.t

    async def preview(self, actor: Actor, values: Mapping[str, str]) -> Reply:
        """The compose form with a preview of the card being typed (comms only; saves nothing)."""

        async def work(turn: Turn) -> Reply:
            if not roles.allowed("new", turn.roles):
                raise UserError("error.not_allowed", command="new")
            return Reply.of(suggestions.compose_preview(turn, values))

        return await self._run(actor, work)

    async def home(self, actor: Actor) -> Reply:
        """Everything a person's own page shows beside :meth:`overview` (Slack App Home).

        Their settings form and the privacy explanation; for comms the suggestion list, for HR
        the policy form and the roles. Nothing is logged: opening one's page leaves no trace.
        """
        return await self._run(actor, self._home)

    async def _home(self, turn: Turn) -> Reply:
        views = [preferences.settings_form(turn), *data_rights.privacy(turn).views]
        if roles.allowed("list", turn.roles):
            views += (await suggestions.listing(turn)).views
        if roles.allowed("policy", turn.roles):
            views.append(policy_admin.policy_form(turn))
        if roles.allowed("roles", turn.roles):
            views += (await roles.show(self.ctx, turn)).views
        return Reply(tuple(views))

    async def _say(
        self, turn: Turn, text: str, members: list[Actor] | None, photos: Fetched
    ) -> Reply:
        try:
            command = parse(text)
        except UserError as error:
            if error.key == "error.unknown_command":
                return help_reply(turn, unknown=str(error.params["word"]))
            raise
        if not roles.allowed(command.verb, turn.roles):
            raise UserError(roles.refusal(command.verb), command=command.verb)
        logger.info("command %s", command.verb)
        turn.members = members
        turn.photos = photos
        return await COMMANDS[command.verb](self.ctx, turn, command)

    async def _submit(
        self, turn: Turn, form_id: str, values: Mapping[str, str], photos: Fetched
    ) -> Reply:
        turn.photos = photos
        if form_id == "settings":
            return await preferences.save_settings(turn, values)
        if form_id == "compose" and roles.allowed("new", turn.roles):
            return await suggestions.submit_compose(self.ctx, turn, values)
        if form_id == "policy" and roles.allowed("policy", turn.roles):
            return await policy_admin.submit(turn, values)
        raise UserError("error.not_allowed", command=form_id)

    async def _press(self, turn: Turn, action: str, value: str) -> Reply:
        if action in ("card.copy", "card.another"):
            return await self._card_text(turn, action, value)
        if action == "card.pause":
            return await preferences.pause(turn, Command("pause", "2w"))
        if action in ("card.stop", "invite.no"):
            return await preferences.opt_out(turn)
        if action == "invite.yes":
            return await preferences.opt_in(turn)
        if action == "settings.open":
            return Reply.of(preferences.settings_form(turn))
        if action == "forget.confirm":
            return await data_rights.forget(turn)
        if action == "forget.cancel":
            return Reply.of(Notice(lines=(turn.t("forget.cancelled"),)))
        if action == "suggestion.end" and roles.allowed("end", turn.roles):
            return await suggestions.end(self.ctx, turn, value)
        raise UserError("error.button")

    async def _card_text(self, turn: Turn, action: str, value: str) -> Reply:
        """The caption to copy, or the next wording: answered to the person only, no trace kept."""
        sid_text, _, variant_text = value.partition(":")
        if not sid_text.isdigit() or not variant_text.isdigit():
            raise UserError("error.button")
        suggestion = await stored_suggestions.get(turn.session, int(sid_text))
        if suggestion is None or suggestion.state == "ended":
            raise UserError("error.suggestion_gone")
        step = 1 if action == "card.another" else 0
        position, caption = variant_of(suggestion, int(variant_text) + step)
        text = copy_text(url=suggestion.url, caption=caption, hashtags=suggestion.hashtags)
        if action == "card.copy":
            token = (await shares.links_for(turn.session, int(sid_text))).get(COPY)
            if token:
                self.ctx.clicks.count(token)
        buttons = (
            (Button(turn.t("card.another"), "card.another", f"{sid_text}:{position}"),)
            if step and len(suggestion.captions) > 1
            else ()
        )
        title = turn.t("card.copy_title" if not step else "card.another_title")
        return Reply.of(Notice(title=title, lines=(f"```{text}```",), buttons=buttons))

    async def _run(
        self, actor: Actor, work: Callable[[Turn], Awaitable[Reply]], *, remember: bool = True
    ) -> Reply:
        """One unit of work for one person, in one transaction.

        A :class:`UserError` rolls the work back (a first contact too: it is made again next
        time) and becomes a notice in the person's language.
        """
        turn: Turn | None = None
        try:
            async with self.ctx.database.transaction() as session:
                turn = await self._begin(session, actor, self.ctx.clock.now(), remember)
                reply = await work(turn)
        except UserError as error:
            assert turn is not None
            return Reply.of(Notice(lines=(turn.t(error.key, **error.params),)))
        if turn.wake:
            self.ctx.wake_dispatcher()
        return reply

    async def _begin(
        self, session: AsyncSession, actor: Actor, now: datetime, remember: bool = True
    ) -> Turn:
        """Meet the person (first contact creates them) and gather what the turn needs."""
        person = await people.get_or_create(session, actor.platform, actor.user_key)
        if remember:
            _remember_platform_details(person, actor)
        assert person.id is not None
        policy = policy_from(await stored_policy.load(session))
        held = await people.roles_of(session, person.id)
        if (actor.platform, actor.user_key) in self.ctx.admins:
            held.add("hr")
        return Turn(
            session=session,
            actor=actor,
            person=person,
            roles=frozenset(held),
            policy=policy,
            t=self.ctx.texts_for(person, policy),
            now=now,
        )


def _remember_platform_details(person: Person, actor: Actor) -> None:
    """Keep what the platform told us (name, locale, zone, address) up to date."""
    for name, value in (
        ("display_name", actor.display_name),
        ("platform_locale", actor.locale),
        ("timezone", actor.timezone),
        ("address", actor.address),
    ):
        if value and getattr(person, name) != value:
            setattr(person, name, value)
    if not person.reachable:
        person.reachable = True  # they wrote to the bot, so it can reach them again

"""Every command, button and form, each declared once: its words, who may use it, its help, what
it does, and whether it can change what the person's own page shows.

Help, role checks, the adapters' button ids and Slack's App Home refresh all derive from here;
a test fails when a command is declared anywhere else. To add a command: write its handler,
add a :class:`Verb` below, and its help line to both catalogues.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from bot.commands import (
    approval,
    invitations,
    policy_admin,
    preferences,
    proposals,
    roles,
    suggestions,
)
from bot.commands.buttons import Action, FormId
from bot.commands.grammar import Command, split_command
from bot.commands.help import help_reply
from bot.context import Context, Peek, Prefetched, Turn
from bot.errors import UserError
from bot.privacy import audit_trail, dashboard, data_rights, reports
from bot.sharing import wordings
from bot.views import Notice, Reply
from storage.states import Role

RunCommand = Callable[[Context, Turn, Command], Awaitable[Reply]]
RunPress = Callable[[Context, Turn, Action, str], Awaitable[Reply]]
QuickPress = Callable[[Context, Action, str], Awaitable[Reply | None]]
RunForm = Callable[[Context, Turn, Mapping[str, str]], Awaitable[Reply]]
FetchForCommand = Callable[[Context, Peek, Command], Awaitable[Prefetched]]
FetchForForm = Callable[[Context, Peek, Mapping[str, str]], Awaitable[Prefetched]]

EVERYONE: frozenset[Role] = frozenset()
COMMS = frozenset({Role.COMMS})
HR = frozenset({Role.HR})
COMMS_AND_HR = frozenset({Role.COMMS, Role.HR})


class Changes(Enum):
    """Whether running a command can change what the person's own page (Slack's App Home)
    shows, so that the page is published again only then."""

    NOTHING = "nothing"
    ALWAYS = "always"
    WITH_ARGUMENTS = "with arguments"  # ``policy`` shows, ``policy set …`` changes


def _allows(needed: frozenset[Role], held: frozenset[str]) -> bool:
    return not needed or bool(needed & held)


def _refusal(needed: frozenset[Role]) -> str:
    """The text that says who may: HR alone, the comms team alone, or both."""
    if needed == HR:
        return "error.hr_only"
    if needed == COMMS:
        return "error.comms_only"
    return "error.not_allowed"


@dataclass(frozen=True)
class HelpLine:
    """One line of help (a catalogue key), shown to those holding ``roles`` (the verb's when
    empty)."""

    key: str
    roles: frozenset[Role] = EVERYONE


@dataclass(frozen=True)
class Verb:
    """A ``/share`` command."""

    name: str
    words: tuple[str, ...]  # what people may type: the name, aliases, German words
    run: RunCommand
    roles: frozenset[Role] = EVERYONE  # empty: everyone
    help: tuple[HelpLine, ...] = ()
    changes: Changes = Changes.ALWAYS
    # What it needs from outside Sharebot (a member list, photos), fetched before its
    # transaction opens and only for someone allowed to run it.
    fetch: FetchForCommand | None = None

    def allows(self, held: frozenset[str]) -> bool:
        return _allows(self.roles, held)

    @property
    def refusal(self) -> str:
        return _refusal(self.roles)

    def changed(self, command: Command) -> bool:
        return self.changes is Changes.ALWAYS or (
            self.changes is Changes.WITH_ARGUMENTS and bool(command.rest)
        )


@dataclass(frozen=True)
class Press:
    """A button that calls back into the core."""

    action: Action
    run: RunPress
    roles: frozenset[Role] = EVERYONE
    # It only helps someone take part (copy text, another wording): pressing it must leave
    # no trace at all, not even what the platform told us about the person.
    taking_part: bool = False
    changes: bool = True
    # Answers without a turn when it can (None: it cannot, the press takes a turn): for
    # presses whose answer needs nothing about the person
    quick: QuickPress | None = None

    def allows(self, held: frozenset[str]) -> bool:
        return _allows(self.roles, held)


@dataclass(frozen=True)
class FormSpec:
    """A form the core shows and takes back filled in."""

    form_id: FormId
    opened_by: str  # the verb that opens it (an App Home's "change" button says it)
    run: RunForm
    roles: frozenset[Role] = EVERYONE
    fetch: FetchForForm | None = None

    def allows(self, held: frozenset[str]) -> bool:
        return _allows(self.roles, held)


async def _help(ctx: Context, turn: Turn, command: Command) -> Reply:
    return help_reply(turn, help_lines(turn.roles))


async def _privacy(ctx: Context, turn: Turn, command: Command) -> Reply:
    return data_rights.privacy(turn)


async def _confirm_forget(ctx: Context, turn: Turn, command: Command) -> Reply:
    return data_rights.confirm_forget(turn)


async def _settings(ctx: Context, turn: Turn, command: Command) -> Reply:
    return Reply.of(preferences.settings_form(turn))


VERBS: tuple[Verb, ...] = (
    Verb("help", ("help", "hilfe", "?", ""), _help, changes=Changes.NOTHING),
    Verb(
        "on",
        ("on", "an"),
        lambda ctx, turn, cmd: preferences.opt_in(turn),
        help=(HelpLine("help.on"),),
    ),
    Verb(
        "off",
        ("off", "aus"),
        lambda ctx, turn, cmd: preferences.opt_out(turn),
        help=(HelpLine("help.off"),),
    ),
    Verb(
        "pause",
        ("pause", "pausieren"),
        lambda ctx, turn, cmd: preferences.pause(turn, cmd),
        help=(HelpLine("help.pause"),),
    ),
    Verb(
        "resume",
        ("resume", "weiter"),
        lambda ctx, turn, cmd: preferences.resume(turn),
        help=(HelpLine("help.resume"),),
    ),
    Verb(
        "settings",
        ("settings", "einstellungen"),
        _settings,
        help=(HelpLine("help.settings"),),
        changes=Changes.NOTHING,
    ),
    Verb(
        "topics",
        ("topics", "themen"),
        lambda ctx, turn, cmd: preferences.topics(turn, cmd),
        help=(HelpLine("help.topics"),),
    ),
    Verb(
        "privacy",
        ("privacy", "datenschutz"),
        _privacy,
        help=(HelpLine("help.privacy"),),
        changes=Changes.NOTHING,
    ),
    Verb(
        "my-data",
        ("my-data", "meine-daten"),
        lambda ctx, turn, cmd: data_rights.my_data(turn),
        help=(HelpLine("help.my-data"),),
        changes=Changes.NOTHING,
    ),
    Verb(
        "forget-me",
        ("forget-me", "vergiss-mich"),
        _confirm_forget,
        help=(HelpLine("help.forget-me"),),
        changes=Changes.NOTHING,  # it only asks; the confirmation button deletes
    ),
    Verb(
        "propose",
        ("propose", "anregen"),
        proposals.propose,
        help=(HelpLine("help.propose"),),
        changes=Changes.NOTHING,
        fetch=proposals.photos_of_command,
    ),
    Verb(
        "new",
        ("new", "neu"),
        suggestions.create_inline,
        roles=COMMS,
        help=(HelpLine("help.new"), HelpLine("help.new_inline"), HelpLine("help.new_to")),
        fetch=suggestions.fetch_for_command,
    ),
    Verb(
        "list",
        ("list", "liste"),
        lambda ctx, turn, cmd: suggestions.listing(turn),
        roles=COMMS,
        help=(HelpLine("help.list"),),
        changes=Changes.NOTHING,
    ),
    Verb(
        "end",
        ("end", "cancel", "beenden"),
        lambda ctx, turn, cmd: suggestions.end(ctx, turn, cmd.rest),
        roles=COMMS,
        help=(HelpLine("help.end"),),
    ),
    Verb(
        "proposals",
        ("proposals", "anregungen"),
        proposals.listing,
        roles=COMMS,
        help=(HelpLine("help.proposals"),),
        changes=Changes.NOTHING,
    ),
    Verb(
        "approve",
        ("approve", "freigeben"),
        lambda ctx, turn, cmd: approval.approve(ctx, turn, cmd.rest),
        roles=COMMS_AND_HR,
        help=(HelpLine("help.approve"),),
    ),
    Verb(
        "reject",
        ("reject", "ablehnen"),
        lambda ctx, turn, cmd: approval.reject_command(ctx, turn, cmd.rest),
        roles=COMMS_AND_HR,
        help=(HelpLine("help.reject"),),
    ),
    Verb(
        "stats",
        ("stats", "statistik"),
        lambda ctx, turn, cmd: reports.stats(ctx, turn, cmd.rest),
        roles=COMMS_AND_HR,
        help=(HelpLine("help.stats"), HelpLine("help.overview", HR)),
        changes=Changes.NOTHING,
        fetch=dashboard.signing_key,  # its answer carries a link to the figures page
    ),
    Verb(
        "dashboard",
        ("dashboard", "übersicht", "uebersicht"),
        lambda ctx, turn, cmd: dashboard.open_dashboard(ctx, turn),
        roles=COMMS_AND_HR,
        help=(HelpLine("help.dashboard"),),
        changes=Changes.NOTHING,
        fetch=dashboard.signing_key,
    ),
    Verb(
        "policy",
        ("policy", "richtlinie"),
        lambda ctx, turn, cmd: policy_admin.show_or_set(turn, cmd.rest, ctx.limits),
        roles=HR,
        help=(HelpLine("help.policy"), HelpLine("help.policy_set")),
        changes=Changes.WITH_ARGUMENTS,
    ),
    Verb(
        "roles",
        ("roles", "rollen"),
        roles.change,
        roles=HR,
        help=(HelpLine("help.roles"), HelpLine("help.roles_change")),
        changes=Changes.WITH_ARGUMENTS,
    ),
    Verb(
        "invite",
        ("invite", "einladen"),
        lambda ctx, turn, cmd: invitations.invite(ctx, turn, cmd.rest, turn.members),
        roles=HR,
        help=(HelpLine("help.invite"),),
        fetch=invitations.members_of_target,
    ),
    Verb(
        "audit",
        ("audit", "protokoll"),
        lambda ctx, turn, cmd: audit_trail.show(turn),
        roles=HR,
        help=(HelpLine("help.audit"),),
        changes=Changes.NOTHING,
    ),
)


async def _cancel_forget(ctx: Context, turn: Turn, action: Action, value: str) -> Reply:
    return Reply.of(Notice(lines=(turn.t("forget.cancelled"),)))


async def _open_settings(ctx: Context, turn: Turn, action: Action, value: str) -> Reply:
    return Reply.of(preferences.settings_form(turn))


PRESSES: tuple[Press, ...] = (
    Press(
        Action.COPY,
        wordings.copy_or_next,
        taking_part=True,
        changes=False,
        quick=wordings.from_memory,
    ),
    Press(
        Action.ANOTHER,
        wordings.copy_or_next,
        taking_part=True,
        changes=False,
        quick=wordings.from_memory,
    ),
    Press(
        Action.PAUSE,
        lambda ctx, turn, action, value: preferences.pause(turn, Command("pause", "2w")),
    ),
    Press(Action.STOP, lambda ctx, turn, action, value: preferences.opt_out(turn)),
    Press(Action.INVITE_YES, lambda ctx, turn, action, value: preferences.opt_in(turn)),
    Press(Action.INVITE_NO, lambda ctx, turn, action, value: preferences.opt_out(turn)),
    Press(Action.OPEN_SETTINGS, _open_settings, changes=False),
    Press(Action.FORGET_CONFIRM, lambda ctx, turn, action, value: data_rights.forget(turn)),
    Press(Action.FORGET_CANCEL, _cancel_forget, changes=False),
    Press(
        Action.END_SUGGESTION,
        lambda ctx, turn, action, value: suggestions.end(ctx, turn, value),
        roles=COMMS,
    ),
    Press(
        Action.APPROVE,
        lambda ctx, turn, action, value: approval.approve(ctx, turn, value),
        roles=COMMS_AND_HR,
    ),
    Press(Action.REJECT, approval.reject_form, roles=COMMS_AND_HR, changes=False),
    Press(Action.ACCEPT_PROPOSAL, suggestions.from_proposal, roles=COMMS, changes=False),
    Press(Action.DECLINE_PROPOSAL, proposals.decline_form, roles=COMMS, changes=False),
)

FORMS: tuple[FormSpec, ...] = (
    FormSpec(
        FormId.SETTINGS,
        "settings",
        lambda ctx, turn, values: preferences.save_settings(turn, values),
    ),
    FormSpec(
        FormId.COMPOSE,
        "new",
        suggestions.submit_compose,
        roles=COMMS,
        fetch=suggestions.fetch_for_form,
    ),
    FormSpec(
        FormId.POLICY,
        "policy",
        lambda ctx, turn, values: policy_admin.submit(turn, values, ctx.limits),
        roles=HR,
    ),
    FormSpec(FormId.REJECT, "reject", approval.submit_reject, roles=COMMS_AND_HR),
    FormSpec(FormId.PROPOSE, "propose", proposals.submit_form, fetch=proposals.photos_of_form),
    FormSpec(FormId.DECLINE, "proposals", proposals.decline, roles=COMMS),
)


@dataclass(frozen=True)
class Registry:
    """The declarations above, looked up by what adapters hand over."""

    verbs: tuple[Verb, ...]
    presses: tuple[Press, ...]
    forms: tuple[FormSpec, ...]
    by_word: Mapping[str, Verb] = field(init=False)
    by_name: Mapping[str, Verb] = field(init=False)
    by_action: Mapping[str, Press] = field(init=False)
    by_form: Mapping[str, FormSpec] = field(init=False)

    def __post_init__(self) -> None:
        words: dict[str, Verb] = {}
        for verb in self.verbs:
            for word in verb.words:
                if word in words:
                    raise ValueError(f"the word {word!r} is declared twice")
                words[word] = verb
        object.__setattr__(self, "by_word", words)
        object.__setattr__(self, "by_name", {verb.name: verb for verb in self.verbs})
        object.__setattr__(self, "by_action", {str(p.action): p for p in self.presses})
        object.__setattr__(self, "by_form", {str(f.form_id): f for f in self.forms})
        missing = set(Action) - set(self.by_action)
        if missing:
            raise ValueError(f"buttons without a declaration: {sorted(missing)}")

    def verb(self, name: str) -> Verb:
        return self.by_name[name]


REGISTRY = Registry(VERBS, PRESSES, FORMS)


def parse(text: str) -> Command:
    """The command in ``text`` (an optional leading ``/share``, a word, the rest) under its
    verb's name; an unknown word raises :class:`UserError` ``error.unknown_command``."""
    word, rest = split_command(text)
    verb = REGISTRY.by_word.get(word.lower())
    if verb is None:
        raise UserError("error.unknown_command", word=word[:40])
    return Command(verb.name, rest)


def help_lines(held: frozenset[str]) -> list[str]:
    """The help keys for what someone holding ``held`` may do, each once, in registry order."""
    keys: list[str] = []
    for verb in REGISTRY.verbs:
        if not verb.allows(held):
            continue
        for line in verb.help:
            if _allows(line.roles, held) and line.key not in keys:
                keys.append(line.key)
    return keys


def allowed(name: str, held: frozenset[str]) -> bool:
    """Whether someone holding ``held`` may run the verb ``name`` (for pages that show what a
    command would)."""
    return REGISTRY.verb(name).allows(held)


def leaves_no_trace(action: str) -> bool:
    """Whether pressing ``action`` must leave no trace at all (adapters skip every lookup)."""
    press = REGISTRY.by_action.get(action)
    return press is not None and press.taking_part

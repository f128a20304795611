"""An employee's own choices: on/off, pause, topics, networks, frequency, style, language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.commands.buttons import Action, FormId
from bot.commands.grammar import Command, parse_networks, parse_topics
from bot.commands.when import BadWhen, parse_when
from bot.context import Turn
from bot.delivery.planning import replan_person
from bot.errors import UserError
from bot.i18n import language_for
from bot.policy import LANGUAGES
from bot.sharing.networks import LABELS, NETWORKS
from bot.views import Button, Form, FormField, Notice, Option, Reply
from storage import outbox, people
from storage.states import Participation, Style

STYLES = tuple(Style)
MAX_PAUSE = timedelta(days=366)


async def opt_in(turn: Turn) -> Reply:
    turn.person.participation = Participation.ON
    await replan_person(turn.session, turn.person, turn.policy, turn.now)
    turn.wake = True
    p = turn.policy
    return Reply.of(
        Notice(
            title=turn.t("on.title"),
            lines=(
                turn.t("on.budget", max=p.max_per_week, gap=p.min_gap_hours, window=p.window.text),
                turn.t("on.controls"),
            ),
        )
    )


async def opt_out(turn: Turn) -> Reply:
    """Stop at once and keep only the "no" (PRIVACY.md, "Opting out").

    Every delivery row and the times of recent messages go; the choices that only matter
    for receiving suggestions go back to their defaults. The person row stays with
    ``participation = "off"`` so that the "no" is honoured: never invited again.
    """
    person = turn.person
    person.participation = Participation.OFF
    # What was sent is forgotten with the rows; so that coming back never brings a
    # suggestion a second time, only suggestions that start from now on are planned.
    person.plans_from = turn.now
    person.paused_until = None
    person.topics, person.networks = [], []
    person.max_per_week, person.style = None, Style.EACH
    await people.drop_deliveries(turn.session, turn.person_id)
    t = turn.t
    return Reply.of(Notice(lines=(t("off.done"), t("off.deleted"), t("off.back"))))


async def pause(turn: Turn, command: Command) -> Reply:
    if not command.rest:
        raise UserError("error.pause_missing")
    until = pause_until(turn, command.rest)
    before = turn.person.paused_until
    turn.person.paused_until = until
    # Pausing moves what is queued before its end to after it. A pause that ends no sooner
    # than the one running, with nothing due before its end (nothing queued, or a pause made
    # longer), moves nothing: the queue is not planned again. Nothing becomes due before the
    # pause ends, so the dispatcher is not woken for it either.
    shortened = before is not None and turn.now < before and until < before
    if shortened or await outbox.has_pending(turn.session, turn.person_id, before=until):
        await replan_person(turn.session, turn.person, turn.policy, turn.now)
    lines = [turn.t("pause.done", until=turn.t.day(until))]
    if turn.person.participation != Participation.ON:
        lines.append(turn.t("pause.not_on"))
    return Reply.of(Notice(lines=tuple(lines)))


def pause_until(turn: Turn, text: str) -> datetime:
    try:
        until = parse_when(text, now=turn.now, tz=turn.zone)
    except BadWhen as error:
        raise UserError("error.pause", value=text[:40]) from error
    if until <= turn.now or until - turn.now > MAX_PAUSE:
        raise UserError("error.pause", value=text[:40])
    return until


async def resume(turn: Turn) -> Reply:
    was_paused = bool(turn.person.paused_until and turn.person.paused_until > turn.now)
    turn.person.paused_until = None
    await replan_person(turn.session, turn.person, turn.policy, turn.now)
    turn.wake = True
    return Reply.of(Notice(lines=(turn.t("resume.done" if was_paused else "resume.not_paused"),)))


async def topics(turn: Turn, command: Command) -> Reply:
    chosen = parse_topics(command.rest)
    turn.person.topics = list(chosen)
    await replan_person(turn.session, turn.person, turn.policy, turn.now)
    turn.wake = True
    if chosen:
        return Reply.of(Notice(lines=(turn.t("topics.set", topics=", ".join(chosen)),)))
    return Reply.of(Notice(lines=(turn.t("topics.all"),)))


def settings_form(turn: Turn, errors: Mapping[str, str] | None = None) -> Form:
    """The person's settings as a form; the same fields on every platform."""
    t, person, errors = turn.t, turn.person, errors or {}
    paused = person.paused_until if person.paused_until and person.paused_until > turn.now else None
    frequency = person.max_per_week or turn.policy.max_per_week
    return Form(
        form_id=FormId.SETTINGS,
        title=t("settings.title"),
        intro=t("settings.intro"),
        submit_label=t("settings.save"),
        fields=(
            FormField(
                "participation",
                t("settings.participation"),
                "choice",
                "on" if person.participation == Participation.ON else "off",
                (Option("on", t("settings.on")), Option("off", t("settings.off"))),
            ),
            FormField(
                "paused_until",
                t("settings.paused_until"),
                "date",
                paused.astimezone(turn.zone).date().isoformat() if paused else "",
                hint=t("settings.paused_hint"),
                error=errors.get("paused_until", ""),
            ),
            FormField(
                "max_per_week",
                t("settings.frequency"),
                "choice",
                str(frequency),
                tuple(
                    Option(str(n), t("settings.per_week", n=n))
                    for n in range(1, turn.policy.max_per_week + 1)
                ),
            ),
            FormField(
                "topics",
                t("settings.topics"),
                "text",
                ", ".join(person.topics),
                hint=t("settings.topics_hint"),
                error=errors.get("topics", ""),
            ),
            FormField(
                "networks",
                t("settings.networks"),
                "multichoice",
                ",".join(person.networks),
                tuple(Option(n, LABELS[n]) for n in NETWORKS),
                hint=t("settings.networks_hint"),
            ),
            FormField(
                "style",
                t("settings.style"),
                "choice",
                person.style,
                tuple(Option(s, t(f"settings.style.{s}")) for s in STYLES),
            ),
            FormField(
                "language",
                t("settings.language"),
                "choice",
                person.language or "auto",
                (
                    Option("auto", t("settings.language.auto")),
                    *(Option(lang, t(f"language.{lang}")) for lang in LANGUAGES),
                ),
            ),
        ),
    )


async def save_settings(turn: Turn, values: Mapping[str, str]) -> Reply:
    """Apply the settings form; every field is checked first and nothing changes on an error."""
    errors: dict[str, str] = {}
    person = turn.person
    changes: dict[str, object] = {}
    shown = (
        "on" if person.participation == Participation.ON else "off"
    )  # the form has no "undecided"
    participation = values.get("participation", shown)
    if participation not in ("on", "off"):
        raise UserError("error.form")
    paused_text = values.get("paused_until", "").strip()
    if paused_text:
        try:
            changes["paused_until"] = pause_until(turn, paused_text)
        except UserError as error:
            errors["paused_until"] = turn.t(error.key, **error.params)
    else:
        changes["paused_until"] = None
    try:
        changes["topics"] = list(parse_topics(values.get("topics", "")))
    except UserError as error:
        errors["topics"] = turn.t(error.key, **error.params)
    changes["networks"] = list(parse_networks(values.get("networks", "")))
    changes["max_per_week"] = _frequency(turn, values.get("max_per_week", ""))
    style = values.get("style", person.style)
    language = values.get("language", person.language or "auto")
    if style not in STYLES or language not in ("auto", *LANGUAGES):
        raise UserError("error.form")
    if errors:
        return Reply.of(settings_form(turn, errors))
    changes["style"] = Style(style)
    changes["language"] = None if language == "auto" else language
    for name, value in changes.items():
        setattr(person, name, value)
    if participation != shown:  # an undecided person saving other settings stays undecided
        if participation == "off":
            await opt_out(turn)
        else:
            person.participation = Participation.ON
    await replan_person(turn.session, person, turn.policy, turn.now)
    turn.wake = True
    language = language_for(person.language, person.platform_locale, turn.policy.default_language)
    t = turn.t.rebind(language)  # the answer is in the newly chosen language
    return Reply.of(
        Notice(
            lines=(t("settings.saved"),),
            buttons=(Button(t("settings.open"), Action.OPEN_SETTINGS),),
        )
    )


def _frequency(turn: Turn, text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= turn.policy.max_per_week:
        raise UserError("error.form")
    value = int(text)
    return None if value == turn.policy.max_per_week else value

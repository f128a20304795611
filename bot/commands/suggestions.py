"""Comms work: creating suggestions (inline or with the compose form), listing, ending."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from bot.commands import approval, prefetch, proposals
from bot.commands.buttons import Action, FormId
from bot.commands.grammar import (
    EVERYONE,
    MAX_CAPTION,
    TOPIC,
    Command,
    Draft,
    audience_text,
    check_photos,
    check_url,
    parse_draft,
    parse_id,
    parse_networks,
    photo_lines,
    photo_urls,
    split_captions,
)
from bot.commands.when import BadWhen, parse_when
from bot.context import Context, Peek, Prefetched, Turn
from bot.delivery.audience import stored, target_of
from bot.errors import UserError
from bot.policy import LANGUAGES
from bot.ports import SharedMessage, Target
from bot.sharing.cards import short_url, suggestion_card
from bot.sharing.networks import COPY, LABELS, NETWORKS, offered
from bot.sharing.photos import MAX_PHOTOS, checked
from bot.views import Button, FieldKind, Form, FormField, Notice, Option, Reply
from storage import audit, images, outbox, shares, suggestions
from storage.models import Suggestion
from storage.states import AuditAction, SuggestionState

RECENT = timedelta(days=30)


async def fetch_for_command(ctx: Context, peek: Peek, command: Command) -> Prefetched:
    """``new … --image <url> --to <#channel>``: the photos, fetched and checked, and the
    audience, as the platform names it, before the turn that saves them (a bad command
    fetches nothing; it is refused in the turn)."""
    rest = command.rest
    return await prefetch.photos_and_audience(ctx, peek, photo_urls(rest), audience_text(rest))


async def fetch_for_form(ctx: Context, peek: Peek, values: Mapping[str, str]) -> Prefetched:
    """The compose form's photos (one address per line) and audience."""
    urls = photo_lines(values.get("images", ""))
    return await prefetch.photos_and_audience(ctx, peek, urls, values.get("to", ""))


def build(turn: Turn, draft: Draft) -> Suggestion:
    """Check a draft's options against the clock and make an unsaved suggestion from it."""
    options = draft.options
    starts = _when(turn, options.get("at", "now"), "at")
    expires = (
        _when(turn, options["expires"], "expires", end_of_day=True)
        if "expires" in options
        else None
    )
    if expires is not None and expires <= max(starts, turn.now):
        raise UserError("error.expires_before_start")
    if starts < turn.now - timedelta(minutes=1):
        raise UserError("error.in_past")
    topic = options.get("topic", "").lower() or None
    if topic is not None and not TOPIC.match(topic):
        raise UserError("error.topic", topic=topic[:40])
    language = options.get("lang", turn.t.language).lower()
    if language not in LANGUAGES:
        raise UserError("error.lang", allowed=", ".join(LANGUAGES))
    networks = parse_networks(options.get("networks", ""))
    if not offered(networks, has_photos=bool(draft.photos)):
        raise UserError("error.photo.instagram")
    checked(draft.photos, turn.photos)
    target = _audience(turn, options.get("to", ""))
    return Suggestion(
        audience=stored(target),
        url=draft.url,
        captions=list(draft.captions),
        hashtags=list(draft.hashtags),
        images=[{"url": url} for url in draft.photos],
        page=draft.page,
        networks=list(networks),
        topic=topic,
        language=language,
        starts_at=max(starts, turn.now),
        expires_at=expires,
        created_at=turn.now,
    )


def _audience(turn: Turn, text: str) -> Target | None:
    """The ``--to`` audience the platform named before the turn; None for everyone."""
    text = text.strip()
    if not text or text.lower() in EVERYONE:
        return None
    target = turn.targets.get(text)
    if target is None:
        raise UserError("error.audience", target=text[:60])
    return None if target.everyone else target


def _when(turn: Turn, text: str, option: str, *, end_of_day: bool = False) -> datetime:
    try:
        return parse_when(text, now=turn.now, tz=turn.zone, end_of_day=end_of_day)
    except BadWhen as error:
        raise UserError("error.when", option=f"--{option}", value=text[:40]) from error


async def save(ctx: Context, turn: Turn, suggestion: Suggestion) -> Reply:
    """Store a built suggestion with its photos (fetched before the turn) and its share links."""
    photos = checked([image["url"] for image in suggestion.images], turn.photos)
    waiting = turn.policy.needs_approval
    if waiting:
        suggestion.state = SuggestionState.WAITING
    await suggestions.add(turn.session, suggestion)
    assert suggestion.id is not None
    stored = await images.add_images(
        turn.session, suggestion.id, [(photo.content_type, photo.data) for photo in photos]
    )
    suggestion.images = [
        {"token": token, "url": photo.url, "type": photo.content_type}
        for token, photo in zip(stored, photos, strict=True)
    ]
    networks = offered(suggestion.networks, has_photos=bool(photos))
    tokens = await shares.create_links(turn.session, suggestion.id, [*networks, COPY])
    await audit.record(
        turn.session,
        at=turn.now,
        actor=turn.actor_name,
        action=AuditAction.SUGGESTION_CREATED,
        detail=f"#{suggestion.id} {suggestion.url}",
    )
    turn.wake = True
    t = turn.t
    starts = (
        t("new.starts_now")
        if suggestion.starts_at <= turn.now
        else t("new.starts_at", when=t.when(suggestion.starts_at))
    )
    if waiting:
        await approval.hold(ctx, turn, suggestion)
        starts = t("new.waiting", id=suggestion.id)
    lines = [starts, t("new.who")]
    target = target_of(suggestion)
    if target is not None:
        lines[1] = t("new.who_audience", audience=target.label)
        size = _size(turn, target)
        least = 2 * turn.policy.anonymity_threshold
        if size is not None and size < least:
            lines.append(t("new.audience_small", audience=target.label, min=least))
    preview = suggestion_card(
        suggestion,
        t=t,
        tokens=tokens,
        share_url=ctx.share_url,
        image_url=ctx.image_url,
        person=None,
        variant=0,
        disclosure=turn.policy.disclosure_in(suggestion.language),
        buttons=False,
    )
    return Reply.of(Notice(title=t("new.created", id=suggestion.id), lines=tuple(lines)), preview)


def _size(turn: Turn, target: Target) -> int | None:
    """How many members the platform said the audience had (asked before the turn)."""
    sizes = [t.size for t in turn.targets.values() if t is not None and t.key == target.key]
    return sizes[0] if sizes else None


async def create_inline(ctx: Context, turn: Turn, command: Command) -> Reply:
    if not command.rest:
        return Reply.of(compose_form(turn))
    return await save(ctx, turn, build(turn, parse_draft(command.rest)))


def compose_form(
    turn: Turn,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    *,
    note: str = "",
) -> Form:
    """The compose form, filled with what was typed and each problem next to its field.

    ``note`` follows the intro (where the values came from); a ``proposal`` value (the
    proposal it is made from) is carried along hidden.
    """
    t, values, errors = turn.t, values or {}, errors or {}
    proposal = values.get("proposal", "")
    hidden = {"proposal": proposal} if proposal.isdigit() else {}

    def field(
        name: str,
        kind: FieldKind,
        default: str = "",
        required: bool = False,
        options: tuple[Option, ...] = (),
    ) -> FormField:
        return FormField(
            name,
            t(f"compose.{name}"),
            kind,
            values.get(name, default),
            options,
            hint=t(f"compose.{name}.hint"),
            error=errors.get(name, ""),
            required=required,
        )

    return Form(
        form_id=FormId.COMPOSE,
        title=t("compose.title"),
        intro=" ".join(part for part in (t("compose.intro"), note) if part),
        submit_label=t("compose.submit"),
        required_text=t("form.required"),
        fields=(
            field("url", "text", required=True),
            field("captions", "textarea", required=True),
            field("hashtags", "text"),
            field("images", "textarea"),
            field("networks", "multichoice", options=tuple(Option(n, LABELS[n]) for n in NETWORKS)),
            field("page", "multichoice", options=(Option("on", t("compose.page.on")),)),
            field("topic", "text"),
            field(
                "lang",
                "choice",
                t.language,
                options=tuple(Option(lang, t(f"language.{lang}")) for lang in LANGUAGES),
            ),
            field("at", "text", "now"),
            field("expires", "text"),
            field("to", "text", "everyone"),
        ),
        hidden=hidden,
    )


def compose_from_message(turn: Turn, message: SharedMessage) -> Form:
    """The compose form filled from a chat message: its text as the wording, its first link
    as the link (empty, and said so, when it has none), its photos."""
    text = message.text.strip()
    values = {
        "url": message.link,
        "captions": text if len(text) <= MAX_CAPTION else text[: MAX_CAPTION - 1] + "…",
        "images": "\n".join(message.photos[:MAX_PHOTOS]),
    }
    note = turn.t("compose.from_message" if message.link else "compose.no_link")
    return compose_form(turn, values, note=note)


async def from_proposal(ctx: Context, turn: Turn, action: Action, value: str) -> Reply:
    """*Make it a suggestion*: the compose form filled in from an open proposal; the proposal
    is closed, and its proposer told, once that suggestion is created."""
    proposal = await proposals.open_for_suggestion(turn, value)
    values = {
        "url": proposal.url,
        "captions": proposal.text,
        "images": "\n".join(proposal.images),
        "proposal": str(proposal.id),
    }
    note = turn.t("compose.from_proposal", id=proposal.id)
    return Reply.of(compose_form(turn, values, note=note))


async def submit_compose(ctx: Context, turn: Turn, values: Mapping[str, str]) -> Reply:
    """Create from the compose form, or return the form with every problem next to its field."""
    errors: dict[str, str] = {}
    captions = values.get("captions", "")
    tags = " ".join(
        f"#{tag.lstrip('#')}" for tag in values.get("hashtags", "").replace(",", " ").split()
    )
    options = {
        k: values[k].strip()
        for k in ("at", "expires", "topic", "lang", "networks", "to")
        if values.get(k, "").strip()
    }
    draft: Draft | None = None
    url = values.get("url", "").strip()
    photos: tuple[str, ...] = ()
    try:
        check_url(url)
    except UserError as error:
        errors["url"] = turn.t(error.key, **error.params)
    try:
        photos = check_photos(values.get("images", "").split())
    except UserError as error:
        errors["images"] = turn.t(error.key, **error.params)
    try:
        variants, hashtags = split_captions(f"{captions} {tags}".strip())
        if not errors:
            draft = Draft(
                url=url,
                captions=variants,
                hashtags=hashtags,
                photos=photos,
                page="on" in values.get("page", "").split(","),
            )
    except UserError as error:
        errors["captions"] = turn.t(error.key, **error.params)
    suggestion = None
    if draft is not None:
        try:
            suggestion = build(turn, replace(draft, options=options))
        except UserError as error:
            errors[_field_of(error)] = turn.t(error.key, **error.params)
    if errors or suggestion is None:
        return Reply.of(compose_form(turn, values, errors))
    reply = await save(ctx, turn, suggestion)
    assert suggestion.id is not None
    await proposals.accepted(ctx, turn, values.get("proposal", ""), suggestion.id)
    return reply


def _field_of(error: UserError) -> str:
    option = str(error.params.get("option", "")).lstrip("-")
    if option:
        return option
    if error.key == "error.photo.instagram":
        return "networks"
    if error.key.startswith("error.photo."):
        return "images"
    return {
        "error.topic": "topic",
        "error.lang": "lang",
        "error.network": "networks",
        "error.expires_before_start": "expires",
        "error.in_past": "at",
        "error.audience": "to",
    }.get(error.key, "captions")


async def listing(turn: Turn) -> Reply:
    t = turn.t
    found = await suggestions.listing(turn.session, ended_since=turn.now - RECENT)
    if not found:
        return Reply.of(Notice(title=t("list.title"), lines=(t("list.empty"),)))
    lines: list[str] = []
    buttons: list[Button] = []
    for s in found:
        finish = s.ended_at or s.expires_at
        span = t("list.span", start=t.when(s.starts_at), end=t.when(finish) if finish else "–")
        line = t(
            "list.line",
            id=s.id,
            state=t(f"state.{s.state}"),
            span=span,
            topic=f" · {s.topic}" if s.topic else "",
            url=short_url(s.url),
            caption=s.captions[0][:80],
        )
        if (target := target_of(s)) is not None:
            line += "\n" + t("list.audience", audience=target.label)
        lines.append(line)
        if s.state not in suggestions.FINISHED and len(buttons) < 5:
            buttons.append(
                Button(t("list.end", id=s.id), Action.END_SUGGESTION, str(s.id), "danger")
            )
    return Reply.of(Notice(title=t("list.title"), lines=tuple(lines), buttons=tuple(buttons)))


async def end(ctx: Context, turn: Turn, text: str) -> Reply:
    if not text:
        raise UserError("error.id_missing")
    suggestion_id = parse_id(text)
    suggestion = await suggestions.get(turn.session, suggestion_id)
    if suggestion is None:
        raise UserError("error.no_suggestion", id=suggestion_id)
    if not await suggestions.end(turn.session, suggestion_id, turn.now):
        raise UserError("error.already_ended", id=suggestion_id)
    await outbox.drop_unsent(turn.session, suggestion_id)
    await audit.record(
        turn.session,
        at=turn.now,
        actor=turn.actor_name,
        action=AuditAction.SUGGESTION_ENDED,
        detail=f"#{suggestion_id}",
    )
    turn.wake = True
    turn.forget_wordings = True
    return Reply.of(Notice(lines=(turn.t("end.done", id=suggestion_id),)))


def compose_preview(turn: Turn, values: Mapping[str, str]) -> Form:
    """The compose form as typed so far, with the card it would make; nothing is saved.

    Share buttons lead to the link itself here: the counted links exist only once it is saved.
    """
    form = compose_form(turn, values)
    url = values.get("url", "").strip()
    tags = " ".join(
        f"#{tag.lstrip('#')}" for tag in values.get("hashtags", "").replace(",", " ").split()
    )
    try:
        check_url(url)
        captions, hashtags = split_captions(f"{values.get('captions', '')} {tags}".strip())
        networks = list(parse_networks(values.get("networks", "")))
    except UserError:
        return form
    draft = Suggestion(
        id=0,
        url=url,
        captions=list(captions),
        hashtags=list(hashtags),
        images=[{"url": photo} for photo in photo_lines(values.get("images", ""))],
        networks=networks,
        language=values["lang"] if values.get("lang") in LANGUAGES else turn.t.language,
        starts_at=turn.now,
        created_at=turn.now,
    )
    card = suggestion_card(
        draft,
        t=turn.t,
        tokens={n: n for n in offered(networks, has_photos=bool(draft.images))},
        share_url=lambda _: url,
        image_url=lambda _: "",
        person=None,
        variant=0,
        disclosure=turn.policy.disclosure_in(draft.language),
        buttons=False,
    )
    return replace(form, preview=replace(card, suggestion_id=0))

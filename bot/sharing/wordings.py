"""Copy text and another wording: a caption answered to the person alone, leaving no trace."""

from __future__ import annotations

from bot.commands.buttons import Action
from bot.context import Context, Turn
from bot.errors import UserError
from bot.i18n import Texts
from bot.policy import LANGUAGES, policy_from
from bot.sharing.cards import button_value, variant_of
from bot.sharing.known import Wordings
from bot.sharing.networks import COPY, copy_text
from bot.views import Button, Notice, Reply
from storage import policy as stored_policy
from storage import shares
from storage import suggestions as stored_suggestions
from storage.states import SuggestionState


async def copy_or_next(ctx: Context, turn: Turn, action: Action, value: str) -> Reply:
    """The caption to copy (``COPY``), or the next wording (``ANOTHER``), as a private answer.

    ``value`` is ``<suggestion id>:<variant shown>``; copying counts once on the suggestion's
    anonymous copy counter, which names no person.
    """
    sid_text, variant_text, *_ = [*value.split(":"), ""]
    if not sid_text.isdigit() or not variant_text.isdigit():
        raise UserError("error.button")
    suggestion = await stored_suggestions.get(turn.session, int(sid_text))
    if suggestion is None or suggestion.state == SuggestionState.ENDED:
        raise UserError("error.suggestion_gone")
    step = 1 if action is Action.ANOTHER else 0
    position, caption = variant_of(suggestion, int(variant_text) + step)
    text = copy_text(
        url=suggestion.url,
        caption=caption,
        hashtags=suggestion.hashtags,
        disclosure=turn.policy.disclosure_in(suggestion.language),
    )
    if action is Action.COPY:
        token = (await shares.links_for(turn.session, int(sid_text))).get(COPY)
        if token:
            ctx.clicks.count(token)
    return _answer(turn.t, action, int(sid_text), position, text, len(suggestion.captions))


def _answer(t: Texts, action: Action, sid: int, position: int, text: str, count: int) -> Reply:
    step = action is Action.ANOTHER
    buttons = (
        (Button(t("card.another"), Action.ANOTHER, button_value(sid, position, t.language)),)
        if step and count > 1
        else ()
    )
    title = t("card.copy_title" if not step else "card.another_title")
    return Reply.of(Notice(title=title, lines=(f"```{text}```",), buttons=buttons))


async def from_memory(ctx: Context, action: Action, value: str) -> Reply | None:
    """Copy text or another wording answered from :class:`~bot.sharing.known.KnownWordings`:
    no transaction, nothing read or written about the person. None when the value does not
    carry the card's language (a card sent before it did) or the suggestion's end has passed
    by the clock (the dispatcher may not have ended it yet): then the press takes a turn.
    """
    sid_text, variant_text, language, *_ = [*value.split(":"), "", ""]
    if not (sid_text.isdigit() and variant_text.isdigit() and language in LANGUAGES):
        return None
    sid = int(sid_text)
    wordings = ctx.wordings.get(sid)
    if wordings is None:
        read_at = ctx.wordings.clock()
        wordings = await _read(ctx, sid)
        ctx.wordings.remember(sid, wordings, read_at)
    if wordings.expires_at is not None and wordings.expires_at <= ctx.clock.now():
        return None
    t = ctx.catalogue.bind(language, address=wordings.address)
    if wordings.ended:
        return Reply.of(Notice(lines=(t("error.suggestion_gone"),)))
    step = 1 if action is Action.ANOTHER else 0
    position = (int(variant_text) + step) % max(len(wordings.captions), 1)
    text = copy_text(
        url=wordings.url,
        caption=wordings.captions[position] if wordings.captions else "",
        hashtags=wordings.hashtags,
        disclosure=wordings.disclosure,
    )
    if action is Action.COPY and wordings.copy_token:
        ctx.clicks.count(wordings.copy_token)
    return _answer(t, action, sid, position, text, len(wordings.captions))


async def _read(ctx: Context, sid: int) -> Wordings:
    """The suggestion as copy text needs it. A write transaction, though it only reads: on
    SQLite it then takes its turn with the one that ends the suggestion, so it reads the
    state before that one began or after it committed (once per ``FRESH_SECONDS``)."""
    async with ctx.database.transaction() as session:
        suggestion = await stored_suggestions.get(session, sid)
        policy = policy_from(await stored_policy.load(session))
        if suggestion is None or suggestion.state == SuggestionState.ENDED:
            return Wordings(ended=True, address=policy.german_address)
        token = (await shares.links_for(session, sid)).get(COPY)
    return Wordings(
        ended=False,
        address=policy.german_address,
        url=suggestion.url,
        captions=tuple(suggestion.captions),
        hashtags=tuple(suggestion.hashtags),
        disclosure=policy.disclosure_in(suggestion.language),
        copy_token=token,
        expires_at=suggestion.expires_at,
    )

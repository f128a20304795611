"""Copy text and another wording: a caption answered to the person alone, leaving no trace."""

from __future__ import annotations

from bot.commands.buttons import Action
from bot.context import Context, Turn
from bot.errors import UserError
from bot.sharing.cards import variant_of
from bot.sharing.networks import COPY, copy_text
from bot.views import Button, Notice, Reply
from storage import shares
from storage import suggestions as stored_suggestions
from storage.states import SuggestionState


async def copy_or_next(ctx: Context, turn: Turn, action: Action, value: str) -> Reply:
    """The caption to copy (``COPY``), or the next wording (``ANOTHER``), as a private answer.

    ``value`` is ``<suggestion id>:<variant shown>``; copying counts once on the suggestion's
    anonymous copy counter, which names no person.
    """
    sid_text, _, variant_text = value.partition(":")
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
    buttons = (
        (Button(turn.t("card.another"), Action.ANOTHER, f"{sid_text}:{position}"),)
        if step and len(suggestion.captions) > 1
        else ()
    )
    title = turn.t("card.copy_title" if not step else "card.another_title")
    return Reply.of(Notice(title=title, lines=(f"```{text}```",), buttons=buttons))

"""Builds the suggestion card one person sees: their caption variant and their networks."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlsplit

from bot.commands.buttons import Action
from bot.i18n import Texts
from bot.sharing.networks import COPY, LABELS, offered, with_disclosure
from bot.views import Button, CardImage, Digest, ShareButton, SuggestionCard
from storage.models import Person, Suggestion
from storage.people import Contact
from storage.states import SuggestionState

ShareUrl = Callable[[str], str]


def variant_of(suggestion: Suggestion, index: int) -> tuple[int, str]:
    """The caption variant at ``index``, wrapping around."""
    position = index % max(len(suggestion.captions), 1)
    return position, suggestion.captions[position]


def button_value(suggestion_id: int, position: int, language: str) -> str:
    """What a card's buttons carry: ``<suggestion id>:<wording shown>:<card's language>``,
    enough to answer copy text without reading anything about the person."""
    return f"{suggestion_id}:{position}:{language}"


def networks_for(suggestion: Suggestion, person: Person | Contact | None) -> list[str]:
    """The suggestion's networks, narrowed to the person's choice when they made one."""
    offers = offered(suggestion.networks, has_photos=bool(suggestion.images))
    if person is not None and person.networks:
        chosen = [n for n in offers if n in person.networks]
        return chosen or offers
    return offers


def suggestion_card(
    suggestion: Suggestion,
    *,
    t: Texts,
    tokens: Mapping[str, str],
    share_url: ShareUrl,
    image_url: ShareUrl,
    person: Person | Contact | None,
    variant: int,
    disclosure: str,
    buttons: bool = True,
) -> SuggestionCard:
    """The card for one recipient. Its share links are the same for everyone; every wording on
    it carries ``disclosure``, the policy's line for the suggestion's language (may be "")."""
    assert suggestion.id is not None
    position, caption = variant_of(suggestion, variant)
    value = button_value(suggestion.id, position, t.language)
    ended = suggestion.state == SuggestionState.ENDED
    shares = tuple(
        ShareButton(network=n, label=LABELS[n], url=share_url(tokens[n]))
        for n in networks_for(suggestion, person)
        if n in tokens
    )
    actions: tuple[Button, ...] = ()
    if buttons:
        actions = (
            Button(t("card.copy"), Action.COPY, value),
            *(
                (Button(t("card.another"), Action.ANOTHER, value),)
                if len(suggestion.captions) > 1
                else ()
            ),
            Button(t("card.pause"), Action.PAUSE, value),
            Button(t("card.stop"), Action.STOP, value, style="danger"),
        )
    expiry = t("card.until", when=t.when(suggestion.expires_at)) if suggestion.expires_at else ""
    return SuggestionCard(
        suggestion_id=suggestion.id,
        intro=t("card.intro"),
        caption=with_disclosure(caption, disclosure),
        url=suggestion.url,
        hashtags=tuple(suggestion.hashtags),
        share_buttons=shares,
        buttons=actions,
        footer=" ".join(part for part in (t("card.footer"), expiry) if part),
        ended=ended,
        ended_text=t("card.ended") if ended else "",
        copy_url=share_url(tokens[COPY]) if COPY in tokens else "",
        other_captions=tuple(
            with_disclosure(c, disclosure)
            for i, c in enumerate(suggestion.captions)
            if i != position
        ),
        images=tuple(
            CardImage(
                url=image_url(image["token"]) if "token" in image else image["url"],
                source=image["url"],
                alt=caption,
            )
            for image in suggestion.images
        ),
    )


def digest(cards: Sequence[SuggestionCard], *, t: Texts) -> Digest:
    return Digest(
        title=t("digest.title"), intro=t("digest.intro", count=len(cards)), cards=tuple(cards)
    )


def short_url(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path if len(parts.path) <= 30 else parts.path[:29] + "…"
    return f"{parts.netloc}{path}"

"""The share redirect and the share page: a token names a suggestion and a network, not a person."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.context import Context
from bot.i18n import Texts
from bot.policy import Policy, policy_from
from bot.sharing.networks import (
    COPY,
    INSTAGRAM,
    INSTAGRAM_APP,
    LABELS,
    NETWORKS,
    campaign_link,
    copy_text,
    offered,
    share_target,
)
from bot.sharing.photos import photo_name
from bot.views import PageNetwork, PagePhoto, SharePage
from storage import images, shares, suggestions
from storage import policy as stored_policy
from storage.models import Suggestion, SuggestionImage

PAGE_LABELS = ("copy", "copied", "download", "share_photo", "phone", "networks", "texts")


@dataclass(frozen=True)
class Redirect:
    """Straight on to a network's own composer."""

    url: str


async def follow(
    ctx: Context,
    token: str,
    *,
    language: str = "en",
    counted: bool = True,
    rng: random.Random | None = None,
) -> Redirect | SharePage | None:
    """Resolve a share token: the network's composer, or the share page; None if unknown.

    A counted visit (``/s/{token}``) adds one anonymous click, in memory, flushed in batches;
    the QR code's ``/p/{token}`` shows the same page without counting the same intent twice.
    Networks that take text get one caption variant picked at random, so the link stays the
    same for every recipient. Clicks after a suggestion ended are not counted: its figures
    must not change once they may be released.
    """
    if len(token) > 32:
        return None
    async with ctx.database.transaction() as session:
        link = await shares.by_token(session, token)
        suggestion = await suggestions.get(session, link.suggestion_id) if link else None
        policy = policy_from(await stored_policy.load(session))
    if link is None or suggestion is None:
        return None
    if counted and suggestion.state not in suggestions.FINISHED:
        ctx.clicks.count(token)
    caption = (rng or random.SystemRandom()).choice(suggestion.captions)
    composer = link.network in NETWORKS and link.network != INSTAGRAM
    if counted and composer and not suggestion.page:
        return Redirect(_target(link.network, suggestion, caption, policy))
    t = ctx.catalogue.bind(language, address=policy.german_address)
    return share_page(ctx, t, suggestion, policy, focus=link.network, token=token, caption=caption)


def share_page(
    ctx: Context,
    t: Texts,
    suggestion: Suggestion,
    policy: Policy,
    *,
    focus: str,
    token: str,
    caption: str,
) -> SharePage:
    """Photos to save, every wording to copy and the network buttons, on one phone-sized page.

    On Instagram's page the one button is Instagram's; with ``--page`` (and on the copy
    page of such a suggestion) every offered network is there, the chosen one first.
    """
    assert suggestion.id is not None
    networks = offered(suggestion.networks, has_photos=bool(suggestion.images))
    if not suggestion.page:
        networks = [n for n in networks if n == focus]
    networks.sort(key=lambda n: n != focus)
    link = _link(focus, suggestion, policy) if focus in NETWORKS else suggestion.url
    alt = suggestion.captions[0]
    return SharePage(
        language=t.language,
        title=t("page.title.instagram" if networks == [INSTAGRAM] else "page.title"),
        intro=t("page.intro.photos" if suggestion.images else "page.intro"),
        photos=tuple(
            PagePhoto(
                url=ctx.image_url(image["token"]),
                download_url=ctx.image_url(image["token"]) + "?download",
                alt=alt,
                file_name=photo_name(suggestion.id, number, image.get("type", "")),
            )
            for number, image in enumerate(suggestion.images, start=1)
        ),
        texts=tuple(
            copy_text(
                url=link,
                caption=c,
                hashtags=suggestion.hashtags,
                disclosure=policy.disclosure_in(suggestion.language),
            )
            for c in suggestion.captions
        ),
        networks=tuple(
            PageNetwork(
                network=n,
                label=t("page.open", network=LABELS[n]),
                url=_target(n, suggestion, caption, policy),
                app_url=INSTAGRAM_APP if n == INSTAGRAM else "",
            )
            for n in networks
        ),
        here_url=ctx.page_url(token),
        labels={name: t(f"page.{name}") for name in PAGE_LABELS},
        ended_text=t("page.ended") if suggestion.state == "ended" else "",
    )


def _link(network: str, suggestion: Suggestion, policy: Policy) -> str:
    """The suggestion's link, tagged for the network when the policy says ``utm on``."""
    assert suggestion.id is not None
    if policy.utm != "on" or network == COPY:
        return suggestion.url
    return campaign_link(suggestion.url, network=network, suggestion_id=suggestion.id)


def _target(network: str, suggestion: Suggestion, caption: str, policy: Policy) -> str:
    return share_target(
        network,
        url=_link(network, suggestion, policy),
        caption=caption,
        hashtags=suggestion.hashtags,
        disclosure=policy.disclosure_in(suggestion.language),
    )


async def photo_of(
    ctx: Context, token: str, *, download: bool = False
) -> tuple[SuggestionImage, str] | None:
    """A stored photo and, for a download, the name it is saved under (else ""); None when the
    token is unknown. Showing a photo, which every opened card does, is one primary-key read."""
    if len(token) > 32:
        return None
    async with ctx.database.transaction() as session:
        image = await images.by_token(session, token)
        if image is None or not download:
            return None if image is None else (image, "")
        suggestion = await suggestions.get(session, image.suggestion_id)
    assert suggestion is not None and suggestion.id is not None  # the image cascades with it
    tokens = [stored.get("token") for stored in suggestion.images]
    number = tokens.index(token) + 1 if token in tokens else 1
    return image, photo_name(suggestion.id, number, image.content_type)

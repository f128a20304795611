"""Where the share buttons lead: each network's own composer, prefilled where it allows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

NETWORKS = ("linkedin", "xing", "instagram", "x", "facebook", "bluesky", "whatsapp")
LABELS = {
    "linkedin": "LinkedIn",
    "xing": "XING",
    "instagram": "Instagram",
    "x": "X",
    "facebook": "Facebook",
    "bluesky": "Bluesky",
    "whatsapp": "WhatsApp",
}
# Instagram has no web share link: its button leads to the share page (photo and caption to
# take along) and from there into the app. It takes photos only, so it needs one.
INSTAGRAM = "instagram"
INSTAGRAM_WEB = "https://www.instagram.com/"
INSTAGRAM_APP = "instagram://camera"
# The pseudo-network of the "copy text" page and button: counted like the others.
COPY = "copy"
UTM_MEDIUM = "employee-share"


def offered(networks: Sequence[str], *, has_photos: bool) -> list[str]:
    """A suggestion's networks in display order (empty = all); Instagram only with a photo."""
    return [
        n for n in NETWORKS if (not networks or n in networks) and (n != INSTAGRAM or has_photos)
    ]


def campaign_link(url: str, *, network: str, suggestion_id: int) -> str:
    """The link with ``utm_*`` parameters naming the network and the suggestion, never a person.

    The link's own query is kept as it was written; a ``utm_*`` key it already has wins.
    """
    parts = urlsplit(url)
    present = {key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    tags = {
        "utm_source": network,
        "utm_medium": UTM_MEDIUM,
        "utm_campaign": f"sharebot-{suggestion_id}",
    }
    added = urlencode({key: value for key, value in tags.items() if key not in present})
    if not added:
        return url
    query = f"{parts.query}&{added}" if parts.query else added
    return parts._replace(path=parts.path or "/", query=query).geturl()


def missing_tags(caption: str, hashtags: Sequence[str]) -> list[str]:
    """The hashtags the caption does not already contain as whole tags."""
    return [
        tag
        for tag in hashtags
        if not re.search(rf"#{re.escape(tag)}(?![\w-])", caption, re.IGNORECASE)
    ]


def with_disclosure(caption: str, disclosure: str) -> str:
    """A wording as people share it: the policy's disclosure line after the caption ("I work
    at ACME."), before hashtags and link, unless the caption says it already."""
    if not disclosure or disclosure.casefold() in caption.casefold():
        return caption
    return f"{caption}\n\n{disclosure}"


def share_target(
    network: str, *, url: str, caption: str, hashtags: Sequence[str], disclosure: str = ""
) -> str:
    """The network's share page for this link; only X, Bluesky and WhatsApp take text, and
    that text carries the disclosure line.

    Instagram has none: its button on the share page opens the app (or the website).
    """
    caption = with_disclosure(caption, disclosure)
    tags = missing_tags(caption, hashtags)
    tagged = " ".join([caption, *(f"#{tag}" for tag in tags)]).strip()
    if network == "linkedin":
        return "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url})
    if network == "xing":
        return "https://www.xing.com/spi/shares/new?" + urlencode({"url": url})
    if network == "facebook":
        return "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})
    if network == "x":
        query = {"text": caption, "url": url}
        if tags:
            query["hashtags"] = ",".join(tags)
        return "https://twitter.com/intent/tweet?" + urlencode(query)
    if network == "bluesky":
        return "https://bsky.app/intent/compose?text=" + quote(f"{tagged} {url}")
    if network == "whatsapp":
        return "https://wa.me/?text=" + quote(f"{tagged} {url}")
    if network == INSTAGRAM:
        return INSTAGRAM_WEB
    raise ValueError(f"unknown network {network!r}")


def copy_text(*, url: str, caption: str, hashtags: Sequence[str], disclosure: str = "") -> str:
    """The text a person pastes into a composer that takes no prefilled text."""
    caption = with_disclosure(caption, disclosure)
    tags = " ".join(f"#{tag}" for tag in missing_tags(caption, hashtags))
    return "\n\n".join(part for part in (caption, tags, url) if part)

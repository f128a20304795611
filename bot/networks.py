"""Where the share buttons lead: each network's own composer, prefilled where it allows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote, urlencode

NETWORKS = ("linkedin", "xing", "x", "facebook", "bluesky", "whatsapp")
LABELS = {
    "linkedin": "LinkedIn",
    "xing": "XING",
    "x": "X",
    "facebook": "Facebook",
    "bluesky": "Bluesky",
    "whatsapp": "WhatsApp",
}
TAKES_TEXT = frozenset({"x", "bluesky", "whatsapp"})
# The pseudo-network of the "copy text" page and button: counted like the others.
COPY = "copy"


def missing_tags(caption: str, hashtags: Sequence[str]) -> list[str]:
    """The hashtags the caption does not already contain as whole tags."""
    return [
        tag
        for tag in hashtags
        if not re.search(rf"#{re.escape(tag)}(?![\w-])", caption, re.IGNORECASE)
    ]


def share_target(network: str, *, url: str, caption: str, hashtags: Sequence[str]) -> str:
    """The network's share page for this link; only X, Bluesky and WhatsApp take text."""
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
    raise ValueError(f"unknown network {network!r}")


def copy_text(*, url: str, caption: str, hashtags: Sequence[str]) -> str:
    """The text a person pastes into a composer that takes no prefilled text."""
    tags = " ".join(f"#{tag}" for tag in missing_tags(caption, hashtags))
    return "\n\n".join(part for part in (caption, tags, url) if part)

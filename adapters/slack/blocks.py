"""Core view models to Block Kit blocks for messages; pure functions that respect Slack's limits."""

from __future__ import annotations

from typing import Any

from bot.views import (
    Button,
    CardImage,
    DataExport,
    Digest,
    Form,
    Notice,
    SuggestionCard,
    View,
    plain_text,
)

Block = dict[str, Any]

# Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks).
MESSAGE_BLOCKS = 50
SECTION_TEXT = 3000
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
URL_LENGTH = 3000
LINK_TARGET = 2000
ACTIONS_ELEMENTS = 25
FALLBACK_TEXT = 3000
CODE_CHUNK = SECTION_TEXT - 10
IMAGE_URL = 3000
ALT_TEXT = 2000
# A digest shows each card's first photo only: 2 + 6 cards x 8 blocks is exactly 50, so a
# digest holds as many full cards with a photo each as it did without photos.
DIGEST_IMAGES = 1

# Interactive elements: ``do|<core action>|<n>`` presses a core button, ``say|<command>`` runs a
# command, ``share|<network>`` is a URL button (Slack tells us of the click; we only ack it).
PRESS, SAY, SHARE = "do", "say", "share"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, never inside a ``&…;`` entity."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&", max(0, len(cut) - 6))
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def escape(text: str) -> str:
    """Slack's three control characters; everything else (``*bold*``, ``code``) stays."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text.strip() or "–", limit), "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(escape(text.strip()) or "–", limit)}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, HEADER_TEXT)}


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text, 2000)]}


def sections(lines: tuple[str, ...] | list[str]) -> list[Block]:
    """Lines joined into as few sections as the text limit allows."""
    blocks: list[Block] = []
    chunk = ""
    for line in (line for line in lines if line.strip()):
        candidate = f"{chunk}\n{line}" if chunk else line
        if chunk and len(escape(candidate)) > SECTION_TEXT:
            blocks.append(section(chunk))
            candidate = line
        chunk = candidate
    if chunk:
        blocks.append(section(chunk))
    return blocks


def button(item: Button, index: int) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(item.label, BUTTON_TEXT)}
    if item.url:
        element["url"] = item.url[:URL_LENGTH]
        element["action_id"] = f"{SHARE}|link|{index}"
    elif item.says is not None:
        element["action_id"] = f"{SAY}|{index}"
        element["value"] = item.says[:BUTTON_VALUE]
    else:
        element["action_id"] = f"{PRESS}|{item.action}|{index}"
        element["value"] = item.value[:BUTTON_VALUE] or "-"
    if item.style != "default":
        element["style"] = item.style
    return element


def actions(items: tuple[Button, ...], block_id: str | None = None) -> list[Block]:
    if not items:
        return []
    block: Block = {
        "type": "actions",
        "elements": [button(b, i) for i, b in enumerate(items[:ACTIONS_ELEMENTS])],
    }
    if block_id:
        block["block_id"] = block_id
    return [block]


def notice_blocks(view: Notice) -> list[Block]:
    top = [header(view.title)] if view.title else []
    return [*top, *sections(view.lines), *actions(view.buttons)]


def card_blocks(card: SuggestionCard, *, images: int | None = None) -> list[Block]:
    """The suggestion card: intro, caption, photos, link and hashtags, share links, controls,
    footer. ``images`` caps how many photos are shown (all of them by default)."""
    hashtags = " ".join(f"#{tag}" for tag in card.hashtags)
    target = escape(card.url).replace("|", "%7C")[:LINK_TARGET]
    link = f"<{target}|{clip(escape(card.url).replace('|', '¦'), 200)}>"
    tags = clip(escape(hashtags), SECTION_TEXT - len(link) - 1)
    blocks: list[Block] = [
        section(card.intro),
        {"type": "section", "text": _quote(card.caption)},
        *image_blocks(card.images)[:images],
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{link}\n{tags}".strip()}},
    ]
    if card.ended:
        blocks.append(context(card.ended_text))
        return blocks
    if card.share_buttons:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"share-{card.suggestion_id}",
                "elements": [
                    {
                        "type": "button",
                        "action_id": f"{SHARE}|{share.network}",
                        "text": plain(share.label, BUTTON_TEXT),
                        "url": share.url[:URL_LENGTH],
                    }
                    for share in card.share_buttons[:ACTIONS_ELEMENTS]
                ],
            }
        )
    blocks += actions(card.buttons, f"card-{card.suggestion_id}")
    if card.footer:
        blocks.append(context(card.footer))
    return blocks


def image_blocks(images: tuple[CardImage, ...]) -> list[Block]:
    """Photos as ``image`` blocks from the address comms gave: Slack fetches and proxies images
    on its own servers (no person's client asks the host), and it may not reach Sharebot's own
    public URL at all (Socket Mode). An address too long for Slack is left out."""
    return [
        {
            "type": "image",
            "image_url": image.source,
            "alt_text": clip(image.alt.strip() or "–", ALT_TEXT),
        }
        for image in images
        if len(image.source) <= IMAGE_URL
    ]


def _quote(text: str) -> dict[str, Any]:
    quoted = ">" + escape(text.strip() or "–").replace("\n", "\n>")
    return {"type": "mrkdwn", "text": clip(quoted, SECTION_TEXT)}


def digest_blocks(view: Digest) -> list[Block]:
    blocks: list[Block] = [header(view.title), section(view.intro)]
    for card in view.cards:
        more = [{"type": "divider"}, *card_blocks(card, images=DIGEST_IMAGES)]
        if len(blocks) + len(more) > MESSAGE_BLOCKS:
            break
        blocks += more
    return blocks


def export_blocks(view: DataExport) -> list[Block]:
    """The person's data as JSON in code blocks (Slack has no download without a file scope)."""
    blocks = [header(view.title), *sections(view.lines)]
    text = view.content
    room = MESSAGE_BLOCKS - len(blocks)
    chunks = [text[i : i + CODE_CHUNK] for i in range(0, len(text), CODE_CHUNK)] or ["{}"]
    for chunk in chunks[:room]:
        # Escaped first, then fenced: the fence itself must stay literal.
        body = clip(escape(chunk), SECTION_TEXT - 6)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"```{body}```"}})
    return blocks


def form_summary_blocks(view: Form) -> list[Block]:
    """A form as read-only lines (``label: value``), for places that cannot hold inputs."""
    lines = [
        f"*{field.label}*: {_shown(field.value, field.options) or '–'}" for field in view.fields
    ]
    return [header(view.title), *sections(lines)]


def _shown(value: str, options: tuple[Any, ...]) -> str:
    if not options:
        return value
    labels = {option.value: option.label for option in options}
    return ", ".join(labels.get(part, part) for part in value.split(",") if part)


def view_blocks(view: View) -> list[Block]:
    """Any view as message blocks."""
    if isinstance(view, Notice):
        blocks = notice_blocks(view)
    elif isinstance(view, SuggestionCard):
        blocks = card_blocks(view)
    elif isinstance(view, Digest):
        blocks = digest_blocks(view)
    elif isinstance(view, DataExport):
        blocks = export_blocks(view)
    else:
        blocks = form_summary_blocks(view)
    return blocks[:MESSAGE_BLOCKS] or [section("–")]


def message(views: tuple[View, ...] | list[View]) -> dict[str, Any]:
    """``text`` (notification fallback) and ``blocks`` for chat.postMessage and friends."""
    blocks: list[Block] = []
    for view in views:
        blocks += view_blocks(view)
    # mrkdwn like the blocks: the core's marks are Slack's, but "<link>" would be read as a link.
    text = escape("\n".join(plain_text(view) for view in views))
    return {"text": clip(text, FALLBACK_TEXT) or "Sharebot", "blocks": blocks[:MESSAGE_BLOCKS]}

"""The ``/share …`` grammar, shared by every adapter: text in, a parsed command out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.errors import UserError
from bot.sharing.networks import NETWORKS
from bot.sharing.photos import MAX_PHOTOS

MAX_TEXT = 4000
MAX_CAPTION = 1000
MAX_VARIANTS = 10

_PREFIX = re.compile(r"^\s*/?(share|sharebot)\b\s*", re.IGNORECASE)
_OPTION = re.compile(r"(?:^|\s)--(?P<name>[a-z]+)", re.IGNORECASE)
_VALUE = re.compile(r"\s+(?P<value>(?!--)\S+)")
_OPTIONS = {"at", "expires", "topic", "lang", "networks", "image", "to"}
_FLAGS = {"page"}
_HASHTAG = re.compile(r"(?<![\w&])#(\w[\w-]{0,99})", re.UNICODE)
_TRAILING_TAGS = re.compile(r"(?:\s+#\w[\w-]*)+\s*$", re.UNICODE)
_VARIANT_SEPARATOR = re.compile(r"\s\|\|\s")
TOPIC = re.compile(r"^[\w-]{1,40}$", re.UNICODE)
# ``--to`` words for everyone opted in (the default)
EVERYONE = frozenset({"everyone", "alle", "all", "@everyone"})


@dataclass(frozen=True)
class Command:
    """A parsed command: the canonical verb and the rest of the text, still unparsed."""

    verb: str
    rest: str = ""

    @property
    def words(self) -> list[str]:
        return self.rest.split()


@dataclass(frozen=True)
class Draft:
    """The parts of ``new <url> <caption> [--options]`` before they are checked against time."""

    url: str
    captions: tuple[str, ...]
    hashtags: tuple[str, ...]
    options: dict[str, str] = field(default_factory=dict)
    photos: tuple[str, ...] = ()
    page: bool = False


def split_command(text: str) -> tuple[str, str]:
    """The command's word and the rest, without an optional leading ``/share``; which verb the
    word names is the registry's to say (:func:`bot.commands.registry.parse`)."""
    if len(text) > MAX_TEXT:
        raise UserError("error.too_long", limit=MAX_TEXT)
    body = _PREFIX.sub("", text.strip(), count=1)
    word, _, rest = body.replace("\t", " ").replace("\n", " ", 1).partition(" ")
    return word, rest.strip()


@dataclass(frozen=True)
class ProposalDraft:
    """The parts of ``propose <url> <text> [--image <url>]``."""

    url: str
    text: str
    photos: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Parts:
    body: str
    options: dict[str, str]
    photos: list[str]
    flags: set[str]


def _parts(rest: str, *, options: set[str], flags: set[str] | None = None) -> _Parts:
    """The text without its ``--options``, the options' values, the photos (``--image`` may
    come several times) and the flags that take no value."""
    found: dict[str, str] = {}
    photos: list[str] = []
    raised: set[str] = set()
    body: list[str] = []
    position = 0
    while match := _OPTION.search(rest, position):
        body.append(rest[position : match.start()])
        name, position = match["name"].lower(), match.end()
        if flags and name in flags:
            raised.add(name)
            continue
        if name not in options:
            raise UserError("error.unknown_option", option=f"--{name}")
        value = _VALUE.match(rest, position)
        if value is None:
            raise UserError("error.option_value", option=f"--{name}")
        position = value.end()
        if name == "image":
            photos.append(value["value"])
        else:
            found[name] = value["value"]
    body.append(rest[position:])
    return _Parts("".join(body).strip(), found, photos, raised)


def parse_draft(rest: str) -> Draft:
    """Parse the arguments of ``new``: a URL, captions separated by `` || ``, and options.

    ``--image <url>`` may be given several times; ``--page`` takes no value.
    """
    parts = _parts(rest, options=_OPTIONS, flags=_FLAGS)
    url, _, caption_text = parts.body.partition(" ")
    check_url(url)
    captions, hashtags = split_captions(caption_text)
    return Draft(
        url=url,
        captions=captions,
        hashtags=hashtags,
        options=parts.options,
        photos=check_photos(parts.photos),
        page="page" in parts.flags,
    )


def parse_proposal(rest: str) -> ProposalDraft:
    """Parse the arguments of ``propose``: a URL, free text, and ``--image <url>`` photos."""
    parts = _parts(rest, options={"image"})
    url, _, text = parts.body.partition(" ")
    return proposal_draft(url, text, parts.photos)


def proposal_draft(url: str, text: str, photos: list[str]) -> ProposalDraft:
    """A proposal's parts, checked: a web address, some text, photo addresses."""
    check_url(url)
    text = text.strip()
    if not text:
        raise UserError("error.proposal_text")
    if len(text) > MAX_CAPTION:
        raise UserError("error.caption_long", limit=MAX_CAPTION)
    return ProposalDraft(url=url, text=text, photos=check_photos(photos))


def photo_urls(rest: str) -> list[str]:
    """The photo addresses of a ``new`` command, to fetch before it runs (none if it is bad)."""
    try:
        return list(parse_draft(rest).photos)
    except UserError:
        return []


def audience_text(rest: str) -> str:
    """The ``--to`` of a ``new`` command, to ask the platform about before it runs."""
    try:
        return parse_draft(rest).options.get("to", "")
    except UserError:
        return ""


def proposal_photo_urls(rest: str) -> list[str]:
    """The photo addresses of a ``propose`` command, to fetch before it runs."""
    try:
        return list(parse_proposal(rest).photos)
    except UserError:
        return []


def photo_lines(text: str) -> list[str]:
    """The photo addresses of the compose form: one per line (or separated by spaces)."""
    try:
        return list(check_photos(text.split()))
    except UserError:
        return []


def check_photos(urls: list[str]) -> tuple[str, ...]:
    """Photo addresses without repeats: web addresses, at most :data:`MAX_PHOTOS`."""
    unique = tuple(dict.fromkeys(urls))
    for url in unique:
        check_url(url)
    if len(unique) > MAX_PHOTOS:
        raise UserError("error.photo.too_many", limit=MAX_PHOTOS)
    return unique


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        raise UserError("error.url", url=url[:80])


def split_captions(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Caption variants (split on `` || ``) and the hashtags found in them, without duplicates.

    Hashtags at the end of a caption move to the hashtag list; ones inside a sentence stay.
    """
    variants = [part.strip() for part in _VARIANT_SEPARATOR.split(f" {text} ")]
    variants = [part for part in variants if part]
    if not variants:
        raise UserError("error.caption_missing")
    if len(variants) > MAX_VARIANTS:
        raise UserError("error.too_many_variants", limit=MAX_VARIANTS)
    hashtags: list[str] = []
    captions = []
    for variant in variants:
        for tag in _HASHTAG.findall(variant):
            if tag.lower() not in (known.lower() for known in hashtags):
                hashtags.append(tag)
        caption = _TRAILING_TAGS.sub("", f" {variant}").strip() or variant
        if len(caption) > MAX_CAPTION:
            raise UserError("error.caption_long", limit=MAX_CAPTION)
        captions.append(caption)
    return tuple(captions), tuple(hashtags)


def parse_networks(text: str) -> tuple[str, ...]:
    """A comma list of networks; ``all`` or empty means every network."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    if not names or names == ["all"]:
        return ()
    unknown = [name for name in names if name not in NETWORKS]
    if unknown:
        raise UserError("error.network", network=unknown[0], known=", ".join(NETWORKS))
    return tuple(dict.fromkeys(names))


def parse_topics(text: str) -> tuple[str, ...]:
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    for name in names:
        if not TOPIC.match(name):
            raise UserError("error.topic", topic=name[:40])
    return tuple(dict.fromkeys(names))


def parse_user(text: str) -> str:
    """A user reference: a Slack mention ``<@U123|anna>``, ``@name``, a Teams id or a name."""
    mention = re.fullmatch(r"<@([A-Z0-9]+)(?:\|[^>]*)?>", text)
    if mention:
        return mention.group(1)
    reference = text.lstrip("@").strip()
    if not reference or len(reference) > 128 or not re.fullmatch(r"[\w.:@-]+", reference):
        raise UserError("error.user", user=text[:40])
    return reference


def parse_id(text: str) -> int:
    """A suggestion id: ``12`` or ``#12``."""
    match = re.fullmatch(r"#?(\d{1,9})", text.strip())
    if not match:
        raise UserError("error.id", value=text[:20])
    return int(match.group(1))

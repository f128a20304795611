"""Platform-neutral view models: every text is final and localized; adapters only render."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bot.commands.buttons import Action, FormId

# The marks a view's text may carry (see Notice): ```copy text```, `code` and *bold*.
COPY_BLOCK = re.compile(r"```(.*?)```", re.DOTALL)
CODE = re.compile(r"`([^`\n]+)`")
BOLD = re.compile(r"(?<![*\w])\*(?!\s)([^*\n]+?)\*(?![*\w])")

ButtonStyle = Literal["primary", "danger", "default"]
FieldKind = Literal["text", "textarea", "choice", "multichoice", "date", "datetime", "number"]


@dataclass(frozen=True, slots=True)
class Button:
    """A button that calls back into the core with ``action`` and ``value``, opens ``url``, or
    runs the command ``says``."""

    label: str
    action: Action | None = None
    value: str = ""
    style: ButtonStyle = "default"
    url: str | None = None
    says: str | None = None  # a command the button runs as if typed (Slack's App Home)


@dataclass(frozen=True, slots=True)
class Notice:
    """A short answer: optional title, lines of text (``*bold*`` and ``code`` marks), buttons."""

    lines: tuple[str, ...]
    title: str | None = None
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True)
class ShareButton:
    """A link to a network's composer through the counted ``/s/{token}`` redirect."""

    network: str
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class CardImage:
    """A photo of a suggestion: ``url`` is Sharebot's copy, ``source`` the address comms gave.

    Slack fetches images on its own servers, so it may be given ``source``; every other
    surface shows ``url``, so that no person's client ever asks the photo's host for it.
    """

    url: str
    source: str
    alt: str


@dataclass(frozen=True, slots=True)
class SuggestionCard:
    """One suggestion as one person sees it: their caption variant, the link, share buttons."""

    suggestion_id: int
    intro: str
    caption: str
    url: str
    hashtags: tuple[str, ...]
    share_buttons: tuple[ShareButton, ...]
    buttons: tuple[Button, ...]
    footer: str
    ended: bool = False
    ended_text: str = ""
    # For platforms without private answers (Teams): the counted copy page and the other
    # wordings, so "copy text" and "another wording" need no message back (privacy rule 2).
    copy_url: str = ""
    other_captions: tuple[str, ...] = ()
    images: tuple[CardImage, ...] = ()


@dataclass(frozen=True, slots=True)
class Digest:
    """The weekly message for people who chose the digest style."""

    title: str
    intro: str
    cards: tuple[SuggestionCard, ...]


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of a form; ``value`` is the current value as text (comma list for multichoice)."""

    name: str
    label: str
    kind: FieldKind
    value: str = ""
    options: tuple[Option, ...] = ()
    hint: str = ""
    error: str = ""
    required: bool = False


@dataclass(frozen=True, slots=True)
class Form:
    """A form (settings, compose, policy). Submitting sends the field values to ``action``.

    ``hidden``: values the form carries back unseen (which proposal or suggestion it is
    about); they come from the person's client like every field, so the core checks them.
    """

    form_id: FormId
    title: str
    fields: tuple[FormField, ...]
    submit_label: str
    intro: str = ""
    preview: SuggestionCard | None = None
    # Why an empty required field cannot be sent, for clients that check before sending.
    required_text: str = ""
    hidden: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DataExport:
    """A file the person downloads: their own data as JSON."""

    title: str
    lines: tuple[str, ...]
    filename: str
    content: str


@dataclass(frozen=True, slots=True)
class PagePhoto:
    """A photo on the share page: shown from ``url``, saved from ``download_url``."""

    url: str
    download_url: str
    alt: str
    file_name: str


@dataclass(frozen=True, slots=True)
class PageNetwork:
    """A network's button on the share page; ``app_url`` opens its app on a phone."""

    network: str
    label: str
    url: str
    app_url: str = ""


@dataclass(frozen=True, slots=True)
class SharePage:
    """The share page behind ``/s/{token}`` for Instagram, "copy text" and ``--page``.

    The same for everyone who opens it: nothing on it names a person.
    """

    language: str
    title: str
    intro: str
    photos: tuple[PagePhoto, ...]
    texts: tuple[str, ...]
    networks: tuple[PageNetwork, ...]
    here_url: str
    labels: dict[str, str]
    ended_text: str = ""


View = Notice | SuggestionCard | Digest | Form | DataExport


@dataclass(frozen=True, slots=True)
class Reply:
    """What the core answers to one command or button: views shown only to the asking person.

    ``changed``: what the person's own page shows may have changed (Slack publishes its App
    Home again). ``repeated``: the platform delivered this request before; nothing was done
    and nothing is to be shown (the adapter acknowledges it quietly).
    """

    views: tuple[View, ...] = field(default_factory=tuple)
    changed: bool = False
    repeated: bool = False

    @classmethod
    def of(cls, *views: View) -> Reply:
        return cls(views=tuple(views))


def unmarked(text: str) -> str:
    """The text without the core's marks, for places that show no formatting (notifications,
    previews): ``"`window` is now `always`."`` -> ``"window is now always."``."""
    return BOLD.sub(r"\1", CODE.sub(r"\1", COPY_BLOCK.sub(r"\1", text)))


def plain_text(view: View) -> str:
    """A plain-text rendering of any view (marks kept): fallbacks and test assertions."""
    if isinstance(view, Notice):
        parts = [view.title or "", *view.lines, *(b.label for b in view.buttons)]
    elif isinstance(view, SuggestionCard):
        parts = [
            view.intro,
            view.caption,
            view.url,
            " ".join(f"#{t}" for t in view.hashtags),
            view.ended_text,
            view.footer,
        ]
    elif isinstance(view, Digest):
        parts = [view.title, view.intro, *(plain_text(card) for card in view.cards)]
    elif isinstance(view, Form):
        parts = [
            view.title,
            view.intro,
            *(f"{f.label}: {f.value} {f.error}".strip() for f in view.fields),
        ]
    else:
        parts = [view.title, *view.lines]
    return "\n".join(part for part in parts if part)

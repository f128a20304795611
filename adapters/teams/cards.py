"""Core view models to Adaptive Cards 1.5 (Teams' limit); pure functions, no botbuilder."""

from __future__ import annotations

import contextlib
import math
import re
from typing import Any

from bot.commands.buttons import Action
from bot.sharing.cards import short_url
from bot.views import (
    BOLD,
    CODE,
    Button,
    CardImage,
    DataExport,
    Digest,
    Form,
    FormField,
    Notice,
    SuggestionCard,
    View,
    unmarked,
)

VERSION = "1.5"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
# Teams rejects messages above about 28 KB; a data export longer than this is cut in the card.
MAX_EXPORT = 20_000
# Keys of Action.Submit data that Sharebot owns; every other key is a form input.
KIND, ACTION, VALUE, FORM = "sharebot", "sharebot_action", "sharebot_value", "sharebot_form"
_STYLES = {"primary": "positive", "danger": "destructive"}
_CODE_BLOCK = re.compile(r"^```(.*)```$", re.DOTALL)
# Teams folds the actions of one set beyond this many into a "…" menu.
MAX_ROW = 6

Element = dict[str, Any]


def render_card(view: View) -> Element:
    """The Adaptive Card for one view: ``{"type": "AdaptiveCard", "version": "1.5", ...}``."""
    if isinstance(view, Notice):
        body, actions = _notice(view), _buttons(view.buttons)
    elif isinstance(view, SuggestionCard):
        body, actions = _suggestion(view), []
    elif isinstance(view, Digest):
        body = [_title(view.title), _text(view.intro)]
        for item in view.cards:
            body.append({"type": "Container", "separator": True, "items": _suggestion(item)})
        actions = []
    elif isinstance(view, Form):
        body, actions = _form(view)
    else:
        body, actions = _export(view), []
    card: Element = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        card["actions"] = actions
    return card


def markdown(text: str) -> str:
    """The core's marks in the Markdown subset Teams renders: ``*bold*`` becomes ``**bold**``;
    Teams shows no inline code, so ```x``` becomes plain ``x``. Angle brackets are escaped
    (:func:`literal`), so ``<link>`` stays visible."""
    return BOLD.sub(r"**\1**", CODE.sub(r"\1", literal(text)))


def literal(text: str) -> str:
    """Text a TextBlock shows as typed: Teams reads ``<link>`` as an HTML tag and drops it,
    but shows ``&lt;link&gt;`` as ``<link>``."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _title(text: str) -> Element:
    return {
        "type": "TextBlock",
        "text": literal(text),
        "weight": "Bolder",
        "size": "Medium",
        "wrap": True,
    }


def _text(text: str, **extra: Any) -> Element:
    block = _CODE_BLOCK.match(text.strip())
    if block:
        return _verbatim(block.group(1))
    return {"type": "TextBlock", "text": markdown(text), "wrap": True, **extra}


def _verbatim(text: str) -> Element:
    """Copy text and exports: shown as they will be pasted, in a fixed-width font."""
    return {"type": "TextBlock", "text": literal(text), "wrap": True, "fontType": "Monospace"}


def _rows(actions: list[Element]) -> list[Element]:
    """Action sets of at most :data:`MAX_ROW` actions, evenly filled (seven: four and three)."""
    if not actions:
        return []
    size = math.ceil(len(actions) / math.ceil(len(actions) / MAX_ROW))
    return [
        {"type": "ActionSet", "actions": actions[start : start + size]}
        for start in range(0, len(actions), size)
    ]


def _notice(view: Notice) -> list[Element]:
    body = [_title(view.title)] if view.title else []
    return body + [_text(line) for line in view.lines if line]


def _buttons(buttons: tuple[Button, ...]) -> list[Element]:
    return [_button(button) for button in buttons]


def _button(button: Button) -> Element:
    if button.url:
        action: Element = {"type": "Action.OpenUrl", "title": button.label, "url": button.url}
    else:
        # Answered with a new message: a press never edits the card it was on (privacy rule 2).
        action = {
            "type": "Action.Submit",
            "title": button.label,
            "data": {KIND: "press", ACTION: button.action, VALUE: button.value},
        }
    if button.style in _STYLES:
        action["style"] = _STYLES[button.style]
    return action


def _suggestion(view: SuggestionCard) -> list[Element]:
    body: list[Element] = [_text(view.intro, weight="Bolder")]
    if view.ended:
        body.append(_text(view.ended_text, color="Attention", weight="Bolder"))
    body.append(_text(view.caption))
    body += _images(view.images)
    if view.hashtags:
        body.append(_text(" ".join(f"#{tag}" for tag in view.hashtags), color="Accent"))
    body.append(_text(f"[{short_url(view.url)}]({view.url})"))
    if not view.ended:
        shares = [
            {"type": "Action.OpenUrl", "title": share.label, "url": share.url}
            for share in view.share_buttons
        ]
        body += _rows(shares)
        body += _rows([_card_button(view, button) for button in view.buttons])
    if view.footer:
        body.append(_text(view.footer, size="Small", isSubtle=True))
    return body


def _images(images: tuple[CardImage, ...]) -> list[Element]:
    """Photos from Sharebot's own copy: Teams clients may fetch images themselves, and the
    photo's host must never learn who opened a card. One photo spans the card; several make
    a gallery."""
    shown = [{"type": "Image", "url": image.url, "altText": image.alt} for image in images]
    if len(shown) == 1:
        return [{**shown[0], "size": "Stretch"}]
    if shown:
        return [{"type": "ImageSet", "images": shown, "imageSize": "Medium"}]
    return []


def _card_button(view: SuggestionCard, button: Button) -> Element:
    """Teams has no answer only the presser sees, and a reply would stay in the chat: "copy
    text" opens the counted copy page and "another wording" unfolds on the card itself, so
    neither leaves a trace of who pressed it (privacy rule 2)."""
    if button.action is Action.COPY and view.copy_url:
        return {"type": "Action.OpenUrl", "title": button.label, "url": view.copy_url}
    if button.action is Action.ANOTHER and view.other_captions:
        shown = {"type": "AdaptiveCard", "body": [_text(c) for c in view.other_captions]}
        return {"type": "Action.ShowCard", "title": button.label, "card": shown}
    return _button(button)


def _form(view: Form) -> tuple[list[Element], list[Element]]:
    body: list[Element] = [_title(view.title)]
    if view.intro:
        body.append(_text(view.intro))
    for field in view.fields:
        body.append(_input(field, view.required_text))
        if field.hint:
            body.append(_text(field.hint, size="Small", isSubtle=True, spacing="None"))
        if field.error:
            body.append(_text(field.error, color="Attention", spacing="None"))
    if view.preview is not None:
        body.append({"type": "Container", "separator": True, "items": _suggestion(view.preview)})
    submit: Element = {
        "type": "Action.Submit",
        "title": view.submit_label,
        "style": "positive",
        "data": {**view.hidden, KIND: "submit", FORM: view.form_id},
    }
    return body, [submit]


def _input(field: FormField, required_text: str) -> Element:
    element: Element = {"id": field.name, "label": field.label, "isRequired": field.required}
    if field.kind in ("choice", "multichoice"):
        multi = field.kind == "multichoice"
        element.update(
            type="Input.ChoiceSet",
            choices=[{"title": o.label, "value": o.value} for o in field.options],
            style="expanded" if multi else "compact",
            isMultiSelect=multi,
        )
    elif field.kind == "date":
        element["type"] = "Input.Date"
    elif field.kind == "number":
        element["type"] = "Input.Number"
        if field.value:
            with contextlib.suppress(ValueError):
                element["value"] = float(field.value)
    else:
        element.update(type="Input.Text", isMultiline=field.kind == "textarea")
        if field.kind == "datetime":
            element["placeholder"] = "2026-12-01T10:30"
    # Teams refuses to send a form with an empty required field and shows only this message,
    # as plain text.
    if field.error or (field.required and required_text):
        element["errorMessage"] = unmarked(field.error or required_text)
    if field.value and field.kind != "number":
        element["value"] = field.value
    return element


def _export(view: DataExport) -> list[Element]:
    content = view.content
    if len(content) > MAX_EXPORT:
        content = content[:MAX_EXPORT] + "\n…"
    return [_title(view.title), *(_text(line) for line in view.lines if line), _verbatim(content)]

"""Core forms as Slack modals, and a submitted modal back to field values; pure functions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from adapters.slack.blocks import Block, clip, plain, section, view_blocks
from bot.views import Form, FormField, View

FORM = "form"  # callback_id prefix: ``form|<form_id>``
PREVIEW = "preview|compose"  # the compose modal's preview button
RESULT = "result"
MODAL_BLOCKS = 100
MODAL_TITLE = 24
LABEL = 2000
HINT = 2000
OPTION_TEXT = 75
OPTION_VALUE = 150
TEXT_VALUE = 3000
CHECKBOXES = 10
SELECT_OPTIONS = 100
VALUE = "value"  # every input's action_id; its block_id is the field name
METADATA = 3000


def form_modal(form: Form, *, close: str, preview_label: str = "") -> dict[str, Any]:
    """A modal whose submission comes back as ``view_submission`` with ``form|<form_id>``.

    With ``preview_label``, the compose form gets a button that shows the card as typed.
    """
    intro = [section(form.intro)] if form.intro else []
    fields = [input_block(field) for field in form.fields]
    preview: list[Block] = []
    if preview_label and form.form_id == "compose":
        button = {"type": "button", "action_id": PREVIEW, "text": plain(preview_label, 75)}
        preview.append({"type": "actions", "block_id": "preview", "elements": [button]})
    if form.preview:
        preview += view_blocks(form.preview)
    modal: dict[str, Any] = {
        "type": "modal",
        "callback_id": f"{FORM}|{form.form_id}",
        "title": plain(form.title, MODAL_TITLE),
        "submit": plain(form.submit_label, MODAL_TITLE),
        "close": plain(close, MODAL_TITLE),
        "blocks": [*intro, *fields, *preview][:MODAL_BLOCKS],
    }
    if form.hidden:
        # Slack hands ``private_metadata`` back with the submission (at most 3000 characters)
        modal["private_metadata"] = json.dumps(form.hidden, separators=(",", ":"))[:METADATA]
    return modal


def hidden_values(view: Mapping[str, Any]) -> dict[str, str]:
    """The form's hidden values from a submitted modal's ``private_metadata`` (none when it
    holds anything else)."""
    try:
        data = json.loads(str(view.get("private_metadata") or "{}"))
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str | int)}


def result_modal(views: tuple[View, ...], *, title: str, close: str) -> dict[str, Any]:
    """What a submission or a button from the App Home answered, shown in a modal."""
    blocks: list[Block] = []
    for view in views:
        blocks += view_blocks(view)
    return {
        "type": "modal",
        "callback_id": RESULT,
        "title": plain(title, MODAL_TITLE),
        "close": plain(close, MODAL_TITLE),
        "blocks": blocks[:MODAL_BLOCKS] or [section("–")],
    }


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label, OPTION_TEXT), "value": value[:OPTION_VALUE]}


def input_block(field: FormField) -> Block:
    block: Block = {
        "type": "input",
        "block_id": field.name,
        "label": plain(field.label, LABEL),
        "optional": not field.required,
        "element": _element(field),
    }
    if field.hint:
        block["hint"] = plain(field.hint, HINT)
    return block


def _element(field: FormField) -> dict[str, Any]:
    options = [_option(o.value, o.label) for o in field.options]
    chosen = {part for part in field.value.split(",") if part}
    if field.kind == "choice" and options:
        element: dict[str, Any] = {
            "type": "static_select",
            "action_id": VALUE,
            "options": options[:SELECT_OPTIONS],
        }
        initial = [o for o in options if o["value"] == field.value]
        if initial:
            element["initial_option"] = initial[0]
        return element
    if field.kind == "multichoice" and options:
        kind = "checkboxes" if len(options) <= CHECKBOXES else "multi_static_select"
        element = {"type": kind, "action_id": VALUE, "options": options[:SELECT_OPTIONS]}
        initial = [o for o in options if o["value"] in chosen]
        if initial:
            element["initial_options"] = initial
        return element
    if field.kind == "date":
        element = {"type": "datepicker", "action_id": VALUE}
        if _is_date(field.value):
            element["initial_date"] = field.value
        return element
    if field.kind == "number":
        element = {"type": "number_input", "action_id": VALUE, "is_decimal_allowed": False}
    else:
        element = {
            "type": "plain_text_input",
            "action_id": VALUE,
            "multiline": field.kind == "textarea",
        }
    if field.value:
        element["initial_value"] = clip(field.value, TEXT_VALUE)
    return element


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def form_id_of(callback_id: str) -> str | None:
    prefix, _, form_id = callback_id.partition("|")
    return form_id if prefix == FORM and form_id else None


def submitted_values(state: Mapping[str, Any]) -> dict[str, str]:
    """``view.state.values`` as the core's field values: text, with comma lists for choices."""
    values: dict[str, str] = {}
    for block_id, inputs in (state.get("values") or {}).items():
        element = (inputs or {}).get(VALUE) or {}
        if element.get("type") in ("static_select", "external_select") and not element.get(
            "selected_option"
        ):
            continue  # nothing chosen: the core keeps the current value
        values[str(block_id)] = _value_of(element)
    return values


def _value_of(element: Mapping[str, Any]) -> str:
    kind = element.get("type")
    if kind in ("static_select", "external_select"):
        return str((element.get("selected_option") or {}).get("value", ""))
    if kind in ("checkboxes", "multi_static_select"):
        return ",".join(str(o.get("value", "")) for o in element.get("selected_options") or [])
    if kind == "datepicker":
        return str(element.get("selected_date") or "")
    return str(element.get("value") or "")


def field_errors(form: Form) -> dict[str, str]:
    """``response_action: errors`` for a form that came back with problems marked."""
    return {field.name: clip(field.error, LABEL) for field in form.fields if field.error}

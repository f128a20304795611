"""Every view as an Adaptive Card 1.5 that validates against the official schema."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.teams.cards import ACTION, FORM, KIND, VALUE, markdown, render_card
from bot.commands.buttons import Action, FormId
from bot.views import (
    Button,
    CardImage,
    DataExport,
    Digest,
    Form,
    FormField,
    Notice,
    Option,
    ShareButton,
    SuggestionCard,
    View,
)
from tests.schemas import card_errors
from tests.support import Chat, objects_in
from tests.teams_chat import actions

GERMAN = "Unser Betriebsausflug nach Graz – „großartig“! Grüße aus Österreich 🇦🇹 #Teamtag"
ODD = 'Quotes " and \\ backslash, <b>tags</b>, {braces}, *stars*, `ticks`, [a](b), \u200b, \n\n'
LONG = "Sehr lange Beschreibung. " * 200


def photos(count: int, alt: str = GERMAN) -> tuple[CardImage, ...]:
    """Photos as the core hands them over: Sharebot's copy, the address comms gave, the caption."""
    return tuple(
        CardImage(
            url=f"https://sharebot.example/i/photo-token-{i}",
            source=f"https://photos.example.org/teamtag-{i}.jpg?w=1200&h=800",
            alt=alt,
        )
        for i in range(count)
    )


def suggestion(text: str = GERMAN, *, ended: bool = False, images: int = 0) -> SuggestionCard:
    return SuggestionCard(
        suggestion_id=12,
        intro="Ein Vorschlag zum Teilen",
        caption=text,
        url="https://example.com/" + "pfad/" * 30 + "?q=ä&x=1",
        hashtags=("Teamtag", "Graz", "Lehrstelle"),
        share_buttons=(
            ShareButton("linkedin", "LinkedIn", "https://sharebot.example/s/abc"),
            ShareButton("x", "X", "https://sharebot.example/s/def"),
        ),
        buttons=(
            Button("Text kopieren", Action.COPY, "12:0"),
            Button("Andere Formulierung", Action.ANOTHER, "12:0"),
            Button("2 Wochen Pause", Action.PAUSE, "12:0"),
            Button("Keine Vorschläge mehr", Action.STOP, "12:0", style="danger"),
        ),
        footer="Freiwillig. Niemand sieht, ob du teilst.",
        ended=ended,
        ended_text="Beendet" if ended else "",
        images=photos(images, text),
    )


def every_kind_of_field(text: str) -> tuple[FormField, ...]:
    options = (Option("a", "Ä " + text[:50]), Option("b", "B"))
    return (
        FormField("t", text[:200], "text", text, hint=text, error=text, required=True),
        FormField("ta", "Textarea", "textarea", text),
        FormField("c", "Choice", "choice", "a", options),
        FormField("m", "Multi", "multichoice", "a,b", options),
        FormField("d", "Date", "date", "2027-01-07"),
        FormField("dt", "When", "datetime", "2026-12-01T10:30"),
        FormField("n", "Number", "number", "5"),
        FormField("n2", "Number", "number", "not a number"),
        FormField("empty", "Empty", "text"),
    )


HANDMADE: list[View] = [
    Notice(lines=("Kurz.",)),
    Notice(title=GERMAN, lines=(ODD, LONG, "```" + GERMAN + "\nhttps://example.com```")),
    Notice(
        lines=("Einladung",),
        buttons=(
            Button("Ja", Action.INVITE_YES, style="primary"),
            Button("Nein", Action.INVITE_NO),
        ),
    ),
    Notice(lines=("Link",), buttons=(Button("Öffnen", url="https://example.com"),)),
    suggestion(),
    suggestion(ODD + LONG),
    suggestion(ended=True),
    suggestion(images=1),
    suggestion(ODD + LONG, images=4),
    suggestion(ended=True, images=2),
    Digest("Deine Woche", "3 Vorschläge", (suggestion(), suggestion(ODD), suggestion(ended=True))),
    Digest("Fotos", "2 Vorschläge", (suggestion(images=1), suggestion(ODD, images=3))),
    Form(FormId.COMPOSE, "Neuer Vorschlag", every_kind_of_field(GERMAN), "Anlegen", intro=ODD),
    Form(FormId.SETTINGS, ODD, every_kind_of_field(ODD + LONG), "Speichern", preview=suggestion()),
    DataExport("Deine Daten", ("Alles, was gespeichert ist",), "my-data.json", '{"a": 1}' * 5000),
]


@pytest.mark.parametrize("view", HANDMADE, ids=lambda v: type(v).__name__)
def test_handmade_views_validate(view: View) -> None:
    assert card_errors(render_card(view)) == []


async def test_every_view_the_core_answers_validates_in_both_languages(chat: Chat) -> None:
    """The real views: help, notices, forms with errors, policy, roles, list, my-data."""
    chat.person("anna", locale="de-DE")
    chat.person("ben", locale="en-GB")
    await chat.make_comms("chris")
    await chat.make_comms("anna")
    await chat.say("hanna", "roles grant anna hr")
    commands = [
        "help",
        "on",
        "settings",
        "pause 2w",
        "resume",
        "topics jobs,events",
        "privacy",
        "my-data",
        "forget-me",
        "new",
        "new https://example.com/day Unser Tag || Ein großer Tag #teamtag --at 1h",
        "list",
        "stats 1",
        "policy",
        "roles",
        "quatsch",
        "off",
    ]
    replies = []
    for name in ("anna", "ben"):
        for command in commands:
            replies.append(await chat.say(name, command))
    replies.append(await chat.submit("anna", "compose", {"url": "ftp://nope", "captions": ""}))
    replies.append(await chat.submit("anna", "settings", {"paused_until": "gestern"}))
    replies.append(await chat.press("anna", "card.copy", "1:0"))
    replies.append(await chat.press("anna", "card.another", "1:0"))
    views = [view for reply in replies for view in reply.views]
    assert {type(v).__name__ for v in views} >= {"Notice", "Form", "DataExport"}
    for view in views:
        assert card_errors(render_card(view)) == [], view


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=st.text(min_size=1, max_size=300))
def test_any_text_makes_a_valid_card(text: str) -> None:
    cards = [
        render_card(Notice(title=text, lines=(text,), buttons=(Button(text, Action.COPY, text),))),
        render_card(suggestion(text)),
        render_card(Form(FormId.COMPOSE, text, every_kind_of_field(text), text)),
    ]
    for card in cards:
        assert card_errors(card) == []


def test_suggestion_card_shares_through_the_counted_links_and_submits_core_actions() -> None:
    found = actions(render_card(suggestion()))
    opens = [a for a in found if a["type"] == "Action.OpenUrl"]
    assert [a["url"] for a in opens] == [
        "https://sharebot.example/s/abc",
        "https://sharebot.example/s/def",
    ]
    submits = [a["data"] for a in found if a["type"] == "Action.Submit"]
    assert [(d[KIND], d[ACTION], d[VALUE]) for d in submits] == [
        ("press", "card.copy", "12:0"),
        ("press", "card.another", "12:0"),
        ("press", "card.pause", "12:0"),
        ("press", "card.stop", "12:0"),
    ]
    assert next(a for a in found if a["title"].startswith("Keine"))["style"] == "destructive"


def images_in(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in objects_in(card) if o.get("type") == "Image"]


def test_one_photo_spans_the_card_from_sharebots_copy_right_after_the_caption() -> None:
    card = render_card(suggestion(images=1))
    assert card_errors(card) == []
    texts = [b.get("text") for b in card["body"]]
    after_caption = card["body"][texts.index(GERMAN) + 1]
    assert after_caption == {
        "type": "Image",
        "url": "https://sharebot.example/i/photo-token-0",
        "altText": GERMAN,
        "size": "Stretch",
    }
    # A person's Teams client may fetch images itself: the photo's host is never named.
    assert "photos.example.org" not in json.dumps(card)


def test_several_photos_make_a_gallery_of_sharebots_copies() -> None:
    card = render_card(suggestion(ended=True, images=3))
    assert card_errors(card) == []
    (gallery,) = [b for b in card["body"] if b["type"] == "ImageSet"]
    assert gallery["images"] == images_in(card)
    assert [i["url"] for i in gallery["images"]] == [
        f"https://sharebot.example/i/photo-token-{i}" for i in range(3)
    ]
    assert {i["altText"] for i in gallery["images"]} == {GERMAN}
    assert "photos.example.org" not in json.dumps(card)


def test_a_card_without_photos_has_no_image() -> None:
    assert images_in(render_card(suggestion())) == []


def test_an_ended_card_offers_no_buttons_and_says_so() -> None:
    card = render_card(suggestion(ended=True))
    assert actions(card) == []
    assert any(b.get("text") == "Beendet" for b in card["body"])


def test_forms_submit_their_id_and_show_each_error_beside_its_field() -> None:
    form = Form(FormId.COMPOSE, "T", every_kind_of_field("Fehler hier"), "Go")
    card = render_card(form)
    assert card["actions"][0]["data"] == {KIND: "submit", FORM: "compose"}
    inputs = {b["id"]: b for b in card["body"] if "id" in b}
    assert inputs["t"]["errorMessage"] == "Fehler hier"
    assert inputs["m"]["isMultiSelect"] is True and inputs["m"]["value"] == "a,b"
    assert inputs["n"]["value"] == 5.0 and "value" not in inputs["n2"]
    assert inputs["d"]["type"] == "Input.Date"
    texts = [b.get("text") for b in card["body"]]
    assert texts.count("Fehler hier") == 2  # the hint and the error line


def test_core_marks_become_teams_markdown() -> None:
    assert markdown("*bold* and `code` but 2*3*4") == "**bold** and code but 2*3*4"
    card = render_card(Notice(lines=("```copy *this* as is```",)))
    assert card["body"][0] == {
        "type": "TextBlock",
        "text": "copy *this* as is",
        "wrap": True,
        "fontType": "Monospace",
    }

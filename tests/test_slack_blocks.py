"""Every view rendered for Slack passes slack_sdk's Block Kit models, also with long, odd and
German input; pure translation, no I/O."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View as SlackView

from adapters.slack.blocks import clip, escape, message
from adapters.slack.home import home_view
from adapters.slack.modal import (
    field_errors,
    form_id_of,
    form_modal,
    result_modal,
    submitted_values,
)
from adapters.slack.payloads import command_text, pressed
from bot.commands.buttons import Action, FormId
from bot.core import Overview, QueueEntry
from bot.i18n import Catalogue
from bot.policy import policy_from
from bot.views import (
    Button,
    CardImage,
    DataExport,
    Digest,
    Form,
    FormField,
    Notice,
    Option,
    Reply,
    ShareButton,
    SuggestionCard,
    View,
)

ODD = "Grüße aus Köln & <Wien> — *fett* `code` | > ü\u200b😀 "
LONG = ODD * 400  # ~12,000 characters


def photos(count: int, caption: str = ODD) -> tuple[CardImage, ...]:
    """Photos as the core hands them over: Sharebot's copy, the address comms gave, the caption."""
    return tuple(
        CardImage(
            url=f"https://sharebot.example/i/{'k' * 30}{i}",
            source=f"https://photos.example.org/teamtag-{i}.jpg?w=1200&h=<800>",
            alt=caption,
        )
        for i in range(count)
    )


def card(caption: str = ODD, *, ended: bool = False, n: int = 1, images: int = 0) -> SuggestionCard:
    return SuggestionCard(
        suggestion_id=n,
        intro="Vielleicht magst du das teilen?",
        caption=caption,
        url="https://example.org/jobs?a=1&b=<2>|x" + "p" * 3100,
        hashtags=tuple(f"tag{i}ÄÖ" for i in range(300)),
        share_buttons=tuple(
            ShareButton(n, n.title() * 30, f"https://sharebot.example/s/{'t' * 40}")
            for n in ("linkedin", "xing", "x", "facebook", "bluesky", "whatsapp")
        ),
        buttons=(
            Button("Text kopieren" * 10, Action.COPY, "1:0"),
            Button("Andere Formulierung", Action.ANOTHER, "1:0"),
            Button("2 Wochen Pause", Action.PAUSE, "1:0"),
            Button("Keine Vorschläge mehr", Action.STOP, "1:0", style="danger"),
        ),
        footer="Niemand erfährt, ob du teilst. " * 200,
        ended=ended,
        ended_text="Dieser Vorschlag ist beendet." if ended else "",
        images=photos(images, caption),
    )


def form(fields: int = 12) -> Form:
    return Form(
        form_id=FormId.COMPOSE,
        title="Einen neuen Vorschlag verfassen, bitte",
        intro=LONG,
        submit_label="Vorschlag anlegen und planen",
        fields=(
            FormField(
                "url", "Link " * 600, "text", "https://x.example/" + "ä" * 4000, required=True
            ),
            FormField("captions", "Texte", "textarea", LONG, hint=LONG, error="zu lang"),
            FormField(
                "networks",
                "Netzwerke",
                "multichoice",
                "linkedin,x,nope",
                tuple(Option(f"n{i}", "Netz" * 30) for i in range(12)),
            ),
            FormField(
                "lang",
                "Sprache",
                "choice",
                "de",
                tuple(Option("de" if i == 0 else f"o{i}" * 100, f"O{i}") for i in range(150)),
            ),
            FormField("paused_until", "Pause bis", "date", "2026-13-45"),
            FormField("paused", "Pause", "date", "2026-12-24"),
            FormField("count", "Anzahl", "number", "3"),
            FormField("few", "Wenige", "multichoice", "a", (Option("a", "A"), Option("b", "B"))),
            *(FormField(f"f{i}", f"Feld {i}", "text") for i in range(max(0, fields - 8))),
        ),
    )


def assert_message_blocks(blocks: list[dict[str, Any]]) -> None:
    assert 0 < len(blocks) <= 50
    for raw in blocks:
        parsed = Block.parse(raw)
        assert parsed is not None, raw
        parsed.validate_json()


def assert_view(view: dict[str, Any]) -> None:
    SlackView(**view).validate_json()
    for raw in view["blocks"]:
        parsed = Block.parse(raw)
        assert parsed is not None, raw
        parsed.validate_json()


VIEWS: dict[str, View] = {
    "notice": Notice(
        lines=tuple(LONG[:900] for _ in range(40)),
        title=LONG,
        buttons=tuple(
            Button(f"Knopf {i} " * 20, tuple(Action)[i % len(Action)], "v" * 3000)
            for i in range(40)
        ),
    ),
    "empty notice": Notice(lines=("", "   ")),
    "card": card(LONG),
    "card with a photo": card(LONG, images=1),
    "card with four photos": card(images=4),
    "ended card": card(ended=True),
    "ended card with photos": card(ended=True, images=2),
    "digest": Digest("Deine Woche", "Drei Vorschläge", tuple(card(n=i) for i in range(12))),
    "digest with photos": Digest(
        "Deine Woche", "Zwölf Vorschläge", tuple(card(n=i, images=4) for i in range(12))
    ),
    "export": DataExport("Deine Daten", ("Alles, was gespeichert ist",), "x.json", LONG * 30),
    "form": form(),
}


@pytest.mark.parametrize("name", VIEWS)
def test_every_view_is_valid_block_kit_in_a_message(name: str) -> None:
    rendered = message([VIEWS[name]])
    assert_message_blocks(rendered["blocks"])
    assert 0 < len(rendered["text"]) <= 3000


def test_several_views_in_one_answer_stay_within_fifty_blocks() -> None:
    assert_message_blocks(message(list(VIEWS.values()))["blocks"])


def test_a_card_links_through_the_counted_redirect_and_escapes_the_caption() -> None:
    blocks = message([card()])["blocks"]
    urls = [e["url"] for b in blocks if b["type"] == "actions" for e in b["elements"] if "url" in e]
    assert urls and all(u.startswith("https://sharebot.example/s/") for u in urls)
    caption = blocks[1]["text"]["text"]
    assert "&amp;" in caption and "&lt;Wien&gt;" in caption and "<Wien>" not in caption


def test_an_ended_card_has_no_buttons() -> None:
    blocks = message([card(ended=True)])["blocks"]
    assert not [b for b in blocks if b["type"] == "actions"]
    assert "beendet" in blocks[-1]["elements"][0]["text"]


def images_in(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in blocks if b["type"] == "image"]


@pytest.mark.parametrize("count", [1, 3])
def test_a_card_shows_its_photos_from_the_address_comms_gave_after_the_caption(
    count: int,
) -> None:
    shown = card("Unser Teamtag in Graz", images=count)
    blocks = message([shown])["blocks"]
    assert_message_blocks(blocks)
    assert blocks[1]["text"]["text"] == ">Unser Teamtag in Graz"
    assert blocks[2 : 2 + count] == images_in(blocks)
    # Slack fetches the source on its own servers; Sharebot's copy is for Teams and the web.
    assert [b["image_url"] for b in images_in(blocks)] == [i.source for i in shown.images]
    assert "sharebot.example/i/" not in str(blocks)
    assert {b["alt_text"] for b in images_in(blocks)} == {"Unser Teamtag in Graz"}


def test_an_ended_card_keeps_its_photos() -> None:
    blocks = message([card(ended=True, images=2)])["blocks"]
    assert_message_blocks(blocks)
    assert len(images_in(blocks)) == 2 and blocks[-1]["type"] == "context"


def test_a_long_caption_is_clipped_as_alt_text_and_an_overlong_address_is_left_out() -> None:
    fine, overlong = photos(2, LONG)
    overlong = CardImage(overlong.url, "https://photos.example.org/" + "a" * 3000, LONG)
    blocks = message([replace(card(LONG), images=(overlong, fine))])["blocks"]
    assert_message_blocks(blocks)
    (image,) = images_in(blocks)
    assert image["image_url"] == fine.source
    assert len(image["alt_text"]) == 2000 and image["alt_text"].startswith(LONG[:1000])


def test_a_digest_shows_one_photo_per_card_and_as_many_cards_as_without_photos() -> None:
    plain = Digest("Woche", "Zwölf", tuple(card(n=i) for i in range(12)))
    with_photos = replace(plain, cards=tuple(card(n=i, images=4) for i in range(12)))
    blocks = message([with_photos])["blocks"]
    assert_message_blocks(blocks)
    dividers = [b for b in blocks if b["type"] == "divider"]
    assert len(dividers) == len([b for b in message([plain])["blocks"] if b["type"] == "divider"])
    assert len(images_in(blocks)) == len(dividers) == 6
    assert [b["image_url"] for b in images_in(blocks)] == [photos(1)[0].source] * 6


def test_the_compose_preview_shows_the_photos_typed_so_far() -> None:
    modal = form_modal(replace(form(), preview=card(images=2)), close="Schließen")
    assert_view(modal)
    assert [b["image_url"] for b in images_in(modal["blocks"])] == [p.source for p in photos(2)]


@pytest.mark.parametrize("fields", [1, 12, 150])
def test_forms_become_valid_modals(fields: int) -> None:
    modal = form_modal(form(fields), close="Schließen")
    assert_view(modal)
    assert form_id_of(modal["callback_id"]) == "compose"
    assert field_errors(form()) == {"captions": "zu lang"}


def test_result_modal_and_home_are_valid() -> None:
    assert_view(result_modal(tuple(VIEWS.values()), title="Sharebot " * 9, close="Schließen"))
    assert_view(result_modal((), title="Sharebot", close="Close"))
    t = Catalogue.load().bind("de")
    overview = Overview(
        t=t,
        policy=policy_from({}),
        participation="on",
        roles=frozenset({"comms", "hr"}),
        queue=tuple(QueueEntry(i, "Mo, 7. Dez.", ODD) for i in range(50)),
    )
    home = home_view(overview, Reply(tuple(VIEWS.values()) * 3))
    assert home["type"] == "home"
    assert_view(home)


def test_submitted_values_read_every_input_kind() -> None:
    state = {
        "values": {
            "url": {"value": {"type": "plain_text_input", "value": "https://x.example"}},
            "topic": {"value": {"type": "plain_text_input", "value": None}},
            "lang": {"value": {"type": "static_select", "selected_option": {"value": "de"}}},
            "style": {"value": {"type": "static_select", "selected_option": None}},
            "networks": {
                "value": {
                    "type": "checkboxes",
                    "selected_options": [{"value": "x"}, {"value": "linkedin"}],
                }
            },
            "paused_until": {"value": {"type": "datepicker", "selected_date": "2026-12-24"}},
            "count": {"value": {"type": "number_input", "value": "2"}},
        }
    }
    assert submitted_values(state) == {
        "url": "https://x.example",
        "topic": "",
        "lang": "de",
        "networks": "x,linkedin",
        "paused_until": "2026-12-24",
        "count": "2",
    }


def test_the_notification_text_keeps_placeholders_in_angle_brackets() -> None:
    """Slack reads ``<link>`` in a message's ``text`` as a link (and shows nothing of it)."""
    usage = Notice(lines=("`/share new <link> <text> [--image <photo address>]` — & more",))
    text = message([usage])["text"]
    assert "`/share new &lt;link&gt; &lt;text&gt; [--image &lt;photo address&gt;]`" in text
    assert "&amp; more" in text


def test_command_text_undoes_slack_escapes_and_keeps_mentions() -> None:
    text = "new <https://x.example/a?b=1&amp;c=2|x.example/a> Tom &amp; Jerry &lt;3 <#C1|general>"
    assert command_text(text) == "new https://x.example/a?b=1&c=2 Tom & Jerry <3 <#C1|general>"
    assert command_text("roles grant <@U1|anna> comms") == "roles grant <@U1|anna> comms"


def test_pressed_reads_our_buttons_only() -> None:
    body = {"actions": [{"action_id": "do|card.copy|0", "value": "1:0"}], "response_url": "u"}
    press = pressed(body)
    assert press is not None and (press.kind, press.action, press.value) == (
        "do",
        "card.copy",
        "1:0",
    )
    assert pressed({"actions": [{"action_id": "other"}]}) is None
    assert pressed({"actions": []}) is None


def test_clip_never_cuts_an_entity() -> None:
    assert clip(escape("a&b") * 10, 6) in ("a&amp;…", "a…")
    assert len(clip("x" * 5000, 3000)) == 3000

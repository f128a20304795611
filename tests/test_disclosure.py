"""The disclosure line (policy ``disclosure``) is in every wording a person can share, on every
path: cards, copy text, another wording, prefilled texts, the share and Instagram pages,
tracked links, previews and digests; comms cannot drop it, ``/share privacy`` says so."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from adapters.playground import demo
from adapters.playground.render import render_view
from adapters.slack.blocks import card_blocks
from adapters.teams.cards import render_card
from bot.commands.buttons import Action
from bot.policy import DISCLOSURE_LENGTH, BadPolicyValue, normalized, policy_from
from bot.sharing.networks import copy_text, share_target, with_disclosure
from bot.views import Digest, Form, Notice, SuggestionCard, View
from storage.database import Database
from tests.page_support import Elements
from tests.photo_server import FakePhotoHost
from tests.playground_server import RunningServer, running_playground
from tests.support import Chat

LINE = "#iworkforACME"
BILINGUAL = "de: Ich arbeite bei ACME. | en: I work at ACME."
URL = "https://example.com/jobs"
MONDAY_NOON_BERLIN = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)


def cards(chat: Chat, name: str) -> list[SuggestionCard]:
    found: list[View] = []
    for view in chat.inbox(name):
        found += view.cards if isinstance(view, Digest) else [view]
    return [card for card in found if isinstance(card, SuggestionCard)]


async def _at_once(chat: Chat) -> None:
    """Deliveries at once, one after the other (no spread, no gap)."""
    await chat.say("hanna", "policy set spread_minutes 0")
    await chat.say("hanna", "policy set min_gap_hours 0")


async def _suggested(chat: Chat, disclosure: str, text: str = "We are hiring || Join us") -> None:
    await _at_once(chat)
    await chat.say("hanna", f"policy set disclosure {disclosure}")
    await chat.make_comms("chris")
    chat.person("anna")
    await chat.say("anna", "on")
    await chat.say("chris", f"new {URL} {text} #jobs --at now --lang en")
    await chat.tick()


# --- the policy value -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored", "de", "en"),
    [
        ("none", "none", "", ""),
        ("#iworkforACME", "#iworkforACME", "#iworkforACME", "#iworkforACME"),
        (
            "  Ich   arbeite bei ACME. ",
            "Ich arbeite bei ACME.",
            "Ich arbeite bei ACME.",
            "Ich arbeite bei ACME.",
        ),
        (BILINGUAL, BILINGUAL, "Ich arbeite bei ACME.", "I work at ACME."),
        (
            "EN:I work at ACME. | de:Ich arbeite bei ACME.",
            BILINGUAL,
            "Ich arbeite bei ACME.",
            "I work at ACME.",
        ),
        (
            "en: I work at ACME. | #iworkforACME",
            "#iworkforACME | en: I work at ACME.",
            "#iworkforACME",
            "I work at ACME.",
        ),
        (
            "PS: I work at ACME.",
            "PS: I work at ACME.",
            "PS: I work at ACME.",
            "PS: I work at ACME.",
        ),
    ],
)
def test_a_disclosure_is_one_line_or_one_per_language(
    typed: str, stored: str, de: str, en: str
) -> None:
    assert normalized("disclosure", typed) == stored
    policy = policy_from({"disclosure": stored})
    assert (policy.disclosure_in("de"), policy.disclosure_in("en")) == (de, en)


@pytest.mark.parametrize(
    "bad",
    [
        "x" * (DISCLOSURE_LENGTH + 1),
        "de: a | de: b",
        "one | two",
        "de: | en: I work at ACME.",
        "de: a | en: b | c",
        "line\u0007bell",
    ],
)
def test_a_disclosure_that_is_too_long_or_unclear_is_refused(bad: str) -> None:
    with pytest.raises(BadPolicyValue) as refused:
        normalized("disclosure", bad)
    assert refused.value.key == "policy.error.disclosure"


def test_the_line_follows_the_caption_once_before_hashtags_and_link() -> None:
    assert with_disclosure("Join us", LINE) == f"Join us\n\n{LINE}"
    assert with_disclosure(f"Join us {LINE.upper()}", LINE) == f"Join us {LINE.upper()}"
    assert with_disclosure("Join us", "") == "Join us"
    text = copy_text(url=URL, caption="Join us", hashtags=["jobs"], disclosure="I work at ACME.")
    assert text == f"Join us\n\nI work at ACME.\n\n#jobs\n\n{URL}"
    x = parse_qs(
        urlsplit(
            share_target("x", url=URL, caption="Hi", hashtags=["iworkforACME"], disclosure=LINE)
        ).query
    )
    assert x["text"] == [f"Hi\n\n{LINE}"] and "hashtags" not in x  # the tag is in the text


# --- in chat ----------------------------------------------------------------------------------


async def test_every_wording_on_the_card_carries_the_line(chat: Chat) -> None:
    await _suggested(chat, LINE)
    (card,) = cards(chat, "anna")
    assert card.caption.endswith(f"\n\n{LINE}")
    assert card.other_captions and all(c.endswith(f"\n\n{LINE}") for c in card.other_captions)
    # the stored suggestion is as comms wrote it: the line is the policy's, added when shown
    reply = await chat.say("chris", "list")
    assert LINE not in str(reply)


async def test_copy_text_and_another_wording_carry_the_line(chat: Chat) -> None:
    await _suggested(chat, LINE)
    copied = await chat.press("anna", Action.COPY, "1:0")
    another = await chat.press("anna", Action.ANOTHER, "1:0")
    for reply in (copied, another):
        (notice,) = reply.views
        assert isinstance(notice, Notice)
        assert f"\n\n{LINE}\n\n#jobs\n\n{URL}" in notice.lines[0]


async def test_each_language_gets_its_own_line(chat: Chat) -> None:
    await _at_once(chat)
    await chat.say("hanna", f"policy set disclosure {BILINGUAL}")
    await chat.make_comms("chris")
    chat.person("anna")
    await chat.say("anna", "on")
    await chat.say("chris", f"new {URL} Wir stellen ein --at now --lang de")
    await chat.say("chris", f"new {URL} We are hiring --at now --lang en")
    await chat.tick()
    captions = sorted(card.caption for card in cards(chat, "anna"))
    assert captions == [
        "We are hiring\n\nI work at ACME.",
        "Wir stellen ein\n\nIch arbeite bei ACME.",
    ]


async def test_a_caption_that_says_it_already_is_not_doubled(chat: Chat) -> None:
    await _suggested(chat, LINE, text=f"Join {LINE.lower()} on Friday || We are hiring {LINE}")
    (card,) = cards(chat, "anna")
    # a trailing tag became a hashtag: the line stands once, and the tag is not added again
    assert {card.caption, *card.other_captions} == {
        f"Join {LINE.lower()} on Friday",
        f"We are hiring\n\n{LINE}",
    }
    for variant in ("1:0", "1:1"):
        copied = (await chat.press("anna", Action.COPY, variant)).views[0]
        assert isinstance(copied, Notice)
        assert copied.lines[0].lower().count(LINE.lower()) == 1


async def test_the_previews_comms_see_carry_the_line(chat: Chat) -> None:
    await chat.say("hanna", f"policy set disclosure {LINE}")
    await chat.make_comms("chris")
    created = await chat.say("chris", f"new {URL} We are hiring --at 1d")
    preview = next(view for view in created.views if isinstance(view, SuggestionCard))
    assert preview.caption == f"We are hiring\n\n{LINE}"
    typed = await chat.core.preview(
        chat.actor("chris"), {"url": URL, "captions": "Join us", "lang": "en"}
    )
    (form,) = typed.views
    assert isinstance(form, Form) and form.preview is not None
    assert form.preview.caption == f"Join us\n\n{LINE}"


async def test_a_weekly_digest_carries_the_line(chat: Chat) -> None:
    await chat.say("hanna", f"policy set disclosure {LINE}")
    await chat.make_comms("chris")
    chat.person("anna")
    await chat.say("anna", "on")
    anna = (await chat.say("anna", "settings")).views[0]
    assert isinstance(anna, Form)
    values = {field.name: field.value for field in anna.fields} | {"style": "digest"}
    await chat.submit("anna", "settings", values)
    await chat.say("chris", f"new {URL} We are hiring --at now")
    await chat.tick()
    chat.clock.set(MONDAY_NOON_BERLIN)
    await chat.tick()
    (digest,) = [view for view in chat.inbox("anna") if isinstance(view, Digest)]
    (card,) = digest.cards
    assert card.caption == f"We are hiring\n\n{LINE}"


async def test_every_adapter_shows_the_line_on_the_card(chat: Chat) -> None:
    await _suggested(chat, "I work at ACME.")
    (card,) = cards(chat, "anna")
    assert "I work at ACME." in json.dumps(card_blocks(card))  # Slack
    assert "I work at ACME." in json.dumps(render_card(card))  # Teams
    assert "I work at ACME." in json.dumps(render_view(card))  # the playground


@pytest.mark.parametrize("language", ["en", "de"])
async def test_privacy_tells_people_about_the_line(chat: Chat, language: str) -> None:
    chat.person("anna", locale=f"{language}-AT")
    assert chat.text("privacy.disclosure.none", language) in await chat.ask("anna", "privacy")
    await chat.say("hanna", f"policy set disclosure {BILINGUAL}")
    line = "Ich arbeite bei ACME." if language == "de" else "I work at ACME."
    expected = chat.text("privacy.disclosure", language, line=line)
    assert expected in await chat.ask("anna", "privacy")


# --- over HTTP: the share redirect and the pages ----------------------------------------------


async def _playground_suggestion(
    server: RunningServer, options: str, disclosure: str = BILINGUAL
) -> SuggestionCard:
    core = server.runtime.core
    await core.say(demo.BY_KEY["hanna"].actor, f"policy set disclosure {disclosure}")
    reply = await core.say(
        demo.BY_KEY["chris"].actor,
        f"new {URL}?ref=news We are hiring || Join our team #jobs --at now --lang en {options}",
    )
    assert "#1" in str(reply), reply
    await server.runtime.dispatcher.idle()
    (card,) = [m.view for m in server.transcript.of("anna") if isinstance(m.view, SuggestionCard)]
    return card


def _button(card: SuggestionCard, network: str) -> str:
    return next(b.url for b in card.share_buttons if b.network == network)


@pytest.mark.parametrize("utm", ["off", "on"])
async def test_the_prefilled_texts_of_x_whatsapp_and_bluesky_carry_the_line(
    database: Database, utm: str
) -> None:
    link = f"{URL}?ref=news"
    async with running_playground(database) as server, aiohttp.ClientSession() as http:
        await server.runtime.core.say(demo.BY_KEY["hanna"].actor, f"policy set utm {utm}")
        card = await _playground_suggestion(server, "--networks x,whatsapp,bluesky,linkedin")
        found = {n: await _target(http, _button(card, n)) for n in ("x", "whatsapp", "bluesky")}

        def tagged(network: str) -> str:
            tags = f"&utm_source={network}&utm_medium=employee-share&utm_campaign=sharebot-1"
            return link + (tags if utm == "on" else "")

        (x,) = found["x"]["text"]
        assert x.endswith("\n\nI work at ACME.") and found["x"]["url"] == [tagged("x")]
        assert found["x"]["hashtags"] == ["jobs"]
        for network in ("whatsapp", "bluesky"):
            (text,) = found[network]["text"]
            assert text.endswith(f"\n\nI work at ACME. #jobs {tagged(network)}"), network
        # LinkedIn takes a link only: there the line comes with "copy text" (below)
        linkedin = await _target(http, _button(card, "linkedin"))
        assert linkedin == {"url": [tagged("linkedin")]}


async def _target(http: aiohttp.ClientSession, url: str) -> dict[str, list[str]]:
    """Where a share button leads: the network's composer, its query decoded."""
    async with http.get(url, allow_redirects=False) as response:
        assert response.status == 302
        return parse_qs(urlsplit(response.headers["Location"]).query)


@pytest.mark.parametrize("utm", ["off", "on"])
async def test_every_wording_of_the_share_page_and_its_copy_button_carry_the_line(
    database: Database, utm: str
) -> None:
    async with running_playground(database) as server, aiohttp.ClientSession() as http:
        await server.runtime.core.say(demo.BY_KEY["hanna"].actor, f"policy set utm {utm}")
        card = await _playground_suggestion(server, "--page")
        pages = [card.copy_url, _button(card, "linkedin"), _button(card, "x")]
        for url in pages:
            async with http.get(url, headers={"Accept-Language": "de"}) as response:
                page = Elements(await response.text())
            wordings = page.find("div", cls="text")
            assert len(wordings) == 2
            for wording in wordings:
                (text,) = [e for e in page.find("p") if e.text and e.text in wording.text]
                # the wording is in the suggestion's language (en), not the browser's
                assert "\n\nI work at ACME.\n\n#jobs\n\n" in text.text
            assert len(page.find("button", **{"data-copy": ""})) == 2  # each copies its <p>


async def test_the_instagram_page_carries_the_line(database: Database) -> None:
    async with (
        FakePhotoHost() as host,
        running_playground(database, SHAREBOT_FETCH_ALLOW="127.0.0.1") as server,
        aiohttp.ClientSession() as http,
    ):
        card = await _playground_suggestion(
            server, f"--image {host.url('outing.png')}", disclosure="#iworkforACME"
        )
        async with http.get(_button(card, "instagram")) as response:
            page = Elements(await response.text())
        assert [n.attrs["href"] for n in page.find("a", cls="network")] == [
            "https://www.instagram.com/"
        ]
        wordings = [e.text for e in page.find("div", cls="text")]
        assert len(wordings) == 2 and all("\n\n#iworkforACME\n\n#jobs" in w for w in wordings)


async def test_a_new_line_applies_to_suggestions_already_running(database: Database) -> None:
    """The line is the policy's, not the suggestion's: comms cannot leave it out, and a
    changed line is in every text from then on."""
    async with running_playground(database) as server, aiohttp.ClientSession() as http:
        card = await _playground_suggestion(server, "--page", disclosure="none")
        async with http.get(card.copy_url) as response:
            assert "ACME" not in await response.text()
        await server.runtime.core.say(demo.BY_KEY["hanna"].actor, f"policy set disclosure {LINE}")
        async with http.get(card.copy_url) as response:
            page = Elements(await response.text())
        assert all(LINE in e.text for e in page.find("div", cls="text"))

"""German in the formal address (policy ``german_address sie``): a second catalogue, complete."""

from __future__ import annotations

import ast
import re
import string
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import aiohttp
import pytest
from babel.messages.pofile import read_po

from adapters.playground import demo
from bot.i18n import ADDRESSES, FORMAL, Catalogue
from bot.views import Form, SuggestionCard
from storage.database import Database
from tests.page_support import Elements
from tests.playground_server import running_playground
from tests.support import Chat

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "bot" / "locale"
# The informal pronouns, as words, in any case ("Du", "DEIN", "dir", "euch", …).
INFORMAL = re.compile(
    r"\b(du|dein|deine|deinem|deinen|deiner|deines|dir|dich|euch|euer|eure|eurem|euren|eurer|eures)\b",
    re.IGNORECASE,
)
# Commands and values (`du`, „sie“) are quoted: they are words to type, not the address.
QUOTED = re.compile(r"`[^`]*`|„[^“]*“")


def _texts(name: str) -> dict[str, str]:
    with (LOCALE / f"{name}.po").open("rb") as handle:
        catalog = read_po(handle, locale="de")
    return {str(m.id): str(m.string) for m in catalog if m.id}


def informal_words(text: str) -> list[str]:
    return INFORMAL.findall(QUOTED.sub("", text))


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def test_the_formal_catalogue_has_every_text_and_the_same_placeholders() -> None:
    informal, formal = _texts("de"), _texts(FORMAL)
    assert set(formal) == set(informal), "de_sie.po and de.po must have the same keys"
    assert all(formal.values()), "every formal text is filled in"
    for key, text in informal.items():
        assert _fields(formal[key]) == _fields(text), key


def test_the_formal_catalogue_says_sie_never_du() -> None:
    found = {key: informal_words(text) for key, text in _texts(FORMAL).items()}
    assert {key: words for key, words in found.items() if words} == {}


def test_the_informal_catalogue_does_say_du() -> None:
    """Guards the check: it does find the informal pronouns where they are."""
    informal = _texts("de")
    assert informal_words(informal["help.title"]) == ["du"]
    assert informal_words("Dein Text, DIR und Euch") == ["Dein", "DIR", "Euch"]
    assert informal_words("Anrede: „du“ oder `du`") == []
    assert informal_words("Du postest? Durchsuche die Dusche") == ["Du"]


class Text(NamedTuple):
    """A string constant of a module, and the line it is on."""

    lineno: int
    value: str


def _strings(path: Path) -> list[Text]:
    """The string constants of a module that a person could read: not docstrings (English,
    for developers), not the policy's own value ``du``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    documented = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, documented)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        Text(node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and node.value not in ADDRESSES
    ]


def test_no_german_text_lives_outside_the_catalogues() -> None:
    """Every German text a person reads comes from a catalogue, so the formal one covers it:
    no string in the code or the playground's page says "du" (or any of its forms)."""
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for package in ("bot", "adapters")
        for path in sorted((ROOT / package).rglob("*.py"))
        for node in _strings(path)
        if informal_words(node.value)
    ]
    found += [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "adapters").rglob("*"))
        if path.suffix in (".js", ".html") and informal_words(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_code_check_sees_a_german_text(tmp_path: Path) -> None:
    stray = tmp_path / "stray.py"
    stray.write_text('"""A module."""\nHELLO = "Schön, dass du da bist"\nVALUE = "du"\n')
    assert [informal_words(node.value) for node in _strings(stray)] == [["du"]]


@pytest.mark.parametrize(("address", "catalogue"), [("du", "de"), ("sie", FORMAL)])
async def test_german_people_are_addressed_as_the_policy_says(
    chat: Chat, address: str, catalogue: str
) -> None:
    await chat.say("hanna", f"policy set german_address {address}")
    chat.person("anna", locale="de-DE")
    chat.person("ben", locale="en-GB")
    assert chat.text("on.title", catalogue) in await chat.ask("anna", "an")
    assert chat.text("help.title", catalogue) in await chat.ask("anna", "hilfe")
    assert chat.text("privacy.title", catalogue) in await chat.ask("anna", "datenschutz")
    settings = (await chat.say("anna", "einstellungen")).views[0]
    assert isinstance(settings, Form)
    assert settings.title == chat.text("settings.title", catalogue)
    assert chat.text("on.title") in await chat.ask("ben", "on")  # English stays English
    # a person who chose German in the settings keeps the policy's address
    assert chat.text("error.unknown_command", catalogue, word="xyz") in await chat.ask(
        "anna", "xyz"
    )


async def test_the_formal_texts_are_different_where_it_matters(chat: Chat) -> None:
    await chat.say("hanna", "policy set german_address sie")
    chat.person("anna", locale="de-AT")
    answer = await chat.ask("anna", "an")
    assert "Sie bekommen ab und zu einen Vorschlag" in answer
    assert "Pausieren können Sie jederzeit" in answer
    assert informal_words(answer) == []


async def test_cards_and_the_share_page_follow_the_policy(database: Database) -> None:
    async with running_playground(database) as server, aiohttp.ClientSession() as http:
        core = server.runtime.core
        await core.say(demo.BY_KEY["hanna"].actor, "policy set german_address sie")
        await core.say(
            demo.BY_KEY["chris"].actor, "new https://example.com/a Hallo --page --at now"
        )
        await server.runtime.dispatcher.idle()
        (card,) = [
            m.view
            for m in server.transcript.of("anna")  # Anna's Slack speaks German
            if isinstance(m.view, SuggestionCard)
        ]
        formal = server.runtime.ctx.catalogue
        assert card.intro == formal.text(FORMAL, "card.intro")
        async with http.get(card.copy_url, headers={"Accept-Language": "de-DE"}) as response:
            page = Elements(await response.text())
        (intro,) = page.find("p", cls="intro")
        assert intro.text == formal.text(FORMAL, "page.intro")
        assert informal_words(intro.text) == []
        # the playground's own labels come from the same texts
        assert (await core.texts(demo.BY_KEY["anna"].actor))("playground.you") == "Sie"


def test_a_missing_formal_text_falls_back_to_german_then_english(tmp_path: Path) -> None:
    for name in ("de", "en"):
        (tmp_path / f"{name}.po").write_text(
            f'msgid "only.{name}"\nmsgstr "{name}"\n\nmsgid "both"\nmsgstr "{name} both"\n',
            encoding="utf-8",
        )
    (tmp_path / f"{FORMAL}.po").write_text('msgid "both"\nmsgstr "Sie both"\n', encoding="utf-8")
    catalogue = Catalogue.load(tmp_path)
    assert catalogue.bind("de", address="sie")("both") == "Sie both"
    assert catalogue.bind("de", address="sie")("only.de") == "de"
    assert catalogue.bind("de", address="sie")("only.en") == "en"
    assert catalogue.bind("de")("both") == "de both"
    assert catalogue.bind("en", address="sie")("both") == "en both"


def test_german_dates_write_the_day_as_an_ordinal() -> None:
    moment = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    german = Catalogue.load().bind("de")
    english = Catalogue.load().bind("en")
    assert german.when(moment) == "Mo., 7. Dez., 09:30"
    assert german.day(moment) == "Mo., 7. Dez. 2026"
    assert english.when(moment) == "Mon, 7 Dec, 09:30"

"""The registry: every command, button and form declared once, and nowhere else."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.commands.buttons import Action, FormId
from bot.commands.registry import (
    COMMS,
    HR,
    REGISTRY,
    Press,
    Registry,
    Verb,
    help_lines,
    leaves_no_trace,
)
from bot.i18n import Catalogue
from storage.states import Role
from tests.support import Chat

ROOT = Path(__file__).resolve().parent.parent
# The only modules that may name commands and buttons: the registry and the button ids.
DECLARING = {ROOT / "bot/commands/registry.py", ROOT / "bot/commands/buttons.py"}
WORDS = {word for verb in REGISTRY.verbs for word in verb.words if len(word) > 1}


def _texts_asked_for(tree: ast.AST) -> set[int]:
    """The string constants that are catalogue keys (``t("card.copy")``), not button ids."""
    keys = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else None
            name = node.func.id if isinstance(node.func, ast.Name) else name
            if name == "t" and node.args and isinstance(node.args[0], ast.Constant):
                keys.add(id(node.args[0]))
    return keys


def _declarations_in(path: Path) -> list[str]:
    """What one module declares on its own, outside the registry: a button id written out, a
    collection of several command words (a word table, a role table, a help list), or code
    that branches on a verb's name."""
    ids = {str(action) for action in Action}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    catalogue_keys = _texts_asked_for(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value in ids and id(node) not in catalogue_keys:
            found.append(f"{node.lineno}: button id {node.value!r}")
        elif isinstance(node, ast.Set | ast.List | ast.Tuple | ast.Dict):
            items = node.keys if isinstance(node, ast.Dict) else node.elts
            named = {
                item.value
                for item in items
                if isinstance(item, ast.Constant) and item.value in WORDS
            }
            if len(named) >= 3:
                found.append(f"{node.lineno}: command words {sorted(named)}")
        elif isinstance(node, ast.Compare) and any(
            isinstance(side, ast.Attribute) and side.attr == "verb"
            for side in (node.left, *node.comparators)
        ):
            found.append(f"{node.lineno}: branches on a verb")
    return sorted(found, key=lambda line: int(line.split(":")[0]))


def test_no_command_or_button_is_declared_outside_the_registry() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for package in ("bot", "adapters")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path not in DECLARING
        for line in _declarations_in(path)
    ]
    assert found == []


def test_the_checker_finds_declarations(tmp_path: Path) -> None:
    """Guards the test itself: the old ways of declaring a command are all found, and a
    catalogue key that reads like a button id is not."""
    stray = tmp_path / "stray.py"
    stray.write_text(
        'QUIET = frozenset({"card.copy"})\n'
        'ALIASES = {"on": "on", "an": "on", "off": "off"}\n'
        'def route(command, t):\n    return command.verb == "new" or t("card.copy")\n'
    )
    assert _declarations_in(stray) == [
        "1: button id 'card.copy'",
        "2: command words ['an', 'off', 'on']",
        "4: branches on a verb",
    ]


def test_every_button_and_form_is_declared_exactly_once() -> None:
    assert sorted(p.action for p in REGISTRY.presses) == sorted(Action)
    assert sorted(f.form_id for f in REGISTRY.forms) == sorted(FormId)
    assert all(f.opened_by in REGISTRY.by_name for f in REGISTRY.forms)


def test_a_word_declared_twice_is_refused() -> None:
    first, second = REGISTRY.verbs[1], REGISTRY.verbs[2]
    clash = Verb(second.name, (*second.words, first.words[0]), second.run)
    with pytest.raises(ValueError, match="declared twice"):
        Registry((first, clash), REGISTRY.presses, REGISTRY.forms)


def test_a_button_without_a_declaration_is_refused() -> None:
    presses = tuple(p for p in REGISTRY.presses if p.action is not Action.COPY)
    with pytest.raises(ValueError, match=r"card\.copy"):
        Registry(REGISTRY.verbs, presses, REGISTRY.forms)


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_help_line_and_refusal_has_its_text(language: str) -> None:
    catalogue = Catalogue.load()
    keys = {line.key for verb in REGISTRY.verbs for line in verb.help}
    keys |= {verb.refusal for verb in REGISTRY.verbs if verb.roles}
    missing = [key for key in sorted(keys) if catalogue.text(language, key) == key]
    assert missing == []


def test_help_shows_each_person_only_what_they_may_do() -> None:
    everyone = help_lines(frozenset())
    comms = help_lines(frozenset({Role.COMMS}))
    hr = help_lines(frozenset({Role.HR}))
    assert "help.on" in everyone and "help.new" not in everyone
    assert {"help.new", "help.new_inline", "help.stats"} <= set(comms)
    assert "help.overview" not in comms and "help.policy" not in comms
    assert {"help.policy", "help.stats", "help.overview", "help.audit"} <= set(hr)
    assert "help.new" not in hr
    both = help_lines(frozenset({Role.COMMS, Role.HR}))
    assert len(both) == len(set(both)) == len(set(comms) | set(hr))


def test_taking_part_buttons_leave_no_trace_and_change_nothing() -> None:
    taking_part = [p for p in REGISTRY.presses if p.taking_part]
    assert {p.action for p in taking_part} == {Action.COPY, Action.ANOTHER}
    assert all(isinstance(p, Press) and not p.changes for p in taking_part)
    assert leaves_no_trace("card.copy") and not leaves_no_trace("card.stop")
    assert not leaves_no_trace("no.such.button")


def test_roles_come_from_the_registry() -> None:
    assert REGISTRY.verb("new").roles == COMMS and REGISTRY.verb("audit").roles == HR
    assert REGISTRY.verb("new").refusal == "error.comms_only"
    assert REGISTRY.verb("policy").refusal == "error.hr_only"
    assert REGISTRY.verb("stats").refusal == "error.not_allowed"
    assert REGISTRY.verb("on").allows(frozenset())


async def test_only_commands_that_change_something_say_so(chat: Chat) -> None:
    for text, changed in (
        ("help", False),
        ("privacy", False),
        ("my-data", False),
        ("on", True),
        ("pause 2w", True),
        ("no-such-command", False),
    ):
        assert (await chat.say("anna", text)).changed is changed, text
    assert (await chat.say("hanna", "policy")).changed is False
    assert (await chat.say("hanna", "policy set max_per_week 1")).changed is True
    assert (await chat.say("hanna", "policy set max_per_week x")).changed is False  # refused

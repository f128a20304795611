"""The README tells a newcomer every command and every policy key: derived from the registry and
the policy, so a new command or key without its line in the README fails here."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from bot.commands.registry import VERBS
from bot.policy import KEYS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def section(heading: str) -> str:
    start = README.index(f"\n## {heading}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end]


def in_backticks(text: str) -> set[str]:
    """Every word that starts a code span: `pause 2w` gives ``pause``."""
    return {span.split()[0] for span in re.findall(r"`([^`]+)`", text) if span.split()}


def test_every_command_has_a_row_in_the_command_table() -> None:
    table = "\n".join(line for line in section("Commands").splitlines() if line.startswith("| `"))
    named = in_backticks(table)
    missing = [verb.name for verb in VERBS if verb.name not in named]
    assert not missing, f"commands without a row in README's table: {missing}"


def test_every_german_word_is_listed() -> None:
    named = in_backticks(section("Commands"))
    words = {word for verb in VERBS for word in verb.words if re.fullmatch(r"[\w-]+", word)}
    missing = sorted(word for word in words if word not in named)
    assert not missing, f"words people may type that README does not list: {missing}"


def test_every_policy_key_is_explained() -> None:
    named = in_backticks(section("Commands"))
    missing = [key for key in KEYS if key not in named]
    assert not missing, f"policy keys README does not explain: {missing}"


def test_nothing_refers_to_the_design_brief_a_clone_lacks() -> None:
    """The project describes itself (README, docs/, PRIVACY.md): a public clone has no design
    brief beside it, so no file may send a reader there."""
    root = Path(__file__).resolve().parent.parent
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    citing = [
        name
        for name in tracked
        if name.endswith((".py", ".md", ".po", ".yaml", ".toml", ".txt", ".html"))
        and re.search(r"\bDESIGN\b", (root / name).read_text(encoding="utf-8", errors="replace"))
    ]
    assert not citing, f"these cite the design brief, which a clone does not have: {citing}"

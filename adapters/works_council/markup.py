"""The document's texts as HTML: catalogue templates with `code`, *emphasis*, **bold**,
paragraphs and ``- `` lists; the values put into them are escaped, never read as markup."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from bot.i18n import Catalogue

LOCALE = Path(__file__).with_name("locale")
_CODE = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def inline(text: str) -> str:
    """One line of marked-up text as HTML (the text is escaped first)."""
    html = escape(text, quote=False)
    html = _CODE.sub(r"<code>\1</code>", html)
    html = _STRONG.sub(r"<strong>\1</strong>", html)
    return _EMPHASIS.sub(r"<em>\1</em>", html)


def blocks(text: str) -> str:
    """Paragraphs (separated by a blank line) and lists (lines starting with ``- ``)."""
    parts = []
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{inline(line[2:])}</li>" for line in lines)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append(f"<p>{inline(' '.join(lines))}</p>")
    return "".join(parts)


class Words:
    """The document's catalogue in one language: ``words("key", n=3)`` is HTML."""

    def __init__(self, catalogue: Catalogue, language: str) -> None:
        self.catalogue = catalogue
        self.language = language

    @classmethod
    def load(cls, language: str) -> Words:
        return cls(Catalogue.load(LOCALE), language)

    def template(self, key: str) -> str:
        found = self.catalogue.template(self.language, key)
        if found is None:
            raise KeyError(f"no text {key!r}")
        return found

    def __call__(self, key: str, /, **values: object) -> str:
        """One line (no paragraphs) with the values filled in, escaped."""
        return self._fill(inline(self.template(key)), values)

    def blocks(self, key: str, /, **values: object) -> str:
        """Paragraphs and lists with the values filled in, escaped."""
        return self._fill(blocks(self.template(key)), values)

    def plain(self, key: str, /, **values: object) -> str:
        """The text itself, unescaped: a value that goes into another text (escaped there)."""
        return self.template(key).format(**values)

    @staticmethod
    def _fill(html: str, values: dict[str, object]) -> str:
        return html.format(**{name: escape(str(value)) for name, value in values.items()})

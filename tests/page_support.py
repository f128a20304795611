"""Reading the share page's HTML in tests: every element with its attributes and text."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

_VOID = frozenset({"img", "meta", "link", "br", "hr", "input", "source"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()


class Elements(HTMLParser):
    """Every element of a page, in document order, with its attributes and the text inside."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.found.append(element)
        if tag not in _VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop().tag != tag:
            pass

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def find(self, tag: str, *, cls: str = "", **attrs: str) -> list[Element]:
        """Elements with this tag, class and attributes (an empty value: only present)."""
        return [
            e
            for e in self.found
            if e.tag == tag
            and (not cls or cls in e.classes)
            and all(name in e.attrs and (not v or e.attrs[name] == v) for name, v in attrs.items())
        ]

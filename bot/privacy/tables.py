"""What each table and column holds, why, for how long and who sees it, in English and German.

Read from ``tables.yaml`` beside this module: the one source of PRIVACY.md's section 1 and of
the works-council document's tables, so that the two cannot say different things.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

SHEET = Path(__file__).with_name("tables.yaml")


@dataclass(frozen=True)
class Bilingual:
    """One text in English and German (``code``, *emphasis* and **bold** marks only)."""

    en: str
    de: str

    def in_language(self, language: str) -> str:
        return self.de if language == "de" else self.en


@dataclass(frozen=True)
class ColumnSheet:
    name: str
    holds: Bilingual
    why: Bilingual
    kept: Bilingual  # how long
    seen_by: Bilingual  # who sees it through the bot


@dataclass(frozen=True)
class TableSheet:
    name: str
    title: Bilingual
    columns: tuple[ColumnSheet, ...]
    about: Bilingual | None = None  # before the columns
    after: Bilingual | None = None  # after them

    def column(self, name: str) -> ColumnSheet | None:
        return next((column for column in self.columns if column.name == name), None)


@dataclass(frozen=True)
class PrivacySheet:
    intro: Bilingual
    tables: tuple[TableSheet, ...]

    def table(self, name: str) -> TableSheet | None:
        return next((table for table in self.tables if table.name == name), None)

    def listed(self) -> set[tuple[str, str]]:
        """Every (table, column) the sheet explains."""
        return {(table.name, column.name) for table in self.tables for column in table.columns}


def load_sheet(path: Path = SHEET) -> PrivacySheet:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return PrivacySheet(
        intro=_bilingual(data["intro"]),
        tables=tuple(
            TableSheet(
                name=table["name"],
                title=_bilingual(table["title"]),
                columns=tuple(
                    ColumnSheet(
                        name=column["name"],
                        holds=_bilingual(column["holds"]),
                        why=_bilingual(column["why"]),
                        kept=_bilingual(column["kept"]),
                        seen_by=_bilingual(column["seen_by"]),
                    )
                    for column in table["columns"]
                ),
                about=_bilingual(table["about"]) if "about" in table else None,
                after=_bilingual(table["after"]) if "after" in table else None,
            )
            for table in data["tables"]
        ),
    )


def _bilingual(node: dict[str, str]) -> Bilingual:
    return Bilingual(en=node["en"].strip(), de=node["de"].strip())

"""PRIVACY.md's section 1, written from ``bot/privacy/tables.yaml``: one source, not two copies.

``python -m adapters.works_council.privacy_sheet --write`` rewrites the section between its two
markers; without ``--write`` it only checks, and fails when PRIVACY.md says something else.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from bot.privacy.tables import Bilingual, PrivacySheet, TableSheet, load_sheet

PRIVACY_MD = Path(__file__).resolve().parents[2] / "PRIVACY.md"
BEGIN = (
    "<!-- Generated from bot/privacy/tables.yaml: edit that file, then run "
    "`python -m adapters.works_council.privacy_sheet --write`. -->"
)
END = "<!-- End of the generated tables. -->"
HEADER = (
    "| column | what it holds | why | how long | who sees it through the bot |\n"
    "|---|---|---|---|---|"
)
WIDTH = 100


def tables_markdown(sheet: PrivacySheet) -> str:
    """Section 1 of PRIVACY.md in English: the intro, then one heading and table per table."""
    parts = [_paragraphs(sheet.intro)]
    parts += [_table(table) for table in sheet.tables]
    return "\n\n".join(parts)


def _table(table: TableSheet) -> str:
    rows = "\n".join(
        f"| `{c.name}` | {c.holds.en} | {c.why.en} | {c.kept.en} | {c.seen_by.en} |"
        for c in table.columns
    )
    parts = [f"### `{table.name}` — {table.title.en}"]
    if table.about:
        parts.append(_paragraphs(table.about))
    parts.append(f"{HEADER}\n{rows}")
    if table.after:
        parts.append(_paragraphs(table.after))
    return "\n\n".join(parts)


def _paragraphs(text: Bilingual) -> str:
    return "\n\n".join(
        textwrap.fill(paragraph, WIDTH, break_long_words=False, break_on_hyphens=False)
        for paragraph in text.en.split("\n\n")
    )


def generated_part(document: str) -> str | None:
    """What stands between the markers of PRIVACY.md (None when a marker is missing)."""
    if BEGIN not in document or END not in document:
        return None
    return document.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n")


def rewritten(document: str, sheet: PrivacySheet) -> str:
    before, rest = document.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    return f"{before}{BEGIN}\n\n{tables_markdown(sheet)}\n\n{END}{after}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite PRIVACY.md's section 1")
    parser.add_argument("--file", type=Path, default=PRIVACY_MD)
    arguments = parser.parse_args(argv)
    document = arguments.file.read_text(encoding="utf-8")
    sheet = load_sheet()
    if generated_part(document) is None:
        print(
            f"{arguments.file}: the markers of the generated section are missing", file=sys.stderr
        )
        return 1
    if arguments.write:
        arguments.file.write_text(rewritten(document, sheet), encoding="utf-8")
        return 0
    if generated_part(document) != tables_markdown(sheet):
        print(f"{arguments.file} differs from bot/privacy/tables.yaml: run with --write")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Making the works-council document in tests, from a test's own database."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape

from adapters.settings import Settings, load_settings
from adapters.works_council.command import Document, make_document
from storage.database import Database
from tests.page_support import Elements
from tests.support import WEDNESDAY

COLUMN_ROW = re.compile(r"<tr><td><code>([^<]+)</code><br>")


def settings_for(database: Database, **extra: str) -> Settings:
    """Settings whose DATABASE_URL is this test's database (SQLite file or PostgreSQL)."""
    url = database.engine.url
    plain = url.set(drivername=url.get_backend_name()).render_as_string(hide_password=False)
    return load_settings(DATABASE_URL=plain, **extra)


async def document(
    database: Database,
    *,
    language: str = "en",
    country: str | None = None,
    organisation: str = "",
    now: datetime = WEDNESDAY,
    **extra: str,
) -> Document:
    return await make_document(
        settings_for(database, **extra),
        language=language,
        country=country,
        organisation=organisation,
        now=now,
    )


def section(html: str, name: str) -> str:
    """The HTML of one section of the document (``<section id="name">``)."""
    start = html.index(f'<section id="{name}"')
    return html[start : html.index("</section>", start)]


def listed_columns(html: str) -> set[tuple[str, str]]:
    """(table, column) for every row of every table in the document's schema part."""
    found: set[tuple[str, str]] = set()
    for chunk in section(html, "tables").split('<h3 id="table-')[1:]:
        table = chunk.split('"', 1)[0]
        found |= {(table, unescape(name)) for name in COLUMN_ROW.findall(chunk)}
    return found


def texts_of(html: str, tag: str, cls: str = "") -> list[str]:
    return [element.text for element in Elements(html).find(tag, cls=cls)]

"""``sharebot works-council``: read the installation, write the document."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from adapters.settings import Settings
from adapters.works_council.document import Request, render
from adapters.works_council.version import this_build
from bot.i18n import Catalogue
from bot.privacy.installation import describe
from bot.privacy.tables import load_sheet
from storage import migrate
from storage.database import Database

NO_NAME = {"de": "[Name des Unternehmens]", "en": "[name of the organisation]"}


class WorksCouncilError(Exception):
    """The document cannot be made; the message is one line saying why."""


@dataclass(frozen=True)
class Document:
    html: str
    language: str
    country: str


async def make_document(
    settings: Settings,
    *,
    language: str | None = None,
    country: str | None = None,
    organisation: str = "",
    progress: Callable[[str], None] = lambda line: None,
    now: datetime | None = None,
) -> Document:
    """Read this installation and write its document (language and country: the operator's
    choice, else from the policy).

    Nothing is written to the database: a schema that is not current is reported, not
    upgraded, so that the document describes the database as it is.
    """
    database = Database.from_url(settings.database_url)
    try:
        progress(f"Reading {settings.database_label} …")
        try:
            current = await migrate.is_current(database.engine)
        except Exception as error:
            raise WorksCouncilError(
                f"cannot read the database {settings.database_label}: {_first_line(error)}"
            ) from error
        if not current:
            raise WorksCouncilError(
                f"the database {settings.database_label} is not at this Sharebot's schema: "
                "run `sharebot db upgrade` (or start Sharebot once) first"
            )
        facts = await describe(
            database,
            limits=settings.limits,
            admins=settings.admin_keys,
            now=now or datetime.now(UTC),
        )
    finally:
        await database.close()
    language = language or facts.policy.default_language
    country = country or ("at" if facts.policy.holidays.startswith("AT") else "de")
    progress(
        f"{len(facts.tables)} tables, {len(facts.roles)} role holders, "
        f"{sum(count for _, count in facts.audit_counts)} audit entries in 90 days"
    )
    request = Request(
        language=language,
        country=country,
        organisation=organisation.strip() or NO_NAME[language],
        site=settings.base_url,
        database=settings.database_label,
    )
    progress(f"Writing the document in {language}, draft agreement under {country} law …")
    build = await asyncio.to_thread(this_build)  # git answers in its own time
    html = render(facts, request, build=build, sheet=load_sheet(), bot=Catalogue.load())
    return Document(html, language, country)


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__

"""German and English texts from gettext catalogues (``bot/locale/<lang>.po``), read with Babel."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.pofile import read_po

from bot.policy import LANGUAGES

_LOCALE_DIR = Path(__file__).parent / "locale"
FALLBACK = "en"


class Catalogue:
    """All texts by language and message id; ``{name}`` placeholders are filled by ``text``."""

    def __init__(self, messages: dict[str, dict[str, str]]) -> None:
        self._messages = messages

    @classmethod
    def load(cls, directory: Path = _LOCALE_DIR) -> Catalogue:
        messages: dict[str, dict[str, str]] = {}
        for language in LANGUAGES:
            with (directory / f"{language}.po").open("rb") as handle:
                catalog = read_po(handle, locale=language)
            messages[language] = {
                str(message.id): str(message.string)
                for message in catalog
                if message.id and message.string
            }
        return cls(messages)

    def ids(self, language: str) -> set[str]:
        return set(self._messages[language])

    def text(self, language: str, message_id: str, /, **params: object) -> str:
        template = self._messages.get(language, {}).get(message_id) or self._messages[FALLBACK].get(
            message_id
        )
        if template is None:
            raise KeyError(f"no text {message_id!r}")
        return template.format(**params) if params else template

    def apology(self, platform_locale: str | None) -> str:
        """The answer to a command that failed unexpectedly (a bug, the database gone), in the
        language the platform gives for the person: their own setting may be what failed."""
        return self.text(language_for(None, platform_locale, FALLBACK), "error.unexpected")

    def bind(self, language: str, zone: ZoneInfo | None = None) -> Texts:
        return Texts(self, language if language in LANGUAGES else FALLBACK, zone or ZoneInfo("UTC"))


class Texts:
    """The catalogue bound to one person's language and time zone."""

    def __init__(self, catalogue: Catalogue, language: str, zone: ZoneInfo) -> None:
        self.catalogue = catalogue
        self.language = language
        self.zone = zone

    def __call__(self, message_id: str, /, **params: object) -> str:
        return self.catalogue.text(self.language, message_id, **params)

    def when(self, moment: datetime) -> str:
        """A date and time in the person's zone, e.g. ``Mon, 7 Dec, 09:30``."""
        return format_datetime(moment, "EEE, d MMM, HH:mm", tzinfo=self.zone, locale=self.language)

    def day(self, moment: datetime) -> str:
        return format_datetime(moment, "EEE, d MMM y", tzinfo=self.zone, locale=self.language)


def language_for(chosen: str | None, platform_locale: str | None, default: str) -> str:
    """The person's setting, else the platform's locale, else the policy's default language."""
    if chosen in LANGUAGES:
        return chosen
    if platform_locale:
        prefix = platform_locale.replace("_", "-").split("-")[0].lower()
        if prefix in LANGUAGES:
            return prefix
    return default

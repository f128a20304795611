"""German and English texts from gettext catalogues (``bot/locale/<lang>.po``), read with Babel.

German comes twice: ``de.po`` says "du", ``de_sie.po`` the same in the formal address ("Sie"),
for organisations whose policy says ``german_address sie``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.pofile import read_po

from bot.policy import LANGUAGES

_LOCALE_DIR = Path(__file__).parent / "locale"
FALLBACK = "en"
FORMAL = "de_sie"  # the German catalogue in the formal address
ADDRESSES = ("du", "sie")


def variant(language: str, address: str = "du") -> str:
    """The catalogue that speaks ``language`` in ``address``: ``de_sie`` for formal German."""
    return FORMAL if language == "de" and address == "sie" else language


class Catalogue:
    """All texts by catalogue (``de``, ``en``, ``de_sie``) and message id; ``{name}``
    placeholders are filled by ``text``."""

    def __init__(self, messages: dict[str, dict[str, str]]) -> None:
        self._messages = messages

    @classmethod
    def load(cls, directory: Path = _LOCALE_DIR) -> Catalogue:
        messages: dict[str, dict[str, str]] = {}
        for name in (*LANGUAGES, FORMAL):
            path = directory / f"{name}.po"
            if name == FORMAL and not path.exists():
                continue  # a catalogue of its own (the works-council document's) may have none
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=name.partition("_")[0])
            messages[name] = {
                str(message.id): str(message.string)
                for message in catalog
                if message.id and message.string
            }
        return cls(messages)

    def ids(self, language: str) -> set[str]:
        return set(self._messages[language])

    def template(self, language: str, message_id: str) -> str | None:
        """The text as written in the catalogue ``language`` (``de``, ``en``, ``de_sie``)."""
        return self._messages.get(language, {}).get(message_id)

    def text(self, language: str, message_id: str, /, **params: object) -> str:
        """The text in the catalogue ``language``, else in its language's first catalogue,
        else in English."""
        template = (
            self.template(language, message_id)
            or self.template(language.partition("_")[0], message_id)
            or self.template(FALLBACK, message_id)
        )
        if template is None:
            raise KeyError(f"no text {message_id!r}")
        return template.format(**params) if params else template

    def apology(self, platform_locale: str | None) -> str:
        """The answer to a command that failed unexpectedly (a bug, the database gone), in the
        language the platform gives for the person: their own setting may be what failed."""
        return self.text(language_for(None, platform_locale, FALLBACK), "error.unexpected")

    def bind(self, language: str, zone: ZoneInfo | None = None, address: str = "du") -> Texts:
        """The texts for one person: their language, time zone and (German) address."""
        language = language if language in LANGUAGES else FALLBACK
        return Texts(self, language, zone or ZoneInfo("UTC"), address)


class Texts:
    """The catalogue bound to one person's language, time zone and form of address."""

    def __init__(
        self, catalogue: Catalogue, language: str, zone: ZoneInfo, address: str = "du"
    ) -> None:
        self.catalogue = catalogue
        self.language = language
        self.zone = zone
        self.address = address
        self._variant = variant(language, address)

    def __call__(self, message_id: str, /, **params: object) -> str:
        return self.catalogue.text(self._variant, message_id, **params)

    def rebind(self, language: str) -> Texts:
        """The same person's texts in another language (they just chose it)."""
        return self.catalogue.bind(language, self.zone, self.address)

    def when(self, moment: datetime) -> str:
        """A date and time in the person's zone, e.g. ``Mon, 7 Dec, 09:30`` (``Mo., 7. Dez.,
        09:30``)."""
        pattern = f"EEE, {day_of_month(self.language)} MMM, HH:mm"
        return format_datetime(moment, pattern, tzinfo=self.zone, locale=self.language)

    def day(self, moment: datetime) -> str:
        pattern = f"EEE, {day_of_month(self.language)} MMM y"
        return format_datetime(moment, pattern, tzinfo=self.zone, locale=self.language)


def day_of_month(language: str) -> str:
    """The day in a date pattern: German writes it as an ordinal (``7. Dezember``)."""
    return "d." if language == "de" else "d"


def language_for(chosen: str | None, platform_locale: str | None, default: str) -> str:
    """The person's setting, else the platform's locale, else the policy's default language."""
    if chosen in LANGUAGES:
        return chosen
    if platform_locale:
        prefix = platform_locale.replace("_", "-").split("-")[0].lower()
        if prefix in LANGUAGES:
            return prefix
    return default

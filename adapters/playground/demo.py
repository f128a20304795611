"""The demo organisation: who is in it, and how a new database is seeded for it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.ports import Actor

PLATFORM = "playground"


@dataclass(frozen=True)
class DemoPerson:
    key: str
    name: str
    role: str  # "hr", "comms" or "employee"
    locale: str
    timezone: str
    opted_in: bool = False

    @property
    def actor(self) -> Actor:
        return Actor(PLATFORM, self.key, self.name, self.locale, self.timezone)


PEOPLE = (
    DemoPerson("hanna", "Hanna Hofer", "hr", "de-AT", "Europe/Vienna"),
    DemoPerson("chris", "Chris Weber", "comms", "en-GB", "Europe/Berlin"),
    DemoPerson("anna", "Anna Berger", "employee", "de-DE", "Europe/Berlin", opted_in=True),
    DemoPerson("ben", "Ben Fischer", "employee", "en-GB", "Europe/London", opted_in=True),
    DemoPerson("clara", "Clara Novak", "employee", "de-AT", "Europe/Vienna", opted_in=True),
    DemoPerson("deniz", "Deniz Yilmaz", "employee", "de-DE", "Europe/Berlin"),
    DemoPerson("emil", "Emil Larsen", "employee", "en-US", "America/New_York"),
)
BY_KEY = {person.key: person for person in PEOPLE}
# The demo organisation's channels, for ``--to #wien``: everyone is in #general.
CHANNELS = {
    "general": tuple(person.key for person in PEOPLE),
    "wien": ("hanna", "clara"),
    "berlin": ("chris", "anna", "deniz"),
}

# The demo starts with a policy that delivers at once, so a first try at any hour shows a
# delivery; the page says so and how to switch to the real behaviour.
INSTANT_POLICY = {
    "window": "always",
    "spread_minutes": "0",
    "min_gap_hours": "0",
    "max_per_week": "14",
    "participation": "invite",
}


def find(reference: str) -> DemoPerson | None:
    """A demo person by key, first name or full name, in any case."""
    wanted = reference.strip().lstrip("@").lower()
    for person in PEOPLE:
        if wanted in (person.key, person.name.lower(), person.name.split()[0].lower()):
            return person
    return None

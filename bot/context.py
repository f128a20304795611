"""What every handler may use: built once in the composition root, passed in, never global."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.delivery.planning import zone_of
from bot.i18n import Catalogue, Texts, language_for
from bot.limits import PolicyLimits
from bot.metrics import Metrics
from bot.policy import Policy
from bot.ports import Actor, Addressee, Directory, Messenger, PhotoFetcher, Target
from bot.privacy.passes import Passes
from bot.sharing.clicks import ClickCounter
from bot.sharing.known import KnownWordings
from bot.sharing.photos import Fetched
from bot.views import View
from storage.database import Database
from storage.models import Person
from storage.people import Contact


@dataclass(frozen=True)
class Notification:
    """A message to someone other than the person of the turn (an approver, the author of a
    suggestion or a proposal): sent once the turn's transaction has committed, outside any
    person's delivery budget."""

    to: Addressee
    view: View


def _drop(notes: Sequence[Notification]) -> None:
    return None


@dataclass
class Context:
    """The core's dependencies."""

    database: Database
    catalogue: Catalogue
    clock: Clock
    public_url: str
    admins: frozenset[tuple[str, str]] = frozenset()
    messengers: Mapping[str, Messenger] = field(default_factory=dict)
    directories: Mapping[str, Directory] = field(default_factory=dict)
    clicks: ClickCounter = field(default_factory=ClickCounter)
    metrics: Metrics = field(default_factory=Metrics)
    wake_dispatcher: Callable[[], None] = lambda: None
    photos: PhotoFetcher | None = None
    # bounds agreed with the works council (SHAREBOT_POLICY_LIMITS): HR cannot cross them
    limits: PolicyLimits = field(default_factory=PolicyLimits)
    passes: Passes = field(default_factory=Passes)  # signed links to the figures page
    # Sends notifications after a turn (the composition root gives the dispatcher's)
    notify: Callable[[Sequence[Notification]], None] = _drop
    # what copy text answers with, per running suggestion (nothing about anyone)
    wordings: KnownWordings = field(default_factory=KnownWordings)

    def texts_for(self, person: Person | Contact, policy: Policy) -> Texts:
        """The catalogue in the person's language and time zone."""
        language = language_for(person.language, person.platform_locale, policy.default_language)
        return self.catalogue.bind(language, zone_of(person, policy), policy.german_address)

    def share_url(self, token: str) -> str:
        """The counted share link: ``/s/{token}``."""
        return f"{self.public_url.rstrip('/')}/s/{token}"

    def page_url(self, token: str) -> str:
        """The same share page without counting again (the QR code's hop to the phone)."""
        return f"{self.public_url.rstrip('/')}/p/{token}"

    def dashboard_url(self, token: str) -> str:
        """The figures page behind a signed pass: ``/dashboard?token=…``."""
        return f"{self.public_url.rstrip('/')}/dashboard?token={token}"

    def image_url(self, token: str) -> str:
        """A suggestion's photo as Sharebot serves it."""
        return f"{self.public_url.rstrip('/')}/i/{token}"


@dataclass(frozen=True)
class Peek:
    """Who is asking, as a command's fetch sees them before its transaction: read, not written."""

    actor: Actor
    roles: frozenset[str]
    policy: Policy


@dataclass(frozen=True)
class Prefetched:
    """What a command needed from outside Sharebot, fetched before its transaction opened."""

    members: Sequence[Actor] | None = None  # ``invite``: the target's members (None: unknown)
    photos: Fetched = field(default_factory=dict)  # ``new`` and compose: checked photos
    # ``new … --to`` and compose: each audience as typed, as the platform names it (None: no
    # such channel or team here)
    targets: Mapping[str, Target | None] = field(default_factory=dict)


@dataclass
class Turn:
    """One command or button press of one person, inside one transaction."""

    session: AsyncSession
    actor: Actor
    person: Person
    roles: frozenset[str]
    policy: Policy
    t: Texts
    now: datetime
    wake: bool = False
    # ``invite``: the target's members, fetched from the platform before the transaction
    members: Sequence[Actor] | None = None
    # ``new`` and the compose form: the photos, fetched and checked before the transaction
    photos: Fetched = field(default_factory=dict)
    # ``new … --to`` and the compose form: the audiences, named by the platform beforehand
    targets: Mapping[str, Target | None] = field(default_factory=dict)
    # Messages to others, sent once this turn has committed (none when it is rolled back)
    notices: list[Notification] = field(default_factory=list)
    # It ended a suggestion or changed the policy: copy text reads them again once committed
    forget_wordings: bool = False

    @property
    def person_id(self) -> int:
        assert self.person.id is not None
        return self.person.id

    @property
    def zone(self) -> ZoneInfo:
        return self.t.zone

    def tell(self, person: Person, view: View) -> None:
        """Send ``view`` to ``person`` once this turn has committed."""
        self.notices.append(Notification(addressee_of(person), view))

    @property
    def actor_name(self) -> str:
        """How an admin appears in the audit trail."""
        name = self.person.display_name or self.person.user_key
        return f"{self.person.platform}:{name}"


def addressee_of(person: Person) -> Addressee:
    return Addressee(person.platform, person.user_key, person.address)

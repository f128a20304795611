"""One wave of claimed deliveries and what it needs, read once per wave."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.delivery import slots
from bot.delivery.planning import Planning
from bot.i18n import Texts
from bot.ports import Addressee
from bot.sharing.cards import digest, suggestion_card
from bot.views import SuggestionCard, View
from storage import people, recent, shares, suggestions
from storage.models import Suggestion
from storage.outbox import Claimed
from storage.people import Contact
from storage.states import DeliveryKind

CardKey = tuple[str, str, str, tuple[str, ...], int]  # language, zone, address, networks, variant


@dataclass
class _Cards:
    """One suggestion's share tokens and the cards rendered from them."""

    tokens: dict[str, str]
    cards: dict[CardKey, SuggestionCard] = field(default_factory=dict)


class Round:
    """What one round of waves reads and renders once: the suggestions the rows name, and
    their cards. A card depends on the suggestion, the person's language, zone, form of
    address, chosen networks and caption variant, and nothing else about them, so the same
    card is rendered once for everyone who gets it (a few dozen cards for a fan-out to
    thousands).

    A suggestion is read once a round, not once a wave (it was a round trip and a tenth of
    the dispatcher's time a wave on PostgreSQL, measured): what a card shows of it never
    changes, and one that ends meanwhile loses its pending rows in the transaction that
    ends it, so no later claim finds them; what was claimed before goes out, as what was on
    its way does. A round lasts one tick's sending, at most its budget.
    """

    _KEPT = 4096  # cards per suggestion before starting over (memory stays bounded)

    def __init__(self) -> None:
        self.suggestions: dict[int, Suggestion] = {}
        self._of: dict[int, _Cards] = {}

    async def card(
        self, wave: Wave, suggestion: Suggestion, person: Contact, texts: Texts, variant: int
    ) -> SuggestionCard:
        key = id_of(suggestion)
        found = self._of.get(key)
        if found is None:
            found = _Cards(await shares.links_for(wave.session, key))
            self._of[key] = found
        which = (
            texts.language,
            str(texts.zone),
            texts.address,
            tuple(person.networks or ()),
            variant,
        )
        card = found.cards.get(which)
        if card is None:
            if len(found.cards) >= self._KEPT:
                found.cards.clear()
            card = suggestion_card(
                suggestion,
                t=texts,
                tokens=found.tokens,
                share_url=wave.ctx.share_url,
                image_url=wave.ctx.image_url,
                person=person,
                variant=variant,
                disclosure=wave.planning.policy.disclosure_in(suggestion.language),
            )
            found.cards[which] = card
        return card


class Wave:
    """What one wave of rows needs, read once: people and their recent times; the
    suggestions and their share tokens once a round (:class:`Round`)."""

    def __init__(
        self, ctx: Context, session: AsyncSession, planning: Planning, shared: Round | None = None
    ) -> None:
        self.ctx = ctx
        self.session = session
        self.planning = planning
        self.people: dict[int, Contact] = {}
        self.recent: dict[int, list[datetime]] = {}
        self.round = shared or Round()
        self.suggestions = self.round.suggestions

    async def load(self, rows: list[Claimed], now: datetime | None) -> None:
        """The people of these rows, their recent deliveries (when ``now`` is given), the
        suggestions the rows name."""
        ids = sorted({row.person_id for row in rows})
        if now is None:
            found = await people.contacts(self.session, ids)
        else:
            found, self.recent = await recent.contacts_with_times(
                self.session, ids, since=now - slots.WEEK
            )
        self.people = {person.id: person for person in found}
        await self.load_suggestions(rows)

    async def load_suggestions(self, rows: list[Claimed]) -> None:
        wanted = {i for row in rows for i in (row.bundle or suggestion_ids_of([row]))}
        missing = sorted(wanted - self.suggestions.keys())
        if missing:
            for suggestion in await suggestions.by_ids(self.session, missing):
                self.suggestions[id_of(suggestion)] = suggestion

    async def card(
        self, suggestion: Suggestion, person: Contact, texts: Texts, variant: int
    ) -> SuggestionCard:
        """The person's card (rendered once per round for everyone it looks the same for)."""
        return await self.round.card(self, suggestion, person, texts, variant)

    async def ended_view(self, row: Claimed) -> tuple[Addressee, str, View] | None:
        """The sent message again, its ended suggestions marked (a digest keeps its order)."""
        person = self.people.get(row.person_id)
        if person is None or row.message_ref is None:
            return None
        texts = self.ctx.texts_for(person, self.planning.policy)
        ids = row.bundle or suggestion_ids_of([row])
        found = self.suggestions
        cards = [await self.card(found[i], person, texts, row.variant) for i in ids if i in found]
        if not cards:
            return None
        view: View = digest(cards, t=texts) if row.bundle else cards[0]
        return Addressee(person.platform, person.user_key, person.address), row.message_ref, view


def suggestion_ids_of(rows: list[Claimed]) -> list[int]:
    return [row.suggestion_id for row in rows if row.suggestion_id is not None]


def ids_of(rows: list[Claimed]) -> list[int]:
    return [row.id for row in rows]


def id_of(entity: Suggestion) -> int:
    assert entity.id is not None
    return entity.id


def one_message_each(rows: list[Claimed]) -> list[list[Claimed]]:
    """Claimed rows grouped into messages: a person's digest rows of one slot go together."""
    groups: dict[tuple[object, ...], list[Claimed]] = {}
    for row in rows:
        key = (row.person_id, row.due_at) if row.kind == DeliveryKind.DIGEST else ("row", row.id)
        groups.setdefault(key, []).append(row)
    return list(groups.values())

"""Photos on a suggestion: checked once at creation, with a clear answer when one is no good."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import TypedDict, Unpack

import pytest

from adapters.photos import WebPhotos
from bot.errors import UserError
from bot.views import Form, SuggestionCard
from storage import images, suggestions
from tests.photo_server import FakePhotoHost
from tests.support import LOOPBACK_PHOTOS, Chat


@pytest.fixture
async def host() -> AsyncIterator[FakePhotoHost]:
    async with FakePhotoHost() as serving:
        yield serving


class Limits(TypedDict, total=False):
    """What a case changes of ``WebPhotos``' limits."""

    timeout: float
    max_bytes: int


async def refusal(host: FakePhotoHost, name: str, **limits: Unpack[Limits]) -> UserError:
    with pytest.raises(UserError) as caught:
        await WebPhotos(LOOPBACK_PHOTOS, **limits).fetch(host.url(name))
    return caught.value


async def test_a_good_photo_arrives_with_its_bytes_and_real_type(host: FakePhotoHost) -> None:
    photo = await WebPhotos(LOOPBACK_PHOTOS).fetch(host.url("outing.png"))
    assert photo.content_type == "image/png"
    assert photo.data == host.photo


async def test_a_web_page_is_not_a_photo(host: FakePhotoHost) -> None:
    error = await refusal(host, "page.html")
    assert error.key == "error.photo.not_image"
    assert error.params["type"] == "text/html"


async def test_a_missing_photo_could_not_be_used_without_saying_the_status(
    host: FakePhotoHost,
) -> None:
    error = await refusal(host, "missing.png")
    assert (error.key, error.params) == ("error.photo.unusable", {"url": host.url("missing.png")})


async def test_a_huge_photo_is_refused_by_its_declared_size(host: FakePhotoHost) -> None:
    error = await refusal(host, "huge.png")
    assert error.key == "error.photo.too_big"
    assert (error.params["size"], error.params["limit"]) == ("9", "8")


async def test_a_photo_without_a_size_is_refused_once_it_grows_too_big(
    host: FakePhotoHost,
) -> None:
    error = await refusal(host, "endless.png", max_bytes=1024 * 1024)
    assert error.key == "error.photo.too_big"
    assert error.params["limit"] == "1"


async def test_a_slow_server_is_given_up_on_in_time(host: FakePhotoHost) -> None:
    started = time.monotonic()
    error = await refusal(host, "slow.png", timeout=0.2)
    assert error.key == "error.photo.unusable"
    assert time.monotonic() - started < 2


async def test_formats_that_not_every_network_takes_are_refused(host: FakePhotoHost) -> None:
    error = await refusal(host, "photo.webp")
    assert (error.key, error.params["type"]) == ("error.photo.format", "image/webp")


async def test_a_server_that_calls_a_web_page_a_photo_is_not_believed(
    host: FakePhotoHost,
) -> None:
    assert (await refusal(host, "lying.png")).key == "error.photo.broken"


async def test_a_server_that_does_not_answer_at_all() -> None:
    with pytest.raises(UserError) as caught:
        await WebPhotos(LOOPBACK_PHOTOS).fetch("http://127.0.0.1:9/outing.png")
    assert caught.value.key == "error.photo.unusable"


# --- through the command and the compose form ----------------------------------------------


async def test_comms_adds_photos_that_are_stored_and_shown(chat: Chat, host: FakePhotoHost) -> None:
    await chat.make_comms("chris")
    reply = await chat.say(
        "chris",
        f"new https://example.com/outing Our summer outing! --image {host.url('outing.png')} "
        f"--image {host.url('outing.png?second')} --page",
    )
    preview = reply.views[1]
    assert isinstance(preview, SuggestionCard)
    assert [image.source for image in preview.images] == [
        host.url("outing.png"),
        host.url("outing.png?second"),
    ]
    assert all(image.url.startswith("https://sharebot.example/i/") for image in preview.images)
    assert {image.alt for image in preview.images} == {"Our summer outing!"}
    assert "instagram" in [button.network for button in preview.share_buttons]
    async with chat.database.transaction() as session:
        suggestion = await suggestions.get(session, 1)
        assert suggestion is not None and suggestion.page
        stored = [await images.by_token(session, i["token"]) for i in suggestion.images]
    assert [(s.content_type, s.data) for s in stored if s] == [("image/png", host.photo)] * 2


async def test_a_bad_photo_creates_nothing_and_says_why_in_the_authors_language(
    chat: Chat, host: FakePhotoHost
) -> None:
    chat.person("christa", locale="de-DE")
    await chat.make_comms("christa")
    await chat.say("christa", f"new https://example.com Hallo --image {host.url('page.html')}")
    assert "kein Foto" in chat.last_reply("christa")
    assert "text/html" in chat.last_reply("christa")
    async with chat.database.transaction() as session:
        assert await suggestions.get(session, 1) is None


async def test_only_comms_can_make_sharebot_fetch_anything(chat: Chat, host: FakePhotoHost) -> None:
    await chat.say("anna", f"new https://example.com Hello --image {host.url('outing.png')}")
    await chat.submit(
        "anna", "compose", {"url": "https://example.com", "captions": "Hi", "images": host.url("x")}
    )
    assert host.hits == {}


async def test_instagram_needs_a_photo(chat: Chat) -> None:
    await chat.make_comms("chris")
    await chat.say("chris", "new https://example.com Hello --networks instagram")
    assert chat.last_reply("chris") == chat.text("error.photo.instagram")
    reply = await chat.say("chris", "new https://example.com Hello")
    card = reply.views[1]
    assert isinstance(card, SuggestionCard)
    assert "instagram" not in [button.network for button in card.share_buttons]


async def test_at_most_four_photos(chat: Chat, host: FakePhotoHost) -> None:
    await chat.make_comms("chris")
    photos = " ".join(f"--image {host.url(f'outing.png?{n}')}" for n in range(5))
    await chat.say("chris", f"new https://example.com Hello {photos}")
    assert chat.last_reply("chris") == chat.text("error.photo.too_many", limit=4)
    assert host.hits == {}


async def test_the_compose_form_marks_a_bad_photo_next_to_its_field(
    chat: Chat, host: FakePhotoHost
) -> None:
    await chat.make_comms("chris")
    values = {
        "url": "https://example.com/outing",
        "captions": "Our outing",
        "images": f"{host.url('outing.png')}\n{host.url('missing.png')}",
        "page": "on",
    }
    reply = await chat.submit("chris", "compose", values)
    form = reply.views[0]
    assert isinstance(form, Form)
    errors = {field.name: field.error for field in form.fields if field.error}
    assert list(errors) == ["images"]
    assert errors["images"] == chat.text("error.photo.unusable", url=host.url("missing.png"))
    values["images"] = host.url("outing.png")
    reply = await chat.submit("chris", "compose", values)
    card = reply.views[1]
    assert isinstance(card, SuggestionCard) and len(card.images) == 1
    async with chat.database.transaction() as session:
        suggestion = await suggestions.get(session, 1)
    assert suggestion is not None and suggestion.page


async def test_delivered_cards_show_sharebots_copy_of_the_photo(
    chat: Chat, host: FakePhotoHost
) -> None:
    await chat.say("hanna", "policy set spread_minutes 0")
    await chat.make_comms("chris")
    await chat.say("anna", "on")
    await chat.say("chris", f"new https://example.com Our outing --image {host.url('outing.png')}")
    await chat.tick()
    [card] = [view for view in chat.inbox("anna") if isinstance(view, SuggestionCard)]
    assert len(card.images) == 1 and card.images[0].url.startswith("https://sharebot.example/i/")
    assert host.hits["outing.png"] == 1  # fetched once, at creation: never per recipient

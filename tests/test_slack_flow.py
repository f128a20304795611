"""Cards, buttons, modals, App Home and the whole way from ``/share on`` to a share click."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from bot.ports import Actor
from bot.views import plain_text
from storage import figures, shares
from storage.database import Database
from tests.photo_server import FakePhotoHost
from tests.slack_support import (
    ANNA,
    BEN,
    COMMS,
    HR,
    SlackWorld,
    card_buttons,
    event_body,
    slack_world,
    submission_body,
    texts,
)
from tests.support import FakeClock

URL = "https://example.org/outing"


def en(world: SlackWorld, key: str, **params: object) -> str:
    return world.runtime.ctx.catalogue.text("en", key, **params)


async def instant_policy(world: SlackWorld) -> None:
    await world.command(HR, "policy set window always")
    await world.command(HR, "policy set spread_minutes 0")
    await world.command(HR, f"roles grant <@{COMMS}|chris> comms")


async def delivered(world: SlackWorld, count: int) -> dict[str, dict[str, Any]]:
    """Tick the dispatcher until ``count`` cards went out; the first card of each DM."""
    await world.settle()
    await world.tick()
    await world.fake.wait_for(lambda: len(world.fake.of("chat.postMessage")) >= count)
    return {channel: next(iter(found.values())) for channel, found in world.fake.messages.items()}


async def test_from_on_to_delivery_to_share_click(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        await instant_policy(world)
        await world.command(ANNA, "on")
        await world.command(BEN, "an")
        await world.command(COMMS, f"new {URL} Our summer outing! #team || Summer outing with us")
        cards = await delivered(world, 2)
        assert set(cards) == {"DANNA", "DBEN"}
        links = {
            tuple(sorted(b["url"] for b in card_buttons(card) if "url" in b))
            for card in cards.values()
        }
        assert len(links) == 1  # everyone gets the same share links: no per-person token
        (urls,) = links
        assert urls and all(u.startswith(f"{world.url}/s/") for u in urls)
        async with world.http.get(urls[0], allow_redirects=False) as answer:
            assert answer.status in (302, 303, 307)
            assert "example.org" in answer.headers["Location"].replace("%2F", "/").replace(
                "%3A", ":"
            )
        await world.runtime.ctx.clicks.flush(database)
        async with database.transaction() as session:
            assert sum((await figures.clicks_of(session, [1]))[1].values()) == 1
        assert world.fake.duplicates() == {}


async def test_card_buttons_answer_ephemerally_and_never_edit_the_card(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        await instant_policy(world)
        await world.command(ANNA, "on")
        await world.command(COMMS, f"new {URL} First wording || Second wording #team")
        card = (await delivered(world, 1))["DANNA"]
        buttons = {b["action_id"].split("|")[1]: b for b in card_buttons(card) if "value" in b}
        caption = card["blocks"][1]["text"]["text"].lstrip(">")
        other_caption = ({"First wording", "Second wording"} - {caption}).pop()
        assert world.runtime.slack is not None
        world.runtime.slack.people.refresh_seconds = 0  # what Slack told us is old now
        looked_up = len(world.fake.of("users.info"))
        copy = await world.press(
            ANNA, buttons["card.copy"]["action_id"], buttons["card.copy"]["value"]
        )
        assert "```" in texts(copy) and caption in texts(copy)
        assert copy["response_type"] == "ephemeral" and copy["replace_original"] is False
        other = buttons["card.another"]
        again = await world.press(ANNA, other["action_id"], other["value"])
        assert other_caption in texts(again)
        assert len(world.fake.of("users.info")) == looked_up  # not even a look-up for these
        paused = await world.press(ANNA, buttons["card.pause"]["action_id"], "1:0")
        assert "Paused until" in texts(paused)
        stopped = await world.press(ANNA, buttons["card.stop"]["action_id"], "1:0")
        assert en(world, "off.done") in texts(stopped)
        assert not world.fake.of("chat.update")  # privacy rule 2


async def test_a_share_link_press_is_only_acknowledged(
    database: Database, clock: FakeClock
) -> None:
    """Slack reports URL-button clicks too; they must leave no trace and call nothing."""
    async with slack_world(database, clock) as world:
        from tests.slack_support import action_body

        status, _ = await world.post(action_body(ANNA, "share|linkedin", response_url="x"))
        assert status == 200
        await world.settle()
        # Only bolt's one-time token check; no users.info, no answer, no home publishing.
        assert [call.method for call in world.fake.calls] == ["auth.test"]


async def test_ending_a_suggestion_updates_every_card(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        await instant_policy(world)
        await world.command(ANNA, "on")
        await world.command(BEN, "on")
        await world.command(COMMS, f"new {URL} Come along #team")
        await delivered(world, 2)
        await world.command(COMMS, "end 1")
        await world.settle()
        await world.tick()
        updates = await world.fake.wait_for(
            lambda: found if len(found := world.fake.of("chat.update")) >= 2 else None
        )
        assert {u.params["channel"] for u in updates} == {"DANNA", "DBEN"}
        catalogue = world.runtime.ctx.catalogue
        for channel, language in (("DANNA", "en"), ("DBEN", "de")):
            (message,) = world.fake.messages[channel].values()
            assert not card_buttons(message)
            assert catalogue.text(language, "card.ended") in texts(message)


async def test_invitation_yes_and_no(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        await instant_policy(world)
        await world.command(HR, "policy set participation invite")
        world.fake.add_channel("C1", "general", [ANNA, BEN])
        await world.command(HR, "invite <#C1|general>")
        cards = await delivered(world, 2)
        assert set(cards) == {"DANNA", "DBEN"}
        yes = next(b for b in card_buttons(cards["DANNA"]) if "invite.yes" in b["action_id"])
        no = next(b for b in card_buttons(cards["DBEN"]) if "invite.no" in b["action_id"])
        assert en(world, "on.title") in texts(await world.press(ANNA, yes["action_id"]))
        no_answer = texts(await world.press(BEN, no["action_id"]))
        assert world.runtime.ctx.catalogue.text("de", "off.done") in no_answer
        await world.command(HR, "invite <#C1|general>")  # once only
        await world.settle()
        await world.tick()
        assert len(world.fake.of("chat.postMessage")) == 2


async def test_compose_modal_open_errors_and_submit(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        await world.command(HR, f"roles grant <@{COMMS}|chris> comms")
        modal = (await world.command(COMMS, "new"))["modal"]
        assert modal["callback_id"] == "form|compose"

        def values(url: str, captions: str, at: str = "now") -> dict[str, Any]:
            return {
                "url": {"value": {"type": "plain_text_input", "value": url}},
                "captions": {"value": {"type": "plain_text_input", "value": captions}},
                "at": {"value": {"type": "plain_text_input", "value": at}},
                "networks": {"value": {"type": "checkboxes", "selected_options": []}},
                "lang": {"value": {"type": "static_select", "selected_option": {"value": "en"}}},
            }

        status, body = await world.post(
            submission_body(COMMS, modal, values("not a link", "Hi", at="yesterday-ish"))
        )
        answer = json.loads(body)
        assert status == 200 and answer["response_action"] == "errors"
        assert set(answer["errors"]) == {"url"}
        status, body = await world.post(submission_body(COMMS, modal, values(URL, "", "soon")))
        assert set(json.loads(body)["errors"]) >= {"captions"}
        status, body = await world.post(submission_body(COMMS, modal, values(URL, "Join us #fun")))
        answer = json.loads(body)
        assert answer["response_action"] == "update"
        assert en(world, "new.created", id=1) in texts(answer["view"])


async def test_settings_modal_submission_changes_settings(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        modal = (await world.command(ANNA, "settings"))["modal"]
        state = {
            "participation": {
                "value": {"type": "static_select", "selected_option": {"value": "on"}}
            },
            "language": {"value": {"type": "static_select", "selected_option": {"value": "de"}}},
            "topics": {"value": {"type": "plain_text_input", "value": "jobs"}},
            "paused_until": {"value": {"type": "datepicker", "selected_date": None}},
            "networks": {"value": {"type": "checkboxes", "selected_options": [{"value": "x"}]}},
        }
        _, body = await world.post(submission_body(ANNA, modal, state))
        answer = json.loads(body)
        assert answer["response_action"] == "update"
        assert world.runtime.ctx.catalogue.text("de", "settings.saved") in texts(answer["view"])
        published = await world.fake.wait_for(lambda: world.fake.of("views.publish"))
        assert published[-1].params["user_id"] == ANNA


async def test_app_home_for_employee_comms_and_hr(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        await instant_policy(world)
        await world.command(COMMS, f"new {URL} Come along")
        before = len(world.fake.of("views.publish"))
        for n, user in enumerate((ANNA, COMMS, HR)):
            event = {"type": "app_home_opened", "user": user, "tab": "home"}
            status, _ = await world.post(event_body(event, f"Ev{n}"), form=False)
            assert status == 200
        await world.fake.wait_for(
            lambda: (
                {c.params["user_id"] for c in world.fake.of("views.publish")[before:]}
                >= {ANNA, COMMS, HR}
            )
        )
        await world.settle()
        published = world.fake.of("views.publish")
        homes = {call.params["user_id"]: call.params["view"] for call in published}
        homes = {k: json.loads(v) if isinstance(v, str) else v for k, v in homes.items()}
        anna, chris, hanna = (texts(homes[u]) for u in (ANNA, COMMS, HR))
        assert en(world, "privacy.title") in anna and en(world, "settings.title") in anna
        assert "suggestion.end" not in json.dumps(homes[ANNA])
        assert en(world, "list.title") in chris and "suggestion.end" in json.dumps(homes[COMMS])
        assert "participation" in hanna and "Roles" not in anna


async def test_home_buttons_run_commands_and_republish(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        before = len(world.fake.of("views.publish"))
        answer = await world.press(ANNA, "say|0", "on", in_home=True)
        assert en(world, "on.title") in texts(answer["modal"])  # no response_url in the Home
        published = await world.fake.wait_for(
            lambda: found if len(found := world.fake.of("views.publish")) > before else None
        )
        view = published[-1].params["view"]
        home = json.loads(view) if isinstance(view, str) else view
        assert en(world, "slack.home.status.on") in texts(home)


async def test_compose_preview_shows_the_card_as_typed(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        await world.command(HR, f"roles grant <@{COMMS}|chris> comms")
        modal = (await world.command(COMMS, "new"))["modal"]
        assert any(b.get("block_id") == "preview" for b in modal["blocks"])
        state = {
            "url": {"value": {"type": "plain_text_input", "value": URL}},
            "captions": {"value": {"type": "plain_text_input", "value": "Grüße & more #fun"}},
        }
        payload = {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": COMMS},
            "api_app_id": "A1",
            "trigger_id": "t",
            "container": {"type": "view", "view_id": "V9"},
            "view": {**modal, "id": "V9", "hash": "h1", "state": {"values": state}},
            "actions": [{"action_id": "preview|compose", "block_id": "preview", "type": "button"}],
        }
        status, _ = await world.post(urlencode({"payload": json.dumps(payload)}))
        assert status == 200
        (update,) = await world.fake.wait_for(lambda: world.fake.of("views.update"))
        assert update.params["view_id"] == "V9" and update.params["hash"] == "h1"
        view = update.params["view"]
        shown = texts(json.loads(view) if isinstance(view, str) else view)
        assert "Grüße &amp; more" in shown and URL in shown
        async with database.transaction() as session:
            assert await shares.links_for(session, 1) == {}  # nothing saved


async def test_preview_is_for_comms_only(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        reply = await world.runtime.core.preview(Actor("slack", ANNA, locale="en-GB"), {"url": URL})
        assert [plain_text(v) for v in reply.views] == [
            en(world, "error.comms_only", command="new")
        ]


async def test_a_photo_from_the_compose_modal_reaches_slack_from_its_own_address(
    database: Database, clock: FakeClock
) -> None:
    # the photo host is on loopback, which only the operator can allow
    async with (
        slack_world(database, clock, SHAREBOT_FETCH_ALLOW="127.0.0.1") as world,
        FakePhotoHost() as host,
    ):
        photo = host.url("outing.png")
        await instant_policy(world)
        await world.command(ANNA, "on")
        await world.command(BEN, "on")
        modal = (await world.command(COMMS, "new"))["modal"]
        values = {
            "url": {"value": {"type": "plain_text_input", "value": URL}},
            "captions": {"value": {"type": "plain_text_input", "value": "Our outing #team"}},
            "images": {"value": {"type": "plain_text_input", "value": f"{photo}\n"}},
            "page": {"value": {"type": "checkboxes", "selected_options": []}},
            "at": {"value": {"type": "plain_text_input", "value": "now"}},
        }
        status, body = await world.post(submission_body(COMMS, modal, values))
        assert status == 200 and json.loads(body)["response_action"] == "update"
        cards = await delivered(world, 2)
        for card in cards.values():
            images = [b for b in card["blocks"] if b["type"] == "image"]
            assert images == [{"type": "image", "image_url": photo, "alt_text": "Our outing"}]
        # Fetched once to be checked and kept; Slack fetches its own copy, people never do.
        assert host.hits == {"outing.png": 1}

"""Every row of the ``/share`` grammar (the README's command table) through real bolt and
slack_sdk, signed like Slack signs, against the fake Slack Web API."""

from __future__ import annotations

import json

import pytest

from bot.commands.registry import REGISTRY
from storage import people
from storage.database import Database
from tests.slack_support import ANNA, BEN, COMMS, HR, SlackWorld, slack_world, texts
from tests.support import FakeClock

URL = "https://example.org/jobs/42"
NEW = f"new <{URL}|example.org/jobs/42> Come and work with us #jobs || We are hiring &amp; growing"


async def with_comms(world: SlackWorld) -> None:
    await world.command(HR, f"roles grant <@{COMMS}|chris> comms")


async def with_suggestion(world: SlackWorld) -> None:
    await with_comms(world)
    await world.command(COMMS, NEW)


def en(world: SlackWorld, key: str, **params: object) -> str:
    return world.runtime.ctx.catalogue.text("en", key, **params)


def de(world: SlackWorld, key: str, **params: object) -> str:
    return world.runtime.ctx.catalogue.text("de", key, **params)


async def test_help_in_the_persons_slack_language(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        assert en(world, "help.title") in texts(await world.command(ANNA, ""))
        assert de(world, "help.title") in texts(await world.command(BEN, "hilfe"))
        unknown = texts(await world.command(ANNA, "frobnicate"))
        assert "frobnicate" in unknown
        info = world.fake.of("users.info")[0]
        assert info.params["include_locale"] in ("1", "true", True)


async def test_on_off_pause_resume_topics(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        assert en(world, "on.title") in texts(await world.command(ANNA, "on"))
        assert "Paused until" in texts(await world.command(ANNA, "pause 2w"))
        assert en(world, "resume.done") in texts(await world.command(ANNA, "resume"))
        assert "jobs, events" in texts(await world.command(ANNA, "topics jobs,events"))
        assert en(world, "off.done") in texts(await world.command(ANNA, "off"))
        assert de(world, "on.title") in texts(await world.command(BEN, "an"))
        async with database.transaction() as session:
            anna = await people.get_or_create(session, "slack", ANNA)
            assert anna.participation == "off"
            assert anna.timezone == "Europe/Berlin" and anna.platform_locale == "en-GB"


async def test_settings_opens_a_modal(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        answer = await world.command(ANNA, "settings")
        modal = answer["modal"]
        assert modal["callback_id"] == "form|settings"
        assert {b["block_id"] for b in modal["blocks"] if b["type"] == "input"} >= {
            "participation",
            "paused_until",
            "networks",
            "language",
        }
        assert world.fake.of("views.open")[-1].params["trigger_id"] == world.last_trigger


async def test_privacy_my_data_forget_me(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        assert en(world, "privacy.title") in texts(await world.command(ANNA, "privacy"))
        exported = texts(await world.command(ANNA, "my-data"))
        assert en(world, "mydata.title") in exported and '"user_id": "UANNA"' in exported
        answer = await world.command(ANNA, "forget-me")
        assert en(world, "forget.title") in texts(answer)
        buttons = [e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]
        confirm = next(b for b in buttons if b["action_id"].startswith("do|forget.confirm"))
        before = len(world.fake.of("views.publish"))
        done = await world.press(ANNA, confirm["action_id"], confirm["value"])
        assert en(world, "forget.done") in texts(done)
        assert done["response_type"] == "ephemeral" and done["replace_original"] is False
        # Her page is shown again, as a newcomer's, and that does not meet her again
        await world.fake.wait_for(lambda: world.fake.of("views.publish")[before:])
        await world.settle()
        async with database.transaction() as session:
            assert await people.find(session, "slack", ANNA) is None


async def test_comms_only_commands_are_refused_to_employees(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        for command in ("new", "list", "end 1", "stats 1", "policy", "roles", "invite everyone"):
            answer = texts(await world.command(ANNA, command))
            verb = command.split()[0]
            assert en(world, REGISTRY.verb(verb).refusal, command=verb) in answer
        assert not world.fake.of("views.open")


async def test_new_inline_list_end_stats(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        await with_comms(world)
        created = texts(await world.command(COMMS, NEW))
        assert en(world, "new.created", id=1) in created
        assert URL in created and "&amp; growing" not in created.replace("&amp;amp;", "")
        listed = texts(await world.command(COMMS, "list"))
        assert "#1" in listed
        assert en(world, "end.done", id=1) in texts(await world.command(COMMS, "end #1"))
        assert "#1" in texts(await world.command(COMMS, "stats 1"))
        assert "#2" in texts(await world.command(COMMS, "cancel 2"))


async def test_policy_roles_and_invitations(database: Database, clock: FakeClock) -> None:
    async with slack_world(database, clock) as world:
        world.fake.add_channel("C1", "general", [ANNA, BEN, "UBOTX"])
        world.fake.add_user("UBOTX", "Robot", is_bot=True)
        modal = (await world.command(HR, "policy"))["modal"]
        assert modal["callback_id"] == "form|policy"
        assert "participation" in texts(await world.command(HR, "policy set participation invite"))
        roles = texts(await world.command(HR, "roles"))
        assert de(world, "roles.title") in roles
        granted = texts(await world.command(HR, f"roles grant <@{COMMS}|chris> comms"))
        assert "Chris" in granted
        revoked = texts(await world.command(HR, f"roles revoke <@{COMMS}|chris> comms"))
        assert "Chris" in revoked
        invited = texts(await world.command(HR, "invite <#C1|general>"))
        assert "general" in invited
        assert "everyone" in texts(await world.command(HR, "invite everyone"))
        assert "#nowhere" in texts(await world.command(HR, "invite #nowhere"))
        members = world.fake.of("conversations.members")
        assert members and members[0].params["channel"] == "C1"
        assert len(world.fake.of("users.list")) >= 2  # paginated: page size 2, several users


@pytest.mark.parametrize(
    "command",
    ["", "on", "off", "pause 10d", "resume", "settings", "topics", "privacy", "my-data"],
)
async def test_every_answer_is_ephemeral_or_a_modal(
    database: Database, clock: FakeClock, command: str
) -> None:
    async with slack_world(database, clock) as world:
        answer = await world.command(ANNA, command)
        assert answer.get("response_type") == "ephemeral" or "modal" in answer
        assert not world.fake.of("chat.postMessage")
        assert json.dumps(answer)  # serialisable as sent


async def test_the_app_home_is_published_again_only_when_it_changed(
    database: Database, clock: FakeClock
) -> None:
    async with slack_world(database, clock) as world:
        for text in ("help", "privacy", "my-data", "settings", "dance"):
            await world.command(ANNA, text)
        await world.settle()
        assert world.fake.of("views.publish") == []
        await world.command(ANNA, "on")
        await world.settle()
        published = world.fake.of("views.publish")
        assert len(published) == 1 and published[0].params["user_id"] == ANNA


async def test_a_refused_command_from_someone_new_leaves_no_row(
    database: Database, clock: FakeClock
) -> None:
    """Deciding whether to fetch photos only reads: a stranger's refused ``new`` writes
    nothing, not even their first contact."""
    async with slack_world(database, clock) as world:
        await world.command(BEN, f"new {URL} Hi --image https://photos.example/a.png")
        async with database.transaction() as session:
            assert await people.find(session, "slack", BEN) is None

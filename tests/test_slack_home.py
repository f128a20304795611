"""The App Home is published once per person at a time: a burst of clicks costs two
publishes, and the last one shows the state after the last click."""

from __future__ import annotations

import asyncio

import pytest

from adapters.slack.home import Publishing


async def test_a_burst_of_asks_while_one_publish_runs_makes_one_more_publish() -> None:
    publishing = Publishing()
    state = {"pauses": 0}
    shown: list[int] = []
    running = asyncio.Event()
    release = asyncio.Event()

    async def publish() -> None:
        seen = state["pauses"]  # what the page reads when the publish starts
        running.set()
        await release.wait()
        shown.append(seen)

    first = asyncio.create_task(publishing.publish("U1", publish))
    await running.wait()
    later = []
    for _ in range(5):
        state["pauses"] += 1
        later.append(asyncio.create_task(publishing.publish("U1", publish)))
    await asyncio.sleep(0)
    assert all(ask.done() for ask in later)  # they return at once: the running one goes again
    release.set()
    await first

    assert shown == [0, 5]


async def test_people_are_published_independently_and_a_failed_publish_frees_the_person() -> None:
    publishing = Publishing()
    calls: list[str] = []

    async def fails() -> None:
        calls.append("fails")
        raise RuntimeError("views.publish broke")

    async def works(user: str) -> None:
        calls.append(user)

    with pytest.raises(RuntimeError):
        await publishing.publish("U1", fails)
    await asyncio.gather(
        publishing.publish("U1", lambda: works("U1")),
        publishing.publish("U2", lambda: works("U2")),
    )

    assert calls == ["fails", "U1", "U2"]

"""Runs the real server (playground enabled) on an ephemeral port inside a test's event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from adapters.playground.transcript import Transcript
from adapters.server import Runtime, build_app, build_runtime
from adapters.settings import load_settings
from storage.database import Database
from tests.listening import listening
from tests.support import FakeClock


@dataclass
class RunningServer:
    url: str
    runtime: Runtime

    @property
    def transcript(self) -> Transcript:
        """What the playground showed each person (there is one: the playground is on)."""
        assert self.runtime.transcript is not None
        return self.runtime.transcript


@asynccontextmanager
async def serving(runtime: Runtime) -> AsyncIterator[str]:
    """The real app of ``runtime`` on an ephemeral port (no scheduler); yields its URL, which
    also becomes the base of share links."""
    async with listening(build_app(runtime, schedule=False)) as url:
        runtime.ctx.public_url = url
        yield url


@asynccontextmanager
async def running_playground(
    database: Database, clock: FakeClock | None = None, **extra: str
) -> AsyncIterator[RunningServer]:
    """The playground on an ephemeral port; ``extra`` settings such as
    ``SHAREBOT_FETCH_ALLOW`` on top."""
    settings = load_settings(SHAREBOT_ADAPTERS="playground", SHAREBOT_HOST="127.0.0.1", **extra)
    runtime = build_runtime(settings, database=database, clock=clock)
    async with serving(runtime) as url:
        yield RunningServer(url, runtime)


async def post(
    http: aiohttp.ClientSession, server: RunningServer, route: str, body: dict[str, Any]
) -> None:
    """``POST /playground/api/<route>`` as the playground's page does; then the dispatcher's
    work that it woke is waited for."""
    async with http.post(f"{server.url}/playground/api/{route}", json=body) as response:
        assert response.status == 200, await response.text()
    await server.runtime.dispatcher.idle()


async def say(http: aiohttp.ClientSession, server: RunningServer, who: str, text: str) -> None:
    """``who`` types ``text`` into the playground's command box."""
    await post(http, server, "say", {"person": who, "text": text})

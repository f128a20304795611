"""Microsoft's own Teams-like client, the Microsoft 365 Agents Playground, beside `sharebot run`.

Each person gets a playground process of their own (the client shows one signed-in user), all
pointing at one Sharebot with the Teams adapter and no app id. Each plays the Bot Connector at its
own ``/_connector``, so Sharebot's proactive messages reach that person's client. The package is
installed from the npm registry into ``tests/agents_playground`` (``npm ci`` there); without it
or without Chromium the tests skip, and fail where ``SHAREBOT_REQUIRE_AGENTS_PLAYGROUND=1`` (CI).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from tests.cli import SHAREBOT, cli_env, free_port

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tests" / "agents_playground"
CLIENT = PACKAGE / "node_modules" / ".bin" / "agentsplayground"
REQUIRED = os.environ.get("SHAREBOT_REQUIRE_AGENTS_PLAYGROUND") == "1"
STARTUP = 90.0  # seconds for a process to answer, on a busy two-core machine


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "no Node.js (the Agents Playground is an npm package)"
    if not CLIENT.exists():
        return (
            f"the Agents Playground is not installed: run `npm ci` in {PACKAGE.relative_to(ROOT)}"
        )
    return None


if (_reason := _missing()) is not None:
    if REQUIRED:
        pytest.fail(f"SHAREBOT_REQUIRE_AGENTS_PLAYGROUND=1 but {_reason}", pytrace=False)
    pytest.skip(_reason, allow_module_level=True)
if REQUIRED and shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists():
    pytest.fail("SHAREBOT_REQUIRE_AGENTS_PLAYGROUND=1 but no Chromium is installed", pytrace=False)

TENANT = "00000000-0000-0000-0000-0000000000001"
BOT = {"id": "28:sharebot", "name": "Sharebot"}
TEAM = {"id": "19:general@thread.tacv2", "name": "Marketing", "aadGroupId": TENANT[:-1] + "31"}


@dataclass(frozen=True)
class Person:
    """A Teams user as the client's configuration names them; AAD ids in the client's own style
    (not GUIDs: thirteen digits at the end)."""

    name: str
    number: int

    @property
    def id(self) -> str:
        return f"29:1{self.name.split()[0].lower()}"

    @property
    def aad(self) -> str:
        return f"00000000-0000-0000-0000-00000000000{self.number}"

    def user(self) -> dict[str, str]:
        given, surname = self.name.split()
        mail = f"{given.lower()}@example.com"
        return {
            "id": self.id,
            "name": self.name,
            "userPrincipleName": mail,  # sic: the client's key
            "aadObjectId": self.aad,
            "givenName": given,
            "surname": surname,
            "email": mail,
        }


def client_config(me: Person, everyone: tuple[Person, ...]) -> dict[str, Any]:
    """``.m365agentsplayground.yml``: the signed-in person and five colleagues in one team."""
    return {
        "version": "0.1.1",
        "tenantId": TENANT,
        "bot": BOT,
        "currentUser": me.user(),
        "users": [p.user() for p in everyone if p != me],
        "personalChat": {"id": f"a:personal-{me.id}"},
        "groupChat": {"id": "19:group@thread.v2", "name": "Group chat"},
        "team": {**TEAM, "channels": [{"id": "19:news@thread.tacv2", "name": "News"}]},
    }


@dataclass
class Process:
    """A child process whose output goes to a file (so a full pipe never blocks it)."""

    name: str
    process: asyncio.subprocess.Process
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    async def wait_for(self, pattern: str) -> re.Match[str]:
        """The first match of ``pattern`` in the output; fails when the process ends first."""
        async with asyncio.timeout(STARTUP):
            while (found := re.search(pattern, self.output())) is None:
                if self.process.returncode is not None:
                    pytest.fail(f"{self.name} ended: {self.output()[-2000:]}", pytrace=False)
                await asyncio.sleep(0.1)
        return found


async def start(name: str, command: list[str], *, cwd: Path, env: dict[str, str]) -> Process:
    log = cwd / f"{name}.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=cwd, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out
        )
    return Process(name, process, log)


@dataclass
class Recording:
    """The client's events recording: every activity in either direction, with its answer."""

    path: Path

    def events(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        chunks = self.path.read_text(encoding="utf-8").split("\n---\n")
        return [json.loads(chunk) for chunk in chunks if chunk.strip()]

    def to_sharebot(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.events() if e["activityName"] == name and _inbound(e)]

    def from_sharebot(self) -> list[dict[str, Any]]:
        """Sharebot's messages (new, replies, updates), as the client received them."""
        return [e for e in self.events() if e["activityName"] == "message" and not _inbound(e)]

    def replies_to(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """Sharebot's answers to one inbound activity (posted to ``…/activities/{its id}``)."""
        suffix = f"/activities/{event['request']['body']['id']}"
        return [e for e in self.from_sharebot() if e["request"]["url"].endswith(suffix)]


def _inbound(event: dict[str, Any]) -> bool:
    return str(event["direction"]).endswith("-> User Application")


@dataclass
class Client:
    """One person's Agents Playground: the web UI at ``url`` and what it recorded."""

    process: Process
    url: str
    recording: Recording


@dataclass
class World:
    """Sharebot at ``sharebot_url`` and each person's client."""

    sharebot: Process
    sharebot_url: str
    clients: dict[Person, Client]

    def sharebot_log(self) -> list[dict[str, Any]]:
        """Sharebot's structured log lines (one JSON object each)."""
        lines = self.sharebot.output().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]


async def _answers(url: str, process: Process) -> None:
    """Wait until ``url`` answers 200; fails when the process ends first."""
    async with asyncio.timeout(STARTUP), aiohttp.ClientSession() as http:
        while process.process.returncode is None:
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    pytest.fail(f"{process.name} ended: {process.output()[-2000:]}", pytrace=False)


async def _sharebot(folder: Path, hr: Person) -> tuple[Process, str]:
    """`sharebot run` on a free port; another port when that one was taken meanwhile."""
    for _ in range(3):
        port = free_port()
        env = cli_env(
            folder,
            DATABASE_URL=f"sqlite:///{folder / 'sharebot.db'}",
            SHAREBOT_ADAPTERS="teams",
            SHAREBOT_HOST="127.0.0.1",
            PORT=str(port),
            SHAREBOT_ADMINS=f"teams:{hr.aad}",
        )
        sharebot = await start("sharebot", [*SHAREBOT, "run"], cwd=folder, env=env)
        url = f"http://127.0.0.1:{port}"
        try:
            await _answers(f"{url}/healthz", sharebot)
        except BaseException:
            await sharebot.stop()
            if "address already in use" in sharebot.output():
                continue
            raise
        return sharebot, url
    pytest.fail("no free port for sharebot run", pytrace=False)


async def _client(folder: Path, me: Person, everyone: tuple[Person, ...], app: str) -> Client:
    """The Agents Playground for ``me`` in a folder of its own, its configuration in it."""
    home = folder / me.id.replace(":", "-")
    home.mkdir()
    config = yaml.safe_dump(client_config(me, everyone), sort_keys=False)
    (home / ".m365agentsplayground.yml").write_text(config, encoding="utf-8")
    recording = Recording(home / "events.log")
    command = [
        str(CLIENT),
        "--app-endpoint",
        f"{app}/api/messages",
        "--channel-id",
        "msteams",
        "-p",
        str(free_port()),  # it takes another one itself when this one is taken meanwhile
        "--disable-telemetry",
        "--enable-events-recording",
    ]
    env = cli_env(folder) | {
        "TEAMSAPPTESTER_BROWSER": "none",  # no browser of its own: the test brings one
        "M365_AGENTS_PLAYGROUND_RECORDING_FILE": str(recording.path),
        "TZ": "Europe/Berlin",  # the time zone its messages report
    }
    process = await start("agentsplayground", command, cwd=home, env=env)
    try:
        listening = await process.wait_for(r"Listening on (\d+)")
    except BaseException:
        await process.stop()
        raise
    return Client(process, f"http://localhost:{listening.group(1)}", recording)


@asynccontextmanager
async def running_world(
    folder: Path, everyone: tuple[Person, ...], people: tuple[Person, ...], hr: Person
) -> AsyncIterator[World]:
    """`sharebot run` (Teams, no app id, SQLite in ``folder``, ``hr`` from SHAREBOT_ADMINS) and a
    client for each of ``people``; everything stopped afterwards."""
    async with AsyncExitStack() as stack:
        sharebot, sharebot_url = await _sharebot(folder, hr)
        stack.push_async_callback(sharebot.stop)
        clients: dict[Person, Client] = {}
        for person in people:
            clients[person] = await _client(folder, person, everyone, sharebot_url)
            stack.push_async_callback(clients[person].process.stop)
        for client in clients.values():
            await _answers(client.url, client.process)
        yield World(sharebot, sharebot_url, clients)

"""``python -m tests.schemas fetch``: the official schemas for a clone of the repository alone."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web

from tests.listening import listening
from tests.schemas import ADAPTIVE_CARD, ROOT, SOURCES, FetchFailed, Source, _require, fetch, main


def _mirror(folder: Path, *, changed: str | None = None) -> web.Application:
    """Serves the schema files as their official hosts would (``changed`` gets one byte more)."""

    async def serve(request: web.Request) -> web.Response:
        relative = request.match_info["path"]
        data = (folder / relative).read_bytes()
        return web.Response(body=data + b" " if relative == changed else data)

    app = web.Application()
    app.router.add_get("/{path:.+}", serve)
    return app


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


async def _fetch(into: Path, base: str) -> list[str]:
    said: list[str] = []

    def url_for(source: Source) -> str:
        return f"{base}/{source.path}"

    await asyncio.to_thread(fetch, into, url_for=url_for, say=said.append)
    return said


async def test_every_schema_is_fetched_checked_and_kept(tmp_path: Path) -> None:
    here = _require(ADAPTIVE_CARD).parent.parent
    async with listening(_mirror(here)) as base:
        first = await _fetch(tmp_path, base)
        again = await _fetch(tmp_path, base)
    for source in SOURCES:
        assert (tmp_path / source.path).read_bytes() == (here / source.path).read_bytes()
    assert all("fetching" in line for line in first) and len(first) == len(SOURCES)
    assert all(line.endswith("already there") for line in again)


async def test_a_file_that_is_not_the_pinned_one_is_refused_and_not_kept(tmp_path: Path) -> None:
    here = _require(ADAPTIVE_CARD).parent.parent
    async with listening(_mirror(here, changed=ADAPTIVE_CARD)) as base:
        with pytest.raises(FetchFailed, match="is not the pinned file"):
            await _fetch(tmp_path, base)
    assert _files(tmp_path) == []  # neither the refused file nor a half-written one


async def test_an_unreachable_host_is_a_clear_failure(tmp_path: Path) -> None:
    async with listening(web.Application()) as base:
        pass  # the port is closed again: nothing answers there now
    with pytest.raises(FetchFailed, match="could not download"):
        await _fetch(tmp_path, base)


async def test_the_command_fetches_from_a_mirror_and_checks_it(tmp_path: Path) -> None:
    here = _require(ADAPTIVE_CARD).parent.parent
    async with listening(_mirror(here)) as base:
        code = await asyncio.to_thread(main, ["fetch", "--into", str(tmp_path), "--mirror", base])
    assert code == 0
    for source in SOURCES:
        assert (tmp_path / source.path).read_bytes() == (here / source.path).read_bytes()


async def test_the_command_refuses_a_mirror_that_changed_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    here = _require(ADAPTIVE_CARD).parent.parent
    async with listening(_mirror(here, changed=ADAPTIVE_CARD)) as base:
        code = await asyncio.to_thread(main, ["fetch", "--into", str(tmp_path), "--mirror", base])
    assert code == 1
    assert "is not the pinned file" in capsys.readouterr().err
    assert _files(tmp_path) == []


# Every helper a test checks JSON with, called where no schema is found.
PROBE = """
from tests.schemas import SLACK_MANIFEST, TEAMS_MANIFEST, card_errors, errors, validator
calls = {
    "card_errors": lambda: card_errors({"type": "AdaptiveCard"}),
    "errors": lambda: errors(TEAMS_MANIFEST, {}),
    "validator": lambda: validator(SLACK_MANIFEST),
}
for name, call in calls.items():
    try:
        answer = call()
    except BaseException as outcome:  # pytest's skip and fail are BaseExceptions
        print(name, type(outcome).__name__)
    else:
        print(name, "answered", answer)
"""


@pytest.mark.parametrize(("require", "outcome"), [("", "Skipped"), ("1", "Failed")])
def test_without_the_schemas_no_helper_answers_no_errors(
    tmp_path: Path, require: str, outcome: str
) -> None:
    """Where the schemas are missing a check is skipped (failed in CI), never passed."""
    env = {**os.environ, "SHAREBOT_SCHEMAS_DIR": str(tmp_path), "SHAREBOT_REQUIRE_SCHEMAS": require}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split("\n") == [
        f"card_errors {outcome}",
        f"errors {outcome}",
        f"validator {outcome}",
        "",
    ]

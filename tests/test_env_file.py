"""A ``.env`` file: the `sharebot` command reads the one in its folder; the settings that tests
build never read one (``tests/conftest.py``), whichever folder pytest runs from."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.settings import SettingsError, load_settings
from storage.database import Database
from tests.cli import run_cli
from tests.playground_server import running_playground
from tests.slack_support import slack_settings
from tests.teams_chat import teams_settings
from tests.works_council_support import settings_for

# What a developer's own .env may well say: it must change nothing a test builds.
DEVELOPERS_ENV = "SHAREBOT_SLACK_RATE=0\nSHAREBOT_ADAPTERS=teams\nSHAREBOT_LOG_LEVEL=DEBUG\n"


async def _built(database: Database) -> dict[str, dict[str, object]]:
    """The settings of a bare call (``load_settings`` is what builds every ``Settings``) and of
    every helper that builds them, as plain values."""
    built = {
        "load_settings()": load_settings(),
        "slack_settings": slack_settings("http://127.0.0.1:9/api/"),
        "teams_settings": teams_settings(),
        "works_council_support.settings_for": settings_for(database),
    }
    async with running_playground(database) as server:
        built["running_playground"] = server.runtime.settings
    return {name: settings.model_dump() for name, settings in built.items()}


async def test_a_developers_env_file_changes_no_settings_a_test_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: Database
) -> None:
    clean, developer = tmp_path / "clean", tmp_path / "developer"
    clean.mkdir()
    developer.mkdir()
    (developer / ".env").write_text(DEVELOPERS_ENV)

    monkeypatch.chdir(clean)
    without = await _built(database)
    monkeypatch.chdir(developer)  # where Settings looks for a .env
    # The file is there and is what Settings would read if asked to: its rate is refused.
    with pytest.raises(SettingsError, match="SHAREBOT_SLACK_RATE"):
        load_settings(_env_file=".env")
    assert await _built(database) == without

    assert without["load_settings()"]["slack_rate"] == 5.0
    assert without["load_settings()"]["log_level"] == "INFO"
    assert without["load_settings()"]["adapters"] == ()
    assert without["slack_settings"]["adapters"] == ("slack",)
    assert without["running_playground"]["adapters"] == ("playground",)


def test_the_sharebot_command_reads_the_env_file_in_its_folder(tmp_path: Path) -> None:
    """Outside pytest nothing changed: ``sharebot`` takes its settings from ``.env``."""
    (tmp_path / ".env").write_text("PORT=eighty\n")
    result = run_cli(["run"], tmp_path)
    assert result.returncode == 2 and "PORT" in result.stderr

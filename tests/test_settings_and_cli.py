"""Settings from the environment, and the `sharebot` command as a person runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters import sqlite_lock
from adapters.settings import Settings, SettingsError, load_settings
from storage import migrate
from storage.database import Database
from tests.cli import run_cli
from tests.playground_server import running_playground


def test_defaults_start_the_playground() -> None:
    settings = load_settings()
    assert settings.enabled_adapters == ("playground",)
    assert settings.base_url == "http://127.0.0.1:3978"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("DATABASE_URL", "mysql://root@localhost/sharebot"),
        ("DATABASE_URL", "not a url"),
        ("PORT", "abc"),
        ("SHAREBOT_ADMINS", "bob"),
        ("SHAREBOT_ADAPTERS", "irc"),
        ("SHAREBOT_TICK_SECONDS", "-1"),
    ],
)
def test_an_invalid_value_names_its_key(key: str, value: str) -> None:
    with pytest.raises(SettingsError, match=key):
        load_settings(**{key: value})


def test_admins_parse() -> None:
    settings = load_settings(SHAREBOT_ADMINS="slack:U1, playground:hanna")
    assert settings.admin_keys == {("slack", "U1"), ("playground", "hanna")}


def test_help_on_every_command(tmp_path: Path) -> None:
    for args in ([], ["run"], ["db"], ["db", "upgrade"], ["doctor"], ["purge"]):
        result = run_cli([*args, "--help"], tmp_path)
        assert result.returncode == 0 and "Usage:" in result.stdout


def test_run_with_a_bad_port_stops_with_one_line(tmp_path: Path) -> None:
    result = run_cli(["run"], tmp_path, PORT="eighty")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "PORT" in result.stderr


def test_db_upgrade_doctor_and_purge(tmp_path: Path) -> None:
    assert run_cli(["db", "upgrade"], tmp_path).returncode == 0
    doctor = run_cli(["doctor"], tmp_path)
    assert doctor.returncode == 0 and "schema current" in doctor.stdout
    purge = run_cli(["purge"], tmp_path)
    assert purge.returncode == 0 and "Removed" in purge.stdout


def test_doctor_says_what_is_wrong(tmp_path: Path) -> None:
    result = run_cli(["doctor"], tmp_path, DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    assert result.returncode == 1 and "FAIL" in result.stdout and "database" in result.stdout


def test_output_never_shows_the_database_password(tmp_path: Path) -> None:
    result = run_cli(["doctor"], tmp_path, DATABASE_URL="postgresql://bot:s3cret@127.0.0.1:1/none")
    assert "s3cret" not in result.stdout + result.stderr
    assert "bot:***@127.0.0.1" in result.stdout


def test_a_second_process_on_one_sqlite_file_is_refused(tmp_path: Path) -> None:
    held = sqlite_lock.hold(f"sqlite:///{tmp_path / 'cli.db'}")
    try:
        result = run_cli(["run"], tmp_path, PORT="1")
    finally:
        assert held is not None
        held.close()
    assert result.returncode == 1
    assert "another Sharebot process" in result.stderr and "PostgreSQL" in result.stderr


def test_doctor_reports_the_delivery_queue(tmp_path: Path) -> None:
    assert run_cli(["db", "upgrade"], tmp_path).returncode == 0
    doctor = run_cli(["doctor"], tmp_path)
    assert "deliveries" in doctor.stdout and "0 uncertain" in doctor.stdout


def test_every_setting_is_explained_in_env_example() -> None:
    example = (Path(__file__).parent.parent / ".env.example").read_text()
    listed = {
        line.lstrip("# ").split("=", 1)[0]
        for line in example.splitlines()
        if "=" in line and line.lstrip("# ").split("=", 1)[0].isupper()
    }
    keys = {field.alias or name for name, field in Settings.model_fields.items()}
    assert keys <= listed, f"missing from .env.example: {sorted(keys - listed)}"


async def test_the_test_servers_never_read_a_developers_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("SHAREBOT_SLACK_RATE=0\nSHAREBOT_ADAPTERS=slack\n")
    monkeypatch.chdir(tmp_path)  # where a .env would be read from
    database = Database.from_url(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        await migrate.upgrade(database.engine)
        async with running_playground(database) as server:
            assert server.runtime.settings.adapters == ("playground",)
            assert server.runtime.settings.slack_rate != 0
    finally:
        await database.close()


def test_botbuilder_is_imported_only_with_the_teams_adapter(tmp_path: Path) -> None:
    """Starting without Teams loads no Bot Framework code (it is slow to import and brings its
    own HTTP stack); with Teams it is there."""
    probe = (
        "import sys\n"
        "from adapters.settings import load_settings\n"
        "from adapters.server import build_app, build_runtime\n"
        "import adapters.cli\n"
        "adapters_ = sys.argv[1]\n"
        "runtime = build_runtime(load_settings(_env_file=None, SHAREBOT_ADAPTERS=adapters_))\n"
        "build_app(runtime, schedule=False)\n"
        "print(any(m.startswith(('botbuilder', 'botframework')) for m in sys.modules))\n"
    )
    seen = {
        adapters: subprocess.run(
            [sys.executable, "-c", probe, adapters],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
            check=True,
        ).stdout.strip()
        for adapters in ("playground", "teams")
    }
    assert seen == {"playground": "False", "teams": "True"}

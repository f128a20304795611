"""`sharebot run` on a database it cannot write stops with one clear line, not a traceback
and not a silent start: a read-only folder, file or file system, or a read-only database."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli import SHAREBOT, cli_env, free_port, run_cli

Wrap = Callable[[Path], list[str]]


def unprivileged(folder: Path) -> list[str]:
    """In a user namespace of its own the process keeps its files but loses every privilege
    over them: a folder without write permission refuses it even when the tests run as root."""
    return ["unshare", "--user"]


def _mounting(script: str) -> Wrap:
    """With root mapped in its own namespaces it may mount what only it sees."""

    def wrap(folder: Path) -> list[str]:
        mount = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c"]
        return [*mount, f'{script} && exec "$@"', str(folder)]

    return wrap


read_only_tmpfs = _mounting('mount -t tmpfs -o ro none "$0"')
read_only_bind = _mounting('mount --bind "$0" "$0" && mount -o remount,bind,ro "$0"')


def plain(folder: Path) -> list[str]:
    return []


def _namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run([*read_only_tmpfs(Path("/tmp")), "true"], capture_output=True)
    return probe.returncode == 0


needs_namespaces = pytest.mark.skipif(
    not _namespaces_work(), reason="needs unshare(1) with user and mount namespaces (Linux)"
)


def start(wrap: Wrap, folder: Path, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``sharebot run`` with its database in ``folder``, started through ``wrap``."""
    settings = {"DATABASE_URL": f"sqlite:///{folder / 'sharebot.db'}", "PORT": str(free_port())}
    return subprocess.run(
        [*wrap(folder), *SHAREBOT, "run"],
        cwd=cwd,
        env=cli_env(cwd, **(settings | env)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """A folder for the database and another to start from."""
    (tmp_path / "data").mkdir()
    (tmp_path / "here").mkdir()
    return tmp_path / "data", tmp_path / "here"


@needs_namespaces
def test_a_read_only_folder(folders: tuple[Path, Path]) -> None:
    data, here = folders
    data.chmod(0o555)
    try:
        line = one_line(start(unprivileged, data, here))
    finally:
        data.chmod(0o755)
    assert line.startswith(f"sharebot: cannot write in {data.resolve()} (permission denied)")
    assert "sharebot.db.lock" in line and "DATABASE_URL" in line


@needs_namespaces
def test_a_read_only_database_file(folders: tuple[Path, Path]) -> None:
    data, here = folders
    upgraded = run_cli(["db", "upgrade"], here, DATABASE_URL=f"sqlite:///{data / 'sharebot.db'}")
    assert upgraded.returncode == 0
    data.chmod(0o777)  # the folder may be written (the lock), the file may not
    (data / "sharebot.db").chmod(0o444)
    line = one_line(start(unprivileged, data, here))
    assert line == (
        f"sharebot: the database file {(data / 'sharebot.db').resolve()} cannot be written "
        "(permission denied). Make it writable for the user that runs Sharebot."
    )


@needs_namespaces
def test_a_read_only_file_system(folders: tuple[Path, Path]) -> None:
    data, here = folders
    line = one_line(start(read_only_tmpfs, data, here))
    assert line.startswith(
        f"sharebot: cannot write in {data.resolve()} (the file system is read-only)"
    )


@needs_namespaces
def test_an_existing_database_on_a_read_only_file_system(folders: tuple[Path, Path]) -> None:
    data, here = folders
    upgraded = run_cli(["db", "upgrade"], here, DATABASE_URL=f"sqlite:///{data / 'sharebot.db'}")
    assert upgraded.returncode == 0
    (data / "sharebot.db.lock").touch()  # even with the lock file there, nothing can be written
    line = one_line(start(read_only_bind, data, here))
    assert "(the file system is read-only)" in line


def test_a_database_sqlite_opens_read_only(folders: tuple[Path, Path]) -> None:
    """Whatever the reason SQLite opens the file read-only: said at start, not at the first
    command."""
    data, here = folders
    path = data / "sharebot.db"
    assert run_cli(["db", "upgrade"], here, DATABASE_URL=f"sqlite:///{path}").returncode == 0
    line = one_line(
        start(plain, data, here, DATABASE_URL=f"sqlite:///file:{path}?mode=ro&uri=true")
    )
    assert line.startswith("sharebot: the database sqlite:///file")
    assert "takes no writes (read-only): make its file and folder writable" in line

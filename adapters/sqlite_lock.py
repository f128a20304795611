"""One process per SQLite file: ``sharebot run`` holds an OS lock beside the database file."""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url


class SecondProcess(Exception):
    """Another Sharebot process already runs on this SQLite file."""


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL; None for PostgreSQL or an in-memory database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def hold(database_url: str) -> IO[bytes] | None:
    """Take the lock for the process's lifetime (the OS drops it when the process ends).

    Returns the open lock file, to keep it referenced; raises :class:`SecondProcess`.
    """
    path = sqlite_path(database_url)
    if path is None:
        return None
    lock = (path.parent / f"{path.name}.lock").open("wb")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        lock.close()
        raise SecondProcess(
            f"another Sharebot process is already running on {path}. SQLite allows one "
            "process per database file: stop the other one, or use PostgreSQL "
            "(DATABASE_URL=postgresql://…) to run several."
        ) from error
    return lock

"""One process per SQLite file: ``sharebot run`` holds an OS lock beside the database file.

Taking it also shows, before anything else happens, whether SQLite can write where it must:
the folder (for the database, its ``-wal`` and ``-shm`` files and the lock) and the file.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

_WHY = {
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOENT: "the folder does not exist",
}


class SecondProcess(Exception):
    """Another Sharebot process already runs on this SQLite file."""


class NotWritable(Exception):
    """SQLite cannot write its files; the message is one line that says where and why."""


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL; None for PostgreSQL or an in-memory database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    name = url.database
    if url.query.get("uri") == "true" and name.startswith("file:"):
        name = name.removeprefix("file:")  # sqlite:///file:path?mode=ro&uri=true
    return Path(name)


def _why(error: OSError) -> str:
    return _WHY.get(error.errno or 0, os.strerror(error.errno) if error.errno else str(error))


def hold(database_url: str) -> IO[bytes] | None:
    """Take the lock for the process's lifetime (the OS drops it when the process ends).

    Returns the open lock file, to keep it referenced; raises :class:`SecondProcess`, or
    :class:`NotWritable` for a read-only folder, file or file system.
    """
    path = sqlite_path(database_url)
    if path is None:
        return None
    folder = path.parent.resolve()
    try:
        lock = (path.parent / f"{path.name}.lock").open("wb")
    except OSError as error:
        raise NotWritable(
            f"cannot write in {folder} ({_why(error)}): SQLite keeps {path.name}, its -wal and "
            f"-shm files and {path.name}.lock there. Make the folder writable, or set "
            "DATABASE_URL to a writable place."
        ) from error
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        lock.close()
        raise SecondProcess(
            f"another Sharebot process is already running on {path}. SQLite allows one "
            "process per database file: stop the other one, or use PostgreSQL "
            "(DATABASE_URL=postgresql://…) to run several."
        ) from error
    if path.exists():
        try:
            path.open("r+b").close()
        except OSError as error:
            lock.close()
            raise NotWritable(
                f"the database file {path.resolve()} cannot be written ({_why(error)}). "
                "Make it writable for the user that runs Sharebot."
            ) from error
    return lock

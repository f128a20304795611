"""Which Sharebot wrote a document: the installed package's version and, when Sharebot runs
from a git checkout, the commit (with a mark when the checkout has local changes)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]  # where the adapters package lives
GIT_SECONDS = 5.0


@dataclass(frozen=True)
class Build:
    version: str  # "0.1.0", or "unknown" when the package is not installed
    commit: str | None  # the full hash, or None outside a git checkout (or without git)
    modified: bool = False  # the checkout differs from that commit


def this_build(source: Path = SOURCE) -> Build:
    try:
        installed = version("sharebot")
    except PackageNotFoundError:
        installed = "unknown"
    commit = _git(source, "rev-parse", "--verify", "HEAD")
    modified = bool(commit and _git(source, "status", "--porcelain", "--untracked-files=no"))
    return Build(installed, commit, modified)


def _git(source: Path, *arguments: str) -> str | None:
    """git's answer in ``source``; None when it is no checkout or git is not there."""
    if not (source / ".git").exists():
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(source), *arguments],
            capture_output=True,
            text=True,
            timeout=GIT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None

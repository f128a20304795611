"""The `sharebot` command as a person runs it: its own process, its own folder, a clean env."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

SHAREBOT = [sys.executable, "-m", "adapters.cli"]


def cli_env(tmp_path: Path, **env: str) -> dict[str, str]:
    """This process's environment without Sharebot's, Slack's, Microsoft's or proxy keys,
    with a database in ``tmp_path`` and ``env`` on top."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SHAREBOT_", "SLACK_", "MICROSOFT_"))
        and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
    }
    clean["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    clean.update(env)
    return clean


def run_cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``sharebot <args>`` in ``tmp_path`` and wait for it to end."""
    return subprocess.run(
        [*SHAREBOT, *args],
        cwd=tmp_path,
        env=cli_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def free_port() -> int:
    """A port nothing listens on right now (for `sharebot run`, which takes PORT >= 1)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])

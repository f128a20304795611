"""`sharebot run` as a separate process, for tests of several processes on one database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SharebotProcess:
    """One `sharebot run` with these settings (and nothing from the test's own environment)."""

    def __init__(self, folder: Path, **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SHAREBOT_", "SLACK_"))}
        env.update(PORT=str(self.port), SHAREBOT_LOG_LEVEL="WARNING", **settings)
        self.log = (folder / f"sharebot-{self.port}.log").open("w")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", "run"],
            cwd=folder,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.alive:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()

    async def ready(self, http: aiohttp.ClientSession) -> bool:
        """Whether it answers ``/healthz`` yet."""
        try:
            async with http.get(f"{self.url}/healthz") as response:
                return response.status == 200
        except aiohttp.ClientError:
            return False

    async def metric(self, http: aiohttp.ClientSession, name: str) -> float:
        """The sum of a counter's samples (every label) in the process's ``/metrics``."""
        async with http.get(f"{self.url}/metrics") as response:
            text = await response.text()
        return sum(
            sample.value
            for family in text_string_to_metric_families(text)
            if family.name == name
            for sample in family.samples
            if sample.name == f"{name}_total"
        )


@contextmanager
def sharebot_processes(
    folder: Path, count: int, **settings: str
) -> Iterator[list[SharebotProcess]]:
    """``count`` processes with the same settings, stopped when the block ends (also those
    the block appends)."""
    started: list[SharebotProcess] = []
    try:
        started += [SharebotProcess(folder, **settings) for _ in range(count)]
        yield started
    finally:
        for process in started:
            process.stop()

"""What every benchmark prints besides its figures: the machine, the commit, and one line per
performance bar (docs/architecture.md, "Performance") saying whether it was met and by how much.

A target is a ratio to a ceiling measured in the same run (or, for memory, a bound in MB), so
the verdict holds on any machine; the absolute figures are printed beside it for the record.
Also what the benchmarks share beside that: emptying a PostgreSQL database they are given.
"""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

ROOT = Path(__file__).resolve().parent.parent


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
    ).stdout.strip()


def commit() -> str:
    """The checked-out commit, marked ``+changes`` when the work tree differs from it."""
    try:
        head = _git("rev-parse", "--short=10", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return f"{head}+changes" if dirty else head


def print_machine(title: str) -> None:
    """The heading every benchmark starts with."""
    print(title, flush=True)
    print(
        f"machine         {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}, {platform.system()}",
        flush=True,
    )
    print(f"commit          {commit()}", flush=True)
    print(f"date            {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", flush=True)


@dataclass(frozen=True)
class Target:
    """One bar: ``value`` must be ``at least`` or ``at most`` ``bound``."""

    name: str
    value: float
    bound: float
    direction: Literal["at least", "at most"]
    unit: str = ""

    @property
    def met(self) -> bool:
        if self.direction == "at least":
            return self.value >= self.bound
        return self.value <= self.bound

    def line(self) -> str:
        margin = self.value / self.bound if self.bound else float("inf")
        verdict = "met    " if self.met else "NOT MET"
        return (
            f"target {verdict} {self.name}: {_figure(self.value, self.unit)} "
            f"({self.direction} {_figure(self.bound, self.unit)}; {margin:.2f} of the bound)"
        )


def _figure(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.0%}"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "R":
        return f"{value:.3f} R"
    return f"{value:,.0f} {unit}".rstrip()


def print_targets(targets: list[Target]) -> None:
    print("", flush=True)
    for target in targets:
        print(target.line(), flush=True)
    missed = sum(not target.met for target in targets)
    print(
        f"targets         {len(targets) - missed} of {len(targets)} met"
        + ("" if not missed else " (a benchmark reports; it does not fail on a missed target)"),
        flush=True,
    )


async def empty_postgres(engine: AsyncEngine) -> None:
    """A benchmark's PostgreSQL database without any of Sharebot's tables, so that the
    migrations build them anew (a benchmark never shares a database with anything)."""
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.drop_all)
        await conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        await conn.execute(sa.text("DROP TABLE IF EXISTS bench_planned"))

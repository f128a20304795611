"""The layers (docs/architecture.md): imports point inward and down only, adapters -> bot ->
storage."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "aiohttp")


def _imports(package: str) -> list[tuple[Path, str]]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module))
    return found


def _top(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("sdk", PLATFORM_SDKS)
def test_core_imports_no_platform_sdk_and_no_aiohttp(sdk: str) -> None:
    offenders = [(p.name, m) for p, m in _imports("bot") if _top(m) == sdk]
    assert offenders == []


def test_storage_imports_neither_core_nor_adapters() -> None:
    offenders = [(p.name, m) for p, m in _imports("storage") if _top(m) in ("bot", "adapters")]
    assert offenders == []


def test_core_does_not_import_adapters() -> None:
    offenders = [(p.name, m) for p, m in _imports("bot") if _top(m) == "adapters"]
    assert offenders == []


def test_the_checker_sees_imports() -> None:
    """Guards the test itself: it must find the imports that do exist."""
    assert any(_top(m) == "storage" for _, m in _imports("bot"))
    assert any(_top(m) == "aiohttp" for _, m in _imports("adapters"))


def test_sql_lives_in_storage() -> None:
    offenders = [
        (p.name, m)
        for p, m in _imports("bot")
        if m in ("sqlalchemy", "sqlmodel") or m.startswith(("sqlalchemy.sql", "sqlmodel.sql"))
    ]
    assert offenders == []

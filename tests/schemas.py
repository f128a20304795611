"""The official JSON Schemas that Slack and Teams JSON is checked against (not in the project).

Found in ``SHAREBOT_SCHEMAS_DIR``, else ``../shared/schemas`` beside the clone, else the cache that
``python -m tests.schemas fetch`` fills from the official addresses, or from a mirror with
``--mirror URL`` (pinned, checked by SHA-256 either way).
A test that needs one is skipped where none is found and fails where ``SHAREBOT_REQUIRE_SCHEMAS=1``
(CI): no helper here ever answers "no errors" without having checked.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
ADAPTIVE_CARD = "adaptive-cards/adaptive-card-1.5.json"
TEAMS_MANIFEST = "teams-manifest/MicrosoftTeams.schema.v1.23.json"
SLACK_MANIFEST = "slack-manifest/manifest.schema.json"
_SLACK_UPSTREAM = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/"


@dataclass(frozen=True)
class Source:
    """One schema file: where it lives under the schemas folder, its official address, its hash."""

    path: str
    url: str
    sha256: str


SOURCES = (
    Source(
        ADAPTIVE_CARD,
        "https://raw.githubusercontent.com/microsoft/AdaptiveCards/"
        "0353e1bd503ae180c814f4ff27f7d5b2134e0e21/schemas/1.5.0/adaptive-card.json",
        "5a7e3dec95334c1b6544e44508d095b784eb3146dd75cc6a794e05288f6ab277",
    ),
    Source(
        TEAMS_MANIFEST,
        "https://raw.githubusercontent.com/microsoft/json-schemas/"
        "2aa60d6e0472f2726003b3e0deb64d753738e9a9/teams/v1.23/MicrosoftTeams.schema.json",
        "636a67efd039cdb1daedf38e4465a301114020e42fb40155d82371cf432f2f79",
    ),
    Source(
        SLACK_MANIFEST,
        _SLACK_UPSTREAM + "manifest.schema.json",
        "6e06fbbcd139d57f78a538a440faed8a23fc4cf28e83065ba8bc03b690f57817",
    ),
    Source(
        "slack-manifest/schemas/manifest.schema.1.0.0.json",
        _SLACK_UPSTREAM + "schemas/manifest.schema.1.0.0.json",
        "f2adf9f9800230e2fe44bab0762796492871edaab817e9160fdcdf0eb4642e58",
    ),
    Source(
        "slack-manifest/schemas/manifest.schema.2.0.0.json",
        _SLACK_UPSTREAM + "schemas/manifest.schema.2.0.0.json",
        "a9da8db3eb8cb48ca479fe17e711181a247e27f75ea94f90948dbe5b7910e029",
    ),
)


def cache_dir() -> Path:
    """Where ``fetch`` keeps the schemas for a user's own clone."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sharebot" / "schemas"


def schemas_dir() -> Path:
    configured = os.environ.get("SHAREBOT_SCHEMAS_DIR")
    if configured:
        return Path(configured)
    beside = ROOT.parent / "shared" / "schemas"
    return beside if (beside / ADAPTIVE_CARD).is_file() else cache_dir()


def _require(relative: str) -> Path:
    """The schema file's path, or a skip (a failure under ``SHAREBOT_REQUIRE_SCHEMAS=1``)."""
    path = schemas_dir() / relative
    if not path.is_file():
        reason = (
            f"schema {relative} not found under {schemas_dir()} "
            "(set SHAREBOT_SCHEMAS_DIR, or run `python -m tests.schemas fetch`)"
        )
        if os.environ.get("SHAREBOT_REQUIRE_SCHEMAS") == "1":
            pytest.fail(f"SHAREBOT_REQUIRE_SCHEMAS=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return path


@cache
def _validator(path: Path) -> Any:
    schema = json.loads(path.read_text(encoding="utf-8"))
    if path.name == Path(SLACK_MANIFEST).name:
        from referencing import Registry, Resource

        # Its absolute references point at the upstream tag; they are served from the copies.
        resources = [
            (
                source.url,
                Resource.from_contents(
                    json.loads((path.parent.parent / source.path).read_text("utf-8"))
                ),
            )
            for source in SOURCES
            if source.path.startswith("slack-manifest/schemas/")
        ]
        return jsonschema.Draft7Validator(schema, registry=Registry().with_resources(resources))
    return jsonschema.validators.validator_for(schema)(schema)


def validator(relative: str) -> Any:
    """The validator for one schema file, or a skip (a failure under SHAREBOT_REQUIRE_SCHEMAS=1)."""
    return _validator(_require(relative))


def errors(relative: str, document: Any) -> list[str]:
    """Every violation, as ``path: message`` lines (empty only when the document was checked
    and is valid)."""
    found = validator(relative).iter_errors(document)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in found]


def card_errors(card: Any) -> list[str]:
    return errors(ADAPTIVE_CARD, card)


# -- fetching them for a clone of the repository alone -------------------------------------------


class FetchFailed(Exception):
    """A schema could not be downloaded, or what came is not the pinned file."""


def fetch(
    into: Path,
    *,
    url_for: Callable[[Source], str] = lambda source: source.url,
    say: Callable[[str], None] = print,
) -> None:
    """Download every schema into ``into``, checking each against its pinned SHA-256.

    A file already there with the right hash is kept; nothing half-written or unchecked is left
    behind (each file is written beside its place and renamed once it is checked).
    """
    for source in SOURCES:
        target = into / source.path
        if target.is_file() and _sha256(target.read_bytes()) == source.sha256:
            say(f"{source.path}: already there")
            continue
        url = url_for(source)
        say(f"{source.path}: fetching {url}")
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                data = response.read()
        except OSError as error:
            raise FetchFailed(f"{source.path}: could not download {url}: {error}") from error
        if _sha256(data) != source.sha256:
            raise FetchFailed(
                f"{source.path}: {url} is not the pinned file (SHA-256 {_sha256(data)}, "
                f"expected {source.sha256})"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        partial.write_bytes(data)
        partial.replace(target)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.schemas",
        description="Fetch the official Slack and Teams JSON Schemas the tests check against.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    fetching = commands.add_parser("fetch", help="download them (pinned, checked by SHA-256)")
    fetching.add_argument("--into", type=Path, default=cache_dir(), help="default: %(default)s")
    fetching.add_argument(
        "--mirror",
        default=os.environ.get("SHAREBOT_SCHEMAS_MIRROR") or None,
        metavar="URL",
        help="a copy laid out as the schemas folder (e.g. where GitHub is out of reach); its "
        "files are checked against the same pinned hashes (default: $SHAREBOT_SCHEMAS_MIRROR, "
        "else the official addresses)",
    )
    commands.add_parser("where", help="print the folder the tests read them from")
    args = parser.parse_args(argv)
    if args.command == "where":
        print(schemas_dir())
        return 0
    try:
        if args.mirror:
            base = args.mirror.rstrip("/")
            fetch(args.into, url_for=lambda source: f"{base}/{source.path}")
        else:
            fetch(args.into)
    except FetchFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"schemas are in {args.into}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

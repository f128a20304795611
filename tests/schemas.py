"""The official JSON Schemas in ``../shared/schemas`` (never copied into the project).

Found through ``SHAREBOT_SCHEMAS_DIR``; a test that needs one is skipped where they are absent
(a user's own clone) and fails where ``SHAREBOT_REQUIRE_SCHEMAS=1`` (CI).
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
ADAPTIVE_CARD = "adaptive-cards/adaptive-card-1.5.json"
TEAMS_MANIFEST = "teams-manifest/MicrosoftTeams.schema.v1.23.json"


def schemas_dir() -> Path:
    return Path(os.environ.get("SHAREBOT_SCHEMAS_DIR") or ROOT.parent / "shared" / "schemas")


@cache
def _validator(relative: str) -> Any:
    path = schemas_dir() / relative
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def validator(relative: str) -> Any:
    """The validator for one schema file, or a skip (a failure under SHAREBOT_REQUIRE_SCHEMAS=1)."""
    path = schemas_dir() / relative
    if not path.is_file():
        reason = f"schema {relative} not found under {schemas_dir()} (set SHAREBOT_SCHEMAS_DIR)"
        if os.environ.get("SHAREBOT_REQUIRE_SCHEMAS") == "1":
            pytest.fail(f"SHAREBOT_REQUIRE_SCHEMAS=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return _validator(relative)


def errors(relative: str, document: Any) -> list[str]:
    """Every violation, as ``path: message`` lines (empty when the document is valid)."""
    found = validator(relative).iter_errors(document)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in found]


def card_errors(card: Any) -> list[str]:
    return errors(ADAPTIVE_CARD, card)


def card_errors_where_checked(card: Any) -> list[str]:
    """For tests about something else: the card's schema violations, or none where the schema
    is absent (the dedicated schema tests skip there and say why)."""
    present = (schemas_dir() / ADAPTIVE_CARD).is_file()
    if not present and os.environ.get("SHAREBOT_REQUIRE_SCHEMAS") != "1":
        return []
    return card_errors(card)

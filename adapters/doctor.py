"""`sharebot doctor`: checks configuration and connectivity, one line each."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.settings import Settings
from adapters.slack.client import problem as slack_problem
from adapters.slack.health import auth_test as slack_auth_test
from storage import migrate, outbox
from storage.database import Database
from storage.health import DatabaseHealth

LOOPBACK = ("127.0.0.1", "localhost", "::1")
WRITE_CHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


async def run_checks(settings: Settings) -> list[Check]:
    results = [Check("settings", True, f"adapters: {', '.join(settings.enabled_adapters)}")]
    results += await _database(settings)
    results += _adapters(settings)
    if "slack" in settings.enabled_adapters and not slack_problem(settings):
        results.append(Check("slack connection", *await slack_auth_test(settings)))
    if settings.host not in LOOPBACK and not settings.public_url:
        results.append(
            Check(
                "SHAREBOT_PUBLIC_URL", False, "not set: share links would point at the bind address"
            )
        )
    return results


async def _database(settings: Settings) -> list[Check]:
    database = Database.from_url(settings.database_url)
    try:
        await database.ping()
        if not await migrate.is_current(database.engine):
            return [Check("database", False, "schema is not current: run `sharebot db upgrade`")]
        if (state := await database.health(within=WRITE_CHECK_SECONDS)) is not DatabaseHealth.OK:
            return [
                Check("database", False, f"{settings.database_label}: takes no writes ({state})")
            ]
        async with database.transaction() as session:
            states = await outbox.count_by_state(session)
            uncertain = await outbox.uncertain_by_reason(session)
    except Exception as error:
        return [Check("database", False, f"{settings.database_label}: {error}")]
    finally:
        await database.close()
    return [
        Check("database", True, f"{settings.database_label} reachable, schema current"),
        Check(
            "deliveries",
            True,
            f"{states.get(outbox.PENDING, 0)} waiting, {states.get(outbox.SENDING, 0)} being "
            f"sent, {states.get(outbox.UNCERTAIN, 0)} uncertain{_why(uncertain)}",
        ),
    ]


def _why(uncertain: dict[tuple[str, str], int]) -> str:
    """Uncertain deliveries by platform and reason: each may have been shown, none is sent
    again (they go when their suggestion ends)."""
    if not uncertain:
        return ""
    parts = ", ".join(
        f"{platform} {reason} {count}" for (platform, reason), count in sorted(uncertain.items())
    )
    return f" ({parts}; the platform may have shown them, never sent again)"


def _adapters(settings: Settings) -> list[Check]:
    results = []
    if "slack" in settings.enabled_adapters:
        trouble = slack_problem(settings)
        mode = "Socket Mode" if settings.slack_app_token else "HTTP mode at /slack/events"
        results.append(Check("slack", trouble is None, trouble or f"settings complete, {mode}"))
    if "teams" in settings.enabled_adapters:
        ok = bool(settings.microsoft_app_id and settings.microsoft_app_password)
        results.append(
            Check(
                "teams",
                ok,
                "app id and password set"
                if ok
                else "MICROSOFT_APP_ID / MICROSOFT_APP_PASSWORD missing: no authentication",
            )
        )
    return results

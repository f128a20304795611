"""The ``sharebot`` command."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from aiohttp import web

from adapters import doctor as checks
from adapters import logs, sqlite_lock
from adapters.heap import settle_heap
from adapters.server import build_app, build_runtime
from adapters.settings import Settings, SettingsError, load_settings
from adapters.slack.client import problem as slack_problem
from adapters.slack.manifest import manifest_json, manifest_yaml, slack_manifest
from adapters.teams.package import PackageError, build_package
from adapters.works_council.command import WorksCouncilError, make_document
from bot.privacy.retention import purge as purge_data
from storage import migrate
from storage.database import Database
from storage.health import DatabaseHealth

START_CHECK_SECONDS = 10.0


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        click.echo(f"sharebot: {error}", err=True)
        sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sharebot")
def main() -> None:
    """Sharebot: occasional, voluntary share suggestions for Slack and Microsoft Teams.

    Configuration comes from the environment and from a .env file in the current directory
    (see .env.example). With no Slack or Teams credentials, `sharebot run` starts the
    playground: a local web page with a demo organisation.
    """


@main.command()
def run() -> None:
    """Upgrade the database and start every enabled adapter on SHAREBOT_HOST:PORT."""
    settings = _settings()
    if "slack" in settings.enabled_adapters and (trouble := slack_problem(settings)):
        click.echo(f"sharebot: {trouble}", err=True)
        sys.exit(2)
    _warn_about_teams_without_authentication(settings)
    logs.configure(settings.log_level)
    try:
        lock = sqlite_lock.hold(settings.database_url)
    except (sqlite_lock.SecondProcess, sqlite_lock.NotWritable) as error:
        click.echo(f"sharebot: {error}", err=True)
        sys.exit(1)
    _prepare(settings, check_writes=True)
    runtime = build_runtime(settings)
    app = build_app(runtime)
    app.on_startup.append(_settle)  # after the start: what it built lasts as long as the process
    adapters = ", ".join(settings.enabled_adapters)
    click.echo(f"Sharebot is running with {adapters} on {settings.database_label}.")
    if "playground" in settings.enabled_adapters:
        click.echo(f"Open the playground: {settings.base_url}/")
    if runtime.database.is_sqlite:
        click.echo("SQLite: one Sharebot process per database file; use PostgreSQL for more.")
    click.echo("Press Ctrl+C to stop.")
    web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None)
    if lock is not None:
        lock.close()


def _warn_about_teams_without_authentication(settings: Settings) -> None:
    """An empty MICROSOFT_APP_ID switches Bot Framework authentication off: fine on this
    machine (Emulator, tests), dangerous anywhere else."""
    if "teams" not in settings.enabled_adapters or settings.microsoft_app_id:
        return
    if settings.host in checks.LOOPBACK:
        click.echo("Teams: MICROSOFT_APP_ID is empty, authentication is off (local use only).")
        return
    click.echo(
        "WARNING: MICROSOFT_APP_ID is empty, so /api/messages accepts requests WITHOUT "
        f"authentication on {settings.host}:{settings.port}. Anyone who reaches this port "
        "can act as any Teams user. Set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD, or bind "
        "SHAREBOT_HOST to 127.0.0.1.",
        err=True,
    )


def _prepare(settings: Settings, *, check_writes: bool = False) -> None:
    """Upgrade the schema (and see that the database takes writes), or stop with one line."""
    try:
        state = asyncio.run(_upgrade(Database.from_url(settings.database_url), check_writes))
    except Exception as error:  # the one line a person needs, not a traceback
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        click.echo(
            f"sharebot: cannot prepare the database {settings.database_label}: {first}", err=True
        )
        sys.exit(1)
    if state is not DatabaseHealth.OK:
        click.echo(
            f"sharebot: the database {settings.database_label} takes no writes ({state}): "
            f"{_REMEDY[state]}",
            err=True,
        )
        sys.exit(1)


_REMEDY = {
    DatabaseHealth.READ_ONLY: "make its file and folder writable for this user, or point "
    "DATABASE_URL at a PostgreSQL primary, not a read-only replica.",
    DatabaseHealth.FULL: "its disk is full; free some space.",
    DatabaseHealth.NO_ANSWER: "it did not answer in time; check that the database server runs.",
    DatabaseHealth.UNREACHABLE: "check DATABASE_URL and that the database server runs.",
    DatabaseHealth.FAILING: "run `sharebot doctor` for details.",
}


async def _upgrade(database: Database, check_writes: bool = False) -> DatabaseHealth:
    try:
        await migrate.upgrade(database.engine)
        if not check_writes:
            return DatabaseHealth.OK
        return await database.health(within=START_CHECK_SECONDS)
    finally:
        await database.close()


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command()
def upgrade() -> None:
    """Apply every pending migration (also done by `sharebot run`)."""
    settings = _settings()
    _prepare(settings)
    click.echo(f"Database {settings.database_label} is at revision {migrate.head_revision()}.")


@main.group()
def manifest() -> None:
    """App manifests for the chat platforms: `manifest slack`, `manifest teams --out FILE`."""


@manifest.command("teams")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True),
    default="sharebot.zip",
    show_default=True,
    help="Where to write the app package.",
)
def manifest_teams(out: str) -> None:
    """Build the Teams app package (manifest.json and icons) to upload in Teams."""
    settings = _settings()
    try:
        package = build_package(settings)
    except PackageError as error:
        click.echo(f"sharebot: {error}", err=True)
        sys.exit(2)
    Path(out).write_bytes(package)
    click.echo(f"Wrote {out}: upload it in Teams (Apps > Manage your apps > Upload an app).")


@main.command()
def doctor() -> None:
    """Check configuration and connectivity, and say what is wrong."""
    settings = _settings()
    results = asyncio.run(checks.run_checks(settings))
    for result in results:
        mark = "ok  " if result.ok else "FAIL"
        click.echo(f"[{mark}] {result.name}: {result.detail}")
    if not all(result.ok for result in results):
        sys.exit(1)


@manifest.command("slack")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of YAML.")
def manifest_slack(as_json: bool) -> None:
    """The Slack app manifest: paste it at api.slack.com/apps -> Create New App -> From a manifest.

    Request URLs come from SHAREBOT_PUBLIC_URL; with SLACK_APP_TOKEN set, Socket Mode is on.
    """
    settings = _settings()
    found = slack_manifest(settings)
    click.echo(manifest_json(found) if as_json else manifest_yaml(found), nl=False)


@main.command("works-council")
@click.option(
    "--lang",
    "language",
    type=click.Choice(["de", "en"]),
    help="Language of the document [default: the policy's default_language].",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Where to write it; - for standard output [default: works-council-<lang>.html].",
)
@click.option(
    "--country",
    type=click.Choice(["de", "at"]),
    help="Law of the draft works agreement: de (BetrVG § 87) or at (ArbVG §§ 96, 96a) "
    "[default: at when the policy's holidays are Austrian, else de].",
)
@click.option(
    "--organisation",
    default="",
    help="The organisation's name, for the draft works agreement [default: a blank to fill in].",
)
def works_council(
    language: str | None, out: str | None, country: str | None, organisation: str
) -> None:
    """Write the works-council document: one self-contained HTML page, generated from this
    installation's database (every table and column, read from the schema itself), its policy,
    the bounds of SHAREBOT_POLICY_LIMITS, who holds HR and comms, the audit trail of the last
    90 days as counts per kind, the release rule with a worked example, and a draft works
    agreement with this installation's numbers. Open it in a browser; print it to PDF from
    there. It reads the database and changes nothing.
    """
    settings = _settings()
    try:
        document = asyncio.run(
            make_document(
                settings,
                language=language,
                country=country,
                organisation=organisation,
                progress=lambda line: click.echo(line, err=True),
            )
        )
    except WorksCouncilError as error:
        click.echo(f"sharebot: {error}", err=True)
        sys.exit(1)
    target = out or f"works-council-{document.language}.html"
    if target == "-":
        click.echo(document.html, nl=False)
        return
    Path(target).write_text(document.html, encoding="utf-8")
    click.echo(f"Wrote {target}: open it in a browser and print it to PDF from there.", err=True)


@main.command()
def purge() -> None:
    """Delete what retention no longer allows: ended deliveries, old budget and audit entries,
    proposals decided long ago, marks of requests handled more than a day ago, opted-in bands
    older than a year."""
    settings = _settings()

    async def go() -> None:
        database = Database.from_url(settings.database_url)
        try:
            await migrate.upgrade(database.engine)
            result = await purge_data(database, datetime.now(UTC))
        finally:
            await database.close()
        click.echo(
            f"Removed {result.deliveries} delivery rows, {result.audit_entries} audit entries, "
            f"{result.proposals} decided proposals, {result.requests} handled-request marks and "
            f"{result.opt_in_months} opted-in months older than a year."
        )

    asyncio.run(go())


async def _settle(_: web.Application) -> None:
    settle_heap()


if __name__ == "__main__":
    main()

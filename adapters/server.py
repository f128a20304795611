"""The composition root: settings -> storage -> core -> enabled adapters -> one aiohttp app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from adapters.dashboard.routes import DashboardRoutes
from adapters.photos import WebPhotos
from adapters.playground.platform import PlaygroundDirectory, PlaygroundMessenger
from adapters.playground.routes import Playground
from adapters.playground.seed import seed
from adapters.playground.transcript import Transcript
from adapters.public_addresses import FetchRules
from adapters.settings import Settings
from adapters.slack.app import SlackApp
from adapters.slack.client import web_client
from adapters.slack.directory import SlackDirectory
from adapters.slack.messenger import SlackMessenger
from adapters.slack.people import People
from adapters.web import CommonRoutes
from bot.clock import Clock, SystemClock
from bot.commands.policy_admin import clamp_to_limits
from bot.context import Context
from bot.core import Sharebot
from bot.delivery.dispatcher import Dispatcher
from bot.i18n import Catalogue
from bot.ports import Directory, Messenger
from bot.privacy.opt_in_history import record_opt_in
from bot.privacy.passes import Passes
from bot.privacy.retention import purge
from storage.database import Database

if TYPE_CHECKING:  # botbuilder is imported only when the Teams adapter runs
    from adapters.teams.app import Teams

logger = logging.getLogger(__name__)
PURGE_HOURS = 24


class RunningJobs:
    """The scheduler's jobs in progress. APScheduler's shutdown cancels coroutine jobs under
    way, so the server waits here for them before it shuts the scheduler down and closes the
    database."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def tracked(self, job: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            task = asyncio.current_task()
            assert task is not None
            self._tasks.add(task)
            try:
                await job()
            finally:
                self._tasks.discard(task)

        return run

    async def done(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


@dataclass
class Runtime:
    """Everything one process runs, built once here and passed in."""

    settings: Settings
    database: Database
    ctx: Context
    core: Sharebot
    dispatcher: Dispatcher
    transcript: Transcript | None = None
    teams: Teams | None = None
    slack: SlackApp | None = None
    scheduler: AsyncIOScheduler | None = field(default=None, repr=False)
    jobs: RunningJobs = field(default_factory=RunningJobs, repr=False)


def build_runtime(
    settings: Settings, *, clock: Clock | None = None, database: Database | None = None
) -> Runtime:
    clock = clock or SystemClock()
    database = database or Database.from_url(settings.database_url)
    messengers: dict[str, Messenger] = {}
    directories: dict[str, Directory] = {}
    transcript = None
    if "playground" in settings.enabled_adapters:
        transcript = Transcript()
        messengers["playground"] = PlaygroundMessenger(transcript, clock)
        directories["playground"] = PlaygroundDirectory()
    teams = None
    if "teams" in settings.enabled_adapters:
        from adapters.teams.app import Teams

        teams = Teams(settings)
        messengers["teams"] = teams.messenger
        directories["teams"] = teams.directory
    photos = WebPhotos(FetchRules(settings.fetch_allowances))
    slack_people = None
    if "slack" in settings.enabled_adapters:
        client = web_client(settings)
        slack_people = People(client)
        messengers["slack"] = SlackMessenger(client, rate_per_second=settings.slack_rate)
        directories["slack"] = SlackDirectory(client, slack_people)
    ctx = Context(
        database=database,
        catalogue=Catalogue.load(),
        clock=clock,
        public_url=settings.base_url,
        admins=settings.admin_keys,
        messengers=messengers,
        directories=directories,
        photos=photos,
        limits=settings.limits,
        passes=Passes(settings.secret_key.get_secret_value()),
    )
    if transcript is not None:  # the playground's demo photo is served from Sharebot's address
        photos.rules = replace(photos.rules, own_url=lambda: ctx.public_url)
    dispatcher = Dispatcher(
        ctx,
        concurrency=settings.delivery_concurrency,
        lease=timedelta(seconds=settings.delivery_lease_seconds),
    )
    ctx.wake_dispatcher = dispatcher.wake
    ctx.notify = dispatcher.notify
    core = Sharebot(ctx)
    slack = SlackApp(core, slack_people.client, slack_people, settings) if slack_people else None
    return Runtime(settings, database, ctx, core, dispatcher, transcript, teams, slack)


def build_app(runtime: Runtime, *, schedule: bool = True) -> web.Application:
    """The one aiohttp application with every enabled adapter's routes."""
    app = web.Application(client_max_size=256 * 1024)
    CommonRoutes(runtime.ctx).add_routes(app)
    DashboardRoutes(runtime.ctx).add_routes(app)
    if runtime.transcript is not None:
        Playground(runtime.core, runtime.transcript, runtime.ctx.clock).add_routes(app)
    if runtime.teams is not None:
        runtime.teams.add_routes(app, runtime.core)

    async def start(_: web.Application) -> None:
        if runtime.transcript is not None:
            await seed(runtime.database)
        # a policy stored before the bounds of the works agreement changed is brought inside
        await clamp_to_limits(runtime.ctx)
        if schedule:
            runtime.scheduler = _scheduler(runtime)
            runtime.scheduler.start()

    async def stop(_: web.Application) -> None:
        if runtime.scheduler is not None:
            # no new runs; those under way finish (shutting down would cancel them mid-send)
            runtime.scheduler.pause()
            await runtime.jobs.done()
            runtime.scheduler.shutdown(wait=False)
        if runtime.teams is not None:
            await runtime.teams.idle()
        await runtime.dispatcher.idle()
        await runtime.ctx.clicks.flush(runtime.database)
        await runtime.database.close()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    if runtime.slack is not None:  # after `stop`: its connections outlive the last dispatch
        runtime.slack.add_routes(app)
    return app


def _scheduler(runtime: Runtime) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler()
    scheduler.add_job(
        runtime.jobs.tracked(runtime.dispatcher.tick),
        "interval",
        seconds=runtime.settings.tick_seconds,
        max_instances=1,
        coalesce=True,
        id="dispatch",
        next_run_time=runtime.ctx.clock.now(),
    )

    async def daily_purge() -> None:
        result = await purge(runtime.database, runtime.ctx.clock.now())
        logger.info(
            "purge: %d deliveries, %d audit entries, %d proposals, %d handled requests, "
            "%d opt-in months removed",
            result.deliveries,
            result.audit_entries,
            result.proposals,
            result.requests,
            result.opt_in_months,
        )

    async def opt_in_month() -> None:
        try:
            await record_opt_in(runtime.database, runtime.ctx.clock.now())
        except Exception as error:  # the next hour tries again; a month keeps its last record
            # the kind only: a traceback could carry the statement's values (security rule 5)
            logger.warning("opted-in band not recorded: %s", type(error).__name__)

    scheduler.add_job(
        runtime.jobs.tracked(daily_purge),
        "interval",
        hours=PURGE_HOURS,
        id="purge",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        runtime.jobs.tracked(opt_in_month),
        "interval",
        hours=1,
        id="opt-in-month",
        max_instances=1,
        coalesce=True,
        next_run_time=runtime.ctx.clock.now(),
    )
    return scheduler

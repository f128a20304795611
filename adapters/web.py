"""Routes every deployment has: share links, the share page, photos, health and metrics."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from adapters.share_page import render_share_page
from bot.context import Context
from bot.i18n import language_for
from bot.sharing.links import Redirect, follow, photo_of
from storage.health import DatabaseHealth

# /healthz answers within a second, whatever the database does (security rule 2).
HEALTH_SECONDS = 0.8
# Share links and pages are the same for everyone and must not be kept or passed on.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}

logger = logging.getLogger(__name__)


class CommonRoutes:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/s/{token}", self.share)
        app.router.add_get("/p/{token}", self.page)
        app.router.add_get("/i/{token}", self.photo)
        app.router.add_get("/healthz", self.health)
        app.router.add_get("/metrics", self.metrics)

    async def share(self, request: web.Request) -> web.StreamResponse:
        """A share button: counted, then on to the network's composer or to the share page."""
        return await self._follow(request, counted=True)

    async def page(self, request: web.Request) -> web.StreamResponse:
        """The share page again, not counted: where the page's QR code leads the phone."""
        return await self._follow(request, counted=False)

    async def _follow(self, request: web.Request, *, counted: bool) -> web.StreamResponse:
        language = browser_language(request)
        target = await follow(
            self.ctx, request.match_info["token"], language=language, counted=counted
        )
        if target is None:
            text = self.ctx.catalogue.text(language, "page.missing")
            raise web.HTTPNotFound(text=text, headers=PRIVATE)
        if isinstance(target, Redirect):
            raise web.HTTPFound(target.url, headers=PRIVATE)
        csp = (
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
            f"img-src 'self' data: {_origin(self.ctx.public_url)}; connect-src 'self' "
            f"{_origin(self.ctx.public_url)}; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'"
        )
        return web.Response(
            text=render_share_page(target),
            content_type="text/html",
            headers={**PRIVATE, "Content-Security-Policy": csp},
        )

    async def photo(self, request: web.Request) -> web.StreamResponse:
        """A suggestion's photo, from Sharebot's copy; ``?download`` saves it as a file."""
        download = "download" in request.query
        found = await photo_of(self.ctx, request.match_info["token"], download=download)
        if found is None:
            text = self.ctx.catalogue.text(browser_language(request), "page.missing")
            raise web.HTTPNotFound(text=text)
        image, name = found
        headers = {
            "Cache-Control": "public, max-age=86400, immutable",
            "X-Content-Type-Options": "nosniff",
        }
        if download:
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return web.Response(body=image.data, content_type=image.content_type, headers=headers)

    async def health(self, request: web.Request) -> web.Response:
        """200 ``ok`` when the database takes a write; 503 ``degraded`` with the kind of
        trouble (``database: read-only``, ``full``, ``no answer``, ``unreachable``) otherwise."""
        state = await self.ctx.database.health(within=HEALTH_SECONDS)
        if state is DatabaseHealth.OK:
            return web.json_response({"status": "ok", "database": "ok", "reasons": []})
        # the kind only: the driver's message can name hosts and users
        logger.warning("health check: database %s", state.value)
        return web.json_response(
            {
                "status": "degraded",
                "database": state.value,
                "reasons": [f"database: {state.value}"],
            },
            status=503,
        )

    async def metrics(self, request: web.Request) -> web.Response:
        body = generate_latest(self.ctx.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def browser_language(request: web.Request) -> str:
    """The first of German and English the browser asks for (``Accept-Language``), else
    English."""
    accepted = request.headers.get("Accept-Language", "")
    for part in accepted.split(","):
        if language := language_for(None, part.split(";")[0].strip(), ""):
            return language
    return "en"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"

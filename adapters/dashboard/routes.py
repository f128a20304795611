"""``GET /dashboard`` and ``GET /dashboard.csv``: the figures page behind a signed link.

A link that is forged, altered or expired gets a short page in the browser's language (403 or
410) and no figure; nothing is read from the database for it once the key is known. Every
answer is ``no-store`` and ``no-referrer``, so the link is neither kept by a cache nor passed
on to another site.
"""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from adapters.dashboard.download import file_name, render_csv
from adapters.dashboard.page import CSP, render_page, render_refusal
from adapters.web import PRIVATE, browser_language
from bot.context import Context
from bot.policy import LANGUAGES
from bot.privacy.dashboard import figures_page
from bot.privacy.figures_page import FiguresPage
from bot.privacy.passes import PassRefused, Refusal

logger = logging.getLogger(__name__)
MAX_TOKEN = 512  # a pass is about 90 characters; anything much longer is not one
STATUS = {Refusal.EXPIRED: 410, Refusal.FORGED: 403}
HEADERS = {**PRIVATE, "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"}


class DashboardRoutes:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/dashboard", self.page)
        app.router.add_get("/dashboard.csv", self.csv)

    async def page(self, request: web.Request) -> web.Response:
        """The page, in the language asked for (``?lang=``) or the browser's."""
        found = await self._figures(request)
        if isinstance(found, web.Response):
            return found
        page, token = found
        return web.Response(
            text=render_page(page, token=token), content_type="text/html", headers=HEADERS
        )

    async def csv(self, request: web.Request) -> web.Response:
        """Exactly the page's figures as a CSV file, behind the same pass."""
        found = await self._figures(request)
        if isinstance(found, web.Response):
            return found
        page, _ = found
        disposition = f'attachment; filename="{file_name(page)}"'
        return web.Response(
            text=render_csv(page),
            content_type="text/csv",
            charset="utf-8",
            headers={**HEADERS, "Content-Disposition": disposition},
        )

    async def _figures(self, request: web.Request) -> tuple[FiguresPage, str] | web.Response:
        asked = request.query.get("lang", "")
        language = asked if asked in LANGUAGES else browser_language(request)
        token = request.query.get("token", "")
        try:
            if not token or len(token) > MAX_TOKEN:
                raise PassRefused(Refusal.FORGED)
            return await figures_page(self.ctx, token, language), token
        except PassRefused as refused:
            return self._refusal(language, refused.refusal.value, STATUS[refused.refusal])
        except (SQLAlchemyError, OSError) as error:
            # the kind only: a driver's message can name hosts and users
            logger.warning("figures page: database unavailable (%s)", type(error).__name__)
            return self._refusal(language, "unavailable", 503)

    def _refusal(self, language: str, kind: str, status: int) -> web.Response:
        prefix = "dashboard.refused." if kind != "unavailable" else "dashboard."
        text = self.ctx.catalogue.text
        page = render_refusal(
            language=language,
            title=text(language, f"{prefix}{kind}.title"),
            text=text(language, f"{prefix}{kind}"),
        )
        headers = {**HEADERS, **({"Retry-After": "60"} if status == 503 else {})}
        return web.Response(status=status, text=page, content_type="text/html", headers=headers)

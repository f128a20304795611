"""Routes every deployment has: the share redirect, health and metrics."""

from __future__ import annotations

import html
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.context import Context
from bot.i18n import Texts, language_for
from bot.networks import copy_text
from bot.sharing import follow

logger = logging.getLogger(__name__)


class CommonRoutes:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/s/{token}", self.share)
        app.router.add_get("/healthz", self.health)
        app.router.add_get("/metrics", self.metrics)

    async def share(self, request: web.Request) -> web.StreamResponse:
        target = await follow(self.ctx, request.match_info["token"])
        if target is None:
            raise web.HTTPNotFound(text="This share link does not exist.")
        headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
        if target.url is not None:
            raise web.HTTPFound(target.url, headers=headers)
        t = self.ctx.catalogue.bind(_browser_language(request))
        return web.Response(
            text=copy_page(
                t, target.suggestion.url, target.suggestion.captions, target.suggestion.hashtags
            ),
            content_type="text/html",
            headers=headers,
        )

    async def health(self, request: web.Request) -> web.Response:
        try:
            await self.ctx.database.ping()
        except Exception as error:
            # the driver's message can name hosts and users: the kind of failure is enough here
            logger.warning("health check: database unreachable (%s)", type(error).__name__)
            return web.json_response(
                {"status": "error", "database": type(error).__name__}, status=503
            )
        return web.json_response({"status": "ok", "database": "ok"})

    async def metrics(self, request: web.Request) -> web.Response:
        body = generate_latest(self.ctx.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def _browser_language(request: web.Request) -> str:
    accepted = request.headers.get("Accept-Language", "")
    for part in accepted.split(","):
        if language := language_for(None, part.split(";")[0].strip(), ""):
            return language
    return "en"


def copy_page(t: Texts, url: str, captions: list[str], hashtags: list[str]) -> str:
    """A small page with every wording and a copy button: for composers that take no text."""
    items = "".join(
        f"<li><pre>{html.escape(copy_text(url=url, caption=c, hashtags=hashtags))}</pre>"
        f'<button type="button">{html.escape(t("copypage.copy"))}</button></li>'
        for c in captions
    )
    return f"""<!doctype html><html lang="{t.language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(t("copypage.title"))}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}
li{{list-style:none;border:1px solid #ddd;border-radius:8px;padding:1rem;margin:1rem 0}}
pre{{white-space:pre-wrap;font:inherit;margin:0 0 .5rem}}button{{padding:.4rem .8rem}}</style>
</head><body><h1>{html.escape(t("copypage.title"))}</h1><p>{html.escape(t("copypage.intro"))}</p>
<ul>{items}</ul><script>
document.querySelectorAll("li button").forEach(b=>b.addEventListener("click",()=>{{
navigator.clipboard.writeText(b.previousElementSibling.textContent);b.textContent="✓";}}));
</script></body></html>"""

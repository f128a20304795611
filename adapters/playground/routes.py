"""The playground's HTTP side: the page, its JSON API and live updates (server-sent events)."""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler

from adapters.playground import demo
from adapters.playground.render import render_message, render_view
from adapters.playground.transcript import Transcript
from bot.clock import Clock
from bot.core import Overview, Sharebot
from bot.views import Form, Reply, plain_text, unmarked

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
# A photo to try ``--image`` with: served from here, so Sharebot fetches it from itself.
DEMO_PHOTO = "team-outing.png"
MAX_BODY = 64 * 1024
LABELS = (
    "send",
    "settings",
    "queue",
    "queue_empty",
    "only_you",
    "placeholder",
    "people",
    "download",
    "reconnecting",
    "command",
    "playground",
    "preview",
)


class Playground:
    """Routes for one playground; the core is real, only the messenger is played here."""

    def __init__(self, core: Sharebot, transcript: Transcript, clock: Clock) -> None:
        self.core = core
        self.transcript = transcript
        self.clock = clock

    @property
    def demo_photo_url(self) -> str:
        """The demo photo where Sharebot's links lead (``SHAREBOT_PUBLIC_URL`` or host and port)."""
        return f"{self.core.ctx.public_url.rstrip('/')}/static/{DEMO_PHOTO}"

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/", self.page)
        app.router.add_static("/static/", STATIC)
        app.router.add_get("/playground/api/state", self.state)
        app.router.add_get("/playground/api/settings", self.settings)
        app.router.add_post("/playground/api/say", self.say)
        app.router.add_post("/playground/api/press", self.press)
        app.router.add_post("/playground/api/submit", self.submit)
        app.router.add_post("/playground/api/preview", self.preview)
        app.router.add_get("/playground/api/events", self.events)
        app.middlewares.append(self._own_host_only)
        app.on_shutdown.append(self._close_streams)

    @web.middleware
    async def _own_host_only(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """The playground's page and API answer only under a name that cannot be another
        site's: a page elsewhere whose name is made to point here (DNS rebinding) would be
        "same-origin" to the browser, and could read the chats and act as HR."""
        ours = request.path.startswith("/playground/") or request.path == "/"
        if ours and not _own_host(request.host, self.core.ctx.public_url):
            raise web.HTTPMisdirectedRequest(
                text=json.dumps({"error": "this playground answers only at its own address"}),
                content_type="application/json",
            )
        return await handler(request)

    async def _close_streams(self, app: web.Application) -> None:
        self.transcript.close()

    async def page(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def state(self, request: web.Request) -> web.Response:
        me = _person(request.query.get("person") or demo.PEOPLE[0].key)
        overview = await self.core.overview(me.actor)
        return web.json_response(
            {
                "people": [await self._person_entry(p, me, overview) for p in demo.PEOPLE],
                "me": me.key,
                "policy_note": _policy_note(overview),
                "photo_note": self._photo_note(overview),
                "messages": [render_message(m) for m in self.transcript.of(me.key)],
                "queue": [
                    {
                        "suggestion_id": q.suggestion_id,
                        "due_text": q.due_text,
                        "reason_text": q.reason_text,
                    }
                    for q in overview.queue
                ],
                "counters_note": "",
                "labels": {name: overview.t(f"playground.{name}") for name in LABELS},
            }
        )

    async def _person_entry(
        self, person: demo.DemoPerson, me: demo.DemoPerson, mine: Overview
    ) -> dict[str, str]:
        """A person in the sidebar, in the viewer's language.

        Roles are public; whether someone opted in is theirs alone, so the status hint is
        shown for the viewer only (principle 3: nobody sees another person's preferences).
        """
        own = person.key == me.key
        roles = mine.roles if own else (await self.core.overview(person.actor)).roles
        role = "hr" if "hr" in roles else "comms" if "comms" in roles else "employee"
        return {
            "key": person.key,
            "name": person.name,
            "role": mine.t(f"playground.role.{role}"),
            "hint": mine.t(f"playground.status.{mine.participation}") if own else "",
        }

    async def settings(self, request: web.Request) -> web.Response:
        me = _person(request.query.get("person", ""))
        reply = await self.core.settings(me.actor)
        return web.json_response(render_view(reply.views[0]))

    async def say(self, request: web.Request) -> web.Response:
        body = await _body(request, self.core.ctx.public_url)
        me = _person(body.get("person"))
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad("text is missing")
        self.transcript.add(me.key, "me", self.clock.now(), text)
        async with self._apology(me):
            reply = await self.core.say(me.actor, text)
        self._answer(me.key, reply)
        return web.json_response({"ok": True})

    async def press(self, request: web.Request) -> web.Response:
        body = await _body(request, self.core.ctx.public_url)
        me = _person(body.get("person"))
        action, value = body.get("action"), body.get("value", "")
        if not isinstance(action, str) or not isinstance(value, str):
            raise _bad("action is missing")
        async with self._apology(me):
            reply = await self.core.press(me.actor, action, value)
        self._answer(me.key, reply)
        return web.json_response({"ok": True})

    async def submit(self, request: web.Request) -> web.Response:
        body = await _body(request, self.core.ctx.public_url)
        me = _person(body.get("person"))
        form_id, values = body.get("form_id"), body.get("values")
        if not isinstance(form_id, str) or not isinstance(values, dict):
            raise _bad("form_id or values missing")
        async with self._apology(me):
            reply = await self.core.submit(
                me.actor, form_id, {str(k): str(v) for k, v in values.items()}
            )
        returned = [v for v in reply.views if type(v).__name__ == "Form"]
        if returned and form_id == "settings":
            return web.json_response({"ok": False, "form": render_view(returned[0])})
        self._answer(me.key, reply)
        return web.json_response(
            {"ok": not returned, **({"form": render_view(returned[0])} if returned else {})}
        )

    async def preview(self, request: web.Request) -> web.Response:
        """The compose form as typed, with the card it would make; nothing is saved."""
        body = await _body(request, self.core.ctx.public_url)
        me = _person(body.get("person"))
        values = body.get("values")
        if not isinstance(values, dict):
            raise _bad("values missing")
        async with self._apology(me):
            reply = await self.core.preview(me.actor, {str(k): str(v) for k, v in values.items()})
        view = reply.views[0]
        if not isinstance(view, Form):
            raise _bad(unmarked(plain_text(view)))  # shown as plain text
        return web.json_response({"form": render_view(view)})

    def _photo_note(self, overview: Overview) -> str:
        """For comms: how to try a photo, with the demo photo's address on this server."""
        if "comms" not in overview.roles:
            return ""
        return overview.t("playground.photo_note", url=self.demo_photo_url)

    async def events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        queue = self.transcript.listen()
        try:
            await response.write(b": connected\n\n")
            while person := await queue.get():
                await response.write(f"data: {json.dumps({'person': person})}\n\n".encode())
        except (ConnectionResetError, RuntimeError):
            pass
        finally:
            self.transcript.unlisten(queue)
        return response

    @asynccontextmanager
    async def _apology(self, me: demo.DemoPerson) -> AsyncIterator[None]:
        """An unexpected failure (a bug, the database gone) gets a short apology in the
        person's language, as in Slack and Teams, instead of a bare 500."""
        try:
            yield
        except web.HTTPException:
            raise
        except Exception as error:
            logger.error("playground: a request failed (%s)", type(error).__name__)
            logger.debug("playground: request failure details", exc_info=error)
            text = self.core.ctx.catalogue.apology(me.locale)
            raise web.HTTPInternalServerError(
                text=json.dumps({"error": text}), content_type="application/json"
            ) from error

    def _answer(self, person: str, reply: Reply) -> None:
        """Answers are ephemeral: only this person sees them, as in Slack."""
        for view in reply.views:
            self.transcript.add(person, "ephemeral", self.clock.now(), view)
        if not reply.views:
            self.transcript.changed(person)


def _policy_note(overview: Overview) -> str:
    policy, t = overview.policy, overview.t
    if policy.window.always and policy.spread_minutes == 0:
        return t("playground.policy.instant")
    return t(
        "playground.policy.real",
        window=policy.window.text,
        spread=policy.spread_minutes,
        zone=policy.timezone,
    )


def _own_host(host: str, public_url: str) -> bool:
    """An address (an IP, never re-pointed), ``localhost``, or the configured public name."""
    name = urlsplit(f"//{host}").hostname or ""
    if name == "localhost" or name == urlsplit(public_url).hostname:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _same_origin(request: web.Request, public_url: str) -> bool:
    """Whether a browser says the request comes from this server's own page (requests
    without these headers come from no browser page at all, e.g. curl)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    # host and port only: behind a TLS proxy the page is https, this server plain http
    own = {request.host.lower(), urlsplit(public_url).netloc.lower()}
    return urlsplit(origin).netloc.lower() in own


def _person(key: object) -> demo.DemoPerson:
    person = demo.BY_KEY.get(str(key)) if key else None
    if person is None:
        raise web.HTTPNotFound(
            text=json.dumps({"error": "no such person in the playground"}),
            content_type="application/json",
        )
    return person


async def _body(request: web.Request, public_url: str) -> dict[str, Any]:
    """The JSON body of a write request from the playground's own page, and only from it:
    a page elsewhere cannot make a visitor's browser act as HR here (security rule 4)."""
    if not _same_origin(request, public_url):
        raise web.HTTPForbidden(
            text=json.dumps({"error": "requests from other sites are refused"}),
            content_type="application/json",
        )
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(
            text=json.dumps({"error": "send JSON (Content-Type: application/json)"}),
            content_type="application/json",
        )
    if request.content_length and request.content_length > MAX_BODY:
        raise _bad("request too large")
    try:
        body = await request.json()
    except ValueError as error:
        raise _bad("body is not JSON") from error
    if not isinstance(body, dict):
        raise _bad("body must be a JSON object")
    return body


def _bad(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"error": message}), content_type="application/json")

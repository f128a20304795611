"""Broken answers a platform gives after it took a request, for the fakes to play.

Each fault is played *after* the fake has taken the request (the message counts as posted):
what a client sees then can never prove that nothing happened, so Sharebot must not send it
again. The fakes refuse without taking only with 429, Teams' 412 and a closed port.
"""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

# reset: the connection is dropped without an answer; 500/502/504: an HTML error page from a
# gateway; cut: a JSON answer cut off mid-body; html: an HTML page with status 200; slow: the
# right answer, later than the client waits; raise: an answer the client library throws on.
FAULTS = ("reset", "500", "502", "504", "cut", "html", "slow", "raise")
# What each platform's client makes of a fault after the message was taken: the reason the
# uncertain delivery is counted under (the table the end-to-end tests assert). The platforms
# agree but for "raise".
_BOTH = {
    "reset": "connection_lost",
    "500": "server_error",
    "502": "server_error",
    "504": "server_error",
    "cut": "unreadable",
    "html": "unreadable",
    "slow": "timeout",
}
UNCERTAINTY = {
    "slack": {**_BOTH, "raise": "unexpected"},  # slack_sdk raises ValueError on a binary answer
    "teams": {**_BOTH, "raise": "unreadable"},  # msrest raises a deserialization error on it
}
SLOW_SECONDS = 2.0
HTML = "<html><head><title>Gateway</title></head><body><h1>Something went wrong</h1></body></html>"


async def broken_answer(
    request: web.Request,
    fault: str,
    good: web.Response,
    unusable: web.Response,
    *,
    slow: float = SLOW_SECONDS,
) -> web.StreamResponse:
    """How the fake answers a request it took: ``good`` is the answer it would have given,
    ``unusable`` one that makes this platform's client library raise."""
    if fault == "reset":
        assert request.transport is not None
        request.transport.abort()
        return web.Response()  # never reaches the client
    if fault in ("500", "502", "504"):
        return web.Response(status=int(fault), text=HTML, content_type="text/html")
    if fault == "cut":
        return await _cut_off(request, good)
    if fault == "html":
        return web.Response(status=200, text=HTML, content_type="text/html")
    if fault == "slow":
        await asyncio.sleep(slow)
        return good
    if fault == "raise":
        return unusable
    raise ValueError(f"unknown fault {fault!r}; one of {', '.join(FAULTS)}")


async def _cut_off(request: web.Request, good: web.Response) -> web.StreamResponse:
    """The headers promise the whole body; the connection closes a few bytes into it."""
    body = good.body if isinstance(good.body, bytes) else json.dumps({"ok": True}).encode()
    cut = web.StreamResponse(status=good.status, headers={"Content-Type": good.content_type})
    cut.content_length = len(body)
    await cut.prepare(request)
    await cut.write(body[: max(1, len(body) // 3)])
    assert request.transport is not None
    request.transport.close()
    return cut

"""What a command or form needs from outside Sharebot, fetched before its transaction opens:
photos (fetched and checked) and audiences (named by the platform)."""

from __future__ import annotations

from dataclasses import replace

from bot.commands.grammar import EVERYONE
from bot.context import Context, Peek, Prefetched
from bot.errors import UserError
from bot.ports import Target
from bot.sharing.photos import fetch_all


async def photos(ctx: Context, urls: list[str]) -> Prefetched:
    """Each address fetched through the safe fetcher, or what was wrong with it; without a
    fetcher (none configured) every photo is unusable."""
    if not urls:
        return Prefetched()
    if ctx.photos is None:
        return Prefetched(
            photos={url: UserError("error.photo.unusable", url=url[:80]) for url in urls}
        )
    return Prefetched(photos=await fetch_all(ctx.photos, urls))


async def photos_and_audience(
    ctx: Context, peek: Peek, urls: list[str], audience: str
) -> Prefetched:
    """The photos and the ``--to`` audience of a new suggestion."""
    fetched = await photos(ctx, urls)
    text = audience.strip()
    if not text or text.lower() in EVERYONE:
        return fetched
    directory = ctx.directories.get(peek.actor.platform)
    target: Target | None = await directory.target(text) if directory is not None else None
    return replace(fetched, targets={text: target})

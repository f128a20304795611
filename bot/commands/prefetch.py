"""Photos a command or form needs, fetched and checked before its transaction opens."""

from __future__ import annotations

from bot.context import Context, Prefetched
from bot.errors import UserError
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

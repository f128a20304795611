"""A suggestion's audience: everyone, or the opted-in members of a channel or team as they are
when it starts. Who was in it is never stored; their deliveries are the only trace, as for
everyone else."""

from __future__ import annotations

from collections.abc import Mapping

from bot.ports import Directory, Target
from storage.models import Suggestion


def stored(target: Target | None) -> dict[str, str] | None:
    """What the suggestion keeps: where to ask for the members again, and the label."""
    if target is None or target.everyone:
        return None
    return {"platform": target.platform, "key": target.key, "label": target.label}


def target_of(suggestion: Suggestion) -> Target | None:
    """The suggestion's audience, or None for everyone."""
    found = suggestion.audience
    if not found:
        return None
    return Target(found.get("platform", ""), found.get("key", ""), found.get("label", ""))


async def members_now(
    directories: Mapping[str, Directory], target: Target
) -> frozenset[str] | None:
    """The target's members as the platform lists them now; None when it no longer knows
    the target or its adapter is not running (nobody there can be reached either)."""
    directory = directories.get(target.platform)
    if directory is None:
        return None
    return await directory.member_keys(target)

"""Roles: who may act as comms or HR, granted and revoked by HR."""

from __future__ import annotations

from bot.commands.grammar import Command, parse_user
from bot.context import Context, Turn
from bot.errors import UserError
from bot.views import Notice, Reply
from storage import audit, people
from storage.models import Person
from storage.states import AuditAction, Role

ROLES = tuple(Role)


async def show(ctx: Context, turn: Turn) -> Reply:
    t = turn.t
    holders = await people.role_holders(turn.session)
    platform = turn.person.platform
    configured = sorted(key for where, key in ctx.admins if where == platform)
    met = {p.user_key: p for p in await people.by_keys(turn.session, platform, configured)}
    admins = {_name(met[key].display_name if key in met else None, key) for key in configured}
    lines = []
    for role in ROLES:
        names = sorted(
            {_name(p.display_name, p.user_key) for p, r in holders if r == role}
            | (admins if role == Role.HR else set())
        )
        lines.append(t("roles.line", role=t(f"role.{role}"), names=", ".join(names) or "–"))
    lines.append(t("roles.hint"))
    return Reply.of(Notice(title=t("roles.title"), lines=tuple(lines)))


def _name(display: str | None, key: str) -> str:
    return display or key


async def _person(ctx: Context, turn: Turn, reference: str) -> Person:
    """Whom ``reference`` names: someone Sharebot has met on this platform (by id or name),
    else whoever the platform finds (a Slack user, a member of the Teams roster)."""
    platform, user = turn.person.platform, parse_user(reference)
    known = await people.named(turn.session, platform, user)
    if known is not None:
        return known
    directory = ctx.directories.get(platform)
    found = await directory.lookup(user) if directory else None
    if found is None:
        raise UserError("error.user", user=reference[:40])
    target = await people.get_or_create(turn.session, found.platform, found.user_key)
    if found.display_name and not target.display_name:
        target.display_name = found.display_name
    return target


async def change(ctx: Context, turn: Turn, command: Command) -> Reply:
    words = command.words
    if not words:
        return await show(ctx, turn)
    if len(words) != 3 or words[0].lower() not in ("grant", "revoke"):
        raise UserError("error.roles_usage")
    action, reference, role = words[0].lower(), words[1], words[2].lower()
    if role not in ROLES:
        raise UserError("error.role", role=role[:20])
    target = await _person(ctx, turn, reference)
    assert target.id is not None
    name = target.display_name or target.user_key
    if action == "grant":
        changed = await people.grant(turn.session, target.id, role)
    else:
        if role == Role.HR and (target.platform, target.user_key) in ctx.admins:
            raise UserError("error.admin_from_config", user=name)
        changed = await people.revoke(turn.session, target.id, role)
    if changed:
        await audit.record(
            turn.session,
            at=turn.now,
            actor=turn.actor_name,
            action=AuditAction.ROLE_GRANTED if action == "grant" else AuditAction.ROLE_REVOKED,
            detail=f"{target.platform}:{name} {role}",
        )
    key = f"roles.{action}.{'done' if changed else 'unchanged'}"
    return Reply.of(Notice(lines=(turn.t(key, user=name, role=turn.t(f"role.{role}")),)))

"""Opening a personal (1:1) chat with a member, with CloudAdapter's own signature."""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ChannelAccount, ConversationParameters, ConversationReference

from adapters.teams.activities import CHANNEL_ID


async def open_chat(
    adapter: CloudAdapter,
    app_id: str,
    *,
    service_url: str,
    tenant_id: str | None,
    bot: ChannelAccount,
    member_id: str,
) -> ConversationReference:
    """The reference of the personal chat between the bot and ``member_id`` (29:… id).

    Teams answers with the existing chat when there is one, so calling it twice is harmless.
    """
    parameters = ConversationParameters(
        is_group=False,
        bot=bot,
        members=[ChannelAccount(id=member_id)],
        tenant_id=tenant_id,
        channel_data={"tenant": {"id": tenant_id}} if tenant_id else None,
    )
    found: list[ConversationReference] = []

    async def remember(context: TurnContext) -> None:
        reference = TurnContext.get_conversation_reference(context.activity)
        reference.activity_id = None
        reference.user = ChannelAccount(id=member_id)
        reference.bot = bot
        if tenant_id and reference.conversation is not None:
            reference.conversation.tenant_id = tenant_id
        found.append(reference)

    # CloudAdapterBase.create_conversation(bot_app_id, callback, conversation_parameters,
    # channel_id, service_url, audience): the samples' argument order differs; this is the
    # installed library's.
    await adapter.create_conversation(app_id, remember, parameters, CHANNEL_ID, service_url, None)
    return found[0]


async def open_chat_from(
    adapter: CloudAdapter, app_id: str, context: TurnContext, member_id: str
) -> ConversationReference:
    """:func:`open_chat` with the service URL, tenant and bot of the activity at hand."""
    activity = context.activity
    return await open_chat(
        adapter,
        app_id,
        service_url=activity.service_url,
        tenant_id=(activity.channel_data or {}).get("tenant", {}).get("id"),
        bot=ChannelAccount(id=activity.recipient.id, name=activity.recipient.name),
        member_id=member_id,
    )

"""Where the Teams door keeps what it learns: who a Teams user is, and how to reach them later.

A person's Teams account is an `Identity` (platform "teams", external id = AAD object id) whose
`data` holds the Bot Framework user id and, once they have a personal chat with the bot, the
conversation reference used for proactive messages. A group's channel lives in
`Group.channels["teams"]`: the channel id an admin set (`group attendance teams:here`), upgraded
to `{"id": ..., "reference": {...}}` once the bot has seen that channel.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import directory
from storage.directory import Group, Identity

PLATFORM = "teams"


def channel_key(activity: Any) -> str | None:
    """The id a group names for a channel or group chat; None in a personal chat."""
    conversation = activity.conversation
    kind = (conversation.conversation_type or "").lower() if conversation else ""
    if kind == "personal" or not conversation:
        return None
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    channel = data.get("channel") or {}
    if kind == "channel" and channel.get("id"):
        return str(channel["id"])
    return str(conversation.id).split(";", 1)[0]


def is_personal(activity: Any) -> bool:
    conversation = activity.conversation
    if conversation is None:
        return False
    kind = (conversation.conversation_type or "").lower()
    return kind == "personal" or (not kind and not conversation.is_group)


def reference_of(activity: Any, *, conversation_id: str | None = None) -> dict[str, Any]:
    """A conversation reference as JSON, pointing at the conversation (not one message)."""
    ref = activity.get_conversation_reference()
    data = ref.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("activityId", None)
    data.pop("requestId", None)
    data.pop("locale", None)
    conversation = dict(data.get("conversation") or {})
    conversation["id"] = conversation_id or str(conversation.get("id", "")).split(";", 1)[0]
    data["conversation"] = conversation
    return data


def channel_id_of(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("id")
    return str(value) if value else None


async def remember_channel(
    session: AsyncSession, *, key: str, reference: dict[str, Any]
) -> list[str]:
    """Store the reference on every group whose Teams channel is `key`; returns their names."""
    linked = []
    for group in await directory.all_groups(session):
        value = (group.channels or {}).get(PLATFORM)
        if channel_id_of(value) != key:
            continue
        linked.append(group.name)
        wanted = {"id": key, "reference": reference}
        if value != wanted:
            group.channels = {**(group.channels or {}), PLATFORM: wanted}
    if linked:
        await session.flush()
    return linked


async def teams_identity_of(session: AsyncSession, person_id: int) -> Identity | None:
    return await session.scalar(
        select(Identity)
        .where(Identity.person_id == person_id, Identity.platform == PLATFORM)
        .order_by(Identity.id.desc())
    )


async def group_named(session: AsyncSession, name: str) -> Group | None:
    return await session.scalar(select(Group).where(Group.name == name))

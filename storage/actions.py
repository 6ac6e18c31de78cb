"""Actions agreed at meetings: who owns them, when they are due, and every change to them.

History and progress notes share one table (`action_events`) so `action <id>` can show the
whole story in order, with who and when.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.dates import format_date
from storage.base import Base, UTCDateTime, utcnow
from storage.directory import FactColumns, Group, Person, group_role_of

STATUSES = ("open", "done", "dropped")


def status_label(action: Action, today: date) -> str:
    """How an action stands, in words a chair would use (lists, cards, matters arising)."""
    if action.status == "done":
        return "done"
    if action.status == "dropped":
        return "dropped"
    days = (action.due_on - today).days
    if days < 0:
        label = f"overdue {-days} day{'s' if days != -1 else ''}"
    elif days == 0:
        label = "due today"
    elif days == 1:
        label = "due tomorrow"
    else:
        label = "open"
    if action.snoozed_until and action.snoozed_until > today:
        label += f", snoozed to {format_date(action.snoozed_until)}"
    return label


class Action(Base):
    """Something a named person agreed to do for a group, by a date."""

    __tablename__ = "actions"
    __table_args__ = (
        Index("ix_actions_status_due", "status", "due_on"),
        Index("ix_actions_owner_id", "owner_id"),
        Index("ix_actions_group_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(1000))
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    # no foreign key: the meetings table is owned (and migrated) by the meetings domain
    meeting_id: Mapped[int | None] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # joined (with the owner's organisation): a list of actions is one query, not four
    owner: Mapped[Person] = relationship(foreign_keys=[owner_id], lazy="joined")
    group: Mapped[Group | None] = relationship(lazy="joined")

    def is_overdue(self, today: date) -> bool:
        return self.status == "open" and self.due_on < today


class ActionEvent(Base):
    """One change or progress note: what happened, who did it, when."""

    __tablename__ = "action_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[Person | None] = relationship(lazy="joined")


# --- repository functions -------------------------------------------------------------


async def add_action(
    session: AsyncSession,
    *,
    text: str,
    owner: Person,
    due_on: date,
    at: datetime,
    created_by: Person | None,
    group: Group | None = None,
    meeting_id: int | None = None,
    detail: str = "",
) -> Action:
    """Create an action and its first history line in one go."""
    action = Action(
        text=text,
        owner_id=owner.id,
        group_id=group.id if group else None,
        meeting_id=meeting_id,
        due_on=due_on,
        status="open",
        created_by_id=created_by.id if created_by else None,
        created_at=at,
        updated_at=at,
    )
    session.add(action)
    await session.flush()
    await session.refresh(action, ["owner", "group"])
    await record(session, action=action, actor=created_by, at=at, kind="created", detail=detail)
    return action


async def record(
    session: AsyncSession,
    *,
    action: Action,
    actor: Person | None,
    at: datetime,
    kind: str,
    detail: str = "",
) -> ActionEvent:
    """Append to an action's history (every change goes through here)."""
    event = ActionEvent(
        action_id=action.id, actor_id=actor.id if actor else None, at=at, kind=kind, detail=detail
    )
    session.add(event)
    action.updated_at = at
    await session.flush()
    return event


async def history(session: AsyncSession, action_id: int) -> list[ActionEvent]:
    rows = await session.scalars(
        select(ActionEvent)
        .where(ActionEvent.action_id == action_id)
        .order_by(ActionEvent.at, ActionEvent.id)
    )
    return list(rows)


def fact_columns(person_id: int) -> FactColumns:
    """The actions table in the terms of bot.policy.Facts, as the person stands to each row:
    the relation that decides who may read one action filters a list of them
    (`find_actions(where=policy.where(actor, "action", fact_columns(actor.id)))`)."""
    return FactColumns(
        owner_id=Action.owner_id,
        created_by_id=Action.created_by_id,
        group_role=group_role_of(person_id, Action.group_id),
    )


async def find_actions(
    session: AsyncSession,
    *,
    owner_id: int | None = None,
    group_id: int | None = None,
    statuses: tuple[str, ...] = ("open",),
    due_before: date | None = None,
    where: ColumnElement[bool] | None = None,
) -> list[Action]:
    """Actions matching the filters, oldest due first; `where` is a further condition, such as
    the policy's reader relation over `fact_columns` (what the asker may read)."""
    stmt = select(Action).where(Action.status.in_(statuses))
    if where is not None:
        stmt = stmt.where(where)
    if owner_id is not None:
        stmt = stmt.where(Action.owner_id == owner_id)
    if group_id is not None:
        stmt = stmt.where(Action.group_id == group_id)
    if due_before is not None:
        stmt = stmt.where(Action.due_on < due_before)
    return list(await session.scalars(stmt.order_by(Action.due_on, Action.id)))


async def open_count_owned_by(session: AsyncSession, person_id: int) -> int:
    """How many open actions name `person_id` as owner (to reassign when they leave)."""
    found = await session.scalar(
        select(func.count())
        .select_from(Action)
        .where(Action.owner_id == person_id, Action.status == "open")
    )
    return int(found or 0)


async def open_actions(session: AsyncSession) -> list[Action]:
    """Every open action (the nudge planner's work list)."""
    return list(
        await session.scalars(
            select(Action).where(Action.status == "open").order_by(Action.due_on, Action.id)
        )
    )


async def closed_since(session: AsyncSession, *, group_id: int, since: datetime) -> list[Action]:
    """Actions of a group marked done since `since` (the digest's 'done this week')."""
    rows = await session.scalars(
        select(Action)
        .where(
            Action.group_id == group_id,
            Action.status == "done",
            Action.closed_at >= since,
        )
        .order_by(Action.closed_at, Action.id)
    )
    return list(rows)


async def arising_for_groups(session: AsyncSession, group_ids: list[int]) -> list[Action]:
    """Open actions of these groups that came from a meeting (matters arising), by due date."""
    if not group_ids:
        return []
    rows = await session.scalars(
        select(Action)
        .where(
            Action.group_id.in_(group_ids),
            Action.meeting_id.is_not(None),
            Action.status == "open",
        )
        .order_by(Action.due_on, Action.id)
    )
    return list(rows)

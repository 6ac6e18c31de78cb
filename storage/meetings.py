"""Meetings as objects: when and where, the agenda, papers, minutes and who is coming.

Times are UTC instants; `sequence` goes up on every move (and the cancelling) so reminder keys
can tell the new time from the old one; `calendar_sequence` goes up on every change a calendar
file shows (`Meeting.revise`), so calendar clients update the event in place.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.errors import NotFound
from storage.base import Base, UTCDateTime, utcnow
from storage.directory import Group, Membership, Person


class Meeting(Base):
    """One meeting of a group (the board, a sub-group or a working group)."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_starts_at", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # iCalendar SEQUENCE (RFC 5545 3.8.7.4): rises on each change a calendar file shows
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    series_id: Mapped[int | None] = mapped_column(Integer)
    recurrence: Mapped[str | None] = mapped_column(String(100))
    minutes: Mapped[str | None] = mapped_column(Text)
    # the record of the meeting: who took the notes, and the minutes' approval (when, by whom,
    # at which later meeting of the group)
    notes_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    minutes_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes_approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    minutes_approved_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL")
    )
    # when the current start time was set: reminder moments before it are not "missed"
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # joined: a list of meetings with their groups and organisers is one query
    group: Mapped[Group] = relationship(lazy="joined")
    organiser: Mapped[Person | None] = relationship(lazy="joined", foreign_keys=[organiser_id])
    notes_by: Mapped[Person | None] = relationship(lazy="joined", foreign_keys=[notes_by_id])

    @property
    def uid(self) -> str:
        """Stable across moves so calendar clients update the event rather than add one."""
        return f"meeting-{self.id}@partnership-bot"

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    def revise(self, at: datetime) -> None:
        """Record a change a calendar file shows (time, place, agenda, cancelling): its SEQUENCE
        rises and LAST-MODIFIED is `at`, so clients replace the event they hold."""
        self.calendar_sequence = (self.calendar_sequence or 0) + 1
        self.updated_at = at


class AgendaItem(Base):
    __tablename__ = "meeting_agenda_items"
    __table_args__ = (Index("ix_meeting_agenda_items_meeting_id", "meeting_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[Person | None] = relationship(lazy="joined", foreign_keys=[owner_id])


class MeetingPaper(Base):
    __tablename__ = "meeting_papers"
    __table_args__ = (Index("ix_meeting_papers_meeting_id", "meeting_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(1000))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Rsvp(Base):
    """One person's answer for one meeting; apologies are a `no` with a reason."""

    __tablename__ = "meeting_rsvps"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(500))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(lazy="joined")


# --- repository functions -------------------------------------------------------------


async def get_meeting(session: AsyncSession, meeting_id: int) -> Meeting:
    """A meeting by number, or a clear 'no such meeting'."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"There is no meeting #{meeting_id}.", example="meetings")
    return meeting


async def add_meeting(session: AsyncSession, **values: object) -> Meeting:
    meeting = Meeting(**values)
    session.add(meeting)
    await session.flush()
    return meeting


def _visible_to(person_id: int):  # type: ignore[no-untyped-def]
    """Meetings of the person's groups, or that they organise."""
    mine = select(Membership.group_id).where(Membership.person_id == person_id)
    return or_(Meeting.group_id.in_(mine), Meeting.organiser_id == person_id)


async def upcoming_for_person(
    session: AsyncSession,
    *,
    person_id: int,
    now: datetime,
    limit: int = 5,
    before: datetime | None = None,
) -> list[Meeting]:
    """The next meetings of all the person's groups (not cancelled), soonest first; with
    `before`, only those starting before that instant (a period's end)."""
    stmt = select(Meeting).where(
        _visible_to(person_id), Meeting.ends_at > now, Meeting.status != "cancelled"
    )
    if before is not None:
        stmt = stmt.where(Meeting.starts_at < before)
    rows = await session.scalars(stmt.order_by(Meeting.starts_at, Meeting.id).limit(limit))
    return list(rows)


class MeetingBrief(NamedTuple):
    """What plain English needs to name a meeting: its id, group name and start (UTC)."""

    id: int
    group: str
    starts_at: datetime


async def upcoming_briefs(
    session: AsyncSession,
    *,
    now: datetime,
    person_id: int | None = None,
    group_id: int | None = None,
    limit: int = 20,
) -> list[MeetingBrief]:
    """`upcoming_for_person` (or, with `group_id`, `upcoming_for_group`) as plain rows: one
    light query, no Meeting, group or organiser loaded (bot.language reads meetings per message)."""
    stmt = (
        select(Meeting.id, Group.name, Meeting.starts_at)
        .join(Group, Group.id == Meeting.group_id)
        .where(Meeting.ends_at > now, Meeting.status != "cancelled")
    )
    if person_id is not None:
        stmt = stmt.where(_visible_to(person_id))
    if group_id is not None:
        stmt = stmt.where(Meeting.group_id == group_id)
    rows = await session.execute(stmt.order_by(Meeting.starts_at, Meeting.id).limit(limit))
    return [MeetingBrief(*row) for row in rows]


async def upcoming_for_group(
    session: AsyncSession,
    *,
    group_id: int,
    now: datetime,
    limit: int = 10,
    before: datetime | None = None,
) -> list[Meeting]:
    """A group's next meetings (not cancelled), soonest first; `before` as above."""
    stmt = select(Meeting).where(
        Meeting.group_id == group_id, Meeting.ends_at > now, Meeting.status != "cancelled"
    )
    if before is not None:
        stmt = stmt.where(Meeting.starts_at < before)
    rows = await session.scalars(stmt.order_by(Meeting.starts_at, Meeting.id).limit(limit))
    return list(rows)


async def feed_for_person(
    session: AsyncSession, *, person_id: int, since: datetime
) -> list[Meeting]:
    """Everything a personal calendar feed shows, cancelled ones too (so clients drop them)."""
    rows = await session.scalars(
        select(Meeting)
        .where(_visible_to(person_id), Meeting.ends_at > since)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return list(rows)


async def starting_between(
    session: AsyncSession, *, after: datetime, until: datetime
) -> list[Meeting]:
    """Live meetings starting in (after, until]: what the reminder planner looks at."""
    rows = await session.scalars(
        select(Meeting)
        .where(
            Meeting.starts_at > after,
            Meeting.starts_at <= until,
            Meeting.status != "cancelled",
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return list(rows)


async def agenda_of(session: AsyncSession, meeting_id: int) -> list[AgendaItem]:
    rows = await session.scalars(
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting_id)
        .order_by(AgendaItem.position, AgendaItem.id)
    )
    return list(rows)


async def agenda_titles(session: AsyncSession, meeting_ids: list[int]) -> dict[int, list[str]]:
    """Agenda titles for many meetings in one query (calendar feeds)."""
    titles: dict[int, list[str]] = {i: [] for i in meeting_ids}
    rows = await session.execute(
        select(AgendaItem.meeting_id, AgendaItem.title)
        .where(AgendaItem.meeting_id.in_(meeting_ids))
        .order_by(AgendaItem.meeting_id, AgendaItem.position, AgendaItem.id)
    )
    for meeting_id, title in rows.all():
        titles[meeting_id].append(title)
    return titles


async def add_agenda_item(
    session: AsyncSession,
    *,
    meeting_id: int,
    title: str,
    owner_id: int | None,
    added_by_id: int | None,
    at: datetime,
) -> AgendaItem:
    position = len(await agenda_of(session, meeting_id)) + 1
    item = AgendaItem(
        meeting_id=meeting_id,
        position=position,
        title=title,
        owner_id=owner_id,
        added_by_id=added_by_id,
        created_at=at,
    )
    session.add(item)
    meeting = await session.get(Meeting, meeting_id)
    if meeting is not None:
        meeting.revise(at)  # the agenda is in the calendar file's description
    await session.flush()
    return item


async def remove_agenda_item(
    session: AsyncSession, *, meeting_id: int, position: int, at: datetime
) -> AgendaItem:
    """Remove item `position` (as numbered in the agenda) and close the gap."""
    items = await agenda_of(session, meeting_id)
    if not 1 <= position <= len(items):
        raise NotFound(
            f"Meeting #{meeting_id}'s agenda has no item {position} (it has {len(items)}).",
            example=f"agenda {meeting_id} list",
        )
    gone = items[position - 1]
    await session.delete(gone)
    for number, item in enumerate([i for i in items if i is not gone], start=1):
        item.position = number
    meeting = await session.get(Meeting, meeting_id)
    if meeting is not None:
        meeting.revise(at)
    await session.flush()
    return gone


async def papers_of(session: AsyncSession, meeting_id: int) -> list[MeetingPaper]:
    rows = await session.scalars(
        select(MeetingPaper).where(MeetingPaper.meeting_id == meeting_id).order_by(MeetingPaper.id)
    )
    return list(rows)


async def add_paper(
    session: AsyncSession, *, meeting_id: int, title: str, url: str, added_by_id: int, at: datetime
) -> MeetingPaper:
    paper = MeetingPaper(
        meeting_id=meeting_id, title=title, url=url, added_by_id=added_by_id, created_at=at
    )
    session.add(paper)
    await session.flush()
    return paper


async def rsvps_of(session: AsyncSession, meeting_id: int) -> dict[int, Rsvp]:
    """Answers by person id."""
    rows = await session.scalars(select(Rsvp).where(Rsvp.meeting_id == meeting_id))
    return {r.person_id: r for r in rows}


async def set_rsvp(
    session: AsyncSession,
    *,
    meeting_id: int,
    person_id: int,
    answer: str,
    reason: str | None,
    at: datetime,
) -> Rsvp:
    """Record or change an answer (the latest one counts)."""
    found = await session.scalar(
        select(Rsvp).where(Rsvp.meeting_id == meeting_id, Rsvp.person_id == person_id)
    )
    if found is None:
        found = Rsvp(meeting_id=meeting_id, person_id=person_id)
        session.add(found)
    found.answer, found.reason, found.answered_at = answer, reason, at
    await session.flush()
    return found


async def rsvps_for_person(
    session: AsyncSession, *, person_id: int, meeting_ids: list[int]
) -> dict[int, Rsvp]:
    """One person's answers by meeting id (the `you` column of `meetings`)."""
    if not meeting_ids:
        return {}
    rows = await session.scalars(
        select(Rsvp).where(Rsvp.person_id == person_id, Rsvp.meeting_id.in_(meeting_ids))
    )
    return {r.meeting_id: r for r in rows}


# --- a group's meetings around one ---------------------------------------------------------


async def next_of_group(session: AsyncSession, *, group_id: int, after: datetime) -> Meeting | None:
    """The group's first meeting (not cancelled) starting after `after`."""
    return await session.scalar(
        select(Meeting)
        .where(
            Meeting.group_id == group_id,
            Meeting.starts_at > after,
            Meeting.status != "cancelled",
        )
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(1)
    )


async def previous_of_group(session: AsyncSession, *, meeting: Meeting) -> Meeting | None:
    """The group's last meeting (not cancelled) before this one."""
    return await session.scalar(
        select(Meeting)
        .where(
            Meeting.group_id == meeting.group_id,
            Meeting.starts_at < meeting.starts_at,
            Meeting.status != "cancelled",
        )
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(1)
    )

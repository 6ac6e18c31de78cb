"""The record of a meeting and what its group carries into the next one.

Tables: `meeting_attendance` (the organiser's record of who came) and `meeting_minutes_drafts`
(minutes previewed and not yet confirmed); migration 0012 with the meeting's note-taker and
approval columns.

Who attended (the organiser's record; until there is one, the replies: yes -> present,
apologies -> apologies, no reply or maybe -> absent), who took the notes, whether the minutes
were approved and at which meeting, and the matters arising: the open actions from the group's
earlier meetings, which head the agenda of its next one. Shared by the meeting card, `agenda`,
the reminders and the calendar files, so they all say the same; batched for calendar feeds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.dates import format_date, to_local
from bot.errors import NotFound
from storage import actions as action_repo
from storage import meetings as repo
from storage.actions import Action, status_label
from storage.base import Base, UTCDateTime, utcnow
from storage.directory import Membership, Person
from storage.meetings import Meeting


class Attendance(Base):
    """Who was at a meeting, as the organiser recorded it: a person of the directory or a guest
    (by name), `present`, `apologies` or `absent`. Until recorded, the replies stand in."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id"),
        Index("ix_meeting_attendance_meeting_id", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    guest: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person | None] = relationship(lazy="joined", foreign_keys=[person_id])

    @property
    def name(self) -> str:
        return self.person.name if self.person else (self.guest or "")


class MinutesDraft(Base):
    """Minutes shown as a preview and not yet confirmed: not the meeting's minutes, and no
    action comes of them until the organiser confirms (`minutes <id> draft:<n> confirm:yes`)."""

    __tablename__ = "meeting_minutes_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


ATTENDANCE = ("present", "apologies", "absent")


async def attendance_of(session: AsyncSession, meeting_ids: list[int]) -> list[Attendance]:
    """The recorded attendance of these meetings (people and guests), oldest first."""
    if not meeting_ids:
        return []
    rows = await session.scalars(
        select(Attendance).where(Attendance.meeting_id.in_(meeting_ids)).order_by(Attendance.id)
    )
    return list(rows)


async def set_attendance(
    session: AsyncSession,
    *,
    meeting_id: int,
    person_id: int,
    status: str,
    by_id: int,
    at: datetime,
) -> Attendance:
    """Record (or correct) one person's attendance."""
    found = await session.scalar(
        select(Attendance).where(
            Attendance.meeting_id == meeting_id, Attendance.person_id == person_id
        )
    )
    if found is None:
        found = Attendance(meeting_id=meeting_id, person_id=person_id)
        session.add(found)
    found.status, found.recorded_by_id, found.recorded_at = status, by_id, at
    await session.flush()
    return found


async def set_guests(
    session: AsyncSession, *, meeting_id: int, names: list[str], by_id: int, at: datetime
) -> None:
    """Replace the meeting's guests (people not in the directory) with `names`, present."""
    for old in await session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.guest.is_not(None))
    ):
        await session.delete(old)
    for name in names:
        session.add(
            Attendance(
                meeting_id=meeting_id,
                guest=name,
                status="present",
                recorded_by_id=by_id,
                recorded_at=at,
            )
        )
    await session.flush()


async def add_draft(
    session: AsyncSession, *, meeting_id: int, text: str, by_id: int, at: datetime
) -> MinutesDraft:
    draft = MinutesDraft(meeting_id=meeting_id, text=text, created_by_id=by_id, created_at=at)
    session.add(draft)
    await session.flush()
    return draft


async def get_draft(session: AsyncSession, *, meeting_id: int, draft_id: int) -> MinutesDraft:
    """A draft of this meeting's minutes, or a clear 'no such draft' (it was saved already)."""
    draft = await session.get(MinutesDraft, draft_id)
    if draft is None or draft.meeting_id != meeting_id:
        raise NotFound(
            f"Meeting #{meeting_id} has no draft {draft_id} of minutes waiting: it was saved "
            "already, or belongs to another meeting.",
            example=f"minutes {meeting_id}",
        )
    return draft


LABELS = {"present": "Present", "apologies": "Apologies", "absent": "Absent"}


@dataclass
class Attendee:
    """One line of the attendance: a person (`person_id`) or a guest, and their status."""

    name: str
    status: str
    person_id: int | None = None
    guest: bool = False


@dataclass
class MeetingRecord:
    """Attendance (`recorded`: by the organiser, not only from replies), note-taker, approval."""

    attendees: list[Attendee] = field(default_factory=list)
    recorded: bool = False
    notes_by: str | None = None
    approval: str | None = None

    def names(self, status: str) -> list[str]:
        return [
            a.name + (" (guest)" if a.guest else "") for a in self.attendees if a.status == status
        ]

    def fields(self) -> list[tuple[str, str]]:
        """(label, value) pairs for a card: Present, Apologies, Absent, Notes, Minutes."""
        out = []
        for status, label in LABELS.items():
            names = self.names(status)
            if names:
                out.append((label, ", ".join(names)))
        if self.notes_by:
            out.append(("Notes", self.notes_by))
        if self.approval:
            out.append(("Minutes", self.approval))
        return out

    def lines(self) -> list[str]:
        """The same as text lines (calendar descriptions)."""
        source = "" if self.recorded else " (from replies)"
        lines = []
        for label, value in self.fields():
            suffix = source if label in LABELS.values() else ""
            lines.append(f"{label}{suffix}: {value}")
        return lines


async def records_of(
    session: AsyncSession, meetings: list[Meeting], *, tz: ZoneInfo, now: datetime
) -> dict[int, MeetingRecord]:
    """The record of each meeting that has started (a meeting ahead has replies, not a
    record), in four queries whatever the number of meetings."""
    started = [m for m in meetings if m.starts_at <= now]
    records: dict[int, MeetingRecord] = {m.id: MeetingRecord() for m in meetings}
    if not started:
        return records
    ids = [m.id for m in started]
    recorded = await attendance_of(session, ids)
    rsvps = list(await session.scalars(select(repo.Rsvp).where(repo.Rsvp.meeting_id.in_(ids))))
    group_ids = {m.group_id for m in started}
    members = list(
        await session.scalars(select(Membership).where(Membership.group_id.in_(group_ids)))
    )
    approvers = {m.id: m for m in meetings}
    missing = {
        m.minutes_approved_meeting_id
        for m in started
        if m.minutes_approved_meeting_id and m.minutes_approved_meeting_id not in approvers
    }
    if missing:
        for found in await session.scalars(select(Meeting).where(Meeting.id.in_(missing))):
            approvers[found.id] = found
    for meeting in started:
        record = records[meeting.id]
        mine = [a for a in recorded if a.meeting_id == meeting.id]
        record.recorded = bool(mine)
        people: dict[int, Attendee] = {}
        answers = {r.person_id: r for r in rsvps if r.meeting_id == meeting.id}
        for m in members:
            if m.group_id == meeting.group_id:
                answer = answers.get(m.person_id)
                status = {"yes": "present", "no": "apologies"}.get(
                    answer.answer if answer else "", "absent"
                )
                people[m.person_id] = Attendee(m.person.name, status, m.person_id)
        for person_id, answer in answers.items():
            if person_id not in people and answer.answer == "yes":
                people[person_id] = Attendee(answer.person.name, "present", person_id)
        guests = []
        for row in mine:
            if row.person_id is None:
                guests.append(Attendee(row.guest or "", row.status, None, guest=True))
            elif row.person is not None:
                people[row.person_id] = Attendee(row.person.name, row.status, row.person_id)
        record.attendees = sorted(people.values(), key=lambda a: a.name) + guests
        if meeting.notes_by:
            record.notes_by = meeting.notes_by.name
        record.approval = _approval(meeting, approvers, tz)
    return records


async def record_of(
    session: AsyncSession, meeting: Meeting, *, tz: ZoneInfo, now: datetime
) -> MeetingRecord:
    """One meeting's record (see `records_of`)."""
    return (await records_of(session, [meeting], tz=tz, now=now))[meeting.id]


def _approval(meeting: Meeting, approvers: dict[int, Meeting], tz: ZoneInfo) -> str | None:
    if not meeting.minutes:
        return None
    if meeting.minutes_approved_at is None:
        return "recorded, to be approved at the group's next meeting"
    at = approvers.get(meeting.minutes_approved_meeting_id or 0)
    day = format_date(to_local(at.starts_at if at else meeting.minutes_approved_at, tz).date())
    where = f" at meeting #{at.id}" if at else ""
    return f"approved{where} ({day})"


@dataclass
class Arising:
    """One matter arising: an open action from an earlier meeting of the group."""

    action: Action
    status: str

    def line(self) -> str:
        a = self.action
        return f"Action #{a.id} ({a.owner.name}, from meeting #{a.meeting_id}): {a.text}: {self.status}"


async def matters_arising(
    session: AsyncSession, meetings: list[Meeting], *, today: date, now: datetime
) -> dict[int, list[Arising]]:
    """For each meeting still ahead (or under way), the open actions from its group's earlier
    meetings, soonest due first; none for a meeting that is over (the list is today's, which
    would misstate what was open then). Three queries whatever the number of meetings."""
    ahead = [m for m in meetings if m.ends_at > now and not m.cancelled]
    found: dict[int, list[Arising]] = {m.id: [] for m in meetings}
    if not ahead:
        return found
    actions = await action_repo.arising_for_groups(session, sorted({m.group_id for m in ahead}))
    if not actions:
        return found
    sources = {
        m.id: m.starts_at
        for m in await session.scalars(
            select(Meeting).where(Meeting.id.in_({a.meeting_id for a in actions}))
        )
    }
    for meeting in ahead:
        found[meeting.id] = [
            Arising(a, status_label(a, today))
            for a in actions
            if a.group_id == meeting.group_id
            and a.meeting_id in sources
            and sources[a.meeting_id] < meeting.starts_at
        ]
    return found

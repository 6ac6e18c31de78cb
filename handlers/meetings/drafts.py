"""Drafts of minutes: reading them against their meeting, the preview, and the fix-up form.

`read` reads minutes (bot.minutes) against the meeting's group and attendees and the dates its
words stand for; `preview` says what saving will create and what could not be read, with the
Save or Fix button; `fix_form` is a field per unread line; `apply_fixes` puts the fixed lines
in place. The `minutes` command (minutes.py) holds the draft and saves it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.dates import format_date, parse_duration, to_local
from bot.errors import UserError
from bot.minutes import (
    BULLET,
    HEADING,
    DueWords,
    MinutesReading,
    Someone,
    due_warning,
    read_minutes,
)
from bot.reply import Actions, Button, Form, FormField, Reply, Section
from bot.services import Request, Services
from handlers.terms import closed_note
from storage import directory
from storage import meetings as repo
from storage.directory import Person
from storage.meeting_record import MinutesDraft, record_of
from storage.meetings import Meeting
from storage.system import term_calendar

LINE_OPTION = re.compile(r"^line(\d{1,4})$")  # `line4:"..."` fixes line 4 of a draft
FORM_LINES = 6  # unread lines a fix-up form holds at once


def apply_fixes(text: str, req: Request) -> str:
    """The draft's text with each `line<N>:` put in place of line N ("drop" leaves it out).
    A fixed line keeps the original's bullet or ACTION mark, so it stays an action line."""
    lines = text.splitlines()
    for key, value in req.args.options.items():
        match = LINE_OPTION.match(key)
        if match is None:
            continue
        number = int(match[1])
        if not 1 <= number <= len(lines):
            raise UserError(
                f"The draft has no line {number} (it has {len(lines)}).",
                example='minutes 3 draft:1 line4:"ACTION: @jo ..." confirm:yes',
            )
        fixed = " ".join(value.split())
        original = lines[number - 1]
        if fixed.lower() == "drop":
            lines[number - 1] = ""
            continue
        if not (BULLET.match(fixed) or HEADING.match(fixed)):
            bullet = BULLET.match(original)
            heading = HEADING.match(original)
            if bullet:
                fixed = original[: bullet.start("rest")] + fixed
            elif heading and heading["rest"].strip():
                fixed = "ACTION: " + fixed
        lines[number - 1] = fixed
    return "\n".join(lines)


async def read(
    req: Request, svc: Services, meeting: Meeting, text: str
) -> tuple[MinutesReading, DueWords]:
    """Read the minutes against the meeting's group and attendees and its date words."""
    group = meeting.group
    base = meeting.starts_at if meeting.starts_at <= req.now else req.now
    local = to_local(base, svc.tz)
    following = await repo.next_of_group(svc.session, group_id=group.id, after=meeting.starts_at)
    default = parse_duration(group.action_due or "2w")
    record = await record_of(svc.session, meeting, tz=svc.tz, now=max(req.now, meeting.starts_at))
    near = {a.person_id for a in record.attendees if a.person_id}
    near |= {m.person_id for m in await directory.members_of(svc.session, group.id)}
    near |= set((await repo.rsvps_of(svc.session, meeting.id)).keys())
    people = [
        Someone(p.id, p.name, p.email, near=p.id in near)
        for p in await directory.all_people(svc.session)
        if p.active
    ]
    # guests are read as names too, so "BB to ..." is answered "a guest", not "no one"
    people += [Someone(0, a.name, "", guest=True) for a in record.attendees if a.guest and a.name]
    due = DueWords(
        base=local,
        tz=svc.tz,
        terms=await svc.terms(),
        group=f"The {group.name} group",
        default_due=(local + default).date() if default >= timedelta(days=1) else local.date(),
        default_said=f"{group.action_due} after the meeting, the {group.name} group's default",
        next_meeting=to_local(following.starts_at, svc.tz).date() if following else None,
        next_meeting_said=(
            f"the next meeting, #{following.id} on "
            f"{format_date(to_local(following.starts_at, svc.tz).date())}"
            if following
            else "the next meeting"
        ),
    )
    return read_minutes(text, people=people, due=due), due


async def closed_days(svc: Services, reading: MinutesReading) -> list[str]:
    """For each action read, why its owner's school is closed on its due date ("" on a school
    day): said in the preview, so a date can be changed before it is saved."""
    notes = []
    for a in reading.actions:
        owner = await svc.session.get(Person, a.owner.id)
        cal = await term_calendar(
            svc.session,
            svc.settings.partnership_calendar,
            organisation_id=owner.organisation_id if owner else None,
        )
        notes.append(closed_note(cal, a.due) or "")
    return notes


def _action_lines(
    reading: MinutesReading, due: DueWords, closed: list[str], warnings: list[str]
) -> str:
    out = []
    for a, why, warning in zip(
        reading.actions, closed or [""] * len(reading.actions), warnings, strict=True
    ):
        when = f"due {format_date(a.due)} " + (
            f"({a.said})" if a.said else f"(no date given: {due.default_said})"
        )
        out.append(
            f"Line {a.line}: {a.owner.name}: {a.text}, {when}"
            + (f" Warning: {warning}" if warning else "")
            + (f" Note: {why}, when schools are closed." if why else "")
        )
    return "\n".join(out)


def unread_text(reading: MinutesReading) -> str:
    return "\n".join(f"Line {u.line}: {u.text[:160]}\n  {u.problem}" for u in reading.unread)


def preview(
    meeting: Meeting,
    draft: MinutesDraft,
    reading: MinutesReading,
    due: DueWords,
    closed: list[str] | None = None,
    *,
    today: date,
) -> Reply:
    """What saving will create (warning of a due date already past, today or before the
    meeting: `today` is the local date), what could not be read, and how to save or fix."""
    lines = len([line for line in draft.text.splitlines() if line.strip()])
    held_on = to_local(meeting.starts_at, due.tz).date()
    warnings = [due_warning(a.due, today=today, held_on=held_on) for a in reading.actions]
    to_check = sum(bool(w) for w in warnings)
    confirm = f"minutes {meeting.id} draft:{draft.id} confirm:yes"
    reply = Reply(
        text=f"Minutes for meeting #{meeting.id}, {meeting.title} ({lines} "
        f"line{'s' if lines != 1 else ''}): nothing is saved until you confirm (draft "
        f"{draft.id}).",
        subject=("meeting", meeting.id),
    )
    count = len(reading.actions)
    reply.add(
        Section(
            title=f"Will create {count} action{'s' if count != 1 else ''}"
            + (f" ({to_check} with a due date to check)" if to_check else ""),
            text=_action_lines(reading, due, closed or [], warnings) or "No action lines found.",
        )
    )
    if reading.complete:
        reply.add(
            Actions(
                [
                    Button("Save minutes", confirm, style="primary"),
                    Button("Meeting", f"meeting {meeting.id}"),
                ]
            )
        )
        return reply
    reply.add(
        Section(
            title=f"Action lines I could not read ({len(reading.unread)})",
            text=unread_text(reading)
            + "\nFix them (or type 'drop' to leave a line out), then save: "
            + f'minutes {meeting.id} draft:{draft.id} line{reading.unread[0].line}:"..." '
            "confirm:yes",
        ),
        Actions(
            [
                Button("Fix the lines", f"minutes {meeting.id} draft:{draft.id} fix", "primary"),
                Button("Meeting", f"meeting {meeting.id}"),
            ]
        ),
    )
    return reply


def fix_form(meeting: Meeting, draft: MinutesDraft, reading: MinutesReading) -> Reply:
    """A field per unread line (prefilled as written, the problem as its label); submitting
    saves the minutes if every line then reads, or previews them again."""
    confirm = f"minutes {meeting.id} draft:{draft.id} confirm:yes"
    if reading.complete:
        return Reply(
            text=f"Every action line of draft {draft.id} reads now: save it.",
            elements=[Actions([Button("Save minutes", confirm, style="primary")])],
        )
    seen: dict[int, list[str]] = {}
    for u in reading.unread:
        seen.setdefault(u.line, []).append(u.problem)
    source = draft.text.splitlines()
    # a form travels in a Slack modal's 3,000-character metadata: a few lines at a time (the
    # rest come back in the next preview, since the draft keeps them)
    fields = [
        FormField(
            name=f"line{number}",
            label=f"Line {number}: {'; '.join(problems)}"[:150],
            value=source[number - 1][:400],
            required=True,
        )
        for number, problems in list(seen.items())[:FORM_LINES]
    ]
    form = Form(
        title="Fix the minutes and save",
        command=confirm,
        fields=fields,
        submit_label="Save minutes",
    )
    return Reply(
        text=f"Fix the action lines of draft {draft.id} of meeting #{meeting.id}'s minutes "
        "(or type 'drop' to leave a line out).",
        elements=[form],
    )

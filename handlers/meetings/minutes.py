"""A meeting's minutes: preview then save (the draft and its form are `drafts`), approval.

`minutes <id> "..."` reads the minutes (bot.minutes) and shows what it will create, each action
with its owner and due date, and every action line it could not read, with a Save button or a
form to fix those lines; nothing is saved until confirmed (`confirm:yes`; a script may say it
at once, and it saves only when every action line was read). The preview is held as a draft
(`meeting_minutes_drafts`), which is neither the meeting's minutes nor any action. Saving emits
`minutes.recorded` with the actions read; the actions domain creates them. `minutes <id>`
alone shows the minutes with the record of who attended.

`minutes <id> approve` records the approval at the group's next meeting; who attended is
`record` (`meeting record <id>`).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from bot.dates import format_date, to_local
from bot.errors import UserError
from bot.minutes import MinutesReading
from bot.parsing import yes_no
from bot.policy import Loaded
from bot.registry import MINUTES_RECORDED, Field, FormSpec
from bot.reply import Actions, Button, Reply, Section
from bot.services import Request, Services
from handlers.meetings.drafts import (
    LINE_OPTION,
    apply_fixes,
    closed_days,
    fix_form,
    preview,
    read,
    unread_text,
)
from handlers.meetings.kernel import (
    MEETING,
    as_organiser,
    command_set,
    is_organiser,
    meeting_facts,
)
from handlers.meetings.kernel import meeting_for as find_meeting
from storage import directory
from storage import meeting_record as record_repo
from storage import meetings as repo
from storage.meeting_notices import when_text
from storage.meeting_record import MinutesDraft, record_of
from storage.meetings import Meeting

commands = command_set()

MINUTES_EXAMPLE = 'minutes 3 "ACTION: @jo circulate PA figures by 12/01/2024"'
MINUTES_OPTIONS = {"confirm", "draft", "notes"}
MAX_MINUTES = 20_000
DRAFT_DAYS = 14  # a preview not confirmed within this is dropped when the next one is made


def _minutes_text(req: Request) -> str:
    """The minutes given after the meeting's number (quoted, or the rest of the words)."""
    quoted = [w for w, q in zip(req.args.words[1:], req.args.quoted[1:], strict=True) if q]
    return (quoted[0] if quoted else " ".join(req.args.words[1:])).strip()


def _fixing(req: Request) -> bool:
    """`minutes 3 draft:7 fix`: the form to fix a draft's unread lines."""
    words = [w.lower() for w in req.args.words[1:]]
    return words == ["fix"]


def _approving(req: Request) -> bool:
    words = req.args.words[1:]
    return len(words) == 1 and not req.args.quoted[1] and words[0].lower() == "approve"


async def load_minutes(req: Request, svc: Services) -> Loaded:
    """`minutes <id>` reads them (no relation asked); recording, confirming and approving are
    for the group's organisers."""
    meeting = await find_meeting(req, svc, example=MINUTES_EXAMPLE)
    if not _minutes_text(req) and not req.args.options:
        return Loaded(meeting, None)
    return as_organiser(meeting, await meeting_facts(req, svc, meeting))


@commands.command(
    "minutes",
    summary="A meeting's minutes: record them (previewed, then saved), approve them, read them",
    usage='minutes <id> ["text"] [confirm:yes] [notes:@person] | minutes <id> approve',
    examples=[MINUTES_EXAMPLE, "minutes 3", "minutes 3 approve"],
    writes=True,
    loads=load_minutes,
    form=FormSpec(
        title="Minutes of meeting {id}",
        submit="Preview the minutes",
        intro="Lines starting ACTION: @person ... by <date> become actions; you see a preview "
        "before anything is saved.",
        # `minutes 3` reads them; the form is for recording them
        applies=lambda args: not args.words,
        any_options=True,
        fields=(
            MEETING,
            Field(
                "text",
                "Minutes (or a link to them)",
                kind="textarea",
                required=True,
                positional=True,
                placeholder="ACTION: @jo circulate PA figures by 12/01/2024",
            ),
        ),
    ),
)
async def minutes(req: Request, svc: Services) -> Reply:
    meeting: Meeting = req.item
    _check_options(req, meeting)
    if _approving(req):
        return await _approve(req, svc, meeting)
    draft: MinutesDraft | None = None
    if req.args.opt("draft"):
        draft_id = _number(req.args.opt("draft") or "", meeting)
        draft = await record_repo.get_draft(svc.session, meeting_id=meeting.id, draft_id=draft_id)
        text = apply_fixes(draft.text, req)
    else:
        text = _minutes_text(req)
    if not text:
        return await _show(req, svc, meeting)
    if len(text) > MAX_MINUTES:
        raise UserError(
            "Minutes that long belong in a document: share its link.", example=MINUTES_EXAMPLE
        )
    reading, due = await read(req, svc, meeting, text)
    confirm = yes_no(req.args.opt("confirm"), field="confirm", default=False)
    if draft is not None and not confirm and _fixing(req):
        return fix_form(meeting, draft, reading)  # the form on its own: a Slack modal
    if confirm and reading.complete:
        return await _save(req, svc, meeting, text, reading, draft)
    fixed = {int(m[1]) for k in req.args.options if (m := LINE_OPTION.match(k))}
    still = [u for u in reading.unread if u.line in fixed]
    if confirm and still:  # a fix that still does not read: said by its field, nothing kept
        raise UserError(
            f"Line {still[0].line} still can't be read: {still[0].problem}",
            example=f"minutes {meeting.id} draft:{draft.id if draft else 1} "
            f'line{still[0].line}:"ACTION: @jo circulate PA figures by 12/01/2024" confirm:yes',
            field=f"line{still[0].line}",
        )
    if confirm and draft is None:
        raise UserError(
            f"Nothing saved: {len(reading.unread)} action line(s) could not be read.\n"
            + unread_text(reading),
            hint="Fix them, or send the minutes without confirm:yes to get a form to fix them.",
            example=MINUTES_EXAMPLE,
        )
    if draft is None:
        await _drop_stale_drafts(req, svc)
        draft = await record_repo.add_draft(
            svc.session, meeting_id=meeting.id, text=text, by_id=req.actor.id, at=req.now
        )
    else:
        draft.text, draft.created_at = text, req.now
        await svc.session.flush()
    today = req.now.astimezone(svc.tz).date()
    return preview(meeting, draft, reading, due, await closed_days(svc, reading), today=today)


def _check_options(req: Request, meeting: Meeting) -> None:
    unknown = sorted(
        k for k in req.args.options if k not in MINUTES_OPTIONS and not LINE_OPTION.match(k)
    )
    if unknown:
        raise UserError(
            f"`minutes` does not take {', '.join(k + ':' for k in unknown)} (it takes confirm:, "
            "draft:, notes: and line<N>: to fix a line of a draft).",
            example=f'minutes {meeting.id} draft:1 line4:"ACTION: @jo ..." confirm:yes',
        )
    if any(LINE_OPTION.match(k) for k in req.args.options) and not req.args.opt("draft"):
        raise UserError(
            "line<N>: fixes a line of a draft: give the draft's number too.",
            example=f'minutes {meeting.id} draft:1 line4:"ACTION: @jo ..." confirm:yes',
        )


def _number(value: str, meeting: Meeting) -> int:
    if not value.lstrip("#").isdigit():
        raise UserError(
            f"draft:{value} is not a number.", example=f"minutes {meeting.id} draft:1 confirm:yes"
        )
    return int(value.lstrip("#"))


async def _drop_stale_drafts(req: Request, svc: Services) -> None:
    await svc.session.execute(
        delete(MinutesDraft).where(MinutesDraft.created_at < req.now - timedelta(days=DRAFT_DAYS))
    )


async def _save(
    req: Request,
    svc: Services,
    meeting: Meeting,
    text: str,
    reading: MinutesReading,
    draft: MinutesDraft | None,
) -> Reply:
    meeting.minutes = f"{meeting.minutes}\n\n{text}" if meeting.minutes else text
    meeting.revise(req.now)  # the calendar file shows the record: clients refresh it
    notes = req.args.opt("notes")
    if notes:
        meeting.notes_by_id = (await directory.resolve_person(svc.session, notes)).id
    elif meeting.notes_by_id is None:
        meeting.notes_by_id = req.actor.id  # whoever writes the minutes up took the notes
    if draft is not None:
        await svc.session.delete(draft)
    await svc.session.flush()
    lines = len([line for line in text.splitlines() if line.strip()])
    reply = Reply(
        text=f"Saved minutes for meeting #{meeting.id}, {meeting.title} "
        f"({lines} line{'s' if lines != 1 else ''}).",
        subject=("meeting", meeting.id),
    )
    assert svc.registry is not None, "the router gives every command its registry"
    reply.add(
        *await svc.registry.emit(
            MINUTES_RECORDED,
            req,
            svc,
            meeting_id=meeting.id,
            group_id=meeting.group_id,
            text=text,
            actions=reading.actions,
        )
    )
    return reply


async def _show(req: Request, svc: Services, meeting: Meeting) -> Reply:
    if not meeting.minutes:
        # an answer, not a mistake: asking for the minutes of a meeting (often one still to
        # come, "minutes for the design meeting") is a fair question whose answer is "none yet"
        ahead = meeting.starts_at > req.now
        reply = Reply(
            text=f"Meeting #{meeting.id}, {meeting.title}, {when_text(meeting, svc.tz)}, has no "
            "minutes yet" + (": it has not met yet." if ahead else "."),
            subject=("meeting", meeting.id),
        )
        if await is_organiser(req, svc, meeting, command="minutes"):
            example = MINUTES_EXAMPLE.replace("minutes 3", f"minutes {meeting.id}", 1)
            reply.add(Section(text=f"Organisers add them with: `{example}`"))
        return reply
    record = await record_of(svc.session, meeting, tz=svc.tz, now=req.now)
    reply = Reply(
        text=f"Minutes of meeting #{meeting.id}, {meeting.title}, {when_text(meeting, svc.tz)}."
    )
    if record.fields():
        reply.add(Section(fields=record.fields()))
    return reply.add(Section(text=meeting.minutes))


async def _approve(req: Request, svc: Services, meeting: Meeting) -> Reply:
    """Approve the minutes at the group's next meeting (it must have begun)."""
    if not meeting.minutes:
        raise UserError(
            f"Meeting #{meeting.id} has no minutes to approve yet.", example=MINUTES_EXAMPLE
        )
    if meeting.minutes_approved_at is not None:
        raise UserError(
            f"The minutes of meeting #{meeting.id} are already approved.",
            example=f"minutes {meeting.id}",
        )
    following = await repo.next_of_group(
        svc.session, group_id=meeting.group_id, after=meeting.starts_at
    )
    if following is None:
        raise UserError(
            f"Minutes are approved at the group's next meeting, and {meeting.group.name} has "
            "none booked after this one.",
            hint="Book it first:",
            example=f'meeting add "{meeting.group.title}" group:{meeting.group.name} '
            'on:"next Friday 10:00"',
        )
    if following.starts_at.astimezone(svc.tz).date() > req.now.astimezone(svc.tz).date():
        raise UserError(
            f"Minutes are approved at the group's next meeting: #{following.id}, "
            f"{when_text(following, svc.tz)}. Approve them then.",
            example=f"minutes {meeting.id} approve",
        )
    meeting.minutes_approved_at = req.now
    meeting.minutes_approved_by_id = req.actor.id
    meeting.minutes_approved_meeting_id = following.id
    meeting.revise(req.now)  # the calendar file shows the record: clients refresh it
    await svc.session.flush()
    return Reply(
        text=f"The minutes of meeting #{meeting.id}, {meeting.title}, are approved at meeting "
        f"#{following.id} ({format_date(to_local(following.starts_at, svc.tz).date())}).",
        subject=("meeting", meeting.id),
        elements=[Actions([Button("Meeting", f"meeting {meeting.id}")])],
    )

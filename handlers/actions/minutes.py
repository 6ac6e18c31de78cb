"""Actions captured from minutes: `ACTION: @jo circulate PA figures by 12/01/2024`.

Minutes are written by people in a hurry, so the reader is forgiving about the owner (handle,
email or full name) and the date (UK order, ISO, words, "end of term"), and says exactly which
lines it could not read and why rather than guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import dated_example, format_date, parse_date
from bot.errors import UserError
from bot.reply import Element, Section
from bot.services import Request, Services
from bot.terms import TermCalendar
from handlers.actions.kernel import due_note, tell_if_given, today_in
from storage import actions as repo
from storage import directory
from storage.directory import Group, Person

ACTION_LINE = re.compile(r"^\s*(?:[-*\u2022]\s*)?action\s*[:\-\u2013]\s*(?P<rest>.*)$", re.I)
DUE_SPLIT = re.compile(r"\s+(?:by|due)\s+", re.I)
# a second ACTION on the same line (chat boxes make one-line minutes): upper case only, so
# prose like "the action: ..." is not split
INLINE_ACTION = re.compile(r"(?<=[.;,\s])(?=ACTION\s*[:\-\u2013])")
FILLER = re.compile(r"^(?:to|will|is to|should)\s+", re.I)
EXAMPLE = "ACTION: @jo circulate PA figures by 12/01/2024"


@dataclass
class ActionLine:
    """One ACTION line as read: either owner, text and due, or why it could not be read."""

    line: str
    owner: Person | None = None
    text: str = ""
    due: date | None = None
    problem: str | None = None


def is_action_line(line: str) -> bool:
    return ACTION_LINE.match(line) is not None


def action_segments(text: str) -> list[tuple[int, str]]:
    """(line number, text) for each ACTION in the minutes, splitting one-line minutes."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for part in INLINE_ACTION.split(line):
            if is_action_line(part):
                found.append((number, part.strip()))
    return found


async def _owner(
    session: AsyncSession, words: list[str], people: list[Person]
) -> tuple[Person | None, list[str], str | None]:
    """Find the owner at the start (handle, email, full or unique first name) or as an @handle
    anywhere; returns the owner, the remaining words, and a problem if none was found."""
    first = words[0]
    if first.startswith("@") or "@" in first:
        try:
            return await directory.resolve_person(session, first.rstrip(":,")), words[1:], None
        except UserError as err:
            return None, words, err.message
    for n in (3, 2):
        name = " ".join(words[:n]).rstrip(":,").lower()
        found = [p for p in people if p.name.lower() == name]
        if len(words) > n and len(found) == 1:
            return found[0], words[n:], None
    key = first.rstrip(":,").lower()
    firsts = [p for p in people if p.first_name.lower() == key]
    if len(firsts) == 1:
        return firsts[0], words[1:], None
    if len(firsts) > 1:
        names = ", ".join(f"@{p.handle}" for p in firsts[:4])
        return None, words, f"{first} could be {names}: use a handle or email."
    handles = [i for i, w in enumerate(words) if w.startswith("@") and len(w) > 1]
    if len(handles) == 1:
        i = handles[0]
        try:
            owner = await directory.resolve_person(session, words[i].rstrip(":,.;"))
        except UserError as err:
            return None, words, err.message
        return owner, words[:i] + words[i + 1 :], None
    return None, words, "no owner: start with @name, an email or a full name."


async def read_action_line(
    session: AsyncSession,
    line: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    terms: TermCalendar,
    people: list[Person] | None = None,
) -> ActionLine | None:
    """Read one line of minutes; None when it is not an ACTION line at all."""
    match = ACTION_LINE.match(line)
    if match is None:
        return None
    result = ActionLine(line=line.strip())
    rest = match["rest"].strip().rstrip(".;, ")
    splits = list(DUE_SPLIT.finditer(rest))
    if not splits:
        result.problem = "no due date: end the line with 'by <date>', e.g. by 12/01/2024."
        return result
    body, when = rest[: splits[-1].start()], rest[splits[-1].end() :]
    when = re.sub(r"^the\s+", "", when.strip(), flags=re.I)
    try:
        result.due = parse_date(when, now=now, tz=tz, terms=terms)
    except UserError as err:
        result.problem = f"due date: {err.message}"
        return result
    words = body.split()
    if not words:
        result.problem = "nothing to do: say who does what, then 'by <date>'."
        return result
    if people is None:
        people = await directory.all_people(session)
    owner, words, problem = await _owner(session, words, people)
    if owner is None:
        result.problem = problem
        return result
    text = FILLER.sub("", " ".join(words).strip(" :,-"))
    if not text:
        result.problem = f"what should {owner.first_name} do? Put it before 'by <date>'."
        return result
    if len(text) > 1000:
        result.problem = "too long: keep an action under 1000 characters."
        return result
    result.owner, result.text = owner, text[0].upper() + text[1:]
    return result


async def capture(
    req: Request, svc: Services, *, meeting_id: int, group_id: int, text: str
) -> list[Element]:
    """Create an action for each readable ACTION line; list the captured and the unread.

    The listener for `minutes.recorded` (the meetings domain's `minutes <id> "..."` emits it):
    returns elements listing what was captured and every ACTION line that could not be read,
    with why.
    """
    terms = await svc.terms()
    people = await directory.all_people(svc.session)
    group = await svc.session.get(Group, group_id)
    captured: list[str] = []
    unread: list[str] = []
    for number, line in action_segments(text):
        read = await read_action_line(
            svc.session, line, now=req.now, tz=svc.tz, terms=terms, people=people
        )
        if read is None:
            continue
        if read.problem or read.owner is None or read.due is None:
            unread.append(f"Line {number}: {read.line[:120]}\n  {read.problem}")
            continue
        action = await repo.add_action(
            svc.session,
            text=read.text,
            owner=read.owner,
            due_on=read.due,
            at=req.now,
            created_by=req.actor,
            group=group,
            meeting_id=meeting_id,
            detail=f"from the minutes of meeting #{meeting_id}",
        )
        await tell_if_given(
            req, svc, action, why=f"The minutes of meeting #{meeting_id} give you an action."
        )
        note = await due_note(svc, read.owner, read.due) if read.due >= today_in(req, svc) else ""
        captured.append(
            f"action #{action.id}: {read.owner.name}: {action.text} "
            f"(due {format_date(read.due)}){note}"
        )
    elements: list[Element] = []
    if captured:
        elements.append(
            Section(title=f"Actions captured ({len(captured)})", text="\n".join(captured))
        )
    if unread:
        elements.append(
            Section(
                title=f"ACTION lines I could not read ({len(unread)})",
                # the example's date as near today as it was to the day it was written for
                text="\n".join(unread)
                + "\nWrite them like: "
                + dated_example(
                    EXAMPLE, today=today_in(req, svc), is_school_day=terms.is_school_day
                ),
            )
        )
    return elements

"""Actions from confirmed minutes: the listener for `minutes.recorded`.

The meetings domain reads the minutes (bot.minutes), shows a preview and, once the organiser
confirms, emits `minutes.recorded` with the actions read; this creates each one for its owner,
linked to the meeting and its group, and tells the owner (through the outbox).
"""

from __future__ import annotations

from bot.dates import format_date
from bot.minutes import ReadAction
from bot.reply import Element, Section
from bot.services import Request, Services
from handlers.actions.kernel import due_note, tell_if_given, today_in
from storage import actions as repo
from storage.directory import Group, Person


async def capture(
    req: Request,
    svc: Services,
    *,
    meeting_id: int,
    group_id: int,
    text: str,
    actions: list[ReadAction],
) -> list[Element]:
    """Create an action for each one read from the minutes; a section listing them (with
    their numbers), or nothing when the minutes had none."""
    group = await svc.session.get(Group, group_id)
    created: list[str] = []
    for read in actions:
        owner = await svc.session.get(Person, read.owner.id)
        if owner is None:  # erased between the preview and the save: say so, create nothing
            created.append(f"{read.owner.name} is no longer in the directory: {read.text}")
            continue
        action = await repo.add_action(
            svc.session,
            text=read.text,
            owner=owner,
            due_on=read.due,
            at=req.now,
            created_by=req.actor,
            group=group,
            meeting_id=meeting_id,
            detail=f"from the minutes of meeting #{meeting_id}, line {read.line}",
        )
        await tell_if_given(
            req, svc, action, why=f"The minutes of meeting #{meeting_id} give you an action."
        )
        # a due date on a day the owner's school is closed is kept, with a warning; one already
        # past is kept too (the preview warned of it), and said to be overdue, as `action add`
        if read.due < today_in(req, svc):
            note = " That date has passed, so it is already overdue."
        else:
            note = await due_note(svc, owner, read.due)
        created.append(
            f"action #{action.id}: {owner.name}: {action.text} (due {format_date(read.due)})" + note
        )
    if not created:
        return []
    return [Section(title=f"Actions created ({len(created)})", text="\n".join(created))]

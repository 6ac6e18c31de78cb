"""What is tabled at a meeting: its agenda (headed by the matters arising) and its papers.

Minutes and the record of a meeting are in `minutes`.
"""

from __future__ import annotations

from bot import forms
from bot.errors import UserError
from bot.policy import Loaded
from bot.registry import Field, FormSpec
from bot.reply import Actions, Button, Reply, Section
from bot.services import Request, Services
from handlers.meetings.kernel import (
    MEETING,
    agenda_lines,
    as_attendee,
    as_organiser,
    command_set,
    meeting_facts,
    meeting_for,
    refuse_cancelled,
)
from storage import directory
from storage import meetings as repo
from storage.meeting_notices import when_text
from storage.meetings import Meeting

commands = command_set()

AGENDA_EXAMPLE = 'agenda 3 add "Persistent absence: core cities comparison"'
PAPERS_EXAMPLE = "papers 3 add https://example.org/paper.pdf"


async def agenda_reply(req: Request, svc: Services, meeting: Meeting, text: str) -> Reply:
    """The agenda (matters arising first, then numbered lines with owners) under `text`, with
    Meeting and Attend buttons."""
    lines = await agenda_lines(req, svc, meeting)
    return Reply(
        text=text,
        elements=[
            Section(
                title=f"Agenda for meeting #{meeting.id}: {meeting.title}",
                text="\n".join(lines) or "No items yet.",
            ),
            Actions(
                [
                    Button("Meeting", f"meeting {meeting.id}"),
                    Button("Attend", f"rsvp {meeting.id} yes"),
                ]
            ),
        ],
    )


def _verb(req: Request) -> str:
    """`agenda 3 add ...` -> "add"; no verb lists."""
    return req.args.words[1].lower() if len(req.args.words) > 1 else "list"


async def load_agenda(req: Request, svc: Services) -> Loaded:
    """`agenda <id> ...`: listing asks no relation; adding is for members; removing someone
    else's item (or one that is not there) is the rule's "remove another's item" use."""
    meeting = await meeting_for(req, svc, example=AGENDA_EXAMPLE)
    verb = _verb(req)
    if verb == "add":
        return as_attendee(meeting, await meeting_facts(req, svc, meeting))
    if verb == "remove":
        number = req.args.int_at(2, what="agenda item", example=f"agenda {meeting.id} remove 2")
        items = await repo.agenda_of(svc.session, meeting.id)
        target = items[number - 1] if 1 <= number <= len(items) else None
        if target is None or target.added_by_id != req.actor.id:
            facts = await meeting_facts(req, svc, meeting)
            return as_organiser(meeting, facts, use="remove anothers item")
    return Loaded(meeting, None)


@commands.command(
    "agenda",
    summary="A meeting's agenda: list it, propose an item, or remove one (organisers)",
    usage='agenda <id> [list | add "item" [@owner] | remove <number>]',
    examples=[AGENDA_EXAMPLE, "agenda 3 list", "agenda 3 remove 2"],
    options={"owner"},
    writes=True,
    loads=load_agenda,
    form=FormSpec(
        title="Add to the agenda of meeting {id}",
        submit="Add item",
        fields=(
            MEETING,
            Field("add", positional=True, literal="add"),
            Field("item", "Agenda item", kind="textarea", required=True, positional=True),
            Field("owner", "Who leads it", person=True, picker=forms.people),
        ),
    ),
)
async def agenda(req: Request, svc: Services) -> Reply:
    meeting: Meeting = req.item
    words = req.args.words
    verb = _verb(req)
    if verb == "list":
        return await agenda_reply(
            req, svc, meeting, f"Meeting #{meeting.id}, {when_text(meeting, svc.tz)}."
        )
    if verb == "add":
        refuse_cancelled(meeting)
        quoted = [w for w, q in zip(words[2:], req.args.quoted[2:], strict=True) if q]
        title = (quoted[0] if quoted else " ".join(words[2:])).strip()
        if not title:
            raise UserError("Give the item in quotes.", example=AGENDA_EXAMPLE, field="item")
        if len(title) > 500:
            raise UserError("Keep an agenda item under 500 characters.", example=AGENDA_EXAMPLE)
        who = req.args.opt("owner") or (req.args.people[0] if req.args.people else None)
        owner = await directory.resolve_person(svc.session, who) if who else None
        item = await repo.add_agenda_item(
            svc.session,
            meeting_id=meeting.id,
            title=title,
            owner_id=owner.id if owner else None,
            added_by_id=req.actor.id,
            at=req.now,
        )
        reply = await agenda_reply(
            req,
            svc,
            meeting,
            f"Added agenda item {item.position} (#{item.id}) to meeting #{meeting.id}.",
        )
        reply.subject = ("meeting", meeting.id)
        return reply
    if verb == "remove":
        number = req.args.int_at(2, what="agenda item", example=f"agenda {meeting.id} remove 2")
        gone = await repo.remove_agenda_item(
            svc.session, meeting_id=meeting.id, position=number, at=req.now
        )
        reply = await agenda_reply(
            req, svc, meeting, f"Removed agenda item {number}: {gone.title}."
        )
        reply.subject = ("meeting", meeting.id)
        return reply
    raise UserError(f"`agenda` does list, add or remove, not {verb!r}.", example=AGENDA_EXAMPLE)


async def load_papers(req: Request, svc: Services) -> Loaded:
    """`papers <id> [add ...]`: listing asks no relation; adding is for members."""
    meeting = await meeting_for(req, svc, example=PAPERS_EXAMPLE)
    if _verb(req) != "add":
        return Loaded(meeting, None)
    return as_attendee(meeting, await meeting_facts(req, svc, meeting))


@commands.command(
    "papers",
    summary="A meeting's papers: list them, or add a link",
    usage='papers <id> [add <link> ["title"]]',
    examples=[PAPERS_EXAMPLE, "papers 3"],
    writes=True,
    loads=load_papers,
    form=FormSpec(
        title="Add a paper to meeting {id}",
        submit="Add paper",
        fields=(
            MEETING,
            Field("add", positional=True, literal="add"),
            Field(
                "link",
                "Link to the paper",
                required=True,
                positional=True,
                placeholder="https://example.org/paper.pdf",
            ),
            Field("title", "Title", positional=True),
        ),
    ),
)
async def papers(req: Request, svc: Services) -> Reply:
    example = PAPERS_EXAMPLE
    meeting: Meeting = req.item
    words = req.args.words
    verb = _verb(req)
    note = f"Papers for meeting #{meeting.id}, {meeting.title}."
    if verb == "add":
        refuse_cancelled(meeting)
        links = [w for w in words[2:] if w.startswith(("http://", "https://"))]
        if not links:
            raise UserError("Give the paper's link (https://...).", example=example)
        url = links[0]
        if len(url) > 1000:
            raise UserError("That link is too long.", example=example)
        title = " ".join(w for w in words[2:] if w != url).strip() or url.rstrip("/").split("/")[-1]
        paper = await repo.add_paper(
            svc.session,
            meeting_id=meeting.id,
            title=title[:300],
            url=url,
            added_by_id=req.actor.id,
            at=req.now,
        )
        note = f"Added paper #{paper.id} to meeting #{meeting.id}: {paper.title}."
    elif verb != "list":
        raise UserError(f"`papers` does list or add, not {verb!r}.", example=example)
    found = await repo.papers_of(svc.session, meeting.id)
    lines = [f"{p.title}: {p.url}" for p in found]
    return Reply(
        text=note,
        elements=[Section(title="Papers", text="\n".join(lines) or "None yet.")],
        subject=("meeting", meeting.id) if verb == "add" else None,
    )

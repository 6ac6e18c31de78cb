"""What hangs off a meeting: RSVPs and apologies, the agenda, papers and minutes.

Registered by `handlers/meetings.py` under the same `meetings` help topic.
"""

from __future__ import annotations

from bot import policy
from bot.errors import NotAllowed, UserError
from bot.parsing import NO_WORDS, YES_WORDS
from bot.registry import MINUTES_RECORDED, CommandSet
from bot.reply import Actions, Button, File, Reply, Section
from bot.services import Request, Services
from handlers.meetings import is_organiser, meeting_for, membership_role, require_organiser
from scheduled.meetings import when_text
from storage import directory
from storage import meetings as repo
from storage.meetings import Meeting

commands = CommandSet("meetings", "Meetings, RSVPs, agendas, minutes and reminders")

# Every yes/no word (bot.parsing) plus the RSVP's own.
ANSWER_WORDS = {
    **{w: "yes" for w in YES_WORDS},
    **{w: "no" for w in NO_WORDS},
    "attend": "yes",
    "attending": "yes",
    "maybe": "maybe",
    "tentative": "maybe",
}
AGENDA_EXAMPLE = 'agenda 3 add "Persistent absence: core cities comparison"'
MINUTES_EXAMPLE = 'minutes 3 "ACTION: @jo circulate PA figures by 12/01/2024"'


async def require_attendee(req: Request, svc: Services, meeting: Meeting) -> None:
    role = await membership_role(svc, group_id=meeting.group_id, person_id=req.actor.id)
    if not policy.may_attend_meeting(req.actor, membership_role=role):
        raise NotAllowed(
            f"Meeting #{meeting.id} is for members of {meeting.group.name}, and you are not one.",
            hint=f"Ask the chair to add you: group {meeting.group.name}",
        )
    if meeting.cancelled:
        raise UserError(f"Meeting #{meeting.id} has been cancelled.", example="meetings")


async def record(
    req: Request, svc: Services, meeting: Meeting, answer: str, reason: str | None
) -> Reply:
    await require_attendee(req, svc, meeting)
    await repo.set_rsvp(
        svc.session,
        meeting_id=meeting.id,
        person_id=req.actor.id,
        answer=answer,
        reason=reason,
        at=req.now,
    )
    said = {
        "yes": "you are attending",
        "no": "your apologies are sent",
        "maybe": "you might attend",
    }[answer]
    return Reply(
        text=f"Thanks: {said} for meeting #{meeting.id}, {meeting.title}, "
        f"{when_text(meeting, svc.tz)}" + (f" ({reason})" if reason else "") + ".",
        elements=[
            Actions(
                [
                    Button("Meeting", f"meeting {meeting.id}"),
                    Button("Agenda", f"agenda {meeting.id} list"),
                    Button("Calendar file", f"meeting ics {meeting.id}"),
                ]
            )
        ],
    )


@commands.command(
    "rsvp",
    summary="Say whether you will attend a meeting",
    usage="rsvp <id> yes|no|maybe",
    examples=["rsvp 3 yes"],
    writes=True,
)
async def rsvp(req: Request, svc: Services) -> Reply:
    meeting = await meeting_for(req, svc, example="rsvp 3 yes")
    word = req.args.words[1].lower() if len(req.args.words) > 1 else ""
    if word not in ANSWER_WORDS:
        raise UserError(
            "Answer yes, no or maybe." + (f" ({word!r} is not one of them.)" if word else ""),
            hint='To send apologies with a reason: apologies 3 "Ofsted visit"',
            example=f"rsvp {meeting.id} yes",
        )
    reason = " ".join(req.args.words[2:]).strip() or None
    return await record(req, svc, meeting, ANSWER_WORDS[word], reason)


@commands.command(
    "apologies",
    summary="Send apologies for a meeting, with a reason if you like",
    usage='apologies <id> ["reason"]',
    examples=['apologies 3 "Ofsted visit"'],
    writes=True,
)
async def apologies(req: Request, svc: Services) -> Reply:
    meeting = await meeting_for(req, svc, example='apologies 3 "Ofsted visit"')
    reason = " ".join(req.args.words[1:]).strip() or None
    if reason and len(reason) > 500:
        raise UserError("Keep the reason under 500 characters.", example='apologies 3 "Ofsted"')
    return await record(req, svc, meeting, "no", reason)


def agenda_reply(meeting: Meeting, items: list[repo.AgendaItem], text: str) -> Reply:
    lines = [f"{i.position}. {i.title}" + (f" ({i.owner.name})" if i.owner else "") for i in items]
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


@commands.command(
    "agenda",
    summary="A meeting's agenda: list it, propose an item, or remove one (organisers)",
    usage='agenda <id> [list | add "item" [@owner] | remove <number>]',
    examples=[AGENDA_EXAMPLE, "agenda 3 list", "agenda 3 remove 2"],
    options={"owner"},
    writes=True,
)
async def agenda(req: Request, svc: Services) -> Reply:
    meeting = await meeting_for(req, svc, example=AGENDA_EXAMPLE)
    words = req.args.words
    verb = words[1].lower() if len(words) > 1 else "list"
    if verb == "list":
        items = await repo.agenda_of(svc.session, meeting.id)
        return agenda_reply(meeting, items, f"Meeting #{meeting.id}, {when_text(meeting, svc.tz)}.")
    if verb == "add":
        await require_attendee(req, svc, meeting)
        quoted = [w for w, q in zip(words[2:], req.args.quoted[2:], strict=True) if q]
        title = (quoted[0] if quoted else " ".join(words[2:])).strip()
        if not title:
            raise UserError("Give the item in quotes.", example=AGENDA_EXAMPLE)
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
        items = await repo.agenda_of(svc.session, meeting.id)
        return agenda_reply(
            meeting,
            items,
            f"Added agenda item {item.position} (#{item.id}) to meeting #{meeting.id}.",
        )
    if verb == "remove":
        number = req.args.int_at(2, what="agenda item", example=f"agenda {meeting.id} remove 2")
        items = await repo.agenda_of(svc.session, meeting.id)
        target = items[number - 1] if 1 <= number <= len(items) else None
        if target is None or target.added_by_id != req.actor.id:
            await require_organiser(req, svc, meeting)
        gone = await repo.remove_agenda_item(svc.session, meeting_id=meeting.id, position=number)
        items = await repo.agenda_of(svc.session, meeting.id)
        return agenda_reply(meeting, items, f"Removed agenda item {number}: {gone.title}.")
    raise UserError(f"`agenda` does list, add or remove, not {verb!r}.", example=AGENDA_EXAMPLE)


@commands.command(
    "papers",
    summary="A meeting's papers: list them, or add a link",
    usage='papers <id> [add <link> ["title"]]',
    examples=["papers 3 add https://example.org/paper.pdf", "papers 3"],
    writes=True,
)
async def papers(req: Request, svc: Services) -> Reply:
    example = "papers 3 add https://example.org/paper.pdf"
    meeting = await meeting_for(req, svc, example=example)
    words = req.args.words
    verb = words[1].lower() if len(words) > 1 else "list"
    note = f"Papers for meeting #{meeting.id}, {meeting.title}."
    if verb == "add":
        await require_attendee(req, svc, meeting)
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
        text=note, elements=[Section(title="Papers", text="\n".join(lines) or "None yet.")]
    )


@commands.command(
    "minutes",
    summary="Record a meeting's minutes (organisers); ACTION: lines become actions",
    usage='minutes <id> ["text or link"]',
    examples=[MINUTES_EXAMPLE, "minutes 3"],
    writes=True,
)
async def minutes(req: Request, svc: Services) -> Reply:
    meeting = await meeting_for(req, svc, example=MINUTES_EXAMPLE)
    quoted = [w for w, q in zip(req.args.words[1:], req.args.quoted[1:], strict=True) if q]
    text = (quoted[0] if quoted else " ".join(req.args.words[1:])).strip()
    if not text:
        if not meeting.minutes:
            hint = "Organisers add them with:" if await is_organiser(req, svc, meeting) else None
            raise UserError(
                f"Meeting #{meeting.id} has no minutes yet.", hint=hint, example=MINUTES_EXAMPLE
            )
        return Reply(
            text=f"Minutes of meeting #{meeting.id}, {meeting.title}, {when_text(meeting, svc.tz)}.",
            elements=[Section(text=meeting.minutes)],
        )
    await require_organiser(req, svc, meeting)
    if len(text) > 20_000:
        raise UserError(
            "Minutes that long belong in a document: share its link.", example=MINUTES_EXAMPLE
        )
    meeting.minutes = f"{meeting.minutes}\n\n{text}" if meeting.minutes else text
    meeting.updated_at = req.now
    await svc.session.flush()
    lines = len([line for line in text.splitlines() if line.strip()])
    reply = Reply(
        text=f"Saved minutes for meeting #{meeting.id}, {meeting.title} "
        f"({lines} line{'s' if lines != 1 else ''})."
    )
    assert svc.registry is not None, "the router gives every command its registry"
    reply.add(
        *await svc.registry.emit(
            MINUTES_RECORDED, req, svc, meeting_id=meeting.id, group_id=meeting.group_id, text=text
        )
    )
    return reply


@commands.command(
    "meeting ics",
    summary="A calendar file (.ics) for one meeting",
    usage="meeting ics <id>",
    examples=["meeting ics 3"],
)
async def meeting_ics(req: Request, svc: Services) -> Reply:
    from bot.adapters.calendar import meeting_ics as build

    meeting = await meeting_for(req, svc, example="meeting ics 3")
    content = await build(svc.session, meeting, svc.tz)
    return Reply(
        text=f"Calendar file for meeting #{meeting.id}: {meeting.title}.",
        elements=[File(name=f"meeting-{meeting.id}.ics", content=content, mime="text/calendar")],
    )


@commands.command(
    "calendar",
    summary="Your personal calendar feed: every meeting of your groups, in your calendar app",
    usage="calendar [reset]",
    examples=["calendar"],
)
async def calendar(req: Request, svc: Services) -> Reply:
    import secrets

    from bot.adapters.calendar import feed_url

    if req.args.words and req.args.words[0].lower() == "reset":
        req.actor.calendar_token = secrets.token_urlsafe(24)
        await svc.session.flush()
        note = "Your old feed address no longer works. "
    elif req.args.words:
        raise UserError("`calendar` takes nothing, or `reset`.", example="calendar")
    else:
        note = ""
    settings = svc.settings
    base = settings.public_url or f"http://{settings.host}:{settings.port}"
    url = feed_url(base, req.actor.calendar_token)
    return Reply(
        text=f"{note}Subscribe to this address in Outlook, Google or Apple Calendar "
        '("add calendar from URL"). Keep it to yourself: anyone with it can see your meetings.',
        elements=[Section(fields=[("Feed", url)])],
    )

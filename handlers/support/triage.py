"""Learn Sheffield staff triage support requests: the queue, each change, days used, figures.

Registered by handlers/support/__init__.py after the asking commands (same topic). Every change is recorded in the request's
history and the requester is told through the outbox.
"""

from __future__ import annotations

from datetime import timedelta

from bot.dates import format_duration, format_when
from bot.errors import NotFound, UserError
from bot.registry import CommandSet, Field, FormSpec
from bot.reply import Actions, Button, Reply, Section, Table
from bot.services import Request, Services
from handlers.support import kernel
from storage import directory
from storage import support as repo
from storage import support_notices as notices
from storage.directory import Person
from storage.support import ALL_KINDS, URGENCIES, SupportRequest

commands = CommandSet(*kernel.TOPIC)

URGENCY_ORDER = {u: i for i, u in enumerate(URGENCIES)}
TRIAGE_VERBS = (
    "ack",
    "assign",
    "signpost",
    "resolve",
    "reopen",
    "escalate",
    "log-days",
    "kind",
    "stats",
)
QUEUE_BUTTON_ROWS = 10  # rows of buttons under the queue: the most urgent requests


def queue_order(request: SupportRequest) -> tuple[object, ...]:
    """Most urgent first: a crisis before any other kind; then how close or past its
    acknowledgement target (unacknowledged requests by target, the most overdue first;
    acknowledged ones after them, their target met); then the oldest; then the school's urgency."""
    return (
        0 if request.kind == "crisis" else 1,
        0 if request.acked_at is None else 1,
        request.ack_due_at if request.acked_at is None else request.created_at,
        request.created_at,
        URGENCY_ORDER.get(request.urgency, 9),
    )


async def staff_choices(svc: Services, actor: Person) -> list[tuple[str, str]]:
    """Learn Sheffield staff, who take support requests."""
    found = [p for p in await directory.all_people(svc.session) if p.active and p.is_staff]
    return [(p.email, p.name) for p in found]


async def _request_at(
    req: Request, svc: Services, example: str, *, open_to_be: str | None = None
) -> SupportRequest:
    """The request named by the first word; with `open_to_be`, it must still be open."""
    request_id = req.args.int_at(0, what="support request", example=example)
    request = await repo.get_request(svc.session, request_id)
    if request is None:
        raise NotFound(f"There is no support request #{request_id}.", example="triage")
    if open_to_be and not request.is_open:
        raise UserError(
            f"Support request #{request.id} is already {request.status}, so it cannot be "
            f"{open_to_be}. Reopen it first if there is more to do.",
            example=f"triage reopen {request.id}",
        )
    return request


def _note(req: Request) -> str | None:
    return " ".join(w for w in req.args.words[1:] if w.strip()).strip()[:1000] or None


async def _record(
    req: Request,
    svc: Services,
    request: SupportRequest,
    action: str,
    *,
    note: str | None = None,
    tell: str | None = None,
) -> int:
    """Audit the change and tell the requester (`tell` overrides the status wording)."""
    event = await repo.add_event(
        svc.session, request=request, actor_id=req.actor.id, action=action, now=req.now, note=note
    )
    await notices.notify_requester(
        svc.session,
        request=request,
        event_id=event.id,
        by=req.actor,
        now=req.now,
        note=note if action in ("resolved", "signposted") else None,
        words=tell,
    )
    return event.id


def _done(request: SupportRequest, what: str) -> Reply:
    return Reply(
        text=f"Support request #{request.id} {what}. The requester has been told.",
        subject=("support", request.id),
        elements=[Actions([Button("Open", f"triage {request.id}"), Button("Queue", "triage")])],
    )


@commands.command(
    "triage",
    summary="The open support requests, most urgent first (staff)",
    usage="triage [id]",
    examples=["triage", "triage 12"],
    options=(),
)
async def triage(req: Request, svc: Services) -> Reply:
    if req.args.words:
        if req.args.words[0].lstrip("#").isdigit():
            return await kernel.show_request(
                req, svc, req.args.int_at(0, what="request", example="triage 12")
            )
        raise UserError(
            f"triage takes a request number or one of: {', '.join(TRIAGE_VERBS)}.",
            example="triage ack 12",
        )
    queue = sorted(await repo.open_requests(svc.session), key=queue_order)
    rows = []
    for r in queue:
        org, assignee = (
            await kernel.organisation_of(svc, r.organisation_id),
            await kernel.person_of(svc, r.assignee_id),
        )
        rows.append(
            [
                f"#{r.id}",
                r.kind,
                org.name if org else "-",
                r.urgency,
                r.status,
                assignee.first_name if assignee else "-",
                kernel.ack_state(r, req.now, svc),
                kernel.snippet(r.details, 40),
            ]
        )
    cols = ["#", "kind", "organisation", "urgency", "status", "with", "acknowledgement", "request"]
    reply = Reply(
        text=f"Triage: {len(rows)} open support request{'s' if len(rows) != 1 else ''}, "
        "most urgent first.",
        elements=[Table(columns=cols, rows=rows)],
    )
    for r in queue[:QUEUE_BUTTON_ROWS]:  # each row's next steps, in the queue's order
        row = [Button(f"Open #{r.id}", f"triage {r.id}")]
        if r.acked_at is None:
            row.append(Button(f"Acknowledge #{r.id}", f"triage ack {r.id}", style="primary"))
        row.append(Button(f"Assign #{r.id}", f"triage assign {r.id}"))
        reply.add(Actions(row))
    if len(queue) > QUEUE_BUTTON_ROWS:
        reply.add(
            Section(
                text=f"Buttons for the {QUEUE_BUTTON_ROWS} most urgent; "
                "open any other with triage <id>."
            )
        )
    reply.add(Actions([Button("Stats", "triage stats")]))
    return reply


@commands.command(
    "triage ack",
    summary="Acknowledge a support request (staff)",
    usage="triage ack <id>",
    examples=["triage ack 12"],
    options=(),
    writes=True,
    form=FormSpec(
        title="Acknowledge support request {id}",
        submit="Acknowledge",
        fields=(kernel.request_field(), Field("note", "Note (staff only)", positional=True)),
    ),
)
async def triage_ack(req: Request, svc: Services) -> Reply:
    request = await _request_at(req, svc, "triage ack 12", open_to_be="acknowledged")
    if request.acked_at is not None:
        raise UserError(
            f"Support request #{request.id} was already acknowledged "
            f"({format_when(request.acked_at, svc.tz)}).",
            example=f"triage assign {request.id} @sam",
        )
    request.acked_at, request.status = req.now, "acknowledged"
    await _record(req, svc, request, "acknowledged", note=_note(req))
    return _done(request, "acknowledged")


@commands.command(
    "triage assign",
    summary="Give a support request to a member of staff (staff)",
    usage="triage assign <id> @person",
    examples=["triage assign 12 @sam"],
    options=(),
    writes=True,
    form=FormSpec(
        title="Assign support request {id}",
        submit="Assign",
        fields=(
            kernel.request_field(),
            Field("to", "To", required=True, positional=True, person=True, picker=staff_choices),
        ),
    ),
)
async def triage_assign(req: Request, svc: Services) -> Reply:
    request = await _request_at(req, svc, "triage assign 12 @sam", open_to_be="assigned")
    if not req.args.people:
        raise UserError(
            "Assign it to whom?", example=f"triage assign {request.id} @sam", field="to"
        )
    person = await directory.resolve_person(svc.session, req.args.people[0])
    if not person.is_staff or not person.active:
        raise UserError(
            f"Support requests go to Learn Sheffield staff; {person.name} is a {person.role}.",
            example=f"triage assign {request.id} @sam",
            field="to",
        )
    request.assignee_id, request.status = person.id, "assigned"
    request.acked_at = request.acked_at or req.now
    event_id = await _record(
        req, svc, request, "assigned", note=f"to {person.name}", tell=f"is now with {person.name}"
    )
    await notices.notify_assignee(
        svc.session, request=request, event_id=event_id, by=req.actor, now=req.now
    )
    return _done(request, f"assigned to {person.name}")


async def _close(req: Request, svc: Services, status: str, verb: str, example: str) -> Reply:
    request = await _request_at(req, svc, example, open_to_be=verb)
    if not _note(req):  # the school is told this note: never close without one
        what = "was done" if status == "resolved" else "the school is pointed to"
        raise UserError(
            f"Say what {what}, in quotes: the school is told it.",
            example=example.replace("12", str(request.id), 1),
            field="note",
        )
    request.status, request.closed_at = status, req.now
    request.acked_at = request.acked_at or req.now
    await _record(req, svc, request, status, note=_note(req))
    return _done(request, verb)


@commands.command(
    "triage resolve",
    summary="Close a support request as resolved, with what was done (staff)",
    usage='triage resolve <id> "what was done"',
    examples=['triage resolve 12 "Adviser visited"'],
    options=(),
    writes=True,
    form=FormSpec(
        title="Resolve support request {id}",
        submit="Resolve",
        intro="The school is told it is resolved, with what you write here.",
        fields=(
            kernel.request_field(),
            Field("note", "What was done", kind="textarea", required=True, positional=True),
        ),
    ),
)
async def triage_resolve(req: Request, svc: Services) -> Reply:
    return await _close(req, svc, "resolved", "resolved", 'triage resolve 12 "Adviser visited"')


@commands.command(
    "triage signpost",
    summary="Close a support request by pointing the school to the right help (staff)",
    usage='triage signpost <id> "where to"',
    examples=['triage signpost 12 "LA HR advisory service"'],
    options=(),
    writes=True,
    form=FormSpec(
        title="Signpost support request {id}",
        submit="Signpost and close",
        intro="The school is told where to go, and the request is closed.",
        fields=(
            kernel.request_field(),
            Field(
                "note",
                "Where to (the school sees this)",
                kind="textarea",
                required=True,
                positional=True,
            ),
        ),
    ),
)
async def triage_signpost(req: Request, svc: Services) -> Reply:
    return await _close(
        req, svc, "signposted", "signposted", 'triage signpost 12 "LA HR advisory service"'
    )


@commands.command(
    "triage reopen",
    summary="Reopen a resolved or signposted support request (staff)",
    usage='triage reopen <id> ["why"]',
    examples=['triage reopen 12 "Head still absent"'],
    options=(),
    writes=True,
    form=FormSpec(
        title="Reopen support request {id}",
        submit="Reopen",
        fields=(
            kernel.request_field(kernel.closed_request_choices),
            Field("why", "Why (the school sees this)", positional=True),
        ),
    ),
)
async def triage_reopen(req: Request, svc: Services) -> Reply:
    request = await _request_at(req, svc, "triage reopen 12")
    if request.is_open:
        raise UserError(f"Support request #{request.id} is already open ({request.status}).")
    request.closed_at = None
    request.status = (
        "assigned" if request.assignee_id else "acknowledged" if request.acked_at else "new"
    )
    tell = f"has been reopened by {req.actor.name}"
    await _record(req, svc, request, "reopened", note=_note(req), tell=tell)
    return _done(request, f"reopened ({request.status})")


@commands.command(
    "triage escalate",
    summary="Escalate a support request to the triage lead (staff)",
    usage='triage escalate <id> ["why"]',
    examples=['triage escalate 12 "Needs a senior adviser today"'],
    options=(),
    writes=True,
    form=FormSpec(
        title="Escalate support request {id}",
        submit="Escalate",
        fields=(
            kernel.request_field(),
            Field("why", "Why (the triage lead sees this)", kind="textarea", positional=True),
        ),
    ),
)
async def triage_escalate(req: Request, svc: Services) -> Reply:
    request = await _request_at(req, svc, "triage escalate 12", open_to_be="escalated")
    request.status = "escalated"
    note = _note(req)
    event_id = await _record(req, svc, request, "escalated", note=note)
    org = await kernel.organisation_of(svc, request.organisation_id)
    await notices.escalate(
        svc.session,
        request=request,
        key=f"support:{request.id}:escalate:{event_id}",
        text=f"{req.actor.name} escalated support request {notices.summary_line(request, org)}"
        + (f": {note}" if note else "."),
        settings=svc.settings,
        now=req.now,
    )
    return _done(request, "escalated to the triage lead")


@commands.command(
    "triage log-days",
    summary="Log days of support given, drawn from the safety net (staff)",
    usage='triage log-days <id> <days> ["note"]',
    examples=['triage log-days 12 1 "Adviser visit"', "triage log-days 12 0.5"],
    options=(),
    writes=True,
    form=FormSpec(
        title="Log days on support request {id}",
        submit="Log days",
        fields=(
            kernel.request_field(),
            Field(
                "days",
                "Days used",
                required=True,
                positional=True,
                placeholder="0.5",
                hint="a number of days: 1, 0.5 or 0.25 (up to 20)",
            ),
            Field("note", "Note", positional=True),
        ),
    ),
)
async def triage_log_days(req: Request, svc: Services) -> Reply:
    example = 'triage log-days 12 1 "Adviser visit"'
    request = await _request_at(req, svc, example)
    raw = req.args.words[1].lower().rstrip("d") if len(req.args.words) > 1 else ""
    try:
        days = float(raw)
    except ValueError:
        days = 0.0
    if not 0 < days <= 20 or round(days * 4) != days * 4:
        raise UserError(
            "Give the days used as a number such as 1 or 0.5 (quarters at most, up to 20).",
            example=example,
            field="days",
        )
    note = " ".join(w for w in req.args.words[2:] if w.strip())[:1000] or None
    await repo.add_event(
        svc.session,
        request=request,
        actor_id=req.actor.id,
        action="days logged",
        now=req.now,
        note=note,
        days=days,
    )
    org = await kernel.organisation_of(svc, request.organisation_id)
    if org is None:
        return Reply(
            text=f"Logged {kernel.days_text(days)} against support request #{request.id}.",
            subject=("support", request.id),
        )
    allocated, used = await kernel.safety_net(svc, org, req.now)
    return Reply(
        text=f"Logged {kernel.days_text(days)} against support request #{request.id}. "
        f"{org.name}: safety net {kernel.safety_net_text(allocated, used)}.",
        subject=("support", request.id),
    )


@commands.command(
    "triage kind",
    summary="Reclassify a support request (staff): its target and entitlement follow",
    usage="triage kind <id> <crisis|consultancy|advocacy|brokerage|signposting>",
    examples=["triage kind 12 consultancy"],
    options=(),
    writes=True,
    form=FormSpec(
        title="Change the kind of support request {id}",
        submit="Change kind",
        intro="Its acknowledgement target and entitlement follow the new kind.",
        fields=(
            kernel.request_field(),
            kernel.KIND_FIELD,
        ),
    ),
)
async def triage_kind(req: Request, svc: Services) -> Reply:
    example = "triage kind 12 consultancy"
    request = await _request_at(req, svc, example, open_to_be="reclassified")
    word = req.args.words[1].lower() if len(req.args.words) > 1 else ""
    if word not in ALL_KINDS:
        raise UserError(
            f"Which kind? One of: {', '.join(ALL_KINDS)}."
            + (f" {req.args.words[1][:30]!r} is not one." if word else ""),
            example=example.replace("12", str(request.id), 1),
            field="kind",
        )
    if word == request.kind:
        raise UserError(
            f"Support request #{request.id} is already {word}.",
            example=f"triage {request.id}",
        )
    before = request.kind
    org = await kernel.organisation_of(svc, request.organisation_id)
    request.kind = word
    if org is not None:
        request.offer = repo.offer_for(subscriber=org.subscriber, kind=word)
    target = ""
    if request.acked_at is None:  # the target is recomputed from when it was raised
        request.ack_due_at = kernel.ack_due(svc, word, request.created_at)
        target = f" Acknowledge by {format_when(request.ack_due_at, svc.tz)}."
    await _record(
        req,
        svc,
        request,
        "reclassified",
        note=f"from {before} to {word}",
        tell=f"is now treated as {word}",
    )
    reply = _done(request, f"reclassified from {before} to {word}")
    reply.text += target
    return reply


def _hours(value: object) -> str:
    if not isinstance(value, float | int):
        return "-"
    return format_duration(timedelta(hours=float(value)))


@commands.command(
    "triage stats",
    summary="Support requests by kind and status, response times and missed targets (staff)",
    usage="triage stats",
    examples=["triage stats"],
    options=(),
)
async def triage_stats(req: Request, svc: Services) -> Reply:
    terms = await svc.terms()
    today = req.now.astimezone(svc.tz).date()
    year_start, year_end = repo.school_year(today)
    term = terms.term_of(today) or next(
        (t for t in reversed(terms.terms) if t.start <= today), None
    )
    periods = {"this year": (year_start, year_end)}
    if term is not None:
        periods = {"this term": (term.start, term.end), **periods}
    figures = {}
    for name, (start, end) in periods.items():
        since, until = kernel.local_days(start, end, svc)
        raised = await repo.requests_raised_between(svc.session, start=since, end=until)
        figures[name] = repo.summarise(raised, now=req.now)
    names = list(figures)
    rows = [["requests", *[str(figures[n]["requests"]) for n in names]]]
    for group in ("kinds", "statuses"):
        keys = figures[names[-1]][group]  # type: ignore[union-attr]
        for key in keys:  # type: ignore[union-attr]
            rows.append([f"  {key}", *[str(figures[n][group][key]) for n in names]])  # type: ignore[index]
    rows += [
        ["median time to acknowledge", *[_hours(figures[n]["median_ack_hours"]) for n in names]],
        ["median time to close", *[_hours(figures[n]["median_close_hours"]) for n in names]],
        ["acknowledgement targets missed", *[str(figures[n]["missed"]) for n in names]],
    ]
    title = f"{term.name}, " if term else ""
    return Reply(
        text=f"Support requests: {title}school year {year_start.year}/{str(year_end.year)[2:]}",
        elements=[Table(columns=["", *names], rows=rows)],
    )

"""Point-of-need support: heads ask for help, Learn Sheffield staff triage it privately.

Who may read what lives in bot/policy.py; the request text is shown only to the requester and
staff, and the triage channel's copy is the only message that carries it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import format_duration, format_when, local_to_utc
from bot.errors import NotFound, UserError
from bot.policy import may_see_support_details, may_see_support_request, require_own_organisation
from bot.registry import STAFF, CommandSet
from bot.reply import Actions, Button, Form, FormField, Reply, Section, Table
from bot.services import Request, Services
from scheduled import support as notices
from storage import directory
from storage import support as repo
from storage.directory import Organisation, Person
from storage.support import ALL_KINDS, KINDS, URGENCIES, SupportRequest

commands = CommandSet("support", "Point-of-need support requests and triage")
register = commands.register

EXAMPLE = 'support crisis "Head unexpectedly absent; interim leadership advice needed today"'
KIND_ALIASES = {"signpost": "signposting", "broker": "brokerage", "consult": "consultancy"}
MAX_DETAILS = 3000


def support_form() -> Reply:
    """The friendlier way to fill `support <kind> "..."` in every door."""
    form = Form(
        title="Ask for point-of-need support",
        command="support",
        submit_label="Send to Learn Sheffield",
        fields=[
            FormField("kind", "Kind of support", "select", list(ALL_KINDS), required=True),
            FormField(
                "details",
                "What is needed",
                "textarea",
                required=True,
                positional=True,
                placeholder="Only Learn Sheffield's triage team and you will see this.",
            ),
            FormField("urgency", "How urgent", "select", list(URGENCIES)),
            FormField("contact", "Best contact (phone or email)"),
            FormField("consent", "Learn Sheffield may share this with named partners", "checkbox"),
        ],
    )
    return Reply(
        text="Tell us what you need. Crisis requests are acknowledged within working hours; "
        "your request goes only to Learn Sheffield's private triage team.",
        elements=[form],
    )


def _kind(word: str) -> str:
    kind = KIND_ALIASES.get(word.lower(), word.lower())
    if kind not in ALL_KINDS:
        raise UserError(  # the word is not echoed: it may be the start of the request text
            f"Start with the kind of support: {', '.join(KINDS)}"
            " (or signposting, open to every school).",
            example=EXAMPLE,
            field="kind",
        )
    return kind


def _kind_and_details(req: Request) -> tuple[str, str]:
    args = req.args
    words, quoted = list(args.words), list(args.quoted)
    if args.opt("kind"):
        kind = _kind(args.opt("kind") or "")
    elif words and not quoted[0]:
        kind = _kind(words.pop(0))
    else:
        raise UserError(
            f"Say which kind of support first: {', '.join(KINDS)} or signposting.",
            example=EXAMPLE,
            field="kind",
        )
    details = " ".join(w.strip() for w in words if w.strip())
    if not details:
        raise UserError("Say what is needed, in quotes.", example=EXAMPLE, field="details")
    if len(details) > MAX_DETAILS:
        raise UserError(
            f"Please keep the request under {MAX_DETAILS} characters; we will call you for more.",
            example=EXAMPLE,
            field="details",
        )
    return kind, details


def _urgency(req: Request, kind: str) -> str:
    raw = (req.args.opt("urgency") or "").strip().lower().replace("-", " ")
    if not raw:
        return "today" if kind == "crisis" else "this week"
    if raw not in URGENCIES:
        raise UserError(
            f"Urgency is one of: {', '.join(URGENCIES)}.",
            example='support consultancy "Curriculum review" urgency:"this half term"',
            field="urgency",
        )
    return raw


def _consent(req: Request) -> bool:
    raw = (req.args.opt("consent") or "no").strip().lower()
    if raw not in ("yes", "no", "true", "false", "y", "n"):
        raise UserError("consent: is yes or no.", example=EXAMPLE + " consent:yes", field="consent")
    return raw in ("yes", "true", "y")


async def _organisation_for(req: Request, svc: Services) -> Organisation:
    """The organisation asking: your own, or (for staff) the one named with org:."""
    if req.args.opt("org"):
        org = await directory.organisation_by_name(svc.session, req.args.opt("org") or "")
        require_own_organisation(req.actor, organisation_id=org.id, what="raise support requests")
        return org
    if req.actor.is_staff or req.actor.organisation is None:
        raise UserError(
            "Which school or trust is this for?"
            if req.actor.is_staff
            else "You are not linked to an organisation in the directory; ask an admin.",
            example=EXAMPLE + ' org:"Hillside Primary"',
            field="org",
        )
    return req.actor.organisation


async def safety_net(svc: Services, org: Organisation, now: datetime) -> tuple[int, float]:
    """(days allocated, days used) this school year."""
    start, end = repo.school_year(now.astimezone(svc.tz).date())
    used = await repo.days_used(
        svc.session,
        organisation_id=org.id,
        start=_utc(start, svc),
        end=_utc(end + timedelta(days=1), svc),
    )
    return repo.safety_net_days(subscriber=org.subscriber, category=org.category), used


def _utc(day: date, svc: Services) -> datetime:
    """Midnight at the start of `day` in the partnership's zone, as UTC."""
    return local_to_utc(datetime.combine(day, time(0, 0)), svc.tz)


def _days(value: float) -> str:
    text = f"{value:g}"
    return f"{text} day" if value == 1 else f"{text} days"


def _safety_net_text(allocated: int, used: float) -> str:
    if not allocated and not used:
        return "none (safety-net days go to subscribing schools categorised yellow, amber or red)"
    left = allocated - used
    if left >= 0:
        return f"{_days(left)} left of {_days(allocated)} this school year"
    return f"all {_days(allocated)} used, {_days(-left)} over (outside the safety net: quote)"


@commands.command(
    "support",
    summary="Ask Learn Sheffield for point-of-need support (or open the form)",
    usage='support crisis|consultancy|advocacy|brokerage|signposting "what is needed" '
    '[urgency:today|"this week"|"this half term"] [contact:"..."] [consent:yes|no]   '
    "support <id>",
    examples=[
        EXAMPLE,
        'support consultancy "Curriculum review before Ofsted" urgency:"this half term"',
        "support",
        "support 12",
    ],
    options={"kind", "urgency", "contact", "consent", "org"},
    writes=True,
)
async def support(req: Request, svc: Services) -> Reply:
    args = req.args
    if not args.words and not args.options:
        return support_form()
    if len(args.words) == 1 and not args.options and args.words[0].lstrip("#").isdigit():
        return await show_request(req, svc, args.int_at(0, what="request", example="support 12"))
    kind, details = _kind_and_details(req)
    urgency = _urgency(req, kind)
    consent = _consent(req)
    contact = (args.opt("contact") or "").strip()[:300] or None
    org = await _organisation_for(req, svc)
    hours = repo.ack_hours(
        kind,
        crisis_hours=svc.settings.support_ack_crisis_hours,
        other_days=svc.settings.support_ack_other_days,
    )
    due = repo.add_working_hours(req.now, hours, terms=await svc.terms(), tz=svc.tz)
    request = await repo.create_request(
        svc.session,
        requester=req.actor,
        organisation=org,
        kind=kind,
        details=details,
        urgency=urgency,
        contact=contact,
        consent=consent,
        now=req.now,
        ack_due_at=due,
    )
    await notices.notify_triage_channel(
        svc.session,
        request=request,
        requester=req.actor,
        organisation=org,
        settings=svc.settings,
        now=req.now,
    )
    target = f"{hours:g} working hours" if kind == "crisis" else f"{hours / 10:g} working days"
    nxt = "Learn Sheffield's triage team has it privately and will acknowledge it"
    if request.offer == repo.SIGNPOST_QUOTE:
        nxt += f"; {org.name} is not a subscriber, so we will signpost you or send a quote"
    elif request.offer == repo.SIGNPOSTING:
        nxt += f"; {org.name} is not a subscriber, so we will point you to the right help"
    allocated, used = await safety_net(svc, org, req.now)
    return Reply(
        text=f"Support request #{request.id} received: {kind} for {org.name}.",
        elements=[
            Section(
                fields=[
                    ("Reference", f"#{request.id}"),
                    ("What happens next", nxt + ". You will get a message at each change."),
                    (
                        "Acknowledged by",
                        f"{format_when(due, svc.tz)} (target: {target}, 08:00-18:00 school days)",
                    ),
                    ("Entitlement", request.offer),
                    ("Safety-net days", _safety_net_text(allocated, used)),
                ]
            ),
            Actions([Button("My requests", "support mine"), Button("Entitlement", "entitlement")]),
        ],
    )


async def _person(svc: Services, person_id: int | None) -> Person | None:
    return await svc.session.get(Person, person_id) if person_id else None


async def _org(svc: Services, org_id: int | None) -> Organisation | None:
    return await svc.session.get(Organisation, org_id) if org_id else None


def _ack_state(request: SupportRequest, now: datetime, svc: Services) -> str:
    if request.acked_at:
        return f"acknowledged {format_when(request.acked_at, svc.tz)}"
    left = request.ack_due_at - now
    if left <= timedelta(0):
        return f"target missed {format_duration(-left)} ago"
    return f"due in {format_duration(left)} ({format_when(request.ack_due_at, svc.tz)})"


async def show_request(req: Request, svc: Services, request_id: int) -> Reply:
    """One request: everything for the requester and staff, the outline for colleagues."""
    request = await repo.get_request(svc.session, request_id)
    if request is None or not may_see_support_request(
        req.actor, requester_id=request.requester_id, organisation_id=request.organisation_id
    ):
        raise NotFound(
            f"No support request #{request_id} that you can see.", example="support mine"
        )
    detailed = may_see_support_details(req.actor, requester_id=request.requester_id)
    org = await _org(svc, request.organisation_id)
    requester = await _person(svc, request.requester_id)
    assignee = await _person(svc, request.assignee_id)
    fields = [
        ("Organisation", org.name if org else "-"),
        ("Raised by", requester.name if requester else "(removed)"),
        ("Raised", format_when(request.created_at, svc.tz)),
        ("Status", request.status),
        ("Urgency", request.urgency),
        ("Acknowledgement", _ack_state(request, req.now, svc)),
        ("With", assignee.name if assignee else "not yet assigned"),
        ("Entitlement", request.offer),
    ]
    if detailed:
        fields += [
            ("Best contact", request.contact or (requester.email if requester else "-")),
            ("Consent to share with named partners", "yes" if request.consent else "no"),
        ]
    text = (
        request.details
        if detailed
        else "The details are shared only with the person who asked and Learn Sheffield staff."
    )
    reply = Reply(text=f"Support request #{request.id}: {request.kind}")
    reply.add(Section(text=text, fields=fields))
    if detailed:
        events = await repo.events_of(svc.session, request.id)
        staff_view = req.actor.is_staff
        rows = []
        for e in events:
            if not staff_view and e.action not in ("raised", "resolved", "signposted", "reopened"):
                note = ""
            else:
                note = e.note or ""
            who = await _person(svc, e.actor_id)
            days = f" ({_days(e.days)})" if e.days else ""
            rows.append(
                [format_when(e.at, svc.tz), who.name if who else "-", e.action + days, note]
            )
        reply.add(Table(columns=["when", "who", "what", "note"], rows=rows, title="History"))
    if req.actor.is_staff and request.is_open:
        reply.add(
            Actions(
                [
                    Button("Acknowledge", f"triage ack {request.id}", style="primary"),
                    Button("Resolve", f'triage resolve {request.id} "Done"'),
                ]
            )
        )
    return reply


@commands.command(
    "support mine",
    summary="Your support requests, and your organisation's",
    usage="support mine",
    examples=["support mine"],
    options=(),
)
async def support_mine(req: Request, svc: Services) -> Reply:
    rows = []
    for r in await repo.requests_for(
        svc.session, organisation_id=req.actor.organisation_id, requester_id=req.actor.id
    ):
        by = await _person(svc, r.requester_id)
        mine = may_see_support_details(req.actor, requester_id=r.requester_id)
        what = _snippet(r.details) if mine else "(confidential)"
        rows.append(
            [
                f"#{r.id}",
                r.kind,
                r.status,
                format_when(r.created_at, svc.tz),
                by.name if by else "-",
                what,
            ]
        )
    if not rows:
        return Reply(
            text="You have no support requests yet.",
            elements=[Actions([Button("Ask for support", "support")])],
        )
    return Reply(
        text="Support requests (open one with `support <id>`)",
        elements=[Table(columns=["#", "kind", "status", "raised", "by", "request"], rows=rows)],
    )


def _snippet(text: str, size: int = 50) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1] + "…"


@commands.command(
    "entitlement",
    summary="What support your organisation is entitled to this school year",
    usage='entitlement [org:"..."]',
    examples=["entitlement", 'entitlement org:"Hillside Primary"'],
    options={"org"},
)
async def entitlement(req: Request, svc: Services) -> Reply:
    if req.args.opt("org"):
        org = await directory.organisation_by_name(svc.session, req.args.opt("org") or "")
    elif req.actor.organisation is not None and not req.actor.is_staff:
        org = req.actor.organisation
    else:
        raise UserError("Which organisation?", example='entitlement org:"Hillside Primary"')
    require_own_organisation(req.actor, organisation_id=org.id, what="see entitlements")
    allocated, used = await safety_net(svc, org, req.now)
    start, end = repo.school_year(req.now.astimezone(svc.tz).date())
    raised = await repo.requests_raised_between(
        svc.session,
        start=_utc(start, svc),
        end=_utc(end + timedelta(days=1), svc),
        organisation_id=org.id,
    )
    rows = [
        [
            kind,
            repo.offer_for(subscriber=org.subscriber, kind=kind),
            str(sum(1 for r in raised if r.kind == kind)),
        ]
        for kind in ALL_KINDS
    ]
    fields = [
        ("Subscriber", "yes" if org.subscriber else "no"),
        ("Category", org.category or "not categorised"),
        ("Safety-net days", _safety_net_text(allocated, used)),
    ]
    if org.maintained:
        fields.append(("Statutory duties", "support and challenge meetings (maintained school)"))
    return Reply(
        text=f"Entitlement for {org.name}, school year {start.year}/{str(end.year)[2:]}",
        elements=[
            Section(fields=fields),
            Table(columns=["kind", "entitlement", "requests this year"], rows=rows),
            Actions([Button("Ask for support", "support")]),
        ],
    )


# --- triage (Learn Sheffield staff) ----------------------------------------------------

URGENCY_ORDER = {u: i for i, u in enumerate(URGENCIES)}
TRIAGE_VERBS = ("ack", "assign", "signpost", "resolve", "reopen", "escalate", "log-days", "stats")


async def _request_at(req: Request, svc: Services, example: str) -> SupportRequest:
    request_id = req.args.int_at(0, what="support request", example=example)
    request = await repo.get_request(svc.session, request_id)
    if request is None:
        raise NotFound(f"There is no support request #{request_id}.", example="triage")
    return request


def _note(req: Request) -> str | None:
    return " ".join(w for w in req.args.words[1:] if w.strip()).strip()[:1000] or None


def _require_open(request: SupportRequest, verb: str) -> None:
    if not request.is_open:
        raise UserError(
            f"Support request #{request.id} is already {request.status}, so it cannot be "
            f"{verb}. Reopen it first if there is more to do.",
            example=f"triage reopen {request.id}",
        )


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
        elements=[Actions([Button("Open", f"triage {request.id}"), Button("Queue", "triage")])],
    )


@commands.command(
    "triage",
    summary="The open support requests, most urgent first (staff)",
    usage="triage [id]",
    examples=["triage", "triage 12"],
    roles=STAFF,
    options=(),
)
async def triage(req: Request, svc: Services) -> Reply:
    if req.args.words:
        if req.args.words[0].lstrip("#").isdigit():
            return await show_request(
                req, svc, req.args.int_at(0, what="request", example="triage 12")
            )
        raise UserError(
            f"triage takes a request number or one of: {', '.join(TRIAGE_VERBS)}.",
            example="triage ack 12",
        )
    far = req.now + timedelta(days=3650)
    queue = sorted(
        await repo.open_requests(svc.session),
        key=lambda r: (
            URGENCY_ORDER.get(r.urgency, 9),
            far if r.acked_at else r.ack_due_at,
            r.created_at,
        ),
    )
    rows = []
    for r in queue:
        org, assignee = await _org(svc, r.organisation_id), await _person(svc, r.assignee_id)
        rows.append(
            [
                f"#{r.id}",
                r.kind,
                org.name if org else "-",
                r.urgency,
                r.status,
                assignee.first_name if assignee else "-",
                _ack_state(r, req.now, svc),
                _snippet(r.details, 40),
            ]
        )
    cols = ["#", "kind", "organisation", "urgency", "status", "with", "acknowledgement", "request"]
    return Reply(
        text=f"Triage: {len(rows)} open support request{'s' if len(rows) != 1 else ''}.",
        elements=[Table(columns=cols, rows=rows), Actions([Button("Stats", "triage stats")])],
    )


@commands.command(
    "triage ack",
    summary="Acknowledge a support request (staff)",
    usage="triage ack <id>",
    examples=["triage ack 12"],
    roles=STAFF,
    options=(),
    writes=True,
)
async def triage_ack(req: Request, svc: Services) -> Reply:
    request = await _request_at(req, svc, "triage ack 12")
    _require_open(request, "acknowledged")
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
    roles=STAFF,
    options=(),
    writes=True,
)
async def triage_assign(req: Request, svc: Services) -> Reply:
    request = await _request_at(req, svc, "triage assign 12 @sam")
    _require_open(request, "assigned")
    if not req.args.people:
        raise UserError("Assign it to whom?", example=f"triage assign {request.id} @sam")
    person = await directory.resolve_person(svc.session, req.args.people[0])
    if not person.is_staff or not person.active:
        raise UserError(
            f"Support requests go to Learn Sheffield staff; {person.name} is a {person.role}.",
            example=f"triage assign {request.id} @sam",
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
    request = await _request_at(req, svc, example)
    _require_open(request, verb)
    request.status, request.closed_at = status, req.now
    request.acked_at = request.acked_at or req.now
    await _record(req, svc, request, status, note=_note(req))
    return _done(request, verb)


@commands.command(
    "triage resolve",
    summary="Close a support request as resolved, with what was done (staff)",
    usage='triage resolve <id> "what was done"',
    examples=['triage resolve 12 "Adviser visited"'],
    roles=STAFF,
    options=(),
    writes=True,
)
async def triage_resolve(req: Request, svc: Services) -> Reply:
    return await _close(req, svc, "resolved", "resolved", 'triage resolve 12 "Adviser visited"')


@commands.command(
    "triage signpost",
    summary="Close a support request by pointing the school to the right help (staff)",
    usage='triage signpost <id> "where to"',
    examples=['triage signpost 12 "LA HR advisory service"'],
    roles=STAFF,
    options=(),
    writes=True,
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
    roles=STAFF,
    options=(),
    writes=True,
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
    roles=STAFF,
    options=(),
    writes=True,
)
async def triage_escalate(req: Request, svc: Services) -> Reply:
    request = await _request_at(req, svc, "triage escalate 12")
    _require_open(request, "escalated")
    request.status = "escalated"
    note = _note(req)
    event_id = await _record(req, svc, request, "escalated", note=note)
    org = await _org(svc, request.organisation_id)
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
    roles=STAFF,
    options=(),
    writes=True,
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
    org = await _org(svc, request.organisation_id)
    if org is None:
        return Reply(text=f"Logged {_days(days)} against support request #{request.id}.")
    allocated, used = await safety_net(svc, org, req.now)
    return Reply(
        text=f"Logged {_days(days)} against support request #{request.id}. "
        f"{org.name}: safety net {_safety_net_text(allocated, used)}."
    )


def _hours(value: object) -> str:
    if not isinstance(value, float | int):
        return "-"
    return format_duration(timedelta(hours=float(value)))


@commands.command(
    "triage stats",
    summary="Support requests by kind and status, response times and missed targets (staff)",
    usage="triage stats",
    examples=["triage stats"],
    roles=STAFF,
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
        raised = await repo.requests_raised_between(
            svc.session, start=_utc(start, svc), end=_utc(end + timedelta(days=1), svc)
        )
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


# days ago, who asked, kind, urgency, outcome (status or "assigned:<handle>"), days used, text
DEMO_HISTORY = [
    (
        60,
        "priya",
        "consultancy",
        "this half term",
        "resolved",
        1,
        "Curriculum review before Ofsted",
    ),
    (52, "grace", "brokerage", "this week", "resolved", 1, "Partner school for an outreach pilot"),
    (45, "omar", "consultancy", "this week", "signposted", 0, "Advice on a staffing restructure"),
    (38, "ben", "crisis", "today", "resolved", 1.5, "Serious incident on site; press interest"),
    (30, "tom", "signposting", "this week", "signposted", 0, "Early years SEND placement advice"),
    (24, "jo", "advocacy", "this week", "resolved", 0, "Support at an admissions meeting"),
    (17, "helen", "advocacy", "this week", "signposted", 0, "Complaint escalated to the council"),
    (10, "grace", "consultancy", "this half term", "assigned:fiona", 0, "Behaviour policy review"),
    (6, "ben", "brokerage", "this week", "acknowledged", 0, "A mentor for a new deputy head"),
    (3, "priya", "crisis", "today", "resolved", 0, "Deputy head on long-term absence"),
    (
        2,
        "chris",
        "brokerage",
        "this week",
        "acknowledged",
        0,
        "Partner school for a maths exchange",
    ),
]


async def demo_setup(session: AsyncSession, now: datetime) -> str:
    """Eleven requests from this school year, so the DESIGN example `support crisis` is #12."""
    from bot.settings import load_settings
    from storage.system import term_calendar

    tz, terms = load_settings().tz, await term_calendar(session)
    sam = await directory.person_by_email(session, "sam@learnsheffield.co.uk")
    for days_ago, handle, kind, urgency, outcome, days, text in DEMO_HISTORY:
        day = (now.astimezone(tz) - timedelta(days=days_ago)).date()
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        raised = datetime.combine(day, time(9, 30), tzinfo=tz).astimezone(UTC)
        person = await directory.resolve_person(session, handle)
        if person.organisation is None or sam is None:
            continue
        hours = 2 if kind == "crisis" else 20
        request = await repo.create_request(
            session,
            requester=person,
            organisation=person.organisation,
            kind=kind,
            details=text,
            urgency=urgency,
            contact=None,
            consent=days_ago % 2 == 0,
            now=raised,
            ack_due_at=repo.add_working_hours(raised, hours, terms=terms, tz=tz),
        )
        request.acked_at, request.status = raised + timedelta(hours=1), "acknowledged"
        await repo.add_event(
            session, request=request, actor_id=sam.id, action="acknowledged", now=request.acked_at
        )
        if outcome.startswith("assigned:"):
            helper = await directory.resolve_person(session, outcome.split(":", 1)[1])
            request.assignee_id, request.status = helper.id, "assigned"
            await repo.add_event(
                session,
                request=request,
                actor_id=sam.id,
                action="assigned",
                now=request.acked_at,
                note=f"to {helper.name}",
            )
        elif outcome in repo.CLOSED:
            closed = raised + timedelta(days=min(days_ago - 1, 4), hours=5)
            request.status, request.closed_at = outcome, closed
            await repo.add_event(
                session, request=request, actor_id=sam.id, action=outcome, now=closed
            )
            if days:
                await repo.add_event(
                    session,
                    request=request,
                    actor_id=sam.id,
                    action="days logged",
                    now=closed,
                    days=days,
                )
    return f"{len(DEMO_HISTORY)} support requests from this school year"

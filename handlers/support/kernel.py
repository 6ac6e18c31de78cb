"""Support's shared rules: safety-net days, the acknowledgement state, and one request shown
to whoever may see it. Used by the asking and triage commands; imports neither.

Who may read what lives in bot/policy.py; the request text is shown only to the requester and
staff.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.dates import format_duration, format_when, local_to_utc
from bot.errors import NotFound
from bot.policy import may_see_support_details, may_see_support_request
from bot.registry import Field, Picker
from bot.reply import Actions, Button, Reply, Section, Table
from bot.services import Request, Services
from storage import directory
from storage import support as repo
from storage.directory import Organisation, Person
from storage.support import SupportRequest

# the help topic of every command module in the package
TOPIC = ("support", "Point-of-need support requests and triage")
MAX_PICKED = 60  # requests offered in a form's picker


async def safety_net(svc: Services, org: Organisation, now: datetime) -> tuple[int, float]:
    """(days allocated, days used) this school year."""
    start, end = repo.school_year(now.astimezone(svc.tz).date())
    since, until = local_days(start, end, svc)
    used = await repo.days_used(svc.session, organisation_id=org.id, start=since, end=until)
    return repo.safety_net_days(subscriber=org.subscriber, category=org.category), used


def local_days(first: date, last: date, svc: Services) -> tuple[datetime, datetime]:
    """[start, end) in UTC covering whole days `first`..`last` in the partnership's zone."""

    def midnight(day: date) -> datetime:
        return local_to_utc(datetime.combine(day, time(0, 0)), svc.tz)

    return midnight(first), midnight(last + timedelta(days=1))


def days_text(value: float) -> str:
    text = f"{value:g}"
    return f"{text} day" if value == 1 else f"{text} days"


def safety_net_text(allocated: int, used: float) -> str:
    if not allocated and not used:
        return "none (safety-net days go to subscribing schools categorised yellow, amber or red)"
    left = allocated - used
    if left >= 0:
        return f"{days_text(left)} left of {days_text(allocated)} this school year"
    return (
        f"all {days_text(allocated)} used, {days_text(-left)} over (outside the safety net: quote)"
    )


async def _choices(svc: Services, found: list[SupportRequest]) -> list[tuple[str, str]]:
    """(number, "#12 crisis, Hillside Primary, new"): never the request's text, which a
    picker would carry into places the details do not go."""
    names = {o.id: o.name for o in await directory.all_organisations(svc.session)}
    return [
        (
            str(r.id),
            f"#{r.id} {r.kind}, {names.get(r.organisation_id, 'no organisation')}, {r.status}",
        )
        for r in found
    ]


async def open_request_choices(svc: Services, actor: Person) -> list[tuple[str, str]]:
    """The picker of triage commands that act on an open request (staff only run them)."""
    return await _choices(svc, (await repo.open_requests(svc.session))[:MAX_PICKED])


async def closed_request_choices(svc: Services, actor: Person) -> list[tuple[str, str]]:
    """The picker of `triage reopen`: recently closed requests."""
    return await _choices(svc, await repo.closed_requests(svc.session, limit=MAX_PICKED))


# The kind of support, as the asking form and staff's reclassifying form both ask it: no kind
# chosen to start with ("Choose..."), and one line per kind saying what it is for.
KIND_FIELD = Field(
    "kind",
    "Kind of support",
    required=True,
    positional=True,
    options=repo.ALL_KINDS,
    hint=repo.kind_hint(),
)


def request_field(picker: Picker = open_request_choices) -> Field:
    """The support request a triage command acts on: carried when typed, else picked."""
    return Field(
        "request", "Support request", required=True, positional=True, id=True, picker=picker
    )


async def person_of(svc: Services, person_id: int | None) -> Person | None:
    return await svc.session.get(Person, person_id) if person_id else None


async def organisation_of(svc: Services, org_id: int | None) -> Organisation | None:
    return await svc.session.get(Organisation, org_id) if org_id else None


def ack_state(request: SupportRequest, now: datetime, svc: Services) -> str:
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
    org = await organisation_of(svc, request.organisation_id)
    requester = await person_of(svc, request.requester_id)
    assignee = await person_of(svc, request.assignee_id)
    fields = [
        ("Organisation", org.name if org else "-"),
        ("Raised by", requester.name if requester else "(removed)"),
        ("Raised", format_when(request.created_at, svc.tz)),
        ("Status", request.status),
        ("Urgency", request.urgency),
        ("Acknowledgement", ack_state(request, req.now, svc)),
        ("With", assignee.name if assignee else "not yet assigned"),
        ("Entitlement", repo.offer_words(request.offer, staff=req.actor.is_staff)),
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
            who = await person_of(svc, e.actor_id)
            days = f" ({days_text(e.days)})" if e.days else ""
            rows.append(
                [format_when(e.at, svc.tz), who.name if who else "-", e.action + days, note]
            )
        reply.add(Table(columns=["when", "who", "what", "note"], rows=rows, title="History"))
    if req.actor.is_staff:
        reply.add(Actions(triage_buttons(request)))
    return reply


def ack_hours(svc: Services, kind: str) -> float:
    """The kind's acknowledgement target in working hours (SUPPORT_ACK_CRISIS_HOURS, or
    SUPPORT_ACK_OTHER_DAYS office days)."""
    return repo.ack_hours(
        kind,
        crisis_hours=svc.settings.support_ack_crisis_hours,
        other_days=svc.settings.support_ack_other_days,
        office=svc.settings.office,
    )


def ack_due(svc: Services, kind: str, raised_at: datetime) -> datetime:
    """When a request of `kind` raised at `raised_at` must be acknowledged (UTC): the kind's
    target counted in Learn Sheffield's working time."""
    hours = ack_hours(svc, kind)
    return repo.add_working_hours(raised_at, hours, office=svc.settings.office, tz=svc.tz)


def triage_buttons(request: SupportRequest) -> list[Button]:
    """What staff can do next, for the request's state only: a closed request offers only
    Reopen; an acknowledged one no Acknowledge. Closing asks for the note (no one-click close)."""
    rid = request.id
    if not request.is_open:
        return [Button("Reopen", f"triage reopen {rid}")]
    buttons = []
    if request.acked_at is None:
        buttons.append(Button("Acknowledge", f"triage ack {rid}", style="primary"))
    buttons.append(Button("Reassign" if request.assignee_id else "Assign", f"triage assign {rid}"))
    buttons.append(Button("Resolve...", f"triage resolve {rid}"))
    buttons.append(Button("Signpost...", f"triage signpost {rid}"))
    if request.status != "escalated":
        buttons.append(Button("Escalate", f"triage escalate {rid}", style="danger"))
    if request.assignee_id:
        buttons.append(Button("Log days", f"triage log-days {rid}"))
    buttons.append(Button("Change kind", f"triage kind {rid}"))
    return buttons


def snippet(text: str, size: int = 50) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1] + "…"

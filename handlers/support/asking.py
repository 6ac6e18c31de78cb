"""Asking for point-of-need support and reading it back: `support`, `support mine`,
`entitlement`. Staff triage lives in handlers/support/triage.py (same topic).

The request goes to Learn Sheffield's private triage channel (the only message that carries
its text) through storage/support_notices.py.
"""

from __future__ import annotations

from datetime import datetime

from bot import forms
from bot.dates import format_when
from bot.errors import UserError
from bot.parsing import Args, yes_no
from bot.policy import Facts, Loaded, may_see_support_details
from bot.registry import STAFF, CommandSet, Field, FormSpec
from bot.reply import Actions, Button, Reply, Section, Table
from bot.services import Request, Services
from handlers.support import kernel
from storage import directory
from storage import support as repo
from storage import support_notices as notices
from storage.directory import Organisation
from storage.support import ALL_KINDS, KINDS, URGENCIES

commands = CommandSet(*kernel.TOPIC)

EXAMPLE = 'support crisis "Head unexpectedly absent; interim leadership advice needed today"'
KIND_ALIASES = {"signpost": "signposting", "broker": "brokerage", "consult": "consultancy"}
MAX_DETAILS = 3000


def _raises(args: Args) -> bool:
    """Whether `support ...` raises a request (or asks for one with the form) rather than
    showing one (`support 12`)."""
    return not (len(args.words) == 1 and not args.options and args.words[0].lstrip("#").isdigit())


FORM = FormSpec(
    title="Ask for point-of-need support",
    submit="Send to Learn Sheffield",
    intro="Tell us what you need. Crisis requests are acknowledged within working hours; "
    "your request goes only to Learn Sheffield's private triage team.",
    applies=_raises,
    fields=(
        # starts on "Choose...": a school picks its kind knowing what each one means
        kernel.KIND_FIELD,
        Field(
            "details",
            "What is needed",
            kind="textarea",
            required=True,
            positional=True,
            placeholder="Only Learn Sheffield's triage team and you will see this.",
        ),
        Field("urgency", "How urgent", options=URGENCIES),
        Field("contact", "Best contact (phone or email)"),
        Field("consent", "Learn Sheffield may share this with named partners", kind="checkbox"),
        Field("org", "For which school or trust", picker=forms.organisations, roles=STAFF),
    ),
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
    return yes_no(
        req.args.opt("consent"), field="consent", default=False, example=EXAMPLE + " consent:yes"
    )


def own_organisation(org: Organisation, *, what: str) -> Loaded:
    """The organisation a command acts for, to be checked against the rule's "own organisation"
    relation, refused with "You can only <what> for your own organisation."."""
    return Loaded(
        org,
        Facts(organisation_id=org.id),
        refusal=f"You can only {what} for your own organisation.",
        hint="Learn Sheffield staff can look at any organisation.",
    )


async def load_support_org(req: Request, svc: Services) -> Loaded:
    """`support ... org:"..."`: the organisation named (staff may name any); otherwise the
    asker's own, which needs no relation asked (None until the handler reads it)."""
    if not _raises(req.args) or not req.args.opt("org"):
        return Loaded(None, None)
    org = await directory.organisation_by_name(svc.session, req.args.opt("org") or "")
    return own_organisation(org, what="raise support requests")


async def _organisation_for(req: Request, svc: Services) -> Organisation:
    """The organisation asking: your own, or (for staff) the one named with org: (loaded and
    checked by the router)."""
    if req.item is not None:
        return req.item
    if req.actor.is_staff or req.actor.organisation is None:
        raise UserError(
            "Which school or trust is this for?"
            if req.actor.is_staff
            else "You are not linked to an organisation in the directory; ask an admin.",
            example=EXAMPLE + ' org:"Hillside Primary"',
            field="org",
        )
    return req.actor.organisation


@commands.command(
    "support",
    summary="Ask Learn Sheffield for point-of-need support (or open the form)",
    usage='support crisis|consultancy|advocacy|brokerage|signposting "what is needed" '
    '[urgency:today|"this week"|"this half term"] [contact:"..."] [consent:yes|no]; '
    "or support <id> to see one",
    examples=[
        EXAMPLE,
        'support consultancy "Curriculum review before Ofsted" urgency:"this half term"',
        "support",
        "support 12",
    ],
    options={"kind", "org"},
    writes=True,
    loads=load_support_org,
    form=FORM,
)
async def support(req: Request, svc: Services) -> Reply:
    args = req.args
    if not _raises(req.args):
        return await kernel.show_request(
            req, svc, args.int_at(0, what="request", example="support 12")
        )
    kind, details = _kind_and_details(req)
    urgency = _urgency(req, kind)
    consent = _consent(req)
    contact = (args.opt("contact") or "").strip()[:300] or None
    org = await _organisation_for(req, svc)
    hours = kernel.ack_hours(svc, kind)
    due = repo.add_working_hours(req.now, hours, office=svc.settings.office, tz=svc.tz)
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
    office = svc.settings.office
    target = (
        f"{hours:g} working hours"
        if kind == "crisis"
        else f"{hours / office.hours_per_day:g} working days"
    )
    opens = repo.next_opening(req.now, office=office, tz=svc.tz)
    nxt = "Learn Sheffield's triage team has it privately and will acknowledge it"
    if request.offer == repo.SIGNPOST_QUOTE:
        nxt += f"; {org.name} is not a subscriber, so we will signpost you or send a quote"
    elif request.offer == repo.SIGNPOSTING:
        nxt += f"; {org.name} is not a subscriber, so we will point you to the right help"
    allocated, used = await kernel.safety_net(svc, org, req.now)
    return Reply(
        text=f"Support request #{request.id} received: {kind} for {org.name}.",
        subject=("support", request.id),
        elements=[
            Section(
                fields=[
                    ("Reference", f"#{request.id}"),
                    ("What happens next", nxt + ". You will get a message at each change."),
                    (
                        "Acknowledged by",
                        f"{format_when(due, svc.tz)} (target: {target}; working time is "
                        f"{office.words()})",
                    ),
                    *out_of_hours(kind, opens=opens, now=req.now, hours=hours, svc=svc),
                    ("Entitlement", repo.offer_words(request.offer, staff=req.actor.is_staff)),
                    ("Safety-net days", kernel.safety_net_text(allocated, used)),
                ]
            ),
            Actions([Button("My requests", "support mine"), Button("Entitlement", "entitlement")]),
        ],
    )


def out_of_hours(
    kind: str, *, opens: datetime, now: datetime, hours: float, svc: Services
) -> list[tuple[str, str]]:
    """What happens to a request raised while Learn Sheffield's office is closed (a field for
    the reply, none in office hours); a crisis is told what to do if it cannot wait."""
    if opens <= now:
        return []
    text = (
        "Learn Sheffield's office is closed now. Your request is already in the private triage "
        f"queue; the team picks it up when the office opens, {format_when(opens, svc.tz)}, and "
        f"the {hours:g}-hour target counts from then."
        if kind == "crisis"
        else "Learn Sheffield's office is closed now. Your request is already in the private "
        f"triage queue; the team picks it up when the office opens, {format_when(opens, svc.tz)}."
    )
    if kind == "crisis":
        text += (
            " If anyone is in danger now, call 999; if a child is at risk, follow your "
            "safeguarding procedures and contact Sheffield's Safeguarding Hub now, without "
            "waiting for us."
        )
    return [("Out of hours", text)]


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
        by = await kernel.person_of(svc, r.requester_id)
        mine = may_see_support_details(req.actor, requester_id=r.requester_id)
        what = kernel.snippet(r.details) if mine else "(confidential)"
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


async def load_entitled_org(req: Request, svc: Services) -> Loaded:
    """`entitlement [org:"..."]`: the organisation named, or the asker's own (staff: name one)."""
    if req.args.opt("org"):
        org = await directory.organisation_by_name(svc.session, req.args.opt("org") or "")
    elif req.actor.organisation is not None and not req.actor.is_staff:
        org = req.actor.organisation
    else:
        raise UserError("Which organisation?", example='entitlement org:"Hillside Primary"')
    return own_organisation(org, what="see entitlements")


@commands.command(
    "entitlement",
    summary="What support your organisation is entitled to this school year",
    usage='entitlement [org:"..."]',
    examples=["entitlement", 'entitlement org:"Hillside Primary"'],
    options={"org"},
    loads=load_entitled_org,
)
async def entitlement(req: Request, svc: Services) -> Reply:
    org: Organisation = req.item
    allocated, used = await kernel.safety_net(svc, org, req.now)
    start, end = repo.school_year(req.now.astimezone(svc.tz).date())
    since, until = kernel.local_days(start, end, svc)
    raised = await repo.requests_raised_between(
        svc.session, start=since, end=until, organisation_id=org.id
    )
    staff = req.actor.is_staff
    year = f"{start.year}/{str(end.year)[2:]}"
    rows = [
        [
            kind,
            repo.offer_words(repo.offer_for(subscriber=org.subscriber, kind=kind), staff=staff),
            str(sum(1 for r in raised if r.kind == kind)),
        ]
        for kind in ALL_KINDS
    ]
    if staff:  # the rule that applies and the figures triage needs
        fields = [
            ("Subscriber", "yes" if org.subscriber else "no"),
            ("Category", org.category or "not categorised"),
            ("Safety-net days", kernel.safety_net_text(allocated, used)),
        ]
        if org.maintained:
            fields.append(("Statutory duties", "support and challenge meetings (maintained)"))
        text = f"Entitlement: {org.name}, school year {year}"
        columns = ["kind", "offer", "requests this year"]
    else:  # what the school can ask for, in its own words
        fields = [
            (
                "Your subscription",
                "you subscribe to Learn Sheffield's offer"
                if org.subscriber
                else "you do not subscribe; signposting is open to every school",
            ),
            ("Extra support days (safety net)", kernel.safety_net_text(allocated, used)),
        ]
        if org.maintained:
            fields.append(("Also for maintained schools", "support and challenge meetings"))
        text = f"What {org.name} can ask Learn Sheffield for, school year {year}"
        columns = ["kind of support", "what you get", "asked this year"]
    return Reply(
        text=text,
        elements=[
            Section(fields=fields),
            Table(columns=columns, rows=rows),
            Actions([Button("Ask for support", "support")]),
        ],
    )

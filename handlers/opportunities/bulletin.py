"""The Opportunities Bulletin in chat: preview, send, subscribe, settings and past editions.

Registered by handlers/opportunities/__init__.py (same topic); what goes in an edition is
decided in storage/bulletin.py, shared with the clock, so a preview shows exactly what the
clock would send.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from bot import forms
from bot.dates import format_date, format_when, local_to_utc, parse_time
from bot.errors import NotFound, UserError, about
from bot.policy import Facts, Loaded
from bot.registry import CommandSet, Field, FormSpec
from bot.reply import Actions, Button, Reply, Section, Table
from bot.services import Request, Services
from handlers.opportunities.kernel import TOPIC
from storage import bulletin
from storage import opportunities as repo
from storage.directory import Person, group_by_name, person_by_id, resolve_person
from storage.opportunities import WEEKDAYS
from storage.outbox import OutboxMessage, person_target

commands = CommandSet(*TOPIC)


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def next_edition_day(req: Request, svc: Services) -> date:
    """The local date the clock sends the next edition: this week's bulletin day if its time
    is still ahead and no edition went this week, else a later week; holiday weeks skipped."""
    bs = await repo.bulletin_settings(svc.session)
    today = req.now.astimezone(svc.tz).date()
    day = bulletin.scheduled_day(today, bs)
    sends_at = local_to_utc(datetime.combine(day, parse_time(bs.time)), svc.tz)
    sent = await repo.edition_for_week(svc.session, bulletin.iso_week(day))
    next_day = day if sends_at > req.now and sent is None else day + timedelta(days=7)
    terms = await svc.terms()
    while not terms.in_term_week(next_day) and next_day < today + timedelta(days=400):
        next_day += timedelta(days=7)  # the clock skips holiday weeks
    return next_day


async def schedule_line(svc: Services) -> str:
    bs = await repo.bulletin_settings(svc.session)
    channel = bulletin.channel_name(bs, svc.settings)
    return f"Weekly on {bs.day.title()} at {bs.time}, term time only; channel #{channel}."


async def subscription_line(svc: Services, person: Person) -> str:
    audience = repo.audience_of(person)
    if await repo.subscription(svc.session, person):
        return f"You get it by DM: {audience.label}."
    return "You do not get it by DM (`bulletin subscribe` to start); it still goes to the channel."


@commands.command(
    "bulletin",
    summary="The Opportunities Bulletin: your settings, or a past edition",
    usage="bulletin [<edition>]",
    examples=["bulletin", "bulletin 1"],
    options=set(),
)
async def bulletin_show(req: Request, svc: Services) -> Reply:
    if req.args.words:
        edition_id = req.args.int_at(0, what="bulletin edition", example="bulletin 1")
        return await show_edition(req, svc, await repo.get_edition(svc.session, edition_id))
    last = await repo.last_edition(svc.session)
    lines = [await schedule_line(svc), await subscription_line(svc, req.actor)]
    if last:
        lines.append(
            f"Last edition: #{last.id} ({bulletin.edition_label(last.week)}), "
            f"sent {format_when(last.created_at, svc.tz)}."
        )
    subscribed = await repo.subscription(svc.session, req.actor)
    toggle = "bulletin unsubscribe" if subscribed else "bulletin subscribe"
    buttons = [Button("Preview", "bulletin preview"), Button(toggle.split()[1].title(), toggle)]
    if last:
        buttons.append(Button(f"Edition #{last.id}", f"bulletin {last.id}"))
    return Reply(text="Opportunities Bulletin").add(
        Section(text="\n".join(lines)), Actions(buttons)
    )


async def show_edition(req: Request, svc: Services, edition: repo.BulletinEdition) -> Reply:
    """Staff see who got what; everyone else sees their own copy (or the channel's)."""
    deliveries = await repo.deliveries_of(svc.session, edition.id)
    head = (
        f"Bulletin edition #{edition.id} ({bulletin.edition_label(edition.week)}), "
        f"sent {format_when(edition.created_at, svc.tz)}"
    )
    if req.actor.is_staff:
        keys = [d.outbox_key for d in deliveries]
        found = await svc.session.execute(
            select(OutboxMessage.key, OutboxMessage.state).where(OutboxMessage.key.in_(keys))
        )
        states = {key: state for key, state in found}
        rows = []
        for d in deliveries:
            state = states.get(d.outbox_key)
            rows.append(
                [
                    await target_name(svc, d.target),
                    ", ".join(f"#{i}" for i in d.opportunity_ids),
                    state or "-",
                ]
            )
        sender = await person_by_id(svc.session, edition.sent_by_id) if edition.sent_by_id else None
        by = f"sent by {sender.name}" if sender else "sent by the clock"
        return Reply(text=f"{head}, {by}: {len(deliveries)} copies.").add(
            Table(columns=["to", "opportunities", "state"], rows=rows)
        )
    mine = next((d for d in deliveries if d.target == person_target(req.actor.id)), None)
    mine = mine or next((d for d in deliveries if d.target.startswith("group:")), None)
    if mine is None:
        return Reply(text=f"{head}: it had nothing for you.")
    lines = []
    for opp_id in mine.opportunity_ids:
        opp = await svc.session.get(repo.Opportunity, opp_id)
        if opp is not None:
            lines.append(bulletin.describe(opp))
    where = "your copy" if mine.target.startswith("person:") else "the channel copy"
    return Reply(text=f"{head}, {where}:").add(Section(text="\n".join(lines) or "(none)"))


async def target_name(svc: Services, target: str) -> str:
    kind, _, ident = target.partition(":")
    if kind == "person" and ident.isdigit():
        person = await person_by_id(svc.session, int(ident))
        return person.name if person else target
    return f"#{ident}" if kind == "group" else target


async def _channel(svc: Services) -> str:
    """The bulletin channel's name (`as:` it, or `as:channel`, previews the channel copy)."""
    return bulletin.channel_name(await repo.bulletin_settings(svc.session), svc.settings)


async def load_preview_for(req: Request, svc: Services) -> Loaded:
    """`bulletin preview [as:...]`: whose copy (None: the channel's, which is nobody's own)."""
    who = req.args.opt("as") or (req.args.people[0] if req.args.people else None)
    if who and who.lstrip("#").lower() in ("channel", (await _channel(svc)).lower()):
        return Loaded(
            None,
            Facts(subject_id=0),
            refusal="Only Learn Sheffield staff can preview the channel copy.",
        )
    person = await resolve_person(svc.session, who) if who else req.actor
    return Loaded(
        person,
        Facts(subject_id=person.id),
        refusal="Only Learn Sheffield staff can preview someone else's bulletin.",
        hint="Leave out as: to preview your own bulletin.",
        example="bulletin preview",
    )


@commands.command(
    "bulletin preview",
    summary="What the next bulletin holds for you (staff: as:@person or as:channel)",
    usage="bulletin preview [as:@person|as:channel]",
    examples=["bulletin preview", "bulletin preview as:@jo"],
    options={"as"},
    loads=load_preview_for,
)
async def bulletin_preview(req: Request, svc: Services) -> Reply:
    today = req.now.astimezone(svc.tz).date()
    found = await bulletin.contents(svc.session, today=today)
    channel = await _channel(svc)
    person: Person | None = req.item
    if person is None:
        audience, for_whom, dm = repo.CHANNEL_AUDIENCE, f"#{channel}: all-phase items only", False
    else:
        audience = repo.audience_of(person)
        for_whom, dm = f"{person.name} ({audience.label})", True
    mine = found.for_audience(audience)
    if not mine.all:
        return Reply(
            text=f"The next bulletin has nothing for {for_whom} yet: no opportunities new since "
            "the last edition or closing within 7 days."
        )
    # "week of" names the edition this preview is for: the next one the clock will send
    next_day = await next_edition_day(req, svc)
    reply = bulletin.compose(
        mine, week_of=week_monday(next_day), edition_id=None, for_whom=for_whom, dm=dm
    )
    reply.text += "\n" + await schedule_line(svc)
    return reply


@commands.command(
    "bulletin send",
    summary="Send this week's bulletin now (staff); at most one edition a week",
    usage="bulletin send",
    examples=["bulletin send"],
    options=set(),
    writes=True,
    form=FormSpec(
        title="Send this week's bulletin now",
        submit="Send it",
        intro="Every reader gets it at once; at most one edition goes a week.",
        fields=(),
    ),
)
async def bulletin_send(req: Request, svc: Services) -> Reply:
    today = req.now.astimezone(svc.tz).date()
    week = bulletin.iso_week(today)
    done = await repo.edition_for_week(svc.session, week)
    if done is not None:
        return Reply(
            text=f"This week's bulletin (edition #{done.id}, {bulletin.edition_label(week)}) "
            "already went out "
            f"{format_when(done.created_at, svc.tz)}; an edition goes only once a week."
        ).add(Actions([Button(f"Edition #{done.id}", f"bulletin {done.id}")]))
    edition, copies = await bulletin.send_edition(
        svc.session,
        now=req.now,
        settings=svc.settings,
        week_of=week_monday(today),
        sent_by=req.actor,
    )
    if edition is None:
        last = await repo.last_edition(svc.session)
        since = f" since edition #{last.id}" if last else ""
        return Reply(
            text=f"Nothing to send: no opportunities new{since} and none closing within 7 days. "
            "Nothing was sent."
        ).add(Actions([Button("Add an opportunity", "opp add")]))
    people = sum(1 for c in copies if c.dm)
    holiday = (
        ""
        if (await svc.terms()).in_term_week(today)
        else " (a holiday week: sent because you asked)"
    )
    rows = [
        [await target_name(svc, c.target), ", ".join(f"#{o.id}" for o in c.found.all)]
        for c in copies
    ]
    return Reply(
        text=f"Queued bulletin edition #{edition.id} ({bulletin.edition_label(week)}){holiday}: "
        f"{len(copies) - people} channel copy and {people} by DM, "
        f"{len(edition.opportunity_ids)} opportunities in all.",
        subject=("bulletin", edition.id),
    ).add(
        Table(columns=["to", "opportunities"], rows=rows),
        Actions([Button(f"Edition #{edition.id}", f"bulletin {edition.id}")]),
    )


@commands.command(
    "bulletin subscribe",
    summary="Get the bulletin by DM, filtered for your school",
    usage="bulletin subscribe",
    examples=["bulletin subscribe"],
    options=set(),
    writes=True,
    form=FormSpec(title="Get the bulletin by DM", submit="Subscribe", fields=()),
)
async def bulletin_subscribe(req: Request, svc: Services) -> Reply:
    await repo.set_subscription(svc.session, person=req.actor, subscribed=True, at=req.now)
    return Reply(
        text="You will get the Opportunities Bulletin by DM.", subject=("bulletin", None)
    ).add(Section(text=f"{await schedule_line(svc)}\n{await subscription_line(svc, req.actor)}"))


@commands.command(
    "bulletin unsubscribe",
    summary="Stop getting the bulletin by DM",
    usage="bulletin unsubscribe",
    examples=["bulletin unsubscribe"],
    options=set(),
    writes=True,
    form=FormSpec(title="Stop the bulletin by DM", submit="Unsubscribe", fields=()),
)
async def bulletin_unsubscribe(req: Request, svc: Services) -> Reply:
    await repo.set_subscription(svc.session, person=req.actor, subscribed=False, at=req.now)
    bs = await repo.bulletin_settings(svc.session)
    channel = bulletin.channel_name(bs, svc.settings)
    return Reply(
        text=f"You will not get the bulletin by DM any more. It still goes to #{channel}; "
        "`bulletin subscribe` to have it back.",
        subject=("bulletin", None),
    ).add(Actions([Button("Subscribe again", "bulletin subscribe")]))


async def settings_now(svc: Services, values: dict[str, str]) -> dict[str, str]:
    """The bulletin's present settings, to change."""
    bs = await repo.bulletin_settings(svc.session)
    return {"day": bs.day, "time": bs.time, "channel": bs.channel or svc.settings.bulletin_channel}


@commands.command(
    "bulletin settings",
    summary="When and where the bulletin goes (staff)",
    usage="bulletin settings [day:monday..friday] [time:08:00] [channel:<group>]",
    examples=["bulletin settings day:monday time:08:00 channel:bulletin", "bulletin settings"],
    options={"day", "time", "channel"},
    writes=True,
    form=FormSpec(
        title="Bulletin settings",
        submit="Save settings",
        fields=(
            Field("day", "Day it goes", options=WEEKDAYS),
            Field("time", "Time", placeholder="08:00", hint="24-hour clock: 08:00, 16:30"),
            Field("channel", "Group whose channel gets it", picker=forms.groups),
        ),
        current=settings_now,
    ),
)
async def bulletin_settings(req: Request, svc: Services) -> Reply:
    bs = await repo.bulletin_settings(svc.session)
    opts = req.args.options
    if "day" in opts:
        day = opts["day"].strip().lower()
        match = [d for d in repo.WEEKDAYS if d.startswith(day[:3])] if len(day) >= 3 else []
        if not match:
            raise UserError(
                f"{opts['day']!r} is not a school day. Days: {', '.join(repo.WEEKDAYS)}.",
                example="bulletin settings day:monday",
                field="day",
            )
        bs.day = match[0]
    if "time" in opts:
        with about("time"):
            bs.time = f"{parse_time(opts['time']):%H:%M}"
    if "channel" in opts:
        try:
            bs.channel = (await group_by_name(svc.session, opts["channel"])).name
        except NotFound as err:
            err.example, err.field = "bulletin settings channel:bulletin", "channel"
            raise
    if opts:
        await repo.save_bulletin_settings(svc.session, bs, at=req.now)
    next_day = await next_edition_day(req, svc)
    text = ("Bulletin settings saved. " if opts else "") + await schedule_line(svc)
    return Reply(text=text, subject=("bulletin", None) if opts else None).add(
        Section(fields=[("Next edition", f"{format_date(next_day)} at {bs.time}")]),
        Actions([Button("Change settings", "form bulletin settings")]),
    )

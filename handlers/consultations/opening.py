"""Opening a consultation: `consultation add` (typed, or as a form) and what it reads from
the options. The launch post goes when it opens; extend and close are in `changes`.
"""

from __future__ import annotations

from bot.dates import Resolved, format_when, parse_instant, to_local, wants_later
from bot.errors import UserError
from bot.parsing import split_list, yes_no
from bot.registry import CommandSet, Field, FormSpec
from bot.reply import Reply
from bot.services import Request, Services
from handlers.consultations.kernel import (
    ADD_EXAMPLE,
    CLOSES_HINT,
    TOPIC,
    audience_words,
    closing_note,
    days_left,
    parse_closing,
    plan_section,
)
from storage import consultations as repo
from storage.consultation_posts import POST_TIME, reminder_days
from storage.directory import PHASES, all_groups

commands = CommandSet(*TOPIC)


async def parse_opening(text: str | None, *, req: Request, svc: Services) -> Resolved:
    """Now, or 09:00 on a later day (the launch post goes then); a typed time is read as
    `parse_closing` reads one."""
    if not text:
        return Resolved(req.now)
    opening, has_time = parse_instant(
        text,
        now=req.now,
        tz=svc.tz,
        terms=await svc.terms(),
        default_time=POST_TIME,
        later=wants_later(req.args.opt("confirm")),
        option="opens",
    )
    day = to_local(opening.at, svc.tz).date()
    today = to_local(req.now, svc.tz).date()
    if day < today:
        raise UserError(
            f"opens:{text} is in the past.", hint="Leave opens: out to open it now.", field="opens"
        )
    if day == today and not has_time:
        return Resolved(req.now)
    return Resolved(max(opening.at, req.now), opening.note)


async def parse_audience(svc: Services, value: str | None) -> list[str]:
    """`board,primary` -> ['group:board', 'phase:primary']; anything unknown is refused."""
    groups = await all_groups(svc.session)
    by_name = {g.name.lower(): g.name for g in groups} | {g.title.lower(): g.name for g in groups}
    audience, unknown = [], []
    for item in split_list(value or "everyone"):
        key = item.lower().lstrip("#")
        if key in ("everyone", "all"):
            audience.append("everyone")
        elif key in PHASES:
            audience.append(f"phase:{key}")
        elif key in by_name:
            audience.append(f"group:{by_name[key]}")
        else:
            unknown.append(item)
    if unknown:
        raise UserError(
            f"I don't know the audience {', '.join(unknown)}. An audience is groups "
            f"({', '.join(sorted(g.name for g in groups)) or 'none yet'}), "
            f"phases ({', '.join(PHASES)}) or everyone.",
            example=ADD_EXAMPLE,
            field="audience",
        )
    return list(dict.fromkeys(audience))


def parse_reminders(value: str | None) -> str:
    if value is None:
        return repo.DEFAULT_REMINDERS
    try:
        days = reminder_days(value)
    except ValueError as exc:
        raise UserError(
            f"reminders:{value} - {exc} is not a number of days before the close.",
            hint="Use days or weeks, comma-separated; the closing morning is always included.",
            example="reminders:14d,7d,2d,1d",
            field="reminders",
        ) from None
    return ",".join(f"{d}d" for d in days) or "none"


def parse_yes_no(value: str | None, *, option: str) -> bool:
    return yes_no(value, field=option, default=False)


@commands.command(
    "consultation add",
    summary="Open a consultation: posts at launch, countdown reminders, and at close "
    "(staff); with nothing after it, a form",
    usage='consultation add "Title" closes:<date|"end of term"> [audience:<groups, phases or '
    'everyone>] [link:<url>] [summary:"..."] [opens:<date>] [reminders:14d,7d,2d,1d] '
    "[nudge:yes|no] [confirm:later]",
    examples=[ADD_EXAMPLE],
    options={"closes", "opens", "audience", "link", "summary", "reminders", "nudge", "confirm"},
    writes=True,
    form=FormSpec(
        title="Open a consultation",
        submit="Open",
        fields=(
            Field("title", "Title", required=True, positional=True),
            Field("closes", "Closes", required=True, hint=CLOSES_HINT),
            Field(
                "audience",
                "Audience",
                value="everyone",
                hint="groups (board, attendance), phases (primary) or everyone, with commas",
            ),
            Field("link", "Where to respond", placeholder="https://example.org/c"),
            Field("summary", "Summary", kind="textarea"),
            Field("opens", "Opens (leave empty for now)", kind="date"),
            Field(
                "reminders",
                "Reminders before the close",
                value=repo.DEFAULT_REMINDERS,
                hint="days before the close, with commas: 14d,7d,2d,1d (or none)",
            ),
            Field("nudge", "Nudge those not yet responded by direct message", kind="checkbox"),
        ),
    ),
)
async def consultation_add(req: Request, svc: Services) -> Reply:
    title = (req.args.text() or "").strip()
    if not title:
        raise UserError(
            "Give the consultation a title in quotes.", example=ADD_EXAMPLE, field="title"
        )
    if len(title) > 200:
        raise UserError("The title is too long (at most 200 characters).", field="title")
    if not req.args.opt("closes"):
        raise UserError(
            'When does it close? Give closes: a date, or "end of term".',
            example=ADD_EXAMPLE,
            field="closes",
        )
    link = req.args.opt("link")
    if link and (not link.startswith(("http://", "https://")) or len(link) > 1000):
        raise UserError(
            f"link:{link} is not a web address.", example="link:https://example.org/c", field="link"
        )
    audience = await parse_audience(svc, req.args.opt("audience"))
    opening = await parse_opening(req.args.opt("opens"), req=req, svc=svc)
    closes_text = req.args.opt("closes") or ""
    closing = await parse_closing(closes_text, req=req, svc=svc, option="closes")
    opens, closes = opening.at, closing.at
    notes = [n for n in (opening.note, closing.note) if n]
    if closes <= opens:
        raise UserError(
            f"closes:{closes_text} ({format_when(closes, svc.tz)}) is before the consultation "
            f"opens ({format_when(opens, svc.tz)}).",
            example=ADD_EXAMPLE,
            field="closes",
        )
    c = await repo.add_consultation(
        svc.session,
        title=title,
        summary=req.args.opt("summary"),
        link=link,
        opens_at=opens,
        closes_at=closes,
        audience=audience,
        owner_id=req.actor.id,
        reminders=parse_reminders(req.args.opt("reminders")),
        nudge=parse_yes_no(req.args.opt("nudge"), option="nudge"),
        revision=1,
        planned_since=req.now,
        created_at=req.now,
    )
    reply = Reply(
        text=f'Consultation #{c.id} added: "{c.title}", closes {format_when(c.closes_at, svc.tz)}'
        f" ({days_left(c, now=req.now, svc=svc)} left). Audience: {audience_words(audience)}."
        + await closing_note(closes, svc=svc)
        + "".join(f" {n}" for n in notes),
        subject=("consultation", c.id),
    )
    return reply.add(await plan_section(c, req=req, svc=svc, launching=opens <= req.now))

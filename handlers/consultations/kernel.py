"""Consultations' shared rules: the closing date, the audience in words, one consultation by
number, the days left and the posts still to come. Used by every consultation command module;
imports none of them.

The posts themselves (launch, countdown, close) are made by scheduled/consultations.py as they
fall due, from the plan in storage/consultation_posts.py.
"""

from __future__ import annotations

from datetime import datetime, time

from bot.dates import Resolved, format_when, parse_instant, to_local, wants_later
from bot.errors import UserError
from bot.registry import Field
from bot.reply import Section
from bot.services import Request, Services
from handlers.terms import deadline_note
from storage import consultations as repo
from storage.consultation_posts import PlannedPost, channels_for, describe_post, upcoming
from storage.consultations import Consultation
from storage.directory import Person

ADD_EXAMPLE = (
    'consultation add "Partnership design" closes:"end of term" audience:board '
    "link:https://example.org/c"
)

# the help topic of every command module in the package
TOPIC = ("consultations", "Consultations and their deadlines")


CLOSE_TIME = time(17, 0)  # a closing date without a time closes at the end of the working day


async def parse_closing(text: str, *, req: Request, svc: Services, option: str) -> Resolved:
    """A closing instant: a date (17:00 that day), a date and time, or "end of term"; a time
    the clocks skip is refused, one they repeat is the first unless `confirm:later` (the
    result's note says so)."""
    closes, _ = parse_instant(
        text,
        now=req.now,
        tz=svc.tz,
        terms=await svc.terms(),
        default_time=CLOSE_TIME,
        later=wants_later(req.args.opt("confirm")),
        option=option,
    )
    if closes.at <= req.now:
        raise UserError(
            f"{option}:{text} has already passed ({format_when(closes.at, svc.tz)}).",
            example=ADD_EXAMPLE,
            field=option,
        )
    return closes


async def closing_note(closes: datetime, *, svc: Services) -> str:
    """A warning when the closing day is one schools are closed on (accepted all the same)."""
    local = to_local(closes, svc.tz)
    opens = svc.settings.office.opens
    return deadline_note(
        await svc.terms(),
        local.date(),
        then="It closes then all the same; the closing-day post goes that morning "
        f"({opens:%H:%M}).",
    )


def audience_words(audience: list[str]) -> str:
    words = []
    for a in audience:
        if a == "everyone":
            words.append("everyone")
        elif a.startswith("phase:"):
            words.append(f"{a.split(':', 1)[1]} schools")
        else:
            words.append(a.split(":", 1)[1])
    return ", ".join(words)


async def consultation_choices(svc: Services, actor: Person) -> list[tuple[str, str]]:
    """The consultation picker: open ones, closing soonest first."""
    found = await repo.open_consultations(svc.session, now=svc.now())
    return [(str(c.id), f"#{c.id} {c.title}") for c in found[:60]]


CONSULTATION = Field(
    "consultation",
    "Consultation",
    required=True,
    positional=True,
    id=True,
    picker=consultation_choices,
)
CLOSES_HINT = "15/12/2023, 15/12/2023 17:00, next Friday or end of term"


async def consultation_at(req: Request, svc: Services, index: int, example: str) -> Consultation:
    number = req.args.int_at(index, what="consultation", example=example)
    return await repo.get_consultation(svc.session, number)


def days_left(c: Consultation, *, now: datetime, svc: Services) -> str:
    if not c.is_open(now):
        return "closed"
    days = (to_local(c.closes_at, svc.tz).date() - to_local(now, svc.tz).date()).days
    return "today" if days == 0 else "1 day" if days == 1 else f"{days} days"


async def plan_section(
    c: Consultation, *, req: Request, svc: Services, launching: bool = False
) -> Section:
    """The posts still to come, so staff can see what the bot will say and when."""
    posts = upcoming(
        c,
        now=req.now,
        tz=svc.tz,
        terms=await svc.terms(),
        day_starts=svc.settings.office.opens,
    )
    if launching:
        posts.insert(0, PlannedPost("launch", req.now))
    channels = ", ".join(channels_for(c.audience, svc.settings))
    lines = [describe_post(p, svc.tz) for p in posts]
    if c.nudge:
        lines.append("Each reminder also nudges, by direct message, those not yet responded.")
    return Section(title=f"Posts to {channels}", text="\n".join(lines) or "none still to come")

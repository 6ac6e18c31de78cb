"""Changing a consultation's dates: extend it (reminders re-planned) or close it now.

Registered by handlers/consultations/__init__.py (same topic). Both cancel what the old plan had
queued; scheduled/consultations.py plans the posts again from the new dates.
"""

from __future__ import annotations

from bot.dates import format_when
from bot.errors import UserError
from bot.registry import CommandSet, Field, FormSpec
from bot.reply import Reply
from bot.services import Request, Services
from handlers.consultations.kernel import (
    ADD_EXAMPLE,
    CLOSES_HINT,
    CONSULTATION,
    TOPIC,
    closing_note,
    consultation_at,
    days_left,
    parse_closing,
    plan_section,
)
from storage import consultations as repo
from storage.consultation_posts import channels_for, enqueue_closed, post_to_channels
from storage.outbox import cancel_pending

commands = CommandSet(*TOPIC)


@commands.command(
    "consultation extend",
    summary="Move a consultation's closing date later; the reminders are re-planned",
    usage="consultation extend <id> closes:<date> [confirm:later]",
    examples=["consultation extend 2 closes:12/01/2024"],
    options={"closes", "confirm"},
    writes=True,
    form=FormSpec(
        title="Extend consultation {id}",
        submit="Extend",
        fields=(CONSULTATION, Field("closes", "New closing date", required=True, hint=CLOSES_HINT)),
    ),
)
async def consultation_extend(req: Request, svc: Services) -> Reply:
    example = "consultation extend 2 closes:12/01/2024"
    c = await consultation_at(req, svc, 0, example)
    if c.closed_at is not None:
        raise UserError(
            f"Consultation #{c.id} was closed {format_when(c.closed_at, svc.tz)}; "
            "it cannot be extended.",
            hint="Add a new consultation instead.",
            example=ADD_EXAMPLE,
        )
    text = req.args.opt("closes")
    if not text:
        raise UserError("Give the new closing date as closes:", example=example, field="closes")
    closing = await parse_closing(text, req=req, svc=svc, option="closes")
    closes = closing.at
    if closes <= c.closes_at:
        raise UserError(
            f"closes:{text} is not later than the current close "
            f"({format_when(c.closes_at, svc.tz)}).",
            hint=f"To end it now: consultation close {c.id}",
            example=example,
            field="closes",
        )
    cancelled = await cancel_pending(
        svc.session, prefix=c.key_prefix, reason="consultation extended"
    )
    was_closed = c.closes_at <= req.now
    c.revision += 1
    c.closes_at = closes
    c.planned_since = req.now
    if c.opens_at <= req.now:
        word = "reopened" if was_closed else "extended"
        note = Reply(
            text=f'Consultation #{c.id} "{c.title}" is {word}: it now closes '
            f"{format_when(closes, svc.tz)}.",
            private=False,
        )
        await post_to_channels(
            svc.session,
            c,
            key=f"{c.key_prefix}extended",
            reply=note,
            due_at=req.now,
            settings=svc.settings,
        )
    reply = Reply(
        text=f"Consultation #{c.id} now closes {format_when(closes, svc.tz)} "
        f"({days_left(c, now=req.now, svc=svc)} left); reminders re-planned"
        + (f", {cancelled} queued post(s) withdrawn." if cancelled else ".")
        + await closing_note(closes, svc=svc)
        + (f" {closing.note}" if closing.note else ""),
        subject=("consultation", c.id),
    )
    return reply.add(await plan_section(c, req=req, svc=svc))


@commands.command(
    "consultation close",
    summary="Close a consultation now; its reminders stop and the closing post goes out",
    usage="consultation close <id> [confirm:yes]",
    examples=["consultation close 2 confirm:yes"],
    writes=True,
    form=FormSpec(
        title="Close consultation {id} now",
        submit="Close it now",
        intro="Its reminders stop and the closing post goes out at once.",
        asks=True,
        fields=(CONSULTATION,),
    ),
)
async def consultation_close(req: Request, svc: Services) -> Reply:
    c = await consultation_at(req, svc, 0, "consultation close 2")
    if not c.is_open(req.now):
        raise UserError(
            f"Consultation #{c.id} already closed {format_when(c.ended_at(), svc.tz)}.",
            example=f"consultation responses {c.id}",
        )
    c.closed_at = req.now
    await cancel_pending(svc.session, prefix=f"consultation:{c.id}:", reason="consultation closed")
    await enqueue_closed(svc.session, c, settings=svc.settings, due_at=req.now)
    count = len(await repo.responses_to(svc.session, c.id))
    return Reply(
        text=f'Consultation #{c.id} "{c.title}" is closed, with {count} response(s). '
        "No more reminders will go; the closing post goes to "
        f"{', '.join(channels_for(c.audience, svc.settings))}.",
        subject=("consultation", c.id),
    )

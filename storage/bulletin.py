"""The Opportunities Bulletin's editions: what goes in one, shaped for each reader, stored with
what went to whom and queued in the outbox.

Each edition holds what is new since the last one plus what closes within 7 days, filtered per
reader. The clock (scheduled/opportunities.py) and `bulletin preview` / `bulletin send` use the
same functions, so a preview shows exactly what the clock sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import format_date
from bot.reply import Actions, Button, Reply, Section
from bot.settings import Settings
from storage.directory import Person
from storage.opportunities import (
    CHANNEL_AUDIENCE,
    WEEKDAYS,
    Audience,
    BulletinDelivery,
    BulletinEdition,
    BulletinSettings,
    Opportunity,
    audience_of,
    bulletin_settings,
    claim_edition,
    dm_readers,
    last_edition,
    open_opportunities,
)
from storage.outbox import enqueue, group_target, person_target

CLOSING_SOON = timedelta(days=7)
NUDGE_BEFORE = timedelta(days=3)


def iso_week(day: date) -> str:
    """`2024-W02`: the edition's stored name and the middle of its outbox keys (not shown)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def edition_label(week: str) -> str:
    """What people read for an edition's week: `edition of Mon 30 Nov 2026` for `2026-W48`.

    The date is the Monday of the ISO week the edition was stored under (`iso_week`)."""
    year, number = week.split("-W")
    monday = date.fromisocalendar(int(year), int(number), 1)
    return f"edition of {monday:%a} {monday.day} {monday:%b %Y}"


def channel_name(bs: BulletinSettings, settings: Settings) -> str:
    return bs.channel or settings.bulletin_channel


@dataclass
class Contents:
    """The opportunities an edition may carry, before filtering for a reader."""

    closing_soon: list[Opportunity]
    new: list[Opportunity]
    since: BulletinEdition | None

    def for_audience(self, audience: Audience) -> Contents:
        return Contents(
            [o for o in self.closing_soon if audience.sees(o)],
            [o for o in self.new if audience.sees(o)],
            self.since,
        )

    @property
    def all(self) -> list[Opportunity]:
        return self.closing_soon + self.new


async def contents(session: AsyncSession, *, today: date) -> Contents:
    """New since the last edition (every open one before the first) plus closing within 7 days."""
    previous = await last_edition(session)
    opps = await open_opportunities(session, today=today)
    soon = [o for o in opps if o.closes_on is not None and o.closes_on <= today + CLOSING_SOON]
    fresh = [
        o
        for o in opps
        if o not in soon and (previous is None or o.created_at > previous.created_at)
    ]
    return Contents(soon, fresh, previous)


def describe(opp: Opportunity) -> str:
    """One line per opportunity: plain text (renderers escape it)."""
    bits = [f"#{opp.id} {opp.title}"]
    if opp.closes_on:
        bits.append(f"closes {format_date(opp.closes_on)}")
    bits.append(", ".join(opp.phases))
    if opp.subscribers_only:
        bits.append("subscribers only")
    line = " · ".join(bits)
    if opp.link:
        line += f"\n   {opp.link}"
    return line


def compose(
    found: Contents, *, week_of: date, edition_id: int | None, for_whom: str, dm: bool
) -> Reply:
    """The bulletin as a Reply: closing soon first, then the new ones grouped by tag."""
    name = f" (edition #{edition_id})" if edition_id else " (preview)"
    reply = Reply(
        text=f"Opportunities Bulletin, week of {format_date(week_of)}{name}\nFor {for_whom}.",
        private=dm,
    )
    if found.closing_soon:
        reply.add(
            Section(title="Closing soon", text="\n".join(describe(o) for o in found.closing_soon))
        )
    by_tag: dict[str, list[Opportunity]] = {}
    for opp in found.new:
        by_tag.setdefault(opp.tags[0] if opp.tags else "other", []).append(opp)
    for tag in sorted(by_tag, key=lambda t: (t == "other", t)):
        reply.add(Section(title=f"New: {tag}", text="\n".join(describe(o) for o in by_tag[tag])))
    buttons = [Button("All opportunities", "opps")]
    if dm:
        buttons.append(Button("Unsubscribe", "bulletin unsubscribe"))
    return reply.add(Actions(buttons))


@dataclass
class Copy:
    """One reader's copy of an edition: the channel, or one person by DM."""

    target: str
    for_whom: str
    found: Contents
    dm: bool


async def copies(session: AsyncSession, *, today: date, settings: Settings) -> list[Copy]:
    """Every non-empty copy: the channel's, then each DM reader's."""
    found = await contents(session, today=today)
    bs = await bulletin_settings(session)
    channel = channel_name(bs, settings)
    out = [Copy(group_target(channel), f"#{channel}: {CHANNEL_AUDIENCE.label}", found, dm=False)]
    out[0].found = found.for_audience(CHANNEL_AUDIENCE)
    for person in await dm_readers(session):
        audience = audience_of(person)
        out.append(
            Copy(
                person_target(person.id),
                f"{person.name} ({audience.label})",
                found.for_audience(audience),
                dm=True,
            )
        )
    return [c for c in out if c.found.all]


async def send_edition(
    session: AsyncSession,
    *,
    now: datetime,
    settings: Settings,
    week_of: date,
    sent_by: Person | None = None,
) -> tuple[BulletinEdition | None, list[Copy]]:
    """Store the edition and queue one copy per reader; None when there is nothing to send."""
    today = now.astimezone(settings.tz).date()
    readers = await copies(session, today=today, settings=settings)
    if not readers:
        return None, []
    week_of -= timedelta(days=week_of.weekday())
    week = iso_week(week_of)
    ids = sorted({o.id for c in readers for o in c.found.all})
    edition = await claim_edition(
        session, week=week, at=now, sent_by_id=sent_by.id if sent_by else None, ids=ids
    )
    if edition is None:  # another clock (or a staff member) got there first
        return None, []
    for copy in readers:
        key = f"bulletin:{week}:{copy.target}"
        reply = compose(
            copy.found, week_of=week_of, edition_id=edition.id, for_whom=copy.for_whom, dm=copy.dm
        )
        await enqueue(session, key=key, target=copy.target, reply=reply, due_at=now)
        session.add(
            BulletinDelivery(
                edition_id=edition.id,
                target=copy.target,
                opportunity_ids=[o.id for o in copy.found.all],
                outbox_key=key,
            )
        )
    await session.flush()
    return edition, readers


def scheduled_day(today: date, bs: BulletinSettings) -> date:
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(days=WEEKDAYS.index(bs.day))

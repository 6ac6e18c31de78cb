"""Every command example in the design notes (shared/DESIGN.md, beside this repository), as
written, through the router after the full demo.

The demo is loaded as of Friday 1 December 2023 so the examples' dates (December 2023,
January 2024) lie ahead, as they did for the partnership.
"""

from __future__ import annotations

import pytest

from bot.app import BotContext
from bot.demo import load_demo
from bot.render.text import render_text
from tests.conftest import Asker

STAFF = "sam@learnsheffield.co.uk"
HEAD = "jo@hillside.sch.uk"
ADMIN = "alex@learnsheffield.co.uk"
CHAIR = "dan@sheffield.gov.uk"

# (who, command, something the reply must say)
EXAMPLES = [
    (HEAD, "help", "meetings"),
    (HEAD, "help meetings", "meeting add"),
    (HEAD, "whoami", "Jo Bloggs"),
    (HEAD, "groups", "attendance"),
    (HEAD, "group attendance", "Dan Cooper"),
    (
        ADMIN,
        'person add "Jo Bloggs" email:jo@hillside.sch.uk role:head org:"Hillside Primary"',
        "#",
    ),
    (
        STAFF,
        'meeting add "Attendance working group" group:attendance on:"15/12/2023 10:00" '
        'until:12:00 place:"Albion House"',
        "#3",
    ),
    (HEAD, "meetings", "Attendance working group"),
    (HEAD, "meeting 3", "Albion House"),
    (HEAD, "rsvp 3 yes", "#3"),
    (HEAD, 'apologies 3 "Ofsted visit"', "#3"),
    (STAFF, 'meeting move 3 on:"12/01/2024 10:00"', "12 Jan 2024"),
    (STAFF, 'agenda 3 add "Persistent absence: core cities comparison"', "#3"),
    (STAFF, 'minutes 3 "ACTION: @jo circulate PA figures by 12/01/2024"', "Jo Bloggs: Circulate"),
    (
        CHAIR,
        'action add "Circulate PA figures to heads" owner:@jo due:12/01/2024 group:attendance',
        "#",
    ),
    (HEAD, "actions", "Circulate PA figures"),
    (HEAD, "actions group:attendance", "Circulate PA figures"),
    (HEAD, "action snooze 7 1w", "#7"),
    (CHAIR, "action reassign 7 @sam", "Sam Patel"),
    (STAFF, "action done 7", "#7"),
    (
        STAFF,
        'opp add "Funded NPQ places" closes:31/01/2024 phase:primary,secondary tags:training '
        "link:https://example.org/npq",
        "#",
    ),
    (
        STAFF,
        'opp add "Leadership network" closes:28/02/2024 phase:all subscribers:only '
        "link:https://example.org/n",
        "#",
    ),
    (HEAD, "opps phase:primary", "Funded NPQ places"),
    (STAFF, "bulletin preview as:@jo", "Jo Bloggs"),
    (STAFF, "bulletin send", "edition"),
    (HEAD, "bulletin unsubscribe", "bulletin"),
    (
        HEAD,
        'support crisis "Head unexpectedly absent; interim leadership advice needed today"',
        "#12",
    ),
    (HEAD, "support mine", "#12"),
    (STAFF, "triage", "#12"),
    (STAFF, "triage ack 12", "#12"),
    (STAFF, "triage assign 12 @sam", "Sam Patel"),
    (STAFF, 'triage resolve 12 "Adviser visited"', "#12"),
    (STAFF, 'entitlement org:"Hillside Primary"', "Hillside Primary"),
    (HEAD, "attendance Sheffield secondary 2018/19", "15.3%"),
    (HEAD, "attendance compare Sheffield Leeds", "Leeds"),
    (HEAD, "attendance core-cities", "of 8"),
    (
        STAFF,
        'consultation add "Partnership design" closes:"end of term" audience:board '
        "link:https://example.org/c",
        "#2",
    ),
    (HEAD, "consultations", "Partnership design"),
    (STAFF, "consultation extend 2 closes:12/01/2024", "12 Jan 2024"),
    (STAFF, 'schedule add "Board papers are out" channel:board on:"Mon 09:00" every:week', "#"),
    (STAFF, "schedules", "Board papers are out"),
]


@pytest.fixture
async def demo(ask: Asker) -> Asker:
    await load_demo(ask.ctx.router, now=ask.ctx.clock.now())
    return ask


async def test_every_design_example_works_as_written(demo: Asker) -> None:
    for who, command, expected in EXAMPLES:
        reply = await demo(who, command)
        text = render_text(reply)
        assert not reply.error, f"{command!r} as {who}: {text}"
        assert expected in text, f"{command!r} as {who}: expected {expected!r} in:\n{text}"


async def test_demo_is_idempotent_and_complete(demo: Asker) -> None:
    ctx: BotContext = demo.ctx
    again = await load_demo(ctx.router, now=ctx.clock.now())
    assert all("already loaded" in line or line.startswith("directory") for line in again)
    help_text = render_text(await demo(HEAD, "help"))
    for topic in ("meetings", "actions", "opportunities", "support", "attendance", "consultations"):
        assert topic in help_text

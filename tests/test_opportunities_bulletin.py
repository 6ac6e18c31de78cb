"""The bulletin: one copy per reader shaped for them, term weeks only, never twice."""

from __future__ import annotations

from datetime import date

from bot.render.text import render_text
from storage.bulletin import send_edition
from storage.directory import person_by_email
from tests.conftest import Asker, london, outbox_rows, run_tick

SAM = "sam@learnsheffield.co.uk"
ALEX = "alex@learnsheffield.co.uk"
JO = "jo@hillside.sch.uk"  # head, Hillside Primary: primary, subscriber
HELEN = "helen@steelcity.sch.uk"  # head, Steel City Secondary: secondary, not a subscriber
AMY = "amy@hillside.sch.uk"  # member at Hillside: no DM unless she subscribes

OPPORTUNITIES = [
    'opp add "Primary phonics training" closes:31/01/2024 phase:primary tags:training',
    'opp add "Secondary maths hub" closes:31/01/2024 phase:secondary tags:projects',
    'opp add "Heads leadership network" closes:28/02/2024 phase:all subscribers:only',
    'opp add "Attendance champions" closes:31/01/2024 phase:all tags:training',
]
MONDAY = london(2023, 12, 4, 8, 0)  # term time


async def post_all(ask: Asker) -> None:
    for text in OPPORTUNITIES:
        await ask.ok(SAM, text)


async def pid(ask: Asker, email: str) -> int:
    async with ask.ctx.db.session() as session:
        person = await person_by_email(session, email)
        assert person is not None
        return person.id


async def copies(ask: Asker, week: str) -> dict[str, str]:
    """target -> text of each reader's copy of that week's edition."""
    rows = await outbox_rows(ask.ctx, prefix=f"bulletin:{week}:")
    return {r.target: r.text for r in rows if ":empty:" not in r.key}


async def test_each_reader_gets_their_own_copy(ask: Asker) -> None:
    await post_all(ask)
    await run_tick(ask.ctx, MONDAY)
    got = await copies(ask, "2023-W49")
    jo = got[f"person:{await pid(ask, JO)}"]
    assert "Primary phonics training" in jo and "Attendance champions" in jo
    assert "Heads leadership network" in jo  # subscriber-only, and Hillside subscribes
    assert "Secondary maths hub" not in jo
    helen = got[f"person:{await pid(ask, HELEN)}"]
    assert "Secondary maths hub" in helen and "Attendance champions" in helen
    assert "Primary phonics training" not in helen and "Heads leadership network" not in helen
    channel = got["group:bulletin"]
    assert "Attendance champions" in channel
    assert "Heads leadership network" not in channel and "Primary phonics training" not in channel
    assert f"person:{await pid(ask, AMY)}" not in got  # members opt in


async def test_tick_on_monday_sends_one_per_reader_once_and_none_in_holidays(ask: Asker) -> None:
    await post_all(ask)
    await run_tick(ask.ctx, london(2023, 12, 4, 7, 59))
    assert await copies(ask, "2023-W49") == {}
    await run_tick(ask.ctx, MONDAY)
    await run_tick(ask.ctx, london(2023, 12, 4, 8, 5))
    await run_tick(ask.ctx, london(2023, 12, 5, 8, 0))
    rows = await outbox_rows(ask.ctx, prefix="bulletin:2023-W49:")
    targets = [r.target for r in rows]
    assert len(targets) == len(set(targets)) and "group:bulletin" in targets
    assert all(r.key == f"bulletin:2023-W49:{r.target}" for r in rows)
    assert all(r.state == "sent" for r in rows)
    await ask.ok(SAM, 'opp add "Christmas course" closes:31/01/2024 phase:all')
    await run_tick(ask.ctx, london(2023, 12, 25, 8, 0))  # Christmas holidays
    assert await outbox_rows(ask.ctx, prefix="bulletin:2023-W52:") == []
    await run_tick(ask.ctx, london(2024, 1, 8, 8, 0))  # first week of spring term
    assert "Christmas course" in (await copies(ask, "2024-W02"))["group:bulletin"]
    await ask.ok(SAM, 'opp add "Half-term course" closes:31/03/2024 phase:all')
    await run_tick(ask.ctx, london(2024, 2, 12, 8, 0))  # February half term
    assert await outbox_rows(ask.ctx, prefix="bulletin:2024-W07:") == []


async def test_an_empty_week_sends_nothing_and_tells_staff(ask: Asker) -> None:
    await run_tick(ask.ctx, MONDAY)
    rows = await outbox_rows(ask.ctx, prefix="bulletin:")
    assert rows and all(":empty:" in r.key for r in rows)
    staff = {f"person:{await pid(ask, SAM)}", f"person:{await pid(ask, ALEX)}"}
    assert staff <= {r.target for r in rows}
    assert f"person:{await pid(ask, JO)}" not in {r.target for r in rows}
    assert "nothing was sent" in rows[0].text
    assert "(edition of Mon 4 Dec 2023)" in rows[0].text and "-W" not in rows[0].text
    await run_tick(ask.ctx, london(2023, 12, 4, 9, 0))
    assert len(await outbox_rows(ask.ctx, prefix="bulletin:")) == len(rows)
    reply = await ask.ok(SAM, "bulletin send")
    assert "Nothing to send" in reply.text


async def test_no_edition_twice_and_the_next_holds_what_is_new_or_closing(ask: Asker) -> None:
    await post_all(ask)
    sent = await ask.ok(SAM, "bulletin send")
    # editions are named by their week in UK dates, never an ISO week number
    assert "edition #1 (edition of Mon 27 Nov 2023)" in sent.text and "W48" not in sent.text
    again = await ask.ok(SAM, "bulletin send")
    assert "already went out" in again.text and "edition of Mon 27 Nov 2023" in again.text
    shown = render_text(await ask.ok(SAM, "bulletin 1"))
    assert "edition of Mon 27 Nov 2023" in shown and "W48" not in shown
    assert len(await outbox_rows(ask.ctx, prefix="bulletin:2023-W48:group:")) == 1
    # Monday: nothing new since Friday's edition and nothing closing within 7 days
    await run_tick(ask.ctx, MONDAY)
    assert await copies(ask, "2023-W49") == {}
    ask.ctx.clock.set(london(2023, 12, 5, 10, 0))
    await ask.ok(SAM, 'opp add "Governor training" closes:31/01/2024 phase:all')
    # Tuesday: this week's edition went on Monday, so the preview is of next week's
    preview = render_text(await ask.ok(SAM, "bulletin preview"))
    assert "week of Mon 11 Dec 2023" in preview, preview
    await run_tick(ask.ctx, london(2023, 12, 11, 8, 0))
    channel = (await copies(ask, "2023-W50"))["group:bulletin"]
    assert "Governor training" in channel and "Attendance champions" not in channel
    # late January: what closes within 7 days comes first, then what is new
    ask.ctx.clock.set(london(2024, 1, 26, 9, 0))
    await ask.ok(SAM, 'opp add "Supply cover fund" closes:30/03/2024 phase:all')
    await run_tick(ask.ctx, london(2024, 1, 29, 8, 0))
    channel = (await copies(ask, "2024-W05"))["group:bulletin"]
    assert channel.index("Closing soon") < channel.index("Attendance champions")
    assert channel.index("Attendance champions") < channel.index("Supply cover fund")
    # a second clock racing for the same week finds it taken and queues nothing
    before = len(await outbox_rows(ask.ctx, prefix="bulletin:2024-W05:"))
    async with ask.ctx.db.session() as session:
        edition, _ = await send_edition(
            session,
            now=london(2024, 1, 29, 8, 1),
            settings=ask.ctx.settings,
            week_of=date(2024, 1, 29),
        )
    assert edition is None
    assert len(await outbox_rows(ask.ctx, prefix="bulletin:2024-W05:")) == before


async def test_subscribe_and_unsubscribe(ask: Asker) -> None:
    await post_all(ask)
    assert "will not get" in (await ask.ok(JO, "bulletin unsubscribe")).text
    assert "will get" in (await ask.ok(AMY, "bulletin subscribe")).text
    await run_tick(ask.ctx, MONDAY)
    got = await copies(ask, "2023-W49")
    assert f"person:{await pid(ask, JO)}" not in got
    assert "Heads leadership network" in got[f"person:{await pid(ask, AMY)}"]
    assert "do not get it by DM" in render_text(await ask.ok(JO, "bulletin"))


async def test_preview_matches_the_reader_and_is_staff_only_for_others(ask: Asker) -> None:
    await post_all(ask)
    preview = render_text(await ask.ok(SAM, "bulletin preview as:@jo"))
    assert "Jo Bloggs" in preview and "Heads leadership network" in preview
    assert "Secondary maths hub" not in preview
    assert "(preview)" in preview
    channel = render_text(await ask.ok(SAM, "bulletin preview as:channel"))
    assert "Heads leadership network" not in channel and "Attendance champions" in channel
    mine = render_text(await ask.ok(HELEN, "bulletin preview"))
    assert "Secondary maths hub" in mine and "Heads leadership network" not in mine
    denied = await ask(HELEN, "bulletin preview as:@jo")
    assert denied.error and "staff" in denied.text
    assert await outbox_rows(ask.ctx, prefix="bulletin:") == []  # a preview sends nothing


async def test_a_head_refused_someone_elses_preview_is_shown_how_to_see_their_own(
    ask: Asker,
) -> None:
    denied = await ask(HELEN, "bulletin preview as:@jo")
    assert denied.error and "Only Learn Sheffield staff" in denied.text
    assert "preview your own" in denied.text
    assert "Example: bulletin preview" in denied.text and "as:" not in denied.text.split("\n")[-1]
    assert not (await ask(HELEN, "bulletin preview")).error  # the example works as written


async def test_an_edition_is_stored_and_viewable(ask: Asker) -> None:
    await post_all(ask)
    await ask.ok(SAM, "bulletin send")
    staff_view = render_text(await ask.ok(SAM, "bulletin 1"))
    assert "#bulletin" in staff_view and "Jo Bloggs" in staff_view and "Helen Wright" in staff_view
    assert "sent by Sam Patel" in staff_view
    helen_view = render_text(await ask.ok(HELEN, "bulletin 1"))
    assert "your copy" in helen_view and "Secondary maths hub" in helen_view
    assert "Jo Bloggs" not in helen_view and "Heads leadership network" not in helen_view
    missing = await ask(SAM, "bulletin 9")
    assert missing.error and "no bulletin edition #9" in missing.text


async def test_settings_move_the_day_and_check_their_input(ask: Asker) -> None:
    await post_all(ask)
    saved = await ask.ok(SAM, "bulletin settings day:wednesday time:09:30 channel:board")
    assert "Wednesday at 09:30" in saved.text and "#board" in saved.text
    await run_tick(ask.ctx, MONDAY)
    assert await copies(ask, "2023-W49") == {}
    await run_tick(ask.ctx, london(2023, 12, 6, 9, 30))
    assert "group:board" in await copies(ask, "2023-W49")
    bad_day = await ask(SAM, "bulletin settings day:someday")
    assert bad_day.error and "monday" in bad_day.text
    bad_channel = await ask(SAM, "bulletin settings channel:nowhere")
    assert bad_channel.error and "nowhere" in bad_channel.text
    assert (await ask(JO, "bulletin settings day:friday")).error  # staff only


async def test_bulletin_time_is_local_time_in_summer(ask: Asker) -> None:
    ask.ctx.clock.set(london(2024, 5, 31, 9, 0))
    await ask.ok(SAM, 'opp add "Summer school places" closes:31/07/2024 phase:all')
    await run_tick(ask.ctx, london(2024, 6, 3, 7, 59))  # 06:59 UTC
    assert await copies(ask, "2024-W23") == {}
    await run_tick(ask.ctx, london(2024, 6, 3, 8, 0))  # 07:00 UTC, 08:00 in Sheffield
    assert "Summer school places" in (await copies(ask, "2024-W23"))["group:bulletin"]

"""Opportunities: posting, who sees what in `opps`, editing, withdrawing, expiry, bad input."""

from __future__ import annotations

from bot.reply import Form
from tests.conftest import Asker, london, outbox_rows, run_tick

SAM = "sam@learnsheffield.co.uk"
JO = "jo@hillside.sch.uk"  # head, Hillside Primary (primary, subscriber)
HELEN = "helen@steelcity.sch.uk"  # head, Steel City Secondary (secondary, not a subscriber)

NPQ = (
    'opp add "Funded NPQ places" closes:31/01/2024 phase:primary,secondary tags:training '
    "link:https://example.org/npq"
)
NETWORK = (
    'opp add "Leadership network" closes:28/02/2024 phase:all subscribers:only '
    "link:https://example.org/n"
)


async def test_design_examples_post_and_list(ask: Asker) -> None:
    first = await ask.ok(SAM, NPQ)
    assert "#1" in first.text and "Funded NPQ places" in first.text
    second = await ask.ok(SAM, NETWORK)
    assert "#2" in second.text
    jo = await ask.ok(JO, "opps phase:primary")
    assert "Funded NPQ places" in _text(jo) and "Leadership network" in _text(jo)
    helen = await ask.ok(HELEN, "opps phase:primary")
    assert "Funded NPQ places" in _text(helen)
    assert "Leadership network" not in _text(helen)  # subscribers only
    assert "Leadership network" in _text(await ask.ok(JO, "opp 2"))
    refused = await ask(HELEN, "opp 2")
    assert refused.error and "subscribing" in refused.text


async def test_opps_defaults_to_my_phase_soonest_first_and_filters(ask: Asker) -> None:
    await ask.ok(SAM, 'opp add "Secondary maths hub" closes:20/12/2023 phase:secondary')
    await ask.ok(SAM, 'opp add "Phonics training" closes:15/01/2024 phase:primary tags:training')
    await ask.ok(SAM, 'opp add "Wellbeing network" closes:10/12/2023 phase:all')
    jo = _text(await ask.ok(JO, "opps"))
    assert "Secondary maths hub" not in jo
    assert jo.index("Wellbeing network") < jo.index("Phonics training")
    helen = _text(await ask.ok(HELEN, "opps"))
    assert "Phonics training" not in helen and "Secondary maths hub" in helen
    await ask.ok(SAM, 'opp add "Reading network" phase:all tags:networks summary:"Early reading"')
    found = _text(await ask.ok(JO, "opps tag:training"))
    assert "Phonics training" in found and "Reading network" not in found
    searched = _text(await ask.ok(JO, 'opps "early reading"'))
    assert "Reading network" in searched and "Phonics training" not in searched
    none = await ask.ok(JO, 'opps tag:training "nothing like this"')
    assert "No open opportunities" in none.text


async def test_bad_input_is_refused_and_nothing_saved(ask: Asker) -> None:
    past = await ask(SAM, 'opp add "Old course" closes:01/11/2023 phase:all')
    assert past.error and "in the past" in past.text and past.error_field == "closes"
    link = await ask(SAM, 'opp add "Course" closes:31/01/2024 link:example-dot-org')
    assert link.error and "not a web link" in link.text and link.error_field == "link"
    phase = await ask(SAM, 'opp add "Course" closes:31/01/2024 phase:infant')
    assert phase.error and "primary, secondary, special" in phase.text and "post-16" in phase.text
    flag = await ask(SAM, 'opp add "Course" subscribers:maybe')
    assert flag.error and "subscribers:only" in flag.text
    assert "No open opportunities" in (await ask.ok(SAM, "opps")).text


async def test_heads_cannot_post_and_an_empty_add_is_a_form(ask: Asker) -> None:
    denied = await ask(JO, NPQ)
    assert denied.error and "staff" in denied.text
    reply = await ask.ok(SAM, "opp add")
    form = reply.form
    assert isinstance(form, Form) and form.command == "opp add"
    command = form.to_command(
        {
            "title": "Funded NPQ places",
            "closes": "2024-01-31",
            "phase": "primary,secondary",
            "link": "https://example.org/npq",
            "subscribers": "on",
        }
    )
    added = await ask.ok(SAM, command)
    assert "#1" in added.text and "subscribing organisations only" in _text(added)


async def test_edit_and_withdraw(ask: Asker) -> None:
    await ask.ok(SAM, NPQ)
    edited = await ask.ok(SAM, 'opp edit 1 closes:14/02/2024 title:"Funded NPQ places 2024"')
    assert "Wed 14 Feb 2024" in _text(edited) and "NPQ places 2024" in edited.text
    assert (await ask(SAM, "opp edit 1 closes:01/01/2020")).error
    nothing = await ask(SAM, "opp edit 1")  # nothing to change: the form, as it stands
    assert not nothing.error and nothing.form is not None
    now = {f.name: f.value for f in nothing.form.fields}
    assert now["title"] == "Funded NPQ places 2024" and now["closes"] == "2024-02-14"
    withdrawn = await ask.ok(SAM, 'opp withdraw 1 "Places filled"')
    assert "Withdrew opportunity #1" in withdrawn.text
    assert "NPQ" not in _text(await ask.ok(JO, "opps"))
    assert "withdrawn" in _text(await ask.ok(JO, "opp 1"))
    assert (await ask(JO, "opp withdraw 1")).error  # staff only


async def test_expired_opportunities_disappear(ask: Asker) -> None:
    await ask.ok(SAM, 'opp add "Short course" closes:05/12/2023 phase:all')
    await ask.ok(SAM, 'opp add "Long course" closes:31/01/2024 phase:all')
    assert "Short course" in _text(await ask.ok(JO, "opps"))
    await run_tick(ask.ctx, london(2023, 12, 6, 9, 0))
    listing = _text(await ask.ok(JO, "opps"))
    assert "Short course" not in listing and "Long course" in listing
    shown = _text(await ask.ok(JO, "opp 1"))
    assert "Status: expired" in shown
    reopened = await ask.ok(SAM, "opp edit 1 closes:20/12/2023")
    assert "Status: open" in _text(reopened)


async def test_closing_soon_nudge_goes_once_to_readers_who_can_see_it(ask: Asker) -> None:
    await ask.ok(SAM, 'opp add "Phonics training" closes:04/12/2023 phase:primary')
    await ask.ok(SAM, 'opp add "Maths hub" closes:31/01/2024 phase:secondary')
    await run_tick(ask.ctx, london(2023, 12, 1, 8, 30))
    await run_tick(ask.ctx, london(2023, 12, 1, 9, 30))
    rows = await outbox_rows(ask.ctx, prefix="opp:")
    ids = await _ids(ask)
    targets = sorted(r.target for r in rows)
    assert f"person:{ids[JO]}" in targets
    assert f"person:{ids[HELEN]}" not in targets
    assert len(targets) == len(set(targets))  # once each
    assert all("Phonics training" in r.text and "in 3 days" in r.text for r in rows)


async def _ids(ask: Asker) -> dict[str, int]:
    from storage.directory import person_by_email

    out = {}
    async with ask.ctx.db.session() as session:
        for email in (SAM, JO, HELEN, "amy@hillside.sch.uk", "priya@parkwood.sch.uk"):
            person = await person_by_email(session, email)
            assert person is not None
            out[email] = person.id
    return out


def _text(reply) -> str:  # type: ignore[no-untyped-def]
    from bot.render.text import render_text

    return render_text(reply)

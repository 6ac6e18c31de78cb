"""The action commands through the web chat's HTTP API, and a nudge as Slack and Teams show it:
the same text and the same buttons in every door."""

from __future__ import annotations

import json

import pytest

from bot.app import BotContext
from bot.render.adaptivecards import render_card
from bot.render.blockkit import render_message
from bot.reply import Form, FormField
from storage.directory import person_by_email
from tests.conftest import london, outbox_rows, run_tick, web_client


async def person_ids(ctx: BotContext, *emails: str) -> list[int]:
    async with ctx.db.session() as session:
        found = [await person_by_email(session, e) for e in emails]
    return [p.id for p in found if p is not None]


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_web_chat_runs_the_design_examples_and_the_note_form(
    directory: BotContext,
) -> None:
    dan, jo = await person_ids(directory, "dan@sheffield.gov.uk", "jo@hillside.sch.uk")
    async with web_client(directory) as client:

        async def say(person: int, text: str) -> dict[str, object]:
            resp = await client.post("/api/web/command", json={"person_id": person, "text": text})
            data = await resp.json()
            assert not data["error"], data["text"]
            return data

        added = await say(
            dan,
            'action add "Circulate PA figures to heads" owner:@jo due:12/01/2024 group:attendance',
        )
        assert "Added action #1" in str(added["text"])
        assert "Circulate PA figures to heads" in str((await say(jo, "actions"))["html"])
        form = await client.post(
            "/api/web/form",
            json={
                "person_id": jo,
                "form": Form(
                    "Note",
                    "action note 1",
                    [FormField("note", "Note", "textarea", positional=True)],
                ).to_wire(),
                "values": {"note": "Primary heads done"},
            },
        )
        data = await form.json()
        assert data["command"] == 'action note 1 "Primary heads done"' and not data["error"]
        export = await say(jo, "actions group:attendance export")
        assert "id,action,owner" in str(export["text"])
        for text in ("action snooze 1 1w", "action reassign 1 @sam", "action done 1"):
            await say(dan, text)


async def test_a_nudge_keeps_its_buttons_in_slack_and_teams(directory: BotContext) -> None:
    (dan,) = await person_ids(directory, "dan@sheffield.gov.uk")
    directory.clock.set(london(2023, 11, 30, 12, 0))  # type: ignore[attr-defined]
    reply = await directory.router.handle(
        'action add "Circulate PA figures" owner:@jo due:01/12/2023 group:attendance',
        actor_id=dan,
        door="slack",
    )
    assert not reply.error, reply.text
    await run_tick(directory, london(2023, 12, 1, 9, 0))
    (nudge,) = await outbox_rows(directory, prefix="action:1:nudge:")
    commands = ["action done 1", "action snooze 1 1w", "action note 1"]
    slack = json.dumps(render_message(nudge.reply))
    teams = json.dumps(render_card(nudge.reply))
    for command in commands:
        assert f'"value": "{command}"' in slack
        assert command in teams
    assert "due today" in nudge.text

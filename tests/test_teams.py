"""The Teams door end to end: real activity JSON posted to /api/messages of the real web app,
the Agents SDK's own connector client answering a fake Bot Framework connector."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.adapters import teams
from bot.adapters import teams_store as store
from bot.app import BotContext, build_web_app
from bot.policy import POLICY
from bot.reply import Reply
from scheduled.dispatcher import Dispatcher
from storage.actions import Action
from storage.directory import group_by_name, identities_of, person_by_email
from storage.outbox import enqueue, group_target, person_target
from storage.support import SupportRequest
from tests.conftest import london, outbox_rows, run_tick
from tests.fakes.teams_connector import FakeTeamsConnector
from tests.test_adaptivecards import walk

BOT = {"id": "28:partnership-bot", "name": "Partnership"}
CHANNEL = "19:attendance-channel@thread.tacv2"
_ids = itertools.count(1)


@pytest.fixture
async def connector() -> AsyncIterator[FakeTeamsConnector]:
    fake = FakeTeamsConnector()
    await fake.start()
    fake.add_member("29:jo", aad_object_id="aad-jo", name="Jo Bloggs", email="jo@hillside.sch.uk")
    fake.add_member(
        "29:dan", aad_object_id="aad-dan", name="Dan Cooper", email="dan@sheffield.gov.uk"
    )
    fake.add_member(
        "29:alex", aad_object_id="aad-alex", name="Alex", email="alex@learnsheffield.co.uk"
    )
    fake.add_member("29:eve", aad_object_id="aad-eve", name="Eve Stranger", email="eve@x.org")
    yield fake
    await fake.stop()


@pytest.fixture
async def client(directory: BotContext) -> AsyncIterator[TestClient]:
    directory.dispatcher = Dispatcher(
        directory.db,
        [teams.make_sender(directory.settings, directory.db)],  # type: ignore[list-item]
    )
    test_client = TestClient(TestServer(build_web_app(directory)))
    await test_client.start_server()
    yield test_client
    await test_client.close()


def person(user: str) -> dict[str, Any]:
    return {"id": f"29:{user}", "name": user.title(), "aadObjectId": f"aad-{user}"}


def personal(fake: FakeTeamsConnector, user: str, text: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"msg-{next(_ids)}",
        "channelId": "msteams",
        "serviceUrl": fake.url,
        "from": person(user),
        "recipient": BOT,
        "conversation": {"id": f"a:chat-{user}", "conversationType": "personal", "tenantId": "t"},
        "channelData": {"tenant": {"id": "t"}},
        "text": text,
        **extra,
    }


def in_channel(fake: FakeTeamsConnector, user: str, text: str) -> dict[str, Any]:
    message_id = f"{next(_ids)}000"
    return {
        "type": "message",
        "id": message_id,
        "channelId": "msteams",
        "serviceUrl": fake.url,
        "from": person(user),
        "recipient": BOT,
        "conversation": {
            "id": f"{CHANNEL};messageid={message_id}",
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": "t",
        },
        "channelData": {
            "tenant": {"id": "t"},
            "team": {"id": "19:team@thread.tacv2"},
            "channel": {"id": CHANNEL},
        },
        "text": f"<at>Partnership</at> {text}",
        "entities": [{"type": "mention", "text": "<at>Partnership</at>", "mentioned": BOT}],
    }


async def post(client: TestClient, body: Any) -> int:
    response = await client.post("/api/messages", json=body)
    return response.status


async def test_personal_help_is_answered_with_the_command_list(
    client: TestClient, connector: FakeTeamsConnector, directory: BotContext
) -> None:
    activity = personal(connector, "jo", "help")
    assert await post(client, activity) == 202
    [answer] = connector.posted
    assert answer.conversation_id == "a:chat-jo" and answer.reply_to_id == activity["id"]
    assert answer.authorization is None  # anonymous: nothing to sign with
    text = answer.all_text()
    for topic in directory.router.registry.topics:
        if any("head" in POLICY[c.name].roles for c in directory.router.registry.for_topic(topic)):
            assert topic in text
    async with directory.db.session() as session:
        jo = await person_by_email(session, "jo@hillside.sch.uk")
        assert jo is not None
        [identity] = await identities_of(session, jo.id)
    assert identity.platform == "teams" and identity.external_id == "aad-jo"
    assert identity.data["reference"]["conversation"]["id"] == "a:chat-jo"
    # Known now: the second message needs no roster call.
    calls = len(connector.roster_calls)
    await post(client, personal(connector, "jo", "whoami"))
    assert "Jo Bloggs" in connector.posted[-1].all_text()
    assert len(connector.roster_calls) == calls


async def test_channel_mention_is_stripped_and_private_answers_are_targeted(
    client: TestClient, connector: FakeTeamsConnector
) -> None:
    assert await post(client, in_channel(connector, "jo", "whoami")) == 202
    [answer] = connector.posted
    assert "Jo Bloggs" in answer.all_text() and "Hillside Primary" in answer.all_text()
    assert answer.conversation_id.startswith(CHANNEL + ";messageid=")
    assert answer.query.get("isTargetedActivity") == "true"
    assert answer.body["recipient"]["id"] == "29:jo"


async def test_card_buttons_run_the_command_they_carry(
    client: TestClient, connector: FakeTeamsConnector
) -> None:
    submit = personal(connector, "jo", value={"command": "group attendance"})
    submit.pop("text")
    assert await post(client, submit) == 202
    assert "Dan Cooper" in connector.posted[-1].all_text()
    # The same through Universal Actions (Action.Execute): the answer is a card in the response.
    invoke = personal(connector, "jo")
    invoke.update(
        type="invoke",
        name="adaptiveCard/action",
        value={
            "action": {"type": "Action.Execute", "verb": "x", "data": {"command": "whoami"}},
            "trigger": "manual",
        },
    )
    response = await client.post("/api/messages", json=invoke)
    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Jo Bloggs" in str(body["value"])


async def test_a_form_submit_builds_the_command_and_shows_errors_by_the_field(
    client: TestClient, connector: FakeTeamsConnector, directory: BotContext
) -> None:
    spec = {
        "title": "Add a person",
        "command": "person add",
        "fields": [
            {"name": "name", "label": "Name", "required": True, "positional": True},
            {"name": "email", "label": "Email"},
            {"name": "role", "label": "Role", "kind": "select", "options": ["head", "staff"]},
        ],
    }
    values = {"field.name": "Eve Stranger", "field.email": "not-an-email", "field.role": "head"}
    assert await post(client, personal(connector, "alex", value={"pb_form": spec, **values})) == 202
    card = connector.posted[-1].cards[0]
    inputs = [n for n in card["body"][-1]["items"] if n.get("id", "").startswith("field.")]
    assert [i["id"] for i in inputs] == ["field.name", "field.email", "field.role"]
    assert inputs[1]["value"] == "not-an-email"  # filled back in to correct
    after_email = card["body"][-1]["items"][3]
    assert after_email["color"] == "attention" and "valid email" in after_email["text"]
    values["field.email"] = "eve@x.org"
    await post(client, personal(connector, "alex", value={"pb_form": spec, **values}))
    assert "Added person #" in connector.posted[-1].all_text()
    async with directory.db.session() as session:
        eve = await person_by_email(session, "eve@x.org")
    assert eve is not None and eve.role == "head"


async def test_unknown_people_are_told_who_to_ask(
    client: TestClient, connector: FakeTeamsConnector
) -> None:
    await post(client, personal(connector, "eve", "help"))
    text = connector.posted[-1].all_text()
    assert "not in the partnership directory" in text and "alex@learnsheffield.co.uk" in text
    await post(client, personal(connector, "nobody", "help"))  # not even on the roster
    assert "ask" in connector.posted[-1].all_text()


async def test_install_stores_the_reference_and_reminders_arrive_proactively(
    client: TestClient, connector: FakeTeamsConnector, directory: BotContext
) -> None:
    install = personal(connector, "jo")
    install.pop("text")
    install.update(type="conversationUpdate", membersAdded=[BOT])
    assert await post(client, install) == 202
    assert "Hello" in connector.posted[-1].all_text()
    async with directory.db.session() as session:
        jo = await person_by_email(session, "jo@hillside.sch.uk")
        assert jo is not None
        await enqueue(
            session,
            key=f"meeting:3:remind:P1D:{jo.id}",
            target=person_target(jo.id),
            reply=Reply(text="Reminder: Attendance working group tomorrow 10:00"),
            due_at=london(2023, 12, 14, 10, 0),
        )
    before = len(connector.posted)
    await run_tick(directory, london(2023, 12, 14, 10, 1))
    [row] = await outbox_rows(directory, prefix="meeting:3:")
    assert row.state == "sent" and row.platform == "teams", row.error
    reminder = connector.posted[before]
    assert reminder.conversation_id == "a:chat-jo" and reminder.reply_to_id is None
    assert "Attendance working group tomorrow" in reminder.text


async def test_someone_who_has_not_installed_the_app_fails_with_a_clear_reason(
    client: TestClient, connector: FakeTeamsConnector, directory: BotContext
) -> None:
    await post(client, in_channel(connector, "jo", "whoami"))  # known in Teams, no personal chat
    async with directory.db.session() as session:
        jo = await person_by_email(session, "jo@hillside.sch.uk")
        assert jo is not None
        await enqueue(
            session,
            key=f"action:7:due:{jo.id}",
            target=person_target(jo.id),
            reply=Reply(text="Action #7 is due"),
            due_at=london(2023, 12, 1, 9, 0),
        )
    await run_tick(directory, london(2023, 12, 1, 9, 1))
    [row] = await outbox_rows(directory, prefix="action:7:")
    assert row.state == "failed"
    assert "has not installed the app in Teams yet" in (row.error or "")
    # Once they have a personal chat, a 403 (app removed) is permanent too, not retried.
    await post(client, personal(connector, "jo", "whoami"))
    connector.fail_next(403, "BotNotInConversationRoster")
    async with directory.db.session() as session:
        jo = await person_by_email(session, "jo@hillside.sch.uk")
        assert jo is not None
        await enqueue(
            session,
            key=f"bulletin:1:{jo.id}",
            target=person_target(jo.id),
            reply=Reply(text="Bulletin"),
            due_at=london(2023, 12, 1, 9, 0),
        )
    await run_tick(directory, london(2023, 12, 1, 9, 0) + timedelta(minutes=1))
    [row] = await outbox_rows(directory, prefix="bulletin:1:")
    assert row.state == "failed" and "403" in (row.error or "")


async def test_a_group_channel_linked_with_here_gets_group_messages(
    client: TestClient, connector: FakeTeamsConnector, directory: BotContext
) -> None:
    await post(client, in_channel(connector, "dan", "group attendance teams:here"))
    assert "teams channel" in connector.posted[-1].all_text()
    async with directory.db.session() as session:
        group = await group_by_name(session, "attendance")
        stored = group.channels["teams"]
        assert stored["id"] == CHANNEL and stored["reference"]["conversation"]["id"] == CHANNEL
        await enqueue(
            session,
            key="meeting:3:agenda:attendance",
            target=group_target("attendance"),
            reply=Reply(text="Agenda for Friday's meeting is out"),
            due_at=london(2023, 12, 1, 9, 0),
        )
    before = len(connector.posted)
    await run_tick(directory, london(2023, 12, 1, 9, 1))
    [row] = await outbox_rows(directory, prefix="meeting:3:agenda")
    assert row.state == "sent" and row.platform == "teams", row.error
    assert connector.posted[before].conversation_id == CHANNEL  # a new post, not a reply


MALFORMED = [
    (b"not json", "application/json"),
    (b'{"type": "message"}', "text/plain"),
    (b"{}", "application/json"),
    (b"[]", "application/json"),
    (b'[{"type": "message"}]', "application/json"),
    (b'{"type": "message", "serviceUrl": "http://x/"}', "application/json"),
    (b'{"type": "message", "conversation": {"id": "c"}}', "application/json"),
    (b'{"type": 3, "conversation": {"id": "c"}, "serviceUrl": "http://x/"}', "application/json"),
    (
        b'{"type": "message", "conversation": {"id": "c"}, "serviceUrl": "http://x/", "from": "me"}',
        "application/json",
    ),
    (
        b'{"type": "message", "conversation": {"id": "c"}, "serviceUrl": "http://x/", '
        b'"timestamp": "soon"}',
        "application/json",
    ),
    (b"\xff\xfe", "application/json"),
]


async def test_malformed_bodies_get_4xx_never_5xx(client: TestClient) -> None:
    for body, content_type in MALFORMED:
        response = await client.post(
            "/api/messages", data=body, headers={"Content-Type": content_type}
        )
        assert 400 <= response.status < 500, (body, await response.text())


async def test_with_credentials_a_request_without_a_valid_token_gets_401(
    directory: BotContext, connector: FakeTeamsConnector
) -> None:
    settings = directory.settings.model_copy(
        update={
            "teams_client_id": "00000000-0000-0000-0000-000000000001",
            "teams_client_secret": "secret-value",
            "teams_tenant_id": "00000000-0000-0000-0000-0000000000aa",
        }
    )
    directory.settings = settings
    test_client = TestClient(TestServer(build_web_app(directory)))
    await test_client.start_server()
    try:
        activity = personal(connector, "jo", "help")
        assert (await test_client.post("/api/messages", json=activity)).status == 401
        forged = {"Authorization": "Bearer not.a.token"}
        assert (
            await test_client.post("/api/messages", json=activity, headers=forged)
        ).status == 401
        assert (await test_client.get("/healthz")).status == 200  # only /api/messages is guarded
    finally:
        await test_client.close()
    assert connector.posted == []


async def test_with_credentials_unlinked_people_are_teams_failures_not_web(
    directory: BotContext,
) -> None:
    from bot.adapters.teams_sender import TeamsSender

    settings = directory.settings.model_copy(update={"teams_client_id": "app-id"})
    sender = TeamsSender(settings, teams.build_cloud_adapter(settings, for_turns=False))
    anonymous = teams.make_sender(directory.settings, directory.db)
    assert isinstance(anonymous, TeamsSender)
    async with directory.db.session() as session:
        jo = await person_by_email(session, "jo@hillside.sch.uk")
        assert jo is not None
        assert await sender.can_reach(session, person_target(jo.id))
        assert not await anonymous.can_reach(session, person_target(jo.id))  # web inbox instead
        assert not await sender.can_reach(session, group_target("attendance"))
        with pytest.raises(Exception, match="has not installed the app in Teams yet"):
            await sender.reference_for(session, person_target(jo.id))


def test_channel_keys_ignore_the_thread() -> None:
    from microsoft_agents.activity import Activity

    activity = Activity.model_validate(
        {
            "type": "message",
            "conversation": {"id": "19:g@thread.v2;messageid=1", "conversationType": "groupChat"},
        }
    )
    assert store.channel_key(activity) == "19:g@thread.v2"


async def test_people_mentioned_in_teams_become_their_email(
    client: TestClient, connector: FakeTeamsConnector, directory: BotContext
) -> None:
    seen: list[str] = []
    handle = directory.router.handle

    async def spy(text: str, **kw: Any) -> Reply:
        seen.append(text)
        return await handle(text, **kw)

    directory.router.handle = spy  # type: ignore[method-assign]
    activity = in_channel(connector, "jo", "action reassign 7 <at>Dan Cooper</at> &amp; more")
    activity["entities"].append(
        {"type": "mention", "text": "<at>Dan Cooper</at>", "mentioned": person("dan")}
    )
    await post(client, activity)
    assert seen == ["action reassign 7 dan@sheffield.gov.uk & more"]


async def test_anonymous_teams_is_never_served_off_this_machine(ctx) -> None:  # type: ignore[no-untyped-def]
    """Without credentials the door trusts the caller, so on a public HOST it stays shut."""
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import build_web_app

    ctx.settings.host = "0.0.0.0"
    async with TestClient(TestServer(build_web_app(ctx))) as client:
        resp = await client.post("/api/messages", json={"type": "message", "text": "help"})
        health = await (await client.get("/healthz")).json()
    assert resp.status in (404, 405)
    assert "teams" not in health["doors"]


async def test_the_support_card_starts_with_no_kind_and_asks_for_one(
    client: TestClient, connector: FakeTeamsConnector, directory: BotContext
) -> None:
    assert await post(client, personal(connector, "jo", "support")) == 202
    card = connector.posted[-1].cards[0]

    kind = next(n for n in walk(card) if n.get("id") == "field.kind")
    assert "value" not in kind and kind["placeholder"] == "Choose..."
    assert "brokerage: help finding" in json.dumps(card)
    submit = next(n for n in walk(card) if n.get("type") == "Action.Submit")
    values = {**submit["data"], "field.details": "Where is the exclusions guidance?"}
    assert await post(client, personal(connector, "jo", value=values)) == 202
    again = connector.posted[-1].cards[0]
    asked = [n for n in walk(again) if n.get("color") == "attention"]
    assert asked and "kind of support" in json.dumps(asked).lower()
    async with directory.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(SupportRequest)) == 0


def _form_specs(node: Any) -> list[dict[str, Any]]:
    """Every form a card's buttons carry (`pb_form` in an Action.Submit's data)."""
    if isinstance(node, dict):
        found = [node["pb_form"]] if isinstance(node.get("pb_form"), dict) else []
        return found + [f for value in node.values() for f in _form_specs(value)]
    if isinstance(node, list):
        return [f for value in node for f in _form_specs(value)]
    return []


async def test_the_minutes_preview_card_fixes_an_unread_line_and_saves(
    client: TestClient, connector: FakeTeamsConnector, directory: BotContext
) -> None:
    """Dan chairs the attendance sub-group: his minutes preview is a card whose form holds the
    unread line; submitting it fixed saves the minutes and creates both actions."""
    await post(
        client,
        personal(
            connector,
            "dan",
            'meeting add "Attendance" group:attendance on:"23/11/2023 11:00" until:12:00',
        ),
    )
    minutes = "Actions agreed:\n- Jo to circulate the figures by 12/01/2024\n- ZZ: PA letter"
    await post(client, personal(connector, "dan", f'minutes 1 "{minutes}"'))
    preview = connector.posted[-1]
    assert "nothing is saved until you confirm" in preview.all_text()
    # Teams keeps the lines of a message (as line breaks, or as HTML <br> from a rich editor)
    assert "Will create 1 action" in preview.all_text()
    html = 'minutes 1 "Actions agreed:<br>- Jo to circulate it<br/>- Dan to check it"'
    await post(client, personal(connector, "dan", html))
    assert "Will create 2 actions" in connector.posted[-1].all_text()
    assert "Fix the lines" in str(preview.cards)
    await post(client, personal(connector, "dan", value={"command": "minutes 1 draft:1 fix"}))
    (spec,) = _form_specs(connector.posted[-1].cards)
    assert [f["name"] for f in spec["fields"]] == ["line3"]
    async with directory.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Action)) == 0
    value = {"pb_form": spec, "field.line3": "- Helen to draft the PA letter by end of term"}
    await post(client, personal(connector, "dan", value=value))
    assert "Saved minutes for meeting #1" in connector.posted[-1].all_text()
    async with directory.db.session() as session:
        rows = (await session.scalars(select(Action).order_by(Action.id))).all()
        assert [(a.owner.email, a.text) for a in rows] == [
            ("jo@hillside.sch.uk", "Circulate the figures"),
            ("helen@steelcity.sch.uk", "Draft the PA letter"),
        ]

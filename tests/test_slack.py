"""The Slack door end to end: signed requests to /slack/events, the real slack_sdk client talking
to a fake Slack Web API over HTTP, on SQLite and PostgreSQL. Nothing reaches slack.com."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.adapters.slack import SLACK_DOOR, make_sender
from bot.app import BotContext, build_context, build_web_app
from bot.errors import UserError
from bot.registry import Command, Registry
from bot.reply import Form, FormField, Reply
from bot.router import build_registry
from bot.settings import Settings
from storage.actions import Action
from storage.directory import Group, Identity, Organisation, Person, person_by_email
from storage.support import SupportRequest
from tests.fakes.slack_api import FakeSlackAPI, signed_headers

SECRET = "test-signing-secret"
USERS = {
    "UJO": "jo@hillside.sch.uk",
    "USAM": "sam@learnsheffield.co.uk",
    "UALEX": "alex@learnsheffield.co.uk",
}


_triggers = itertools.count(1)


@dataclass
class Slack:
    ctx: BotContext
    http: TestClient
    fake: FakeSlackAPI

    async def post(self, body: str, content_type: str, **headers: str) -> Any:
        signed = signed_headers(SECRET, body)
        signed.update(headers)
        return await self.http.post(
            "/slack/events", data=body, headers={"Content-Type": content_type, **signed}
        )

    async def command(self, text: str, *, user: str = "UJO", **extra: str) -> Any:
        form = {
            "token": "legacy",
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": user,
            "command": "/partnership",
            "text": text,
            "response_url": self.fake.response_url(),
            "trigger_id": f"trigger-{next(_triggers)}",  # Slack's differs on every request
            **extra,
        }
        return await self.post(urlencode(form), "application/x-www-form-urlencoded")

    async def interact(self, payload: dict[str, Any]) -> Any:
        # Slack's own payloads differ on every click (trigger_id, action_ts)
        payload = {"trigger_id": f"trigger-{next(_triggers)}", **payload}
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def event(self, event: dict[str, Any], *, event_id: str, **headers: str) -> Any:
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T1",
                "api_app_id": "A1",
                "event_id": event_id,
                "event_time": int(time.time()),
                "event": event,
            }
        )
        return await self.post(body, "application/json", **headers)


def slack_settings(db_url: str, fake: FakeSlackAPI, **more: Any) -> Settings:
    values = {
        "database_url": db_url,
        "slack_bot_token": "xoxb-test",
        "slack_signing_secret": SECRET,
        "slack_api_url": fake.api_url,
        **more,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(name="fake")
async def fake_fixture() -> AsyncIterator[FakeSlackAPI]:
    api = await FakeSlackAPI().start()
    for user_id, email in USERS.items():
        api.add_user(user_id, email)
    api.add_user("USTRANGER", "someone@elsewhere.example")
    yield api
    await api.stop()


PEOPLE = [
    ("Jo Bloggs", "jo@hillside.sch.uk", "head"),
    ("Sam Patel", "sam@learnsheffield.co.uk", "staff"),
    ("Alex Morgan", "alex@learnsheffield.co.uk", "admin"),
    ("Dan Cooper", "dan@sheffield.gov.uk", "member"),
]
_registry: list[Registry] = []


async def small_directory(ctx: BotContext) -> None:
    """The few demo people and groups these tests use (the full demo is slower to load)."""
    async with ctx.db.session() as session:
        hillside = Organisation(name="Hillside Primary", kind="school", phase="primary")
        session.add(hillside)
        await session.flush()
        for name, email, role in PEOPLE:
            org = hillside.id if email.endswith("hillside.sch.uk") else None
            session.add(Person(name=name, email=email, role=role, organisation_id=org))
        for name in ("attendance", "board"):
            session.add(Group(name=name, title=name.title(), channels={}))


def fresh_registry() -> Registry:
    """The real commands, built once; each test gets its own copy to add test commands to."""
    if not _registry:
        _registry.append(build_registry())
    copy = Registry()
    copy.commands = dict(_registry[0].commands)
    copy.topics = dict(_registry[0].topics)
    copy.listeners = {event: list(found) for event, found in _registry[0].listeners.items()}
    return copy


@pytest.fixture(name="slack")
async def slack_fixture(db, clock, fake) -> AsyncIterator[Slack]:  # type: ignore[no-untyped-def]
    settings = slack_settings(db.url, fake)
    sender = make_sender(settings, db)
    assert sender is not None
    ctx = build_context(settings, clock=clock, db=db, senders=[sender])
    ctx.router.registry = fresh_registry()
    await small_directory(ctx)
    http = TestClient(TestServer(build_web_app(ctx)))
    await http.start_server()
    yield Slack(ctx, http, fake)
    await http.close()


async def identities(ctx: BotContext) -> int:
    async with ctx.db.session() as session:
        return await session.scalar(select(func.count(Identity.id))) or 0


def text_of(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks", [])) + message.get("text", "")


async def test_slash_help_answers_through_response_url(slack: Slack) -> None:
    response = await slack.command("help")
    assert response.status == 200
    (answer,) = await slack.fake.wait_for_response()
    assert answer["response_type"] == "ephemeral"
    assert "meetings" in text_of(answer) and "whoami" in text_of(answer)
    assert slack.fake.calls_to("auth.test"), "Bolt checks the token against the fake"

    await slack.command("whoami")
    second = (await slack.fake.wait_for_response(2))[1]
    assert "Jo Bloggs" in text_of(second)
    assert len(slack.fake.calls_to("users.info")) == 1, "the identity is remembered"


async def test_forged_and_stale_requests_get_401_and_nothing_runs(slack: Slack) -> None:
    body = urlencode({"user_id": "UJO", "command": "/partnership", "text": "help"})
    forged = signed_headers("not-the-secret", body)
    response = await slack.http.post(
        "/slack/events",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **forged},
    )
    assert response.status == 401
    stale = signed_headers(SECRET, body, timestamp=int(time.time()) - 6 * 60)
    response = await slack.http.post(
        "/slack/events",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **stale},
    )
    assert response.status == 401
    unsigned = await slack.http.post("/slack/events", data=body)
    assert unsigned.status == 401
    assert slack.fake.calls == [] and slack.fake.responses == []
    assert await identities(slack.ctx) == 0


async def test_a_retried_event_is_processed_once(slack: Slack) -> None:
    dm = {
        "type": "message",
        "channel_type": "im",
        "user": "UJO",
        "channel": "DUJO",
        "text": "whoami",
    }
    assert (await slack.event(dm, event_id="Ev1")).status == 200
    await slack.fake.wait_for("chat.postMessage")
    retry = await slack.event(dm, event_id="Ev1", **{"X-Slack-Retry-Num": "1"})
    assert retry.status == 200
    await slack.event({**dm, "text": "help"}, event_id="Ev2")
    posts = await slack.fake.wait_for("chat.postMessage", 2)
    assert len(posts) == 2
    assert "Jo Bloggs" in text_of(posts[0].args)
    assert "whoami" in text_of(posts[1].args)  # help, from the second event


async def test_mention_in_a_channel_runs_the_same_command(slack: Slack) -> None:
    mention = {"type": "app_mention", "user": "UJO", "channel": "C9", "text": "<@UBOT> whoami"}
    await slack.event(mention, event_id="Ev9")
    (post,) = await slack.fake.wait_for("chat.postEphemeral")
    assert post.args["channel"] == "C9" and post.args["user"] == "UJO"
    assert "Jo Bloggs" in text_of(post.args)


def person_form() -> Form:
    return Form(
        title="Add a person",
        command="person add",
        fields=[
            FormField("name", "Full name", required=True, positional=True),
            FormField("email", "Email", required=True),
            FormField("role", "Role", kind="select", options=["head", "member", "staff"]),
            FormField("org", "Organisation"),
        ],
    )


def submission(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    state = {}
    for name, value in values.items():
        if name == "role":
            state[name] = {"value": {"type": "static_select", "selected_option": {"value": value}}}
        else:
            state[name] = {"value": {"type": "plain_text_input", "value": value}}
    return {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "UALEX"},
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": {"values": state},
        },
    }


async def test_a_form_opens_as_a_modal_and_shows_field_errors(slack: Slack) -> None:
    async def show_form(req: Any, svc: Any) -> Reply:
        return Reply(text="Fill this in").add(person_form())

    slack.ctx.router.registry.add(
        Command("new person", show_form, "form", "new person", "directory")
    )
    await slack.command("new person", user="UALEX", trigger_id="trigger-form")
    (opened,) = await slack.fake.wait_for("views.open")
    assert opened.args["trigger_id"] == "trigger-form"
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert [b["block_id"] for b in view["blocks"]] == ["name", "email", "role", "org"]

    bad = submission(view, {"name": "Pat Jones", "email": "not-an-email", "role": "head"})
    response = await slack.interact(bad)
    assert response.status == 200
    body = await response.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == ["email"]
    async with slack.ctx.db.session() as session:
        assert await person_by_email(session, "pat@hillside.sch.uk") is None

    good = submission(
        view,
        {
            "name": "Pat Jones",
            "email": "pat@hillside.sch.uk",
            "role": "head",
            "org": "Hillside Primary",
        },
    )
    response = await slack.interact(good)
    assert response.status == 200
    assert (await response.text()) == ""
    (post,) = await slack.fake.wait_for("chat.postEphemeral")
    assert post.args["channel"] == "C1" and "#" in text_of(post.args)
    async with slack.ctx.db.session() as session:
        pat = await person_by_email(session, "pat@hillside.sch.uk")
    assert pat is not None and pat.name == "Pat Jones" and pat.role == "head"


async def test_open_form_button_uses_the_click_trigger(slack: Slack) -> None:
    click = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "UALEX"},
        "channel": {"id": "C1"},
        "trigger_id": "trigger-2",
        "response_url": slack.fake.response_url(),
        "actions": [
            {"type": "button", "action_id": "form:open", "value": person_form().wire_text()}
        ],
    }
    assert (await slack.interact(click)).status == 200
    (opened,) = await slack.fake.wait_for("views.open")
    assert opened.args["trigger_id"] == "trigger-2"


async def test_a_button_click_runs_its_command_as_the_clicker(slack: Slack) -> None:
    click = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "USAM"},
        "channel": {"id": "C1"},
        "trigger_id": "trigger-3",
        "response_url": slack.fake.response_url("click"),
        "actions": [{"type": "button", "action_id": "run:whoami", "value": "whoami"}],
    }
    assert (await slack.interact(click)).status == 200
    (answer,) = await slack.fake.wait_for_response()
    assert answer["_token"] == "click"
    assert "Sam Patel" in text_of(answer)


async def test_home_tab_is_published_from_commands_run_as_the_user(slack: Slack) -> None:
    await slack.event({"type": "app_home_opened", "user": "USAM", "tab": "home"}, event_id="EvH")
    (published,) = await slack.fake.wait_for("views.publish")
    assert published.args["user_id"] == "USAM"
    view = published.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home"
    assert view["blocks"][0]["text"]["text"] == "Hello, Sam"


async def test_the_home_tab_waits_for_a_work_slot_like_any_command(slack: Slack) -> None:
    door = slack.http.app[SLACK_DOOR]
    door.slots = asyncio.Semaphore(1)
    await door.slots.acquire()  # every slot busy
    await slack.event({"type": "app_home_opened", "user": "USAM", "tab": "home"}, event_id="EvB")
    await asyncio.sleep(0.3)
    assert slack.fake.calls_to("views.publish") == []
    door.slots.release()
    (published,) = await slack.fake.wait_for("views.publish")
    assert published.args["user_id"] == "USAM"


async def test_someone_not_in_the_directory_is_told_who_to_ask(slack: Slack) -> None:
    await slack.command("whoami", user="USTRANGER")
    (answer,) = await slack.fake.wait_for_response()
    text = text_of(answer)
    assert "not in the partnership directory" in text
    assert "alex@learnsheffield.co.uk" in text
    assert "USTRANGER" not in text
    assert await identities(slack.ctx) == 0


async def test_slack_links_and_mentions_become_the_command_language(slack: Slack) -> None:
    slack.fake.add_user("UDAN", "dan@sheffield.gov.uk")
    seen: list[str] = []

    async def echo(req: Any, svc: Any) -> Reply:
        person = req.args.people[0] if req.args.people else ""
        seen.append(req.text)
        from storage.directory import resolve_person

        found = await resolve_person(svc.session, person)
        return Reply(text=f"that is {found.name}")

    slack.ctx.router.registry.add(Command("echo", echo, "echo", "echo", "directory"))
    await slack.command("echo <@UDAN|dan> link:<https://example.org/a?b=1&amp;c=2>")
    (answer,) = await slack.fake.wait_for_response()
    assert "Dan Cooper" in text_of(answer)
    assert "https://example.org/a?b=1&c=2" in seen[0]


async def test_user_errors_come_back_ephemeral_with_an_example(slack: Slack) -> None:
    await slack.command("frobnicate")  # "meetingz" is now read as `meetings`
    (answer,) = await slack.fake.wait_for_response()
    assert answer["response_type"] == "ephemeral"
    assert "help" in text_of(answer)


async def test_unknown_interaction_raising_user_error_is_not_a_crash(slack: Slack) -> None:
    async def boom(req: Any, svc: Any) -> Reply:
        raise UserError("Nope.", field="nothing")

    slack.ctx.router.registry.add(Command("boom", boom, "boom", "boom", "directory"))
    click = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "UJO"},
        "trigger_id": "t",
        "actions": [{"type": "button", "action_id": "run:boom", "value": "boom"}],
    }
    assert (await slack.interact(click)).status == 200
    (dm,) = await slack.fake.wait_for("chat.postMessage")  # from a home-tab button: by DM
    assert dm.args["channel"] == "UJO" and "Nope." in text_of(dm.args)


async def test_socket_mode_starts_with_an_app_token_and_runs_commands(db, clock, fake) -> None:  # type: ignore[no-untyped-def]
    from bot.appkeys import BACKGROUND_STARTERS

    settings = slack_settings(db.url, fake, slack_signing_secret=None, slack_app_token="xapp-test")
    ctx = build_context(settings, clock=clock, db=db, senders=[])
    ctx.router.registry = fresh_registry()
    await small_directory(ctx)
    app = build_web_app(ctx)
    http = TestClient(TestServer(app))
    await http.start_server()
    try:
        assert (await http.post("/slack/events", data="{}")).status in (404, 405)
        for start in app[BACKGROUND_STARTERS]:
            await start()
        (opened,) = await fake.wait_for("apps.connections.open")
        assert opened.headers["Authorization"] == "Bearer xapp-test"
        for _ in range(250):
            if fake.sockets:
                break
            await asyncio.sleep(0.02)
        await fake.send_socket(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": {
                    "team_id": "T1",
                    "channel_id": "C1",
                    "user_id": "UJO",
                    "command": "/partnership",
                    "text": "whoami",
                    "response_url": fake.response_url("socket"),
                    "trigger_id": "t",
                },
            }
        )
        (answer,) = await fake.wait_for_response()
        assert answer["_token"] == "socket" and "Jo Bloggs" in text_of(answer)
        for _ in range(250):
            if any(m.get("envelope_id") == "env-1" for m in fake.socket_messages):
                break
            await asyncio.sleep(0.02)
        assert any(m.get("envelope_id") == "env-1" for m in fake.socket_messages), "acked"
    finally:
        await http.close()


async def test_the_support_modal_starts_with_no_kind_and_asks_for_one(slack: Slack) -> None:
    await slack.command("support", user="UJO", trigger_id="trigger-support")
    (opened,) = await slack.fake.wait_for("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    kind = next(b for b in view["blocks"] if b.get("block_id") == "kind")
    assert "initial_option" not in kind["element"]
    assert kind["element"]["placeholder"]["text"] == "Choose..."
    assert "crisis: " in kind["hint"]["text"]
    empty = submission(view, {"details": "Where is the exclusions guidance?"})
    empty["user"] = {"id": "UJO"}
    body = await (await slack.interact(empty)).json()
    assert body["response_action"] == "errors" and list(body["errors"]) == ["kind"]
    async with slack.ctx.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(SupportRequest)) == 0


async def test_minutes_with_an_unread_line_open_a_modal_that_fixes_the_line_and_saves(
    slack: Slack,
) -> None:
    """The preview lists what it read and what it could not; its Fix button opens a modal with
    the unread line prefilled; submitting it fixed saves the minutes and both actions."""
    await slack.command(
        'meeting add "Attendance" group:attendance on:"23/11/2023 11:00" until:12:00',
        user="USAM",
    )
    await slack.fake.wait_for_response()
    minutes = "ACTION: @jo circulate the figures by 12/01/2024\nACTION: @nobody book the room"
    await slack.command(f'minutes 1 "{minutes}"', user="USAM")
    preview = (await slack.fake.wait_for_response(2))[1]
    assert "Will create 1 action" in text_of(preview) and "No one called @nobody" in text_of(
        preview
    )
    assert not slack.fake.calls_to("views.open")  # the preview is shown, not replaced by a form
    click = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "USAM"},
        "channel": {"id": "C1"},
        "trigger_id": "trigger-fix",
        "response_url": slack.fake.response_url("fix"),
        "actions": [{"type": "button", "action_id": "run:fix", "value": "minutes 1 draft:1 fix"}],
    }
    assert (await slack.interact(click)).status == 200
    (opened,) = await slack.fake.wait_for("views.open")
    assert opened.args["trigger_id"] == "trigger-fix"
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    (line,) = view["blocks"]
    assert line["block_id"] == "line2"
    assert line["element"]["initial_value"] == "ACTION: @nobody book the room"
    assert "No one called @nobody" in line["label"]["text"]
    async with slack.ctx.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Action)) == 0

    fixed = submission(view, {"line2": "ACTION: @dan book the room by 08/12/2023"})
    fixed["user"] = {"id": "USAM"}
    response = await slack.interact(fixed)
    assert response.status == 200 and (await response.text()) == ""
    (post,) = await slack.fake.wait_for("chat.postEphemeral")
    assert "Saved minutes for meeting #1" in text_of(post.args), text_of(post.args)
    assert "Actions created (2)" in text_of(post.args), text_of(post.args)
    async with slack.ctx.db.session() as session:
        rows = (await session.scalars(select(Action).order_by(Action.id))).all()
        assert [(a.owner.email, a.text) for a in rows] == [
            ("jo@hillside.sch.uk", "Circulate the figures"),
            ("dan@sheffield.gov.uk", "Book the room"),
        ]

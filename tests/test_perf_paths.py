"""The fast per-command paths stay correct: few queries for the busiest commands, and the Teams
door's account cache never skips storing a personal chat nor outlives a deactivation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp.test_utils import TestClient
from sqlalchemy import event

from bot.app import BotContext
from bot.reply import Reply, Table
from storage.directory import identities_of, person_by_email
from tests.fakes.teams_connector import FakeTeamsConnector
from tests.test_teams import client, connector, in_channel, personal, post  # noqa: F401


@contextmanager
def counting(ctx: BotContext) -> Iterator[list[str]]:
    """The SQL statements run while the block is open."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = ctx.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


async def _run(ctx: BotContext, email: str, text: str) -> tuple[Reply, list[str]]:
    async with ctx.db.session() as session:
        person = await person_by_email(session, email)
        assert person is not None
    with counting(ctx) as statements:
        reply = await ctx.router.handle(text, actor_id=person.id, door="web")
    assert not reply.error, reply.text
    return reply, statements


async def test_actions_is_two_queries_with_owner_organisation_and_group(
    directory: BotContext,
) -> None:
    async with directory.db.session() as session:
        dan = await person_by_email(session, "dan@sheffield.gov.uk")
        assert dan is not None
    await directory.router.handle(
        'action add "Send the attendance letters" @jo due:15/12/2023 group:attendance',
        actor_id=dan.id,
        door="web",
    )
    reply, statements = await _run(directory, "jo@hillside.sch.uk", "actions")
    assert reply.text.startswith("Your actions: 1")
    assert len(statements) == 2, statements  # the actor; the actions with owner and group
    [table] = [e for e in reply.elements if isinstance(e, Table)]
    [row] = [r for r in table.rows if r[2] == "Send the attendance letters"]
    assert row[3] == "Jo Bloggs" and row[4] == "attendance"


async def test_meetings_is_three_queries(directory: BotContext) -> None:
    async with directory.db.session() as session:
        sam = await person_by_email(session, "sam@learnsheffield.co.uk")
        assert sam is not None
    added = await directory.router.handle(
        'meeting add "Attendance working group" group:attendance on:"15/12/2023 10:00"',
        actor_id=sam.id,
        door="web",
    )
    assert not added.error, added.text
    reply, statements = await _run(directory, "dan@sheffield.gov.uk", "meetings")
    [table] = [e for e in reply.elements if isinstance(e, Table)]
    assert any(r[2] == "Attendance working group" and r[3] == "attendance" for r in table.rows)
    assert len(statements) <= 3, statements  # actor; meetings with group+organiser; RSVPs


async def test_teams_stores_a_personal_chat_first_seen_after_a_channel_message(
    client: TestClient,  # noqa: F811
    connector: FakeTeamsConnector,  # noqa: F811
    directory: BotContext,
) -> None:
    assert await post(client, in_channel(connector, "jo", "whoami")) == 202
    assert await post(client, personal(connector, "jo", "whoami")) == 202
    moved = personal(connector, "jo", "whoami")
    moved["conversation"] = {**moved["conversation"], "id": "a:chat-jo-new"}
    assert await post(client, moved) == 202
    async with directory.db.session() as session:
        jo = await person_by_email(session, "jo@hillside.sch.uk")
        assert jo is not None
        [identity] = await identities_of(session, jo.id)
    # each new personal chat was stored although the account was already known
    assert identity.data["reference"]["conversation"]["id"] == "a:chat-jo-new"


async def test_teams_refuses_someone_deactivated_a_moment_ago(
    client: TestClient,  # noqa: F811
    connector: FakeTeamsConnector,  # noqa: F811
    directory: BotContext,
) -> None:
    assert await post(client, personal(connector, "jo", "whoami")) == 202
    assert "Jo Bloggs" in connector.posted[-1].all_text()
    async with directory.db.session() as session:
        jo = await person_by_email(session, "jo@hillside.sch.uk")
        assert jo is not None
        jo.active = False
    assert await post(client, personal(connector, "jo", "whoami")) == 202
    answer = connector.posted[-1].all_text()
    assert "not in the partnership directory" in answer and "Jo Bloggs" not in answer


def test_settle_heap_keeps_start_up_objects_out_of_later_collections() -> None:
    import gc

    from bot.app import settle_heap

    gc.unfreeze()
    try:
        settle_heap()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()

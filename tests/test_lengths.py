"""Text longer than its column: a clear answer on its field, nothing saved, on both backends.

PostgreSQL refuses such a value with an error a user cannot read and SQLite stores it whole;
storage.base checks every String(n) column before a flush so both answer alike.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.errors import UserError
from storage.directory import Group
from storage.meetings import Meeting
from tests.conftest import Asker

SAM = "sam@learnsheffield.co.uk"


async def test_a_model_value_longer_than_its_column_is_a_user_error(ask: Asker) -> None:
    limit = Group.__table__.c.title.type.length
    async with ask.ctx.db.session() as session:
        session.add(Group(name="long", title="x" * (limit + 1)))
        with pytest.raises(UserError) as raised:
            await session.flush()
        await session.rollback()
    assert raised.value.field == "title" and f"at most {limit}" in raised.value.message


async def test_a_command_with_a_place_too_long_answers_on_the_field_and_saves_nothing(
    ask: Asker,
) -> None:
    place = "Albion House, " * 30  # 420 characters; the column holds 300
    reply = await ask(
        SAM,
        f'meeting add "Attendance" group:attendance on:"15/12/2023 10:00" place:"{place}"',
    )
    assert reply.error and reply.error_field == "place", reply.text
    assert "too long" in reply.text and "at most 300" in reply.text
    async with ask.ctx.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Meeting)) == 0

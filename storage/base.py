"""Declarative base and column types shared by every domain's models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, String, TypeDecorator, event, inspect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Session, UOWTransaction

from bot.errors import UserError

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Always UTC-aware in Python, whatever the database hands back (SQLite drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


@event.listens_for(Session, "before_flush")
def refuse_text_longer_than_its_column(
    session: Session, flush_context: UOWTransaction, instances: object
) -> None:
    """A value longer than its String(n) column is a UserError on that field, before any SQL.

    PostgreSQL would refuse it with an error the user cannot read (a 500), and SQLite would
    store it whole, so one rule here makes both backends answer alike, for every model and
    every command, and the transaction is rolled back with nothing saved."""
    for obj in (*session.new, *session.dirty):
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            column = attr.columns[0]
            limit = getattr(column.type, "length", None)
            if not isinstance(column.type, String) or not limit:
                continue
            value = getattr(obj, attr.key, None)
            if isinstance(value, str) and len(value) > limit:
                label = attr.key.replace("_", " ")
                raise UserError(
                    f"The {label} is too long: {len(value):,} characters, at most {limit:,}.",
                    hint="Shorten it, or put the detail in a linked document.",
                    field=attr.key,
                )


def dialect_insert(session: AsyncSession) -> Callable[..., Any]:
    """The INSERT that knows ON CONFLICT for this session's database (SQLite or PostgreSQL)."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    dialect = session.bind.dialect.name if session.bind else "sqlite"
    return pg_insert if dialect == "postgresql" else sqlite_insert


def utcnow() -> datetime:
    return datetime.now(UTC)

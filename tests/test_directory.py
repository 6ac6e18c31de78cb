"""Directory imports: re-import updates, a bad row saves nothing and names its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import UserError
from bot.importers import import_organisations, import_people
from storage import directory as repo
from storage.db import Database

ORGS = """name,kind,phase,subscriber,category,maintained
Hillside Primary,school,primary,yes,green,maintained
Parkwood Academy,school,secondary,no,amber,academy
Learn Sheffield,learn sheffield,,no,,
"""
PEOPLE = """name,email,role,organisation,groups
Jo Bloggs,jo@hillside.sch.uk,head,Hillside Primary,attendance:chair;board
Sam Patel,sam@learnsheffield.co.uk,staff,Learn Sheffield,attendance
"""


async def _load(db: Database, tmp_path: Path, orgs: str, people: str | None = None) -> None:
    (tmp_path / "orgs.csv").write_text(orgs)
    async with db.session() as session:
        await import_organisations(session, tmp_path / "orgs.csv")
    if people is not None:
        (tmp_path / "people.csv").write_text(people)
        async with db.session() as session:
            await import_people(session, tmp_path / "people.csv")


async def test_import_creates_people_groups_and_memberships(db: Database, tmp_path: Path) -> None:
    await _load(db, tmp_path, ORGS, PEOPLE)
    async with db.session() as session:
        jo = await repo.person_by_email(session, "jo@hillside.sch.uk")
        assert jo is not None and jo.role == "head"
        assert jo.organisation is not None and jo.organisation.subscriber
        group = await repo.group_by_name(session, "attendance")
        roles = {m.person.email: m.role for m in await repo.members_of(session, group.id)}
        assert roles == {"jo@hillside.sch.uk": "chair", "sam@learnsheffield.co.uk": "member"}


async def test_reimport_updates_rather_than_duplicates(db: Database, tmp_path: Path) -> None:
    await _load(db, tmp_path, ORGS, PEOPLE)
    await _load(db, tmp_path, ORGS, PEOPLE.replace("Jo Bloggs,", "Joanne Bloggs,"))
    async with db.session() as session:
        people = await repo.all_people(session)
        assert [p.name for p in people] == ["Joanne Bloggs", "Sam Patel"]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("Eve,not-an-email,head,Hillside Primary,", "Line 4: 'not-an-email' is not an email"),
        ("Eve,eve@x.sch.uk,wizard,Hillside Primary,", "Line 4: role 'wizard'"),
        ("Eve,eve@x.sch.uk,head,Nowhere School,", "Line 4: organisation 'Nowhere School'"),
        ("Eve,eve@x.sch.uk,head,,board:boss", "Line 4: group role 'boss'"),
    ],
)
async def test_a_bad_row_saves_nothing(
    db: Database, tmp_path: Path, bad_line: str, message: str
) -> None:
    await _load(db, tmp_path, ORGS)
    (tmp_path / "people.csv").write_text(PEOPLE + bad_line + "\n")
    with pytest.raises(UserError) as err:
        async with db.session() as session:
            await import_people(session, tmp_path / "people.csv")
    assert message in str(err.value)
    async with db.session() as session:
        assert await repo.all_people(session) == []
        assert await repo.all_groups(session) == []


async def test_missing_column_is_named(db: Database, tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text("name,email,role\nJo,jo@x.uk,head\n")
    with pytest.raises(UserError) as err:
        async with db.session() as session:
            await import_people(session, tmp_path / "people.csv")
    assert "organisation, groups" in str(err.value)


async def test_bad_organisation_values_are_refused(db: Database, tmp_path: Path) -> None:
    with pytest.raises(UserError) as err:
        await _load(db, tmp_path, ORGS + "Odd School,school,middle,yes,green,yes\n")
    assert "Line 5: phase 'middle'" in str(err.value)


async def test_resolve_person_by_handle_first_name_email_and_suggests(directory) -> None:  # type: ignore[no-untyped-def]
    async with directory.db.session() as session:
        assert (await repo.resolve_person(session, "@jo")).email == "jo@hillside.sch.uk"
        assert (await repo.resolve_person(session, "@Priya")).email == "priya@parkwood.sch.uk"
        assert (await repo.resolve_person(session, "sam@learnsheffield.co.uk")).name == "Sam Patel"
        with pytest.raises(UserError) as err:
            await repo.resolve_person(session, "@jon")
        assert "Did you mean @jo" in str(err.value)

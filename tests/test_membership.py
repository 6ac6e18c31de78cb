"""The partnership's real membership (seed 000): every kind of partner imports and lists, on
SQLite and PostgreSQL; the spellings people write are understood; an unknown kind is refused
whole; `import people` names every missing organisation at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import UserError
from bot.importers import import_organisations, import_people
from storage import directory as repo
from storage.consultations import org_phases_counted_as
from storage.db import Database
from storage.opportunities import audience_of

# One organisation of every kind, named as seed 000 names the partners, with the kinds written
# the way people write them (the importer stores the canonical kind on the right).
MEMBERSHIP = """name,kind,phase,subscriber,category,maintained
Hillside Primary,School,primary,yes,green,maintained
Steel City Trust,MAT,all,yes,,academy
Sheffield City Council,LA,all,no,,
Learn Sheffield,Learn Sheffield,all,no,,
Sheffield College,college,post-16,no,,
Sheffield Hallam University,university,,no,,
University of Sheffield,Uni,,no,,
Sunflower Nursery,early years,nursery,yes,,
RC Diocese of Hallam,diocese,all,no,,
Church of England Diocese of Sheffield,Diocese,all,no,,
NHS South Yorkshire,health,,no,,
South Yorkshire Mayoral Combined Authority,combined authority,,no,,
DfE,DfE,,no,,
Voluntary Action Sheffield,voluntary,,no,,
Independent Chair,partnership,,no,,
"""

EXPECTED = {
    "Hillside Primary": ("school", "primary"),
    "Steel City Trust": ("trust", "all"),
    "Sheffield City Council": ("local authority", "all"),
    "Learn Sheffield": ("learn sheffield", "all"),
    "Sheffield College": ("college", "post-16"),
    "Sheffield Hallam University": ("university", None),
    "University of Sheffield": ("university", None),
    "Sunflower Nursery": ("early years", "nursery"),
    "RC Diocese of Hallam": ("diocese", "all"),
    "Church of England Diocese of Sheffield": ("diocese", "all"),
    "NHS South Yorkshire": ("health", None),
    "South Yorkshire Mayoral Combined Authority": ("combined authority", None),
    "DfE": ("dfe", None),
    "Voluntary Action Sheffield": ("voluntary sector", None),
    "Independent Chair": ("other", None),
}


async def _import_orgs(db: Database, path: Path, text: str) -> str:
    path.write_text(text)
    async with db.session() as session:
        return str(await import_organisations(session, path))


async def test_seed_000_membership_imports_every_kind(db: Database, tmp_path: Path) -> None:
    report = await _import_orgs(db, tmp_path / "orgs.csv", MEMBERSHIP)
    assert report.startswith(f"{len(EXPECTED)} created")
    async with db.session() as session:
        listed = {o.name: (o.kind, o.phase) for o in await repo.all_organisations(session)}
    assert listed == EXPECTED
    assert {kind for kind, _ in listed.values()} == set(repo.ORG_KINDS)


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("Local Authority", "local authority"),
        ("la", "local authority"),
        ("Voluntary Sector", "voluntary sector"),
        ("VCS", "voluntary sector"),
        ("early-years", "early years"),
        ("EARLY YEARS", "early years"),
        ("Combined-Authority", "combined authority"),
        ("Department for Education", "dfe"),
        ("multi-academy trust", "trust"),
        ("NHS", "health"),
    ],
)
async def test_kinds_as_people_write_them(
    db: Database, tmp_path: Path, written: str, stored: str
) -> None:
    await _import_orgs(
        db,
        tmp_path / "orgs.csv",
        f"name,kind,phase,subscriber,category,maintained\nX,{written},,,,\n",
    )
    async with db.session() as session:
        assert [o.kind for o in await repo.all_organisations(session)] == [stored]


async def test_unknown_kind_is_refused_listing_the_kinds_and_saves_nothing(
    db: Database, tmp_path: Path
) -> None:
    with pytest.raises(UserError) as err:
        await _import_orgs(db, tmp_path / "orgs.csv", MEMBERSHIP + "Mystery Ltd,spaceship,,,,\n")
    message = str(err.value)
    assert "Line 17" in message and "spaceship" in message
    for kind in ("school", "university", "early years", "diocese", "voluntary sector", "other"):
        assert kind in message
    async with db.session() as session:
        assert await repo.all_organisations(session) == []


async def test_phase_all_counts_as_every_phase(db: Database, tmp_path: Path) -> None:
    await _import_orgs(db, tmp_path / "orgs.csv", MEMBERSHIP)
    (tmp_path / "people.csv").write_text(
        "name,email,role,organisation,groups\n"
        "Tess Trust,tess@steelcity.org.uk,member,Steel City Trust,\n"
    )
    async with db.session() as session:
        await import_people(session, tmp_path / "people.csv")
    async with db.session() as session:
        tess = await repo.person_by_email(session, "tess@steelcity.org.uk")
        assert tess is not None
        audience = audience_of(tess)
    assert audience.phases is not None and {"primary", "secondary", "special"} <= audience.phases
    # a consultation for primary schools reaches an all-phase organisation too
    assert "all" in org_phases_counted_as(["primary"])
    assert "all" in org_phases_counted_as(["secondary"])


async def test_import_people_names_every_missing_organisation(db: Database, tmp_path: Path) -> None:
    await _import_orgs(db, tmp_path / "orgs.csv", MEMBERSHIP)
    (tmp_path / "people.csv").write_text(
        "name,email,role,organisation,groups\n"
        "Ann,ann@a.org.uk,member,Nowhere School,board\n"
        "Ben,ben@b.org.uk,member,Hillside Primary,board\n"
        "Cat,cat@c.org.uk,member,Ghost Trust,board\n"
        "Dan,dan@d.org.uk,member,nowhere school,board\n"
    )
    with pytest.raises(UserError) as err:
        async with db.session() as session:
            await import_people(session, tmp_path / "people.csv")
    message = str(err.value)
    assert "Nowhere School" in message and "Ghost Trust" in message
    assert "Hillside Primary" not in message
    assert "lines 2, 5" in message and "line 4" in message
    async with db.session() as session:
        assert await repo.all_people(session) == []
        assert await repo.all_groups(session) == []

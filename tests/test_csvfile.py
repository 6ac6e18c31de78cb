"""Files people actually have, through the one CSV reader (bot.csvfile) every import uses.

For each import kind (people, organisations, attendance, terms): Excel's "CSV UTF-8" (a BOM,
Windows line endings) imports as written on SQLite and PostgreSQL; Excel's plain "CSV" (cp1252)
and a missing file are refused with exit 2, saying what to do, with no traceback and no database
created. Dates in files are UK order: only the term calendar has date columns.
"""

from __future__ import annotations

import argparse
import csv
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import csvfile
from bot.cli import _import_kind, main
from bot.errors import UserError
from storage.db import Database

DATA = Path(__file__).resolve().parent.parent / "bot/data/attendance"
EXAMPLE = "partnership-bot import people people.csv"


def _census_slice() -> str:
    """England and Sheffield, all phases, 2024/25, from the shipped census rates file."""
    with (DATA / "absence_nat_reg_la_2015_16_to_2024_25.csv").open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or ())
        rows = [
            r
            for r in reader
            if r["time_period"] == "202425"
            and (r["geographic_level"] == "National" or r["la_name"] == "Sheffield")
        ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# each kind: a file with a character outside ASCII, as a person would write it
FILES = {
    "organisations": (
        "name,kind,phase,subscriber,category,maintained\n"
        "St Mary’s C of E Primary,school,primary,yes,,maintained\n"
    ),
    "people": (
        "name,email,role,organisation,groups\n"
        'Zoë Brontë,zoe@stmarys.sch.uk,head,,"attendance;board"\n'
    ),
    "terms": (
        "name,start,end,kind\n"
        "Autumn 2026,03/09/2026,18/12/2026,term\n"
        "Spring 2027 – INSET,05/01/2027,05/01/2027,inset\n"
        "Spring 2027,05/01/2027,26/03/2027,term\n"
        "Summer 2027,12/04/2027,21/07/2027,term\n"
    ),
}


def excel_utf8(text: str) -> bytes:
    """What Excel's "CSV UTF-8 (Comma delimited)" writes: a BOM and CRLF line endings."""
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")


def file_text(kind: str) -> str:
    return _census_slice() if kind == "attendance" else FILES[kind]


async def _what_was_saved(db: Database, kind: str) -> object:
    from storage.attendance import AttendanceFigure
    from storage.directory import all_organisations, person_by_email
    from storage.system import term_calendar

    async with db.session() as session:
        if kind == "organisations":
            return sorted((o.name, o.kind) for o in await all_organisations(session))
        if kind == "people":
            person = await person_by_email(session, "zoe@stmarys.sch.uk")
            return person.name if person else None
        if kind == "terms":  # the school year the file gives (it replaces only that year)
            cal = await term_calendar(session, "sheffield")
            year = (date(2026, 9, 1), date(2027, 8, 31))
            return sorted(
                (p.name, p.start, p.end)
                for p in cal.periods
                if p.kind in ("term", "inset") and year[0] <= p.start <= year[1]
            )
        rows = await session.scalars(
            select(AttendanceFigure).where(
                AttendanceFigure.area_name == "Sheffield", AttendanceFigure.phase == "total"
            )
        )
        return [(f.time_period, f.pa_pct, f.severe_pct) for f in rows]


EXPECTED = {
    "organisations": [("St Mary’s C of E Primary", "school")],
    "people": "Zoë Brontë",
    "terms": [
        ("Autumn 2026", date(2026, 9, 3), date(2026, 12, 18)),
        ("Spring 2027", date(2027, 1, 5), date(2027, 3, 26)),
        ("Spring 2027 – INSET", date(2027, 1, 5), date(2027, 1, 5)),  # 5 January, not 1 May
        ("Summer 2027", date(2027, 4, 12), date(2027, 7, 21)),
    ],
    "attendance": [("202425", "21.28", "3.67")],  # the data README's Sheffield 2024/25
}


@pytest.mark.parametrize("kind", ["people", "organisations", "attendance", "terms"])
@pytest.mark.parametrize(
    "write", [excel_utf8, lambda t: t.encode("utf-8")], ids=["bom-crlf", "plain"]
)
async def test_every_import_reads_excel_csv_utf8_and_plain_utf8(
    db: Database, tmp_path: Path, kind: str, write, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(write(file_text(kind)))
    file = csvfile.read_file(path, example=EXAMPLE)
    assert await _import_kind(argparse.Namespace(what=kind, source=None), db, file) == 0
    assert capsys.readouterr().out.startswith(f"{kind}: ")
    assert await _what_was_saved(db, kind) == EXPECTED[kind]


def _main(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    return main(list(argv))


@pytest.mark.parametrize("kind", ["people", "organisations", "attendance", "terms"])
def test_a_windows_encoded_file_is_refused_saying_how_to_save_csv_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    text = file_text(kind)
    if kind == "attendance":  # the census slice is ASCII: a name typed in Excel is not
        text = text.replace("Sheffield", "Sheffield – City", 1)
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    assert _main(tmp_path, monkeypatch, "import", kind, str(path)) == 2
    err = capsys.readouterr().err
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if not t.isascii())
    assert f"{kind}.csv is not UTF-8 text: line {line} has a character" in err
    assert "probably Windows-1252" in err
    assert "'CSV UTF-8 (Comma delimited) (*.csv)'" in err and "Save As" in err
    assert "Traceback" not in err
    assert not (tmp_path / "cli.db").exists()  # refused before any database was made


@pytest.mark.parametrize("kind", ["people", "organisations", "attendance", "terms"])
def test_a_missing_file_is_named_and_nothing_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    missing = tmp_path / "nowhere" / f"{kind}.csv"
    assert _main(tmp_path, monkeypatch, "import", kind, str(missing)) == 2
    err = capsys.readouterr().err
    assert f"No file at {missing}: check the path." in err
    assert f"partnership-bot import {kind}" in err and "Traceback" not in err
    assert not (tmp_path / "cli.db").exists()
    assert _main(tmp_path, monkeypatch, "import", kind, str(tmp_path)) == 2
    assert "is a folder, not a CSV file" in capsys.readouterr().err


def test_an_excel_workbook_or_unicode_text_says_what_it_is() -> None:
    with pytest.raises(UserError, match=r"an Excel workbook \(\.xlsx\), not a CSV file"):
        csvfile.from_bytes(b"PK\x03\x04rest of a zip", name="people.xlsx", example=EXAMPLE)
    utf16 = "name,email\nJo,jo@x.org\n".encode("utf-16")
    with pytest.raises(UserError, match=r"UTF-16 \(what Excel's 'Unicode Text' writes\)"):
        csvfile.from_bytes(utf16, name="people.csv", example=EXAMPLE)


def test_line_endings_and_bom_never_reach_a_value() -> None:
    for data in (b"\xef\xbb\xbfa,b\r\n1,2\r\n", b"a,b\n1,2\n", b"a,b\r1,2\r"):
        file = csvfile.from_bytes(data, name="x.csv", example=EXAMPLE)
        assert csvfile.header(file) == ["a", "b"]
        assert csvfile.rows(file, required=["a", "b"], example=EXAMPLE) == [
            (2, {"a": "1", "b": "2"})
        ]


def test_uk_order_dates_and_a_clear_answer_for_others() -> None:
    def day(text: str) -> date:
        return csvfile.day(text, line=3, column="start", example=EXAMPLE)

    assert day("05/01/2027") == date(2027, 1, 5)  # 5 January, never 1 May
    assert day("5/1/2027") == day("05/01/27") == day("2027-01-05") == date(2027, 1, 5)
    for bad in ("01/25/2027", "31/02/2027", "next Friday", ""):
        with pytest.raises(UserError) as err:
            day(bad)
        assert err.value.message.startswith("Line 3: start ")
        assert "day/month/year, like 05/01/2027 (5 January 2027)" in err.value.message


def test_a_row_with_more_cells_than_the_header_names_the_line() -> None:
    file = csvfile.from_bytes(
        b"name,email,role,organisation,groups\nBloggs, Jo,jo@x.org,head,,\n",
        name="people.csv",
        example=EXAMPLE,
    )
    with pytest.raises(UserError) as err:
        csvfile.rows(file, required=["name", "email"], example=EXAMPLE)
    assert "people.csv, line 2: 6 cells but the header names 5" in err.value.message
    assert 'double quotes ("Bloggs, Jo")' in err.value.message


def test_no_module_but_the_reader_reads_a_csv_file_itself() -> None:
    """One reader: no other module decodes a file or walks CSV rows on its own (pandas reads
    only text bot.csvfile decoded)."""
    root = Path(__file__).resolve().parent.parent
    own_readers = ("csv.reader(", "csv.DictReader(", '"utf-8-sig"', "utf-8-sig'")
    found = []
    for package in ("bot", "handlers", "storage", "scheduled"):
        for path in (root / package).rglob("*.py"):
            if path.name == "csvfile.py":
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(root)}: {r}" for r in own_readers if r in text]
            if "read_csv(" in text and "io.StringIO(file.text)" not in text:
                found.append(f"{path.relative_to(root)}: read_csv on something else")
    assert found == []

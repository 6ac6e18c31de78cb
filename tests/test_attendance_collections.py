"""The shipped DfE files (census 2015/16-2024/25 with severe absence, in-year 2025/26), checked
against the facts published in bot/data/attendance/README.md, never against our own answers."""

from __future__ import annotations

import csv
import functools
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from bot.render.text import render_text
from bot.reply import Image, Table
from storage.attendance import import_file, import_shipped
from storage.attendance_import import round_half_up
from tests.conftest import Asker, london

DATA = Path(__file__).resolve().parent.parent / "bot/data/attendance"
CENSUS = DATA / "absence_nat_reg_la_2015_16_to_2024_25.csv"
IN_YEAR = DATA / "pupil_attendance_ytd_2025_26.csv"
JO = "jo@hillside.sch.uk"


@functools.cache
def published() -> dict[tuple[str, str], tuple[Decimal, ...]]:
    """(area, year) -> the published percentages, read from the data README's fact lines."""
    text = " ".join((DATA / "README.md").read_text().split())
    facts: dict[tuple[str, str], tuple[Decimal, ...]] = {}
    census = text[text.index("Published facts") : text.index("## `pupil_attendance")]
    area = ""
    for m in re.finditer(
        r"(?:(England|Sheffield) )?(\d{4}/\d{2}) (\d+\.\d+) / (\d+\.\d+) / (\d+\.\d+)", census
    ):
        area = m.group(1) or area
        facts[(area, m.group(2))] = tuple(Decimal(v) for v in m.groups()[2:])
    m = re.search(
        r"England year to date 2025/26: overall absence (\d+\.\d+)%, persistent absence (\d+\.\d+)%",
        text,
    )
    assert m, "README lost the in-year England facts"
    facts[("England", "2025/26 in-year")] = (Decimal(m.group(1)), Decimal(m.group(2)))
    m = re.search(r"Sheffield total (\d+\.\d+)% / (\d+\.\d+)%", text)
    assert m, "README lost the in-year Sheffield facts"
    facts[("Sheffield", "2025/26 in-year")] = (Decimal(m.group(1)), Decimal(m.group(2)))
    return facts


def pct(value: Decimal) -> str:
    return f"{round_half_up(value)}%"


@pytest.fixture
async def shipped(ask: Asker) -> Asker:
    async with ask.ctx.db.session() as session:
        await import_shipped(session, ask.ctx.clock.now())
    return ask


def test_readme_facts_are_read() -> None:
    facts = published()
    for year in ("2022/23", "2023/24", "2024/25"):
        assert len(facts[("England", year)]) == 3
    assert ("Sheffield", "2024/25") in facts and ("England", "2025/26 in-year") in facts


@pytest.mark.parametrize("year", ["2022/23", "2023/24", "2024/25"])
async def test_england_census_figures_match_the_publication(shipped: Asker, year: str) -> None:
    overall, pa, severe = published()[("England", year)]
    reply = await shipped.ok(JO, f"attendance England {year}")
    assert reply.text.startswith(f"England, all schools (total), {year}:")
    assert f"persistent absence {pct(pa)}" in reply.text
    assert f"overall absence {pct(overall)}" in reply.text
    assert f"severe absence {pct(severe)}" in reply.text


@pytest.mark.parametrize("year", ["2022/23", "2024/25"])
async def test_sheffield_census_figures_match_the_publication(shipped: Asker, year: str) -> None:
    overall, pa, severe = published()[("Sheffield", year)]
    reply = await shipped.ok(JO, f"attendance Sheffield {year}")
    assert reply.text.startswith(f"Sheffield, all schools (total), {year}:")
    for name, value in (("persistent", pa), ("overall", overall), ("severe", severe)):
        assert f"{name} absence {pct(value)}" in reply.text


async def test_sheffield_defaults_to_latest_census_year_with_this_year_so_far(
    shipped: Asker,
) -> None:
    shipped.ctx.clock.set(london(2026, 6, 15, 9, 0))  # during 2025/26, the in-year file's year
    overall, pa, severe = published()[("Sheffield", "2024/25")]
    e_overall, e_pa, e_severe = published()[("England", "2024/25")]
    reply = await shipped.ok(JO, "attendance Sheffield")
    assert reply.text.startswith("Sheffield, all schools (total), 2024/25:")
    assert f"persistent absence {pct(pa)} (England {pct(e_pa)})" in reply.text
    assert f"overall absence {pct(overall)} (England {pct(e_overall)})" in reply.text
    assert f"severe absence {pct(severe)} (England {pct(e_severe)})" in reply.text
    text = render_text(reply)
    so_far = next(line for line in text.splitlines() if "This year so far" in line)
    in_overall, in_pa = published()[("Sheffield", "2025/26 in-year")]
    ie_overall, ie_pa = published()[("England", "2025/26 in-year")]
    assert "2025/26 to about mid-July 2026" in so_far and "daily registers" in so_far
    assert "different collection" in so_far
    assert f"overall absence {pct(in_overall)} (England {pct(ie_overall)})" in so_far
    assert f"persistent absence {pct(in_pa)} (England {pct(ie_pa)})" in so_far
    # the census answer itself is cited as the census release, not the in-year one
    assert "Pupil absence in schools in England, 2024/25 full-year release" in text


async def test_in_year_line_is_not_called_this_year_once_that_year_is_over(
    shipped: Asker,
) -> None:
    shipped.ctx.clock.set(london(2026, 11, 20, 10, 0))  # 2026/27: no in-year file for it yet
    text = render_text(await shipped.ok(JO, "attendance Sheffield"))
    assert "This year so far" not in text
    line = next(line for line in text.splitlines() if "In-year figures, 2025/26" in line)
    assert "2025/26 to about mid-July 2026, from schools' daily registers" in line
    assert "No in-year figures for 2026/27 are loaded yet." in line


async def test_core_city_ranks_match_a_ranking_of_the_file_itself(shipped: Asker) -> None:
    import pandas as pd

    cities = [c.strip() for c in shipped.ctx.settings.core_cities.split(",")]
    df = pd.read_csv(CENSUS, dtype=str, keep_default_na=False)
    df = df[(df.time_period == "202425") & (df.education_phase == "Total")]
    df = df[df.la_name.str.split(",").str[0].isin(cities)]
    assert len(df) == len(cities)
    for column, measure in (
        ("persistent absence", "enrolments_pa_10_exact_percent"),
        ("severe absence", "enrolments_pa_50_exact_percent"),
    ):
        values = df[measure].astype(float)
        expected = {
            name.split(",")[0]: int(rank)
            for name, rank in zip(df.la_name, values.rank(method="min"), strict=True)
        }
        reply = await shipped.ok(JO, "attendance core-cities")
        [table] = [e for e in reply.elements if isinstance(e, Table)]
        rank_col = 0 if column == "persistent absence" else table.columns.index("severe rank")
        got = {
            row[1]: int(row[rank_col].split(" of ")[0]) for row in table.rows if row[1] != "England"
        }
        assert got == expected, column
    assert "2024/25" in reply.text and "severe absence" in reply.text


async def test_core_cities_chart_has_england_and_the_home_region_as_reference_lines(
    shipped: Asker,
) -> None:
    reply = await shipped.ok(JO, "attendance core-cities")
    [chart] = [e for e in reply.elements if isinstance(e, Image)]
    e_pa = published()[("England", "2024/25")][1]
    assert f"Reference lines: England {pct(e_pa)}; Yorkshire and the Humber " in chart.alt


async def test_compare_shows_severe_absence(shipped: Asker) -> None:
    reply = await shipped.ok(JO, "attendance compare Sheffield Leeds")
    severe = published()[("Sheffield", "2024/25")][2]
    assert f"severe absence {pct(severe)} vs" in reply.text


async def test_trend_skips_2019_20_and_marks_2020_21(shipped: Asker) -> None:
    after = render_text(await shipped.ok(JO, "attendance Sheffield 2021/22"))
    assert (
        "Change in PA on 2020/21: no comparison (2020/21 autumn and spring terms only)"
        in (after.replace("| ", ": "))
        or "no comparison (2020/21 autumn and spring terms only)" in after
    )
    during = await shipped.ok(JO, "attendance Sheffield 2020/21")
    assert "no comparison (2019/20 not published)" in render_text(during)
    assert "autumn and spring terms only" in render_text(during)  # cited with the period
    latest = await shipped.ok(JO, "attendance Sheffield")
    [chart] = [e for e in latest.elements if isinstance(e, Image)]
    assert "from 2015/16 to 2024/25" in chart.alt
    assert "2019/20: not published" in chart.alt and "*2020/21: autumn and spring" in chart.alt
    assert "severe absence" in chart.alt.lower()
    nothing = await shipped.ok(JO, "attendance Sheffield 2019/20")
    assert "not available (x)" in nothing.text  # a reason, never a number


@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        ("Bristol", "Bristol"),
        ("Hull", "Kingston upon Hull"),
        ("Newcastle", "Newcastle upon Tyne"),
        ("Bradford", "Bradford"),
        ("St Helens", "St Helens"),
        ("Durham", "County Durham"),
    ],
)
async def test_areas_as_people_write_them(shipped: Asker, asked: str, shown: str) -> None:
    reply = await shipped.ok(JO, f"attendance {asked}")
    assert reply.text.startswith(f"{shown}, all schools (total), 2024/25")


async def test_guesses_only_when_close_and_reorganisations_explained(shipped: Asker) -> None:
    typo = await shipped(JO, "attendance Sheffeild")
    assert typo.error and "Did you mean Sheffield" in typo.text
    nowhere = await shipped(JO, "attendance Atlantis")
    assert nowhere.error and "Did you mean" not in nowhere.text
    cumbria = await shipped(JO, "attendance Cumbria 2024/25")
    assert cumbria.error and "Cumberland and Westmorland and Furness" in cumbria.text
    cumberland = await shipped(JO, "attendance Cumberland 2018/19")
    assert cumberland.error and "Cumbria" in cumberland.text
    older = await shipped.ok(JO, "attendance Cumbria 2018/19")
    assert older.text.startswith("Cumbria, all schools (total), 2018/19")


async def test_years_lists_both_collections(shipped: Asker) -> None:
    reply = await shipped.ok(JO, "attendance years")
    assert "2015/16 to 2024/25 (school census" in reply.text
    assert "2025/26 (in-year collection" in reply.text
    assert "never mixed" in reply.text


def _variant(path: Path, edit) -> bytes:  # type: ignore[no-untyped-def]
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header, rows = list(reader.fieldnames or ()), [edit(dict(r)) for r in reader]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


async def test_import_says_what_it_is_and_replaces_only_its_own_collection(
    ask: Asker, tmp_path: Path
) -> None:
    async with ask.ctx.db.session() as session:
        census = await import_file(session, CENSUS, progress=None)
    said = str(census)
    assert "Pupil absence in schools in England" in said and "school census" in said
    assert "2019/20 not published" in said and "2020/21 autumn and spring terms only" in said
    assert "158 local authorities" in said and "primary, secondary, special, total" in said

    def as_2024_25(row: dict[str, str]) -> dict[str, str]:
        row["time_period"] = "202425"  # an in-year file for a year the census also covers
        return row

    overlap = tmp_path / "ytd_2024_25.csv"
    overlap.write_bytes(_variant(IN_YEAR, as_2024_25))
    async with ask.ctx.db.session() as session:
        in_year = await import_file(session, overlap, progress=None)
    assert "Pupil attendance in schools" in str(in_year) and "in-year" in str(in_year)
    assert "2024/25 year to date" in str(in_year)
    # the census figure for 2024/25 is untouched by the in-year file for the same year
    reply = await ask.ok(JO, "attendance Sheffield 2024/25")
    assert f"persistent absence {pct(published()[('Sheffield', '2024/25')][1])}" in reply.text
    assert "This year so far" not in render_text(reply)

    def revised(row: dict[str, str]) -> dict[str, str]:
        row = as_2024_25(row)
        if row["la_name"] == "Sheffield" and row["education_phase"] == "Total":
            row["pa_perc"] = "c"
        return row

    newer = tmp_path / "ytd_2024_25_revised.csv"
    newer.write_bytes(_variant(IN_YEAR, revised))
    async with ask.ctx.db.session() as session:
        await import_file(session, newer, progress=None)
    years = await ask.ok(JO, "attendance years")
    [table] = [e for e in years.elements if isinstance(e, Table)]
    assert len(table.rows) == 2  # the first in-year release was replaced, not added to
    assert "#3" in table.rows[1][3]


async def test_another_shape_names_the_columns_expected(ask: Asker, tmp_path: Path) -> None:
    from bot.errors import UserError

    other = tmp_path / "pupils.csv"
    other.write_text("time_period,geographic_level,headcount\n202425,National,8000000\n")
    with pytest.raises(UserError) as err:
        async with ask.ctx.db.session() as session:
            await import_file(session, other, progress=None)
    message = str(err.value)
    assert "sess_overall_percent" in message and "overall_absence_perc" in message
    assert "education_phase" in message and "nothing was imported" in message


async def test_teams_card_with_the_chart_stays_under_40_kb(shipped: Asker) -> None:
    import json

    from bot.render.adaptivecards import render_attachment

    for text in (
        "attendance Sheffield",
        "attendance compare Sheffield Leeds",
        "attendance core-cities",
    ):
        reply = await shipped.ok(JO, text)
        card = json.dumps(render_attachment(reply))
        assert len(card) < 40_000, (text, len(card))
        assert "data:image/png;base64," in card, text  # the chart itself, not "too large"


async def test_a_year_only_the_in_year_collection_holds_is_answered_from_it(shipped: Asker) -> None:
    overall, pa = published()[("Sheffield", "2025/26 in-year")]
    reply = await shipped.ok(JO, "attendance Sheffield 2025/26")
    assert reply.text.startswith(
        "Sheffield, all schools (total), 2025/26 to about mid-July 2026 (in-year collection):"
    )
    assert f"persistent absence {pct(pa)}" in reply.text
    assert f"overall absence {pct(overall)}" in reply.text
    text = render_text(reply)
    assert "Pupil attendance in schools" in text and "daily registers" in text
    assert "severe absence" not in reply.text  # the in-year collection does not publish it


async def test_an_older_in_year_file_with_school_type_is_read_beside_the_census(
    shipped: Asker,
) -> None:
    from sqlalchemy import select

    from storage.attendance import AttendanceFigure

    ytd = Path(__file__).resolve().parent / "data/attendance/pupil_attendance_ytd_2024_25.csv"
    readme = " ".join((ytd.parent / "README.md").read_text().split())
    m = re.search(
        r"England year to date 2024/25 overall absence (\d+\.\d+)%, persistent absence (\d+\.\d+)%",
        readme,
    )
    assert m, "tests/data/attendance/README.md lost the 2024/25 in-year facts"
    async with shipped.ctx.db.session() as session:
        report = str(await import_file(session, ytd, progress=None))
    assert "Pupil attendance in schools" in report and "in-year collection" in report
    assert (
        "2024/25 year to date" in report and "phases: primary, secondary, special, total" in report
    )
    async with shipped.ctx.db.session() as session:
        england = await session.scalar(
            select(AttendanceFigure).where(
                AttendanceFigure.collection == "in-year",
                AttendanceFigure.time_period == "202425",
                AttendanceFigure.level == "national",
                AttendanceFigure.phase == "total",
            )
        )
    assert england is not None
    assert pct(Decimal(england.overall_pct)) == pct(Decimal(m.group(1)))
    assert pct(Decimal(england.pa_pct)) == pct(Decimal(m.group(2)))
    # the census answer for 2024/25 is untouched: the two collections are never mixed
    overall, pa, _ = published()[("England", "2024/25")]
    reply = await shipped.ok(JO, "attendance England 2024/25")
    assert f"persistent absence {pct(pa)}" in reply.text
    assert f"overall absence {pct(overall)}" in reply.text
    years = await shipped.ok(JO, "attendance years")
    assert "2024/25 (in-year collection" in years.text  # beside the 2025/26 release
    assert "2025/26 (in-year collection" in years.text

"""Attendance questions in chat, answered from the real DfE excerpt, and the half-term post."""

from __future__ import annotations

import pytest

from bot.app import BotContext
from bot.charts import png_title
from bot.render.text import render_text
from bot.reply import Image, Reply, Table
from storage.attendance import save_release
from storage.attendance_import import parse_absence_csv
from tests.conftest import Asker, london, outbox_rows, run_tick
from tests.test_attendance_import import TEST_AREAS, real_lines, real_subset, to_csv

PNG = b"\x89PNG\r\n\x1a\n"
JO = "jo@hillside.sch.uk"


async def load_real(ctx: BotContext, *periods: str, source: str = "DfE absence 2018/19") -> int:
    """Save real rows for a few years, as imported at the fixture clock's time."""
    async with ctx.db.session() as session:
        report = await save_release(
            session,
            real_subset(*(periods or ("201617", "201718", "201819")), areas=TEST_AREAS),
            source=source,
            file_name="absence_nat_reg_la_2006_07_to_2018_19.csv",
            now=ctx.clock.now(),
        )
    return report.release_id


@pytest.fixture
async def data(ask: Asker) -> Asker:
    await load_real(ask.ctx)
    return ask


def images(reply: Reply) -> list[Image]:
    return [e for e in reply.elements if isinstance(e, Image)]


async def test_sheffield_secondary_answer_names_figures_rank_and_source(data: Asker) -> None:
    reply = await data.ok(JO, "attendance Sheffield secondary 2018/19")
    text = render_text(reply)
    assert "persistent absence 15.3% (England 13.7%)" in reply.text
    assert "overall absence 5.9% (England 5.5%)" in reply.text
    assert "Yorkshire and the Humber" in text
    assert "Core-city rank: 5 of 8 for PA" in text
    assert "Source: DfE absence 2018/19" in text and "2018/19 academic year" in text
    assert "Change in PA on 2017/18" in text
    [chart] = images(reply)
    assert chart.data and chart.data.startswith(PNG)
    assert png_title(chart.data) == chart.title
    assert "Sheffield vs Yorkshire and the Humber vs England vs Core-city median" in (
        chart.title or ""
    )
    assert "Sheffield 15.3%" in chart.alt


async def test_defaults_are_total_and_latest_year(data: Asker) -> None:
    reply = await data.ok(JO, "attendance England")
    assert reply.text.startswith("England, all schools (total), 2018/19")
    assert "overall absence 4.7%" in reply.text and "persistent absence 10.9%" in reply.text


async def test_area_names_are_forgiving(data: Asker) -> None:
    for text in (
        "attendance Bristol",
        'attendance "Bristol, City of"',
        "attendance bristol city of",
    ):
        reply = await data.ok(JO, text)
        assert reply.text.startswith("Bristol, all schools")  # the plain name, not DfE's
    hull = await data.ok(JO, "attendance Hull primary")
    assert hull.text.startswith("Kingston upon Hull, state-funded primary")


async def test_unknown_area_suggests_the_nearest(data: Asker) -> None:
    reply = await data(JO, "attendance Sheffeld")
    assert reply.error and "Did you mean Sheffield" in reply.text
    london_ = await data(JO, "attendance London")
    assert london_.error and "Inner London" in london_.text and "City of London" in london_.text


async def test_bad_year_and_missing_year_are_explained(data: Asker) -> None:
    bad = await data(JO, "attendance Sheffield 2019")
    assert bad.error and "2018/19" in bad.text
    missing = await data(JO, "attendance Sheffield 2012/13")
    assert missing.error and "2016/17 to 2018/19" in missing.text


async def test_compare_two_areas(data: Asker) -> None:
    reply = await data.ok(JO, "attendance compare Sheffield Leeds")
    assert reply.text.startswith("Sheffield vs Leeds, all schools (total), 2018/19")
    assert "13.0% vs 11.5% (England 10.9%)" in reply.text
    [table] = [e for e in reply.elements if isinstance(e, Table)]
    assert table.columns == ["measure", "Sheffield", "Leeds", "England"]
    assert len(images(reply)) == 1 and "Source:" in render_text(reply)
    multi = await data.ok(JO, "attendance compare Newcastle upon Tyne Leeds secondary")
    assert multi.text.startswith("Newcastle upon Tyne vs Leeds, state-funded secondary")


async def test_core_cities_ranked_with_bar_chart(data: Asker) -> None:
    reply = await data.ok(JO, "attendance core-cities")
    assert "Sheffield is 5 of 8" in reply.text
    [table] = [e for e in reply.elements if isinstance(e, Table)]
    assert [r[1] for r in table.rows][:2] == ["Manchester", "Leeds"]
    assert table.rows[-1][:2] == ["-", "England"] and len(table.rows) == 9
    [chart] = images(reply)
    assert chart.data and chart.data.startswith(PNG)
    assert (
        png_title(chart.data)
        == "Persistent absence in the core cities, all schools (total), 2018/19"
    )
    assert "Source:" in render_text(reply)


async def test_comparator_list_is_a_setting(data: Asker) -> None:
    data.ctx.settings.core_cities = "Sheffield,Leeds,Bristol"
    reply = await data.ok(JO, "attendance Sheffield")
    assert "2 of 3 for PA" in render_text(reply)


async def test_small_counts_are_suppressed(data: Asker) -> None:
    reply = await data.ok(JO, "attendance City of London")
    text = render_text(reply)
    assert "persistent absence suppressed (fewer than 10 pupils)" in reply.text
    assert "Persistently absent pupils: suppressed (fewer than 10 pupils)" in text
    assert "3.4%" not in text  # 7 of 207 pupils: DfE's figure, but about fewer than 10


async def test_dfe_symbol_is_shown_as_suppressed_with_reason(ask: Asker) -> None:
    header, rows = real_lines(
        lambda r: (
            r["time_period"] in ("201718", "201819")
            and (r["la_name"] or r["region_name"] or r["country_name"]) in TEST_AREAS
        )
    )
    for r in rows:
        if r["la_name"] == "Leeds" and r["school_type"] == "Total" and r["time_period"] == "201819":
            r["enrolments_pa_10_exact_percent"] = "c"
            r["sess_overall_percent"] = "x"
    async with ask.ctx.db.session() as session:
        await save_release(
            session, parse_absence_csv(to_csv(header, rows)), source="s", file_name="f"
        )
    reply = await ask.ok(JO, "attendance Leeds")
    assert "persistent absence suppressed (c: confidential)" in reply.text
    assert "overall absence not available (x)" in reply.text
    ranked = await ask.ok(JO, "attendance core-cities")
    assert "Sheffield is 4 of 7" in ranked.text  # Leeds has no number to rank


async def test_rounding_in_replies_is_half_up(ask: Asker) -> None:
    header, rows = real_lines(
        lambda r: (
            r["time_period"] == "201819"
            and (r["la_name"] or r["region_name"] or r["country_name"]) in TEST_AREAS
        )
    )
    for r in rows:
        if r["la_name"] == "Leeds" and r["school_type"] == "Total":
            r["enrolments_pa_10_exact_percent"] = "11.45"  # a float would round this to 11.4
            r["sess_overall_percent"] = "4.94999"
    async with ask.ctx.db.session() as session:
        await save_release(
            session, parse_absence_csv(to_csv(header, rows)), source="s", file_name="f"
        )
    reply = await ask.ok(JO, "attendance Leeds")
    assert "persistent absence 11.5%" in reply.text and "overall absence 4.9%" in reply.text


async def test_nothing_imported_is_a_clear_answer(ask: Asker) -> None:
    reply = await ask(JO, "attendance Sheffield")
    assert reply.error and "import attendance" in reply.text


async def test_half_term_post_once_per_release(data: Asker) -> None:
    ctx = data.ctx
    await run_tick(ctx, london(2024, 2, 12, 8, 0))  # spring half term began that day
    [row] = await outbox_rows(ctx, prefix="attendance:")
    assert row.key == "attendance:1:post:2024-02-12"
    assert row.target == "group:attendance" and row.due_at == london(2024, 2, 19, 9, 0)
    assert "Half-term attendance update" in row.text and "Sheffield" in row.text
    assert any(isinstance(e, Image) and e.data for e in row.reply.elements)
    await run_tick(ctx, london(2024, 2, 19, 9, 5))
    await run_tick(ctx, london(2024, 5, 28, 9, 0))  # next half term, no newer release
    assert [r.key for r in await outbox_rows(ctx, prefix="attendance:")] == [row.key]
    newer = await load_real(ctx, "201819", source="DfE absence, revised")
    await run_tick(ctx, london(2024, 5, 29, 9, 0))
    keys = [r.key for r in await outbox_rows(ctx, prefix="attendance:")]
    assert keys == [row.key, f"attendance:{newer}:post:2024-05-27"]


async def test_no_post_before_a_half_term_or_a_release(ask: Asker) -> None:
    await run_tick(ask.ctx, london(2024, 2, 12, 9, 0))
    assert await outbox_rows(ask.ctx, prefix="attendance:") == []
    await load_real(ask.ctx)
    await run_tick(ask.ctx, london(2024, 1, 10, 9, 0))  # term time, no half term just ended
    assert await outbox_rows(ask.ctx, prefix="attendance:") == []


async def test_severe_absence_shown_where_published(ask: Asker) -> None:
    header, rows = real_lines(
        lambda r: (
            r["time_period"] == "201819"
            and (r["la_name"] or r["region_name"] or r["country_name"]) in TEST_AREAS
        )
    )
    header += ["enrolments_pa_50_exact", "enrolments_pa_50_exact_percent"]
    for r in rows:
        r["enrolments_pa_50_exact"], r["enrolments_pa_50_exact_percent"] = "500", "0.75"
        if r["la_name"] == "Leeds":
            r["enrolments_pa_50_exact"], r["enrolments_pa_50_exact_percent"] = "c", "c"
    async with ask.ctx.db.session() as session:
        await save_release(
            session, parse_absence_csv(to_csv(header, rows)), source="s", file_name="f"
        )
    reply = await ask.ok(JO, "attendance Sheffield")
    [table] = [e for e in reply.elements if isinstance(e, Table)]
    assert ["Severe absence (50%+ missed)", "0.8%", "0.8%", "0.8%"] in table.rows
    assert "not published in this release" not in render_text(reply)
    leeds = render_text(await ask.ok(JO, "attendance core-cities"))
    assert "severe absence" in leeds and "suppressed (c: confidential)" in leeds

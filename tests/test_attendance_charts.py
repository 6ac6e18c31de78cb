"""Charts are real PNGs with their title, drawn without a display; the web chat shows them inline;
the `import attendance` command reports, and names a missing column with exit code 2."""

from __future__ import annotations

import base64
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from bot.charts import HIGHLIGHT, REFERENCE_STYLES, png_title, ranked_bar_chart, trend_chart
from bot.render.html import render_html
from bot.reply import Image, Reply
from tests.test_attendance_import import REAL

PNG = b"\x89PNG\r\n\x1a\n"


def size(png: bytes) -> tuple[int, int]:
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def test_trend_chart_is_a_png_with_its_title() -> None:
    title = "Persistent absence, state-funded secondary: Sheffield vs England"
    png = trend_chart(
        title=title,
        years=["2016/17", "2017/18", "2018/19"],
        series=[("Sheffield", [16.1, 16.5, 15.3]), ("England", [13.5, 13.9, None])],
    )
    assert png.startswith(PNG) and png.rstrip().endswith(b"IEND\xaeB`\x82")
    assert png_title(png) == title
    width, height = size(png)
    assert width > 400 and height > 200


def test_bar_chart_is_a_png_with_its_title() -> None:
    title = "Persistent absence in the core cities, all schools (total), 2018/19"
    png = ranked_bar_chart(
        title=title,
        bars=[("Manchester", 10.7), ("Sheffield", 13.0), ("Bristol City of", 13.7)],
        highlight="Sheffield",
        references=[("England", 10.9)],
    )
    assert png.startswith(PNG) and png_title(png) == title
    other = ranked_bar_chart(title="Another", bars=[("Leeds", 11.5)])
    assert png_title(other) == "Another" and other != png


def test_charts_never_touch_pyplot_or_a_display() -> None:
    code = (
        "import sys; from bot.charts import trend_chart; "
        "trend_chart(title='t', years=['2018/19'], series=[('a', [1.0])]); "
        "print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "DISPLAY": ""},
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_web_chat_shows_the_chart_inline_with_alt_text() -> None:
    png = trend_chart(title="Trend", years=["2018/19"], series=[("Sheffield", [15.3])])
    html = render_html(Reply(text="x").add(Image(alt="Sheffield 15.3%", data=png, title="Trend")))
    assert "data:image/png;base64," + base64.b64encode(png).decode() in html
    assert 'alt="Sheffield 15.3%"' in html and "<figcaption>Trend</figcaption>" in html


def test_cli_import_reports_and_names_a_missing_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert main(["import", "attendance", str(REAL), "--source", "DfE absence 2018/19"]) == 0
    out = capsys.readouterr()
    assert "attendance: release #1 imported: 8400 rows, 2006/07 to 2018/19" in out.out
    assert "8400/8400 rows (100%)" in out.err
    assert main(["import", "attendance", str(REAL)]) == 0
    assert "nothing changed" in capsys.readouterr().out
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("time_period,geographic_level,la_name\n201819,National,\n")
    assert main(["import", "attendance", str(wrong)]) == 2
    err = capsys.readouterr().err
    assert "not a DfE attendance file" in err and "nothing was imported" in err
    # it names the columns of both shapes it reads
    for column in ("sess_overall_percent", "overall_absence_perc", "country_code", "school_type"):
        assert column in err


def _pixels(png: bytes):  # type: ignore[no-untyped-def]
    import io

    from PIL import Image as PILImage

    return PILImage.open(io.BytesIO(png)).convert("RGB")


def _near(colour: tuple[int, int, int], hex_colour: str, tolerance: int = 40) -> bool:
    want = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return sum(abs(a - b) for a, b in zip(colour, want, strict=True)) <= tolerance


def _where(png: bytes, hex_colour: str) -> list[tuple[int, int]]:
    image = _pixels(png)
    width, height = image.size
    data = image.load()
    return [
        (x, y)
        for y in range(height)
        for x in range(width)
        if _near(data[x, y], hex_colour)  # type: ignore[index]
    ]


def _foot_has_ink(png: bytes, rows: int = 8) -> bool:
    """Anything but white in the bottom `rows` of the image (where the source is printed)."""
    image = _pixels(png)
    width, height = image.size
    data = image.load()
    return any(
        sum(data[x, y]) < 600  # type: ignore[index, arg-type]
        for y in range(height - rows, height)
        for x in range(width)
    )


@pytest.mark.parametrize("kind", ["trend", "bars"])
def test_the_source_and_period_are_printed_in_the_image_at_readable_size(kind: str) -> None:
    note = "DfE, Pupil absence in schools in England, 2024/25. Period: 2024/25 academic year."

    def draw(with_note: str | None) -> bytes:
        if kind == "trend":
            return trend_chart(
                title="t",
                years=["2023/24", "2024/25"],
                series=[("Sheffield", [22.7, 21.3])],
                note=with_note,
            )
        return ranked_bar_chart(title="b", bars=[("Sheffield", 21.3)], note=with_note)

    cited, bare = draw(note), draw(None)
    assert _foot_has_ink(cited) and not _foot_has_ink(bare)
    width, _ = size(cited)
    assert width >= 640  # shown at chat width without shrinking the text below legibility


def test_the_home_area_is_the_bold_red_line_whichever_order_it_is_asked_in() -> None:
    years = ["2022/23", "2023/24", "2024/25"]
    series = [("Leeds", [30.0, 30.0, 30.0]), ("Sheffield", [10.0, 10.0, 10.0])]
    default = trend_chart(title="t", years=years, series=series)
    home = trend_chart(title="t", years=years, series=series, highlight="Sheffield")
    top = sum(y for _, y in _where(default, HIGHLIGHT)) / len(_where(default, HIGHLIGHT))
    bottom = sum(y for _, y in _where(home, HIGHLIGHT)) / len(_where(home, HIGHLIGHT))
    assert bottom > top + 50  # red runs along Sheffield's (lower) line, not Leeds's


def test_bar_chart_reference_lines_are_drawn_and_the_home_bar_is_red() -> None:
    bars = [("Manchester", 18.8), ("Sheffield", 21.3), ("Bristol", 22.2)]
    plain = ranked_bar_chart(title="b", bars=bars)
    marked = ranked_bar_chart(
        title="b",
        bars=bars,
        highlight="Sheffield",
        references=[("England", 18.1), ("Yorkshire and the Humber", 19.3)],
    )
    assert not _where(plain, HIGHLIGHT) and _where(marked, HIGHLIGHT)
    for colour, _ in REFERENCE_STYLES[:2]:  # England's line and the region's, each its own
        assert len(_where(marked, colour)) > len(_where(plain, colour)) + 50

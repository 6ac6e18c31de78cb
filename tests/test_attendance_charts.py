"""Charts are real PNGs with their title, drawn without a display; the web chat shows them inline;
the `import attendance` command reports, and names a missing column with exit code 2."""

from __future__ import annotations

import base64
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from bot.charts import png_title, ranked_bar_chart, trend_chart
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
        reference=("England", 10.9),
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

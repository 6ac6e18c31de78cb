"""Charts as PNG bytes for Reply Images: matplotlib's Agg canvas, never pyplot or a display.

Each chart is drawn on its own Figure (no global state), so two requests at once cannot draw
on each other's axes. The title is drawn and also written into the PNG's Title text chunk.
Charts are pure functions of their inputs, so recent ones are kept (drawing costs ~100 ms).
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Sequence
from textwrap import fill

HIGHLIGHT = "#c0392b"
MUTED = "#7f8c8d"
SIZE = (7.0, 3.6)
DPI = 96
PALETTE_COLOURS = 32
# reference lines (England, the region, comparators): a colour and a dash each, told apart in grey
REFERENCE_STYLES = (("#2c3e50", "--"), ("#2980b9", ":"), ("#27ae60", "-."), ("#8e44ad", "--"))


def _figure(left: float = 0.1, *, height: float = SIZE[1], bottom: float = 0.12):  # type: ignore[no-untyped-def]
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(SIZE[0], height), dpi=DPI)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=left, right=0.97, top=0.9, bottom=bottom)  # fixed: layout is slow
    return fig


def _png(fig, title: str) -> bytes:  # type: ignore[no-untyped-def]
    """The figure as a PNG of at most PALETTE_COLOURS colours, with its title in a text chunk.

    Charts are flat colours on white, so a small palette looks the same and is about a fifth of
    the size: small enough to travel inline in a Teams card (under 40 KB of JSON).
    """
    from PIL import Image as PILImage
    from PIL import PngImagePlugin

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    buf.seek(0)
    image = PILImage.open(buf).convert("RGB")
    small = image.quantize(colors=PALETTE_COLOURS, method=PILImage.Quantize.FASTOCTREE)
    info = PngImagePlugin.PngInfo()
    info.add_text("Title", title)
    info.add_text("Software", "partnership-bot")
    out = io.BytesIO()
    small.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def _note(fig, note: str | None) -> None:  # type: ignore[no-untyped-def]
    """Source and period printed in the image itself, so a chart shown alone still cites them."""
    if note:
        fig.text(0.01, 0.01, fill(note, 125), fontsize=6.5, color="#555555", va="bottom")


Series = Sequence[tuple[str, Sequence[float | None]]]


def trend_chart(
    *,
    title: str,
    years: Sequence[str],
    series: Series,
    ylabel: str = "% of pupils",
    lower: tuple[str, Series] | None = None,
    note: str | None = None,
    highlight: str | None = None,
) -> bytes:
    """Lines over the years; `highlight` (default the first series: the partnership's own area
    when it is among them) is drawn boldest, in red with markers, the others as reference lines.

    `lower` (a label and series) is a second panel below on the same years; `note` (source,
    period, gaps) is printed at the foot. A None value is a gap: lines are never joined across.
    """
    frozen = tuple((label, tuple(values)) for label, values in series)
    below = (lower[0], tuple((n, tuple(v)) for n, v in lower[1])) if lower else None
    return _trend(title, tuple(years), frozen, ylabel, below, note, highlight)


def _lines(ax, x, years, series, ylabel: str, highlight: str | None) -> None:  # type: ignore[no-untyped-def]
    bold = highlight if highlight in (label for label, _ in series) else series[0][0]
    others = iter(REFERENCE_STYLES * 4)
    for label, values in series:
        ys = [math.nan if v is None else float(v) for v in values]
        mine = label == bold
        colour, style = (HIGHLIGHT, "-") if mine else next(others)
        ax.plot(
            x,
            ys,
            style,
            marker="o" if mine else None,
            markersize=3.5,
            linewidth=2.6 if mine else 1.6,
            color=colour,
            label=label,
            zorder=3 if mine else 2,
        )
    step = max(1, math.ceil(len(years) / 10))
    ax.set_xticks(x[::step], [years[i] for i in x[::step]], fontsize=7.5)
    ax.tick_params(axis="y", labelsize=7.5)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


@functools.lru_cache(maxsize=256)
def _trend(
    title: str,
    years: tuple[str, ...],
    series: tuple[tuple[str, tuple[float | None, ...]], ...],
    ylabel: str,
    lower: tuple[str, tuple[tuple[str, tuple[float | None, ...]], ...]] | None = None,
    note: str | None = None,
    highlight: str | None = None,
) -> bytes:
    fig = _figure(height=5.4 if lower else SIZE[1], bottom=0.14 if note else 0.12)
    fig.subplots_adjust(top=0.88 if len(title) > 95 else 0.9)
    x = list(range(len(years)))
    ax = fig.add_subplot(2, 1, 1) if lower else fig.add_subplot()
    _lines(ax, x, years, series, ylabel, highlight)
    ax.set_title(fill(title, 95), fontsize=9, y=1.02)  # a fixed place: no layout pass per draw
    ax.legend(fontsize=7, frameon=False)
    if lower:
        low = fig.add_subplot(2, 1, 2)
        _lines(low, x, years, lower[1], ylabel, highlight)
        low.set_title(lower[0], fontsize=9, y=1.02)
        fig.subplots_adjust(hspace=0.45)
    _note(fig, note)
    return _png(fig, title)


def ranked_bar_chart(
    *,
    title: str,
    bars: Sequence[tuple[str, float]],
    highlight: str | None = None,
    references: Sequence[tuple[str, float]] = (),
    xlabel: str = "% of pupils",
    note: str | None = None,
) -> bytes:
    """Horizontal bars, best (lowest) at the top; `highlight` in red; each of `references`
    (England, the region) a labelled vertical line; `note` (source and period) printed at the
    foot, below the axis and the key so nothing overlaps."""
    return _bars(title, tuple(bars), highlight, tuple(references), xlabel, note)


@functools.lru_cache(maxsize=256)
def _bars(
    title: str,
    bars: tuple[tuple[str, float], ...],
    highlight: str | None,
    references: tuple[tuple[str, float], ...],
    xlabel: str,
    note: str | None = None,
) -> bytes:
    height = SIZE[1] + (0.35 if references else 0) + (0.35 if note else 0)
    bottom = (0.13 + (0.09 if references else 0) + (0.09 if note else 0)) * SIZE[1] / height
    fig = _figure(left=0.22, height=height, bottom=bottom)
    ax = fig.add_subplot()
    labels = [label for label, _ in bars]
    values = [float(v) for _, v in bars]
    colours = [HIGHLIGHT if label == highlight else MUTED for label in labels]
    positions = list(range(len(bars)))
    ax.barh(positions, values, color=colours)
    ax.set_yticks(positions, labels, fontsize=8)
    for tick, label in zip(ax.get_yticklabels(), labels, strict=True):
        if label == highlight:
            tick.set_fontweight("bold")
    ax.invert_yaxis()
    ax.tick_params(axis="x", labelsize=7.5)
    for pos, value in zip(positions, values, strict=True):
        ax.text(value, pos, f" {value:.1f}", va="center", fontsize=7.5)
    for (name, value), (colour, style) in zip(references, REFERENCE_STYLES, strict=False):
        ax.axvline(float(value), color=colour, linestyle=style, linewidth=1.4, zorder=3)
        ax.plot([], [], color=colour, linestyle=style, label=f"{name} {float(value):.1f}")
    if references:
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.16),
            ncol=len(references),
            fontsize=7.5,
            frameon=False,
        )
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_title(title, fontsize=10, y=1.02)
    ax.spines[["top", "right"]].set_visible(False)
    _note(fig, note)
    return _png(fig, title)


def png_title(data: bytes) -> str | None:
    """The Title text chunk of a PNG (how tests and tools read what a chart is about)."""
    import struct

    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind in (b"tEXt", b"iTXt") and body.startswith(b"Title\x00"):
            text = body[len(b"Title\x00") :]
            if kind == b"iTXt":  # compression flag, method, language, translated keyword
                text = text[2:].split(b"\x00", 2)[-1]
            return text.decode("utf-8" if kind == b"iTXt" else "latin-1")
        pos += 12 + length
    return None

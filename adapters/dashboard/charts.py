"""Charts of the figures page as inline SVG, drawn on the server: no script, nothing fetched.

Each chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``; the page
puts a table with the same figures under it, for screen readers and for print. Numbers are
written on the chart, and lines differ by dash as well as colour, so a grey print reads too.
Every function is pure: the same figures give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

COLOURS = {
    "linkedin": "#0a66c2",
    "xing": "#026466",
    "instagram": "#c13584",
    "x": "#1d1d1f",
    "facebook": "#4267b2",
    "bluesky": "#1185fe",
    "whatsapp": "#128c7e",
    "copy": "#8e8e93",
}
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 4", "12 2 2 2")
FONT = 'font-family="system-ui, sans-serif"'
INK, MUTED, TRACK, GRID = "#1d1d1f", "#6e6e73", "#e8e8ed", "#d2d2d7"


@dataclass(frozen=True)
class Series:
    """One network's line: a value per month, ``None`` where the month has no figures."""

    key: str
    label: str
    values: tuple[int | None, ...]


@dataclass(frozen=True)
class Cell:
    """One network's figure in a suggestion's row: ``value`` None when not shown."""

    key: str
    value: int | None
    full: int  # what a full bar stands for: the people reached, at the bottom of their band
    text: str  # written beside the bar: the number, or "not shown"


def _svg(chart_id: str, title: str, desc: str, width: int, height: int, body: str) -> str:
    return (
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" {FONT} font-size="12" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>{body}</svg>'
    )


def _text(x: float, y: float, text: str, **attrs: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in attrs.items())
    return f'<text x="{x:g}" y="{y:g}"{extra}>{escape(text)}</text>'


def suggestion_bars(
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[tuple[str, str, Sequence[Cell | None]]],
    columns: Sequence[tuple[str, str]],
) -> str:
    """A row per suggestion (its name and a second line), a column per network; each figure
    a bar against the people reached. ``None``: the network was not offered."""
    label_width, column, row_height, head = 270, 120, 44, 28
    width = label_width + column * len(columns)
    height = head + row_height * len(rows)
    parts = [
        _text(label_width + i * column, 16, label, font_weight="600", fill=INK)
        for i, (_, label) in enumerate(columns)
    ]
    for r, (name, second, cells) in enumerate(rows):
        top = head + r * row_height
        parts.append(_text(0, top + 16, name, font_weight="600", fill=INK))
        parts.append(_text(0, top + 32, second, fill=MUTED))
        for c, cell in enumerate(cells):
            x = label_width + c * column
            if cell is None:
                parts.append(_text(x, top + 24, "–", fill=MUTED))
                continue
            track = column - 24
            parts.append(
                f'<rect x="{x}" y="{top + 6}" width="{track}" height="12" rx="2" fill="{TRACK}"/>'
            )
            if cell.value is not None and cell.full > 0:
                length = max(1.0, track * min(cell.value, cell.full) / cell.full)
                colour = COLOURS.get(cell.key, INK)
                parts.append(
                    f'<rect x="{x}" y="{top + 6}" width="{length:.1f}" height="12" rx="2" '
                    f'fill="{colour}"/>'
                )
                parts.append(_text(x, top + 34, cell.text, fill=INK))
            else:
                parts.append(_text(x, top + 34, cell.text, fill=MUTED, font_style="italic"))
    return _svg(chart_id, title, desc, width, height, "".join(parts))


def month_columns(
    chart_id: str,
    title: str,
    desc: str,
    months: Sequence[str],
    pairs: Sequence[tuple[int, int]],
    legend: tuple[str, str],
) -> str:
    """Two columns per month side by side: e.g. suggestions started, and with figures
    released; each with its number on top."""
    left, group, top_pad, axis = 36, 56, 40, 250
    width = left + group * len(months)
    height = axis + 36
    top = max([1, *(max(pair) for pair in pairs)])
    scale = (axis - top_pad) / top
    parts = [*_grid(left, width, axis, top, scale)]
    fills = ("#86aee0", "#0a66c2")
    for i, (month, pair) in enumerate(zip(months, pairs, strict=True)):
        x = left + i * group + 8
        for j, value in enumerate(pair):
            h = value * scale
            cx = x + j * 20
            parts.append(
                f'<rect x="{cx}" y="{axis - h:.1f}" width="18" height="{h:.1f}" fill="{fills[j]}"/>'
            )
            if value:
                parts.append(
                    _text(cx + 9, axis - h - 4, str(value), text_anchor="middle", fill=INK)
                )
        parts.append(_text(x + 19, axis + 18, month, text_anchor="middle", fill=MUTED))
    items = [(legend[0], fills[0], ""), (legend[1], fills[1], "")]
    parts += _legend(left, 16, items, box=True, width=width)
    return _svg(chart_id, title, desc, width, height, "".join(parts))


def month_lines(
    chart_id: str, title: str, desc: str, months: Sequence[str], series: Sequence[Series]
) -> str:
    """A line per network over the months; a month without figures breaks the line."""
    left, step, top_pad, axis = 36, 56, 56, 250
    width = left + step * len(months)
    height = axis + 36
    top = max([1, *(v for s in series for v in s.values if v is not None)])
    scale = (axis - top_pad) / top
    parts = [*_grid(left, width, axis, top, scale)]
    for i, month in enumerate(months):
        parts.append(
            _text(left + i * step + 28, axis + 18, month, text_anchor="middle", fill=MUTED)
        )
    for n, line in enumerate(series):
        colour, dash = COLOURS.get(line.key, INK), DASHES[n % len(DASHES)]
        runs: list[list[tuple[float, float, int]]] = [[]]
        for i, value in enumerate(line.values):
            if value is None:
                runs.append([])  # a month without figures: the line breaks here
            else:
                runs[-1].append((left + i * step + 28, axis - value * scale, value))
        for run in runs:
            if len(run) > 1:
                coords = " ".join(f"{x:g},{y:.1f}" for x, y, _ in run)
                parts.append(
                    f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                    f'stroke-width="2" stroke-dasharray="{dash}"/>'
                )
        for x, y, value in (point for run in runs for point in run):
            parts.append(f'<circle cx="{x:g}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
            if value:
                parts.append(_text(x, y - 7, str(value), text_anchor="middle", fill=INK))
    legend = [
        (s.label, COLOURS.get(s.key, INK), DASHES[n % len(DASHES)]) for n, s in enumerate(series)
    ]
    parts += _legend(left, 16, legend, box=False, width=width)
    return _svg(chart_id, title, desc, width, height, "".join(parts))


def month_ranges(
    chart_id: str,
    title: str,
    desc: str,
    months: Sequence[str],
    ranges: Sequence[tuple[int, int] | None],
    notes: Sequence[str],
) -> str:
    """A range per month (low to high), with its text; where there is none, ``notes`` says why."""
    left, group, top_pad, axis = 36, 56, 30, 250
    width = left + group * len(months)
    height = axis + 36
    shown = [band for band in ranges if band is not None]
    top = max([1, *(high + 1 for _, high in shown)])
    lowest = min((low for low, _ in shown), default=0)
    # The axis starts below the lowest range, not at 0, so that a range of a few people is
    # visible; the numbers on the grid say where it starts.
    floor = max(0, 2 * lowest - top)
    scale = (axis - top_pad) / max(1, top - floor)
    parts = [*_grid(left, width, axis, top, scale, floor=floor)]
    for i, (month, band, note) in enumerate(zip(months, ranges, notes, strict=True)):
        x = left + i * group + 28
        if band is None:
            parts.append(
                _text(
                    x + 4, axis - 6, note, fill=MUTED, transform=f"rotate(-90 {x + 4} {axis - 6})"
                )
            )
        else:
            low, high = band
            y1, y2 = axis - (high + 1 - floor) * scale, axis - (low - floor) * scale
            parts.append(
                f'<rect x="{x - 9}" y="{y1:.1f}" width="18" height="{max(2.0, y2 - y1):.1f}" '
                f'fill="#0a66c2" opacity="0.8"/>'
            )
            parts.append(_text(x, y1 - 5, f"{low}–{high}", text_anchor="middle", fill=INK))
        parts.append(_text(x, axis + 18, month, text_anchor="middle", fill=MUTED))
    return _svg(chart_id, title, desc, width, height, "".join(parts))


def _grid(left: int, width: int, axis: int, top: int, scale: float, *, floor: int = 0) -> list[str]:
    """Horizontal lines at the bottom (0, or ``floor``), half way and the top value, with
    their numbers."""
    lines = []
    for value in sorted({floor, (floor + top) // 2, top}):
        y = axis - (value - floor) * scale
        lines.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        lines.append(_text(left - 6, y + 4, str(value), text_anchor="end", fill=MUTED))
    return lines


def _legend(
    x: int, y: int, items: list[tuple[str, str, str]], *, box: bool, width: int
) -> list[str]:
    """Swatches and names in a row, wrapping to a second row at ``width``."""
    parts, at = [], x
    for label, colour, dash in items:
        needed = 22 + 7 * len(label) + 18
        if at > x and at + needed > width:
            at, y = x, y + 18

        if box:
            parts.append(f'<rect x="{at}" y="{y - 9}" width="12" height="12" fill="{colour}"/>')
        else:
            parts.append(
                f'<line x1="{at}" x2="{at + 18}" y1="{y - 3}" y2="{y - 3}" stroke="{colour}" '
                f'stroke-width="2" stroke-dasharray="{dash}"/>'
            )
        parts.append(_text(at + 22, y + 1, label, fill=INK))
        at += needed
    return parts

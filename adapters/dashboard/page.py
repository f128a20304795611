"""The figures page as HTML: charts drawn on the server, a table under each, nothing fetched.

No script at all (the Content-Security-Policy allows none), one stylesheet inline and pinned by
its hash, links relative to the page, every text escaped. It prints on A4 (``@media print``):
the navigation goes, sections do not break inside a chart.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape
from urllib.parse import urlencode

from adapters.dashboard import charts
from bot.privacy.figures_page import FiguresPage, MonthLine, OptInLine, SuggestionLine
from bot.privacy.release import rank

STYLE = """
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d1d1f;
background:#f5f5f7}
main{max-width:72rem;margin:0 auto;padding:1rem 1.25rem 3rem}
h1{font-size:1.6rem;margin:.5rem 0 .25rem}h2{font-size:1.2rem;margin:0 0 .5rem}
h3{font-size:1rem;margin:1rem 0 .25rem}
.meta{color:#444;margin:.25rem 0}
nav{display:flex;gap:1rem;flex-wrap:wrap;margin:.75rem 0 1.5rem}
nav a{color:#0a58ad;font-weight:600}
section{background:#fff;border-radius:12px;padding:1rem 1.25rem;margin:0 0 1.25rem;
box-shadow:0 1px 3px #0002}
figure{margin:.5rem 0 1rem;overflow-x:auto}
svg.chart{max-width:100%;height:auto;display:block}
table{border-collapse:collapse;width:100%;font-size:.92rem;margin:.5rem 0}
caption{text-align:left;font-weight:600;padding:.25rem 0;color:#444}
th,td{border-bottom:1px solid #d2d2d7;padding:.35rem .5rem;text-align:left;vertical-align:top}
td.number,th.number{text-align:right;font-variant-numeric:tabular-nums}
.hidden{color:#6e6e73;font-style:italic}
.none{color:#6e6e73}
.rules p{margin:.4rem 0}
code{font:.92em ui-monospace,Menlo,Consolas,monospace;background:#f0f0f3;padding:0 .2em;
border-radius:4px}
@media print{
body{background:#fff;font-size:11pt}main{max-width:none;padding:0}
nav{display:none}
section{box-shadow:none;border:1px solid #999;break-inside:auto;page-break-inside:auto}
figure,table{break-inside:avoid;page-break-inside:avoid}
a{color:inherit;text-decoration:none}
@page{size:A4;margin:15mm}
}
"""
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
# Nothing but the inline stylesheet: no script, no image, no font, no frame, no form.
CSP = (
    f"default-src 'none'; style-src '{STYLE_HASH}'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
OTHER_LANGUAGE = {"de": "en", "en": "de"}
_CODE = re.compile(r"`([^`\n]+)`")


def render_page(page: FiguresPage, *, token: str) -> str:
    """The whole page; the language switch and the CSV link carry the same pass."""
    x = page.texts
    other = OTHER_LANGUAGE.get(page.language, "en")
    here = urlencode({"token": token, "lang": other})
    csv = urlencode({"token": token, "lang": page.language})
    sections = [
        _released(page),
        _months(page),
        _others(page),
        *([_opted_in(page, page.opted_in)] if page.opted_in is not None else []),
        _rules(page),
    ]
    return f"""<!doctype html>
<html lang="{escape(page.language)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">
<title>{escape(x["title"])}</title><style>{STYLE}</style></head>
<body><main>
<header><h1>{escape(x["title"])}</h1>
<p class="meta">{_marked(x["as_of"])} {_marked(x["until"])}</p>
<p>{_marked(x["same"])}</p>
<nav><a href="dashboard.csv?{escape(csv)}" download>{escape(x["csv"])}</a>
<a href="dashboard?{escape(here)}" hreflang="{other}" lang="{other}">{escape(x["switch"])}</a></nav>
</header>
{"".join(sections)}
</main></body></html>"""


def render_refusal(*, language: str, title: str, text: str) -> str:
    """The page for a link that opens nothing: what happened and what to do, no figure."""
    return f"""<!doctype html>
<html lang="{escape(language)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">
<title>{escape(title)}</title><style>{STYLE}</style></head>
<body><main><section><h1>{escape(title)}</h1><p>{_marked(text)}</p></section></main></body></html>"""


def _released(page: FiguresPage) -> str:
    x = page.texts
    if not page.released:
        return _section("released", x["released.title"], f"<p>{escape(x['released.none'])}</p>")
    columns = page.networks
    rows = []
    for line in page.released:
        counts = {count.network: count for count in line.counts}
        full = line.reached[0] if line.reached else 0
        cells = [
            charts.Cell(
                key,
                counts[key].value,
                full,
                _figure(counts[key].value, x["hidden"]),
            )
            if key in counts
            else None
            for key, _ in columns
        ]
        second = f"{_band(line.reached)} · {line.link}"
        rows.append((line.name, second, cells))
    chart = charts.suggestion_bars(
        "released-chart",
        x["released.title"],
        f"{x['released.desc']} {x['table_follows']}",
        rows,
        columns,
    )
    head = [x["col.suggestion"], x["col.link"], x["col.started"], x["col.reached"]]
    table = _table(
        x["released.title"],
        [*(_th(h) for h in head), *(_th(label, number=True) for _, label in columns)],
        [_released_row(page, line) for line in page.released],
    )
    body = f"<p>{escape(x['released.desc'])}</p><figure>{chart}</figure>{table}"
    return _section("released", x["released.title"], body)


def _released_row(page: FiguresPage, line: SuggestionLine) -> str:
    x = page.texts
    counts = {count.network: count.value for count in line.counts}
    cells = [
        f'<th scope="row">{escape(line.name)}</th>',
        f"<td>{escape(line.link)}</td>",
        f"<td>{escape(line.started)}</td>",
        f'<td class="number">{escape(_band(line.reached))}</td>',
    ]
    for key, _ in page.networks:
        if key not in counts:
            cells.append(f'<td class="number none">{escape(x["not_offered"])}</td>')
        else:
            cells.append(_count_cell(counts[key], x["hidden"]))
    return "<tr>" + "".join(cells) + "</tr>"


def _months(page: FiguresPage) -> str:
    x = page.texts
    months = page.months
    axis = [m.short for m in months]
    span = f"{months[0].label} – {months[-1].label}."
    started = charts.month_columns(
        "months-chart",
        x["months.title"],
        f"{x['months.desc']} {span} {x['table_follows']}",
        axis,
        [(m.started, m.released) for m in months],
        (x["col.started_count"], x["col.released_count"]),
    )
    networks = _month_networks(months)
    series = [
        charts.Series(
            key,
            label,
            tuple(_month_sum(m, key) if m.released else None for m in months),
        )
        for key, label in networks
    ]
    clicks = (
        charts.month_lines(
            "clicks-chart",
            x["clicks.title"],
            f"{x['clicks.desc']} {span} {x['table_follows']}",
            axis,
            series,
        )
        if series
        else ""
    )
    head = [
        _th(x["col.month"]),
        _th(x["col.started_count"], number=True),
        _th(x["col.released_count"], number=True),
        *(_th(label, number=True) for _, label in networks),
    ]
    rows = [_month_row(m, networks, x["hidden"]) for m in months]
    table = _table(x["months.title"], head, rows)
    body = (
        f"<p>{escape(x['months.desc'])}</p><figure>{started}</figure>"
        + (
            f"<h3>{escape(x['clicks.title'])}</h3><p>{escape(x['clicks.desc'])}</p>"
            if clicks
            else ""
        )
        + (f"<figure>{clicks}</figure>" if clicks else "")
        + table
    )
    return _section("months", x["months.title"], body)


def _month_networks(months: tuple[MonthLine, ...]) -> list[tuple[str, str]]:
    """The networks with figures in any month, in the fixed order of the release rule."""
    seen = {count.network: count.label for month in months for count in month.counts}
    return sorted(seen.items(), key=lambda item: rank(item[0]))


def _month_sum(month: MonthLine, network: str) -> int:
    return next((c.shown for c in month.counts if c.network == network), 0)


def _month_row(month: MonthLine, networks: list[tuple[str, str]], hidden: str) -> str:
    cells = [
        f'<th scope="row">{escape(month.label)}</th>',
        f'<td class="number">{month.started}</td>',
        f'<td class="number">{month.released}</td>',
    ]
    counts = {c.network: c for c in month.counts}
    for key, _ in networks:
        count = counts.get(key)
        if count is None:
            cells.append('<td class="number none">–</td>')
            continue
        extra = (
            f' <span class="hidden">(+{count.hidden} {escape(hidden)})</span>'
            if count.hidden
            else ""
        )
        cells.append(f'<td class="number">{count.shown}{extra}</td>')
    return "<tr>" + "".join(cells) + "</tr>"


def _others(page: FiguresPage) -> str:
    x = page.texts
    if not page.others:
        return _section("others", x["others.title"], f"<p>{escape(x['others.none'])}</p>")
    head = [_th(x[name]) for name in ("col.suggestion", "col.link", "col.started", "col.status")]
    rows = [
        f'<tr><th scope="row">{escape(line.name)}</th><td>{escape(line.link)}</td>'
        f"<td>{escape(line.started)}</td><td>{escape(line.note)}</td></tr>"
        for line in page.others
    ]
    return _section("others", x["others.title"], _table(x["others.title"], head, rows))


def _opted_in(page: FiguresPage, lines: tuple[OptInLine, ...]) -> str:
    x = page.texts
    notes = {"hidden": x["opted_in.hidden"], "unrecorded": x["opted_in.unrecorded"], "shown": ""}
    chart = charts.month_ranges(
        "opted-in-chart",
        x["opted_in.title"],
        f"{x['opted_in.desc']} {x['table_follows']}",
        [line.short for line in lines],
        [line.band for line in lines],
        [notes[line.state] for line in lines],
    )
    rows = []
    for line in lines:
        label = f"{line.label} ({x['opted_in.live']})" if line.live else line.label
        value = (
            f'<td class="number">{escape(_band(line.band))}</td>'
            if line.band
            else f'<td class="number hidden">{escape(notes[line.state])}</td>'
        )
        rows.append(f'<tr><th scope="row">{escape(label)}</th>{value}</tr>')
    table = _table(
        x["opted_in.title"], [_th(x["col.month"]), _th(x["col.opted_in"], number=True)], rows
    )
    body = f"<p>{escape(x['opted_in.desc'])}</p><figure>{chart}</figure>{table}"
    return _section("opted-in", x["opted_in.title"], body)


def _rules(page: FiguresPage) -> str:
    x = page.texts
    body = "".join(f"<p>{_marked(x[name])}</p>" for name in ("never", "rule", "bands", "sums"))
    return _section("rules", x["never.title"], body, css="rules")


def _section(anchor: str, title: str, body: str, *, css: str = "") -> str:
    extra = f' class="{css}"' if css else ""
    return f'<section id="{anchor}"{extra}><h2>{escape(title)}</h2>{body}</section>\n'


def _table(caption: str, head: list[str], rows: list[str]) -> str:
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{''.join(head)}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _th(text: str, *, number: bool = False) -> str:
    css = ' class="number"' if number else ""
    return f'<th scope="col"{css}>{escape(text)}</th>'


def _count_cell(value: int | None, hidden: str) -> str:
    if value is None:
        return f'<td class="number hidden">{escape(hidden)}</td>'
    return f'<td class="number">{value}</td>'


def _figure(value: int | None, hidden: str) -> str:
    return hidden if value is None else str(value)


def _marked(text: str) -> str:
    """A catalogue text as HTML: escaped, and its `code` marks (a command to type) as code."""
    return _CODE.sub(r"<code>\1</code>", escape(text))


def _band(band: tuple[int, int] | None) -> str:
    return "" if band is None else f"{band[0]}–{band[1]}"

"""The works-council document as one self-contained HTML page: inline CSS, no script, nothing
fetched from anywhere; it prints to PDF from any browser (A4, page breaks between parts)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from adapters.works_council import agreement, sections
from adapters.works_council.markup import Words
from adapters.works_council.schema_section import tables_section
from adapters.works_council.version import Build
from bot.i18n import Catalogue
from bot.privacy.installation import Installation
from bot.privacy.tables import PrivacySheet

PAGE = ' class="part"'  # a part that starts on a new page when printed
_STYLE = """
@page{size:A4;margin:18mm 16mm 20mm}
*{box-sizing:border-box}
html{font:10.5pt/1.45 "DejaVu Sans","Segoe UI",Helvetica,Arial,sans-serif;color:#1b1b1f}
body{margin:0;background:#fff}
main{max-width:60rem;margin:0 auto;padding:2rem 1.5rem}
h1{font-size:1.9rem;line-height:1.2;margin:0 0 .4rem}
h2{font-size:1.35rem;margin:2.2rem 0 .6rem;padding-top:.4rem;border-top:2px solid #1b1b1f}
h3{font-size:1.05rem;margin:1.4rem 0 .4rem}
p,ul{margin:.45rem 0}ul{padding-left:1.3rem}li{margin:.15rem 0}
code{font-family:"DejaVu Sans Mono",Consolas,monospace;font-size:.92em;background:#f1f1f4;
padding:0 .2em;border-radius:3px;overflow-wrap:break-word}
pre{font-family:"DejaVu Sans Mono",Consolas,monospace;font-size:.85rem;white-space:pre-wrap;
background:#f6f6f8;border-left:3px solid #8a8a99;padding:.6rem .8rem;margin:.6rem 0}
table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid #c9c9d2;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#ededf2;font-weight:600}
tr{break-inside:avoid}
td:first-child code{white-space:nowrap}
table.schema{table-layout:fixed}table.schema td:first-child code{white-space:normal}
.subtitle{font-size:1.05rem;color:#44444f;margin:0 0 1.2rem}
.facts th{width:32%}
.note{background:#fff6e0;border:1px solid #e2c36b;border-radius:4px;padding:.5rem .7rem}
.draft{border:3px solid #b3261e;background:#fdf0ef;padding:.7rem .9rem;margin:1rem 0}
.draft strong{color:#b3261e}
.muted{color:#5a5a66}
.toc ol{padding-left:2rem}
.part{break-before:page}
.appendix{break-before:page}
.agreement h3{margin-top:1.1rem}
.signatures{display:flex;gap:3rem;margin-top:2.5rem}
.signatures div{flex:1;border-top:1px solid #1b1b1f;padding-top:.3rem}
@media print{main{max-width:none;padding:0}h2{break-after:avoid}h3{break-after:avoid}
a{color:inherit;text-decoration:none}}
"""


@dataclass(frozen=True)
class Request:
    """What the operator asked for, and what the document says about where it came from."""

    language: str
    country: str  # the law of the draft agreement: "de" (BetrVG) or "at" (ArbVG)
    organisation: str
    site: str  # the installation's public address
    database: str  # the database, its password hidden


def render(
    facts: Installation,
    request: Request,
    *,
    build: Build,
    sheet: PrivacySheet,
    bot: Catalogue,
) -> str:
    """The whole document in ``request.language``."""
    w = Words.load(request.language)
    t = bot.bind(request.language, facts.policy.zone, facts.policy.german_address)
    parts = [
        ("summary", sections.summary(w, facts)),
        ("roles", sections.roles(w, t, facts)),
        ("policy", sections.policy(w, facts)),
        ("bounds", sections.bounds(w, facts)),
        ("seen", sections.seen(w, t, facts)),
        ("nobody", sections.nobody(w, facts)),
        ("rule", sections.release_rule(w, facts)),
        ("rights", sections.rights(w, facts)),
        ("audit", sections.audit_trail(w, t, facts)),
        ("tables", tables_section(w, facts, sheet)),
        ("version", sections.version(w, build, request.language)),
    ]
    body = "".join(
        f'<section id="{key}"{PAGE if key == "tables" else ""}>'
        f"<h2>{number}. {w(f'{key}.title')}</h2>{html}</section>"
        for number, (key, html) in enumerate(parts, start=1)
    )
    contents = "".join(f'<li><a href="#{key}">{w(f"{key}.title")}</a></li>' for key, _ in parts)
    title = w(f"agreement.title.{request.country}")
    contents = (
        f'<ol>{contents}</ol><p>{w("agreement.appendix")}: <a href="#agreement">{title}</a></p>'
    )
    appendix = agreement.appendix(w, facts, request, build)
    return f"""<!doctype html>
<html lang="{escape(request.language)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{w("title")}</title><style>{_STYLE}</style></head>
<body><main>
<header><h1>{w("title")}</h1><p class="subtitle">{w("subtitle")}</p>
{_cover(w, facts, request, build)}</header>
<nav class="toc"><h3>{w("contents")}</h3>{contents}</nav>
{body}{appendix}
</main></body></html>"""


def _cover(w: Words, facts: Installation, request: Request, build: Build) -> str:
    commit = build.commit[:12] if build.commit else w.plain("version.unknown")
    rows = (
        ("cover.organisation", request.organisation),
        ("cover.generated", sections.moment(request.language, facts)),
        ("cover.installation", request.site),
        ("cover.database", request.database),
        ("cover.version", build.version),
        ("cover.commit", commit + (" " + w.plain("version.modified") if build.modified else "")),
    )
    cells = "".join(f"<tr><th>{w(key)}</th><td>{escape(value)}</td></tr>" for key, value in rows)
    return f'<table class="facts">{cells}</table><p class="note">{w("cover.live")}</p>'

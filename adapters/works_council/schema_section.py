"""The document's longest part: every table and column of the connected database, each with
what it holds, why, for how long and who sees it (from ``bot/privacy/tables.yaml``)."""

from __future__ import annotations

from html import escape

from adapters.works_council.markup import Words, blocks, inline
from bot.privacy.installation import Installation
from bot.privacy.tables import PrivacySheet, TableSheet
from storage.schema import LiveTable


def tables_section(w: Words, facts: Installation, sheet: PrivacySheet) -> str:
    """The live tables, in the order the sheet explains them; a table or column the sheet does
    not know is shown as well, marked as unexplained."""
    order = {table.name: number for number, table in enumerate(sheet.tables)}
    live = sorted(facts.tables, key=lambda table: (order.get(table.name, len(order)), table.name))
    columns = sum(len(table.columns) for table in live)
    parts = [
        w.blocks("tables.intro", tables=len(live), columns=columns),
        blocks(sheet.intro.in_language(w.language)),
    ]
    parts += [_table(w, table, sheet.table(table.name)) for table in live]
    return "".join(parts)


def _table(w: Words, table: LiveTable, explained: TableSheet | None) -> str:
    language = w.language
    title = inline(explained.title.in_language(language)) if explained else w("tables.unknown")
    about = blocks(explained.about.in_language(language)) if explained and explained.about else ""
    after = blocks(explained.after.in_language(language)) if explained and explained.after else ""
    rows = []
    for column in table.columns:
        sheet = explained.column(column.name) if explained else None
        kind = escape(column.type.lower()) + (
            "" if column.nullable or column.primary_key else " · " + w("tables.required")
        )
        if sheet is None:
            cells = [f'<td colspan="4" class="note">{w("tables.unexplained")}</td>']
        else:
            cells = [
                f"<td>{inline(text.in_language(language))}</td>"
                for text in (sheet.holds, sheet.why, sheet.kept, sheet.seen_by)
            ]
        rows.append(
            f"<tr><td><code>{escape(column.name)}</code><br>"
            f"<span class='muted'>{kind}</span></td>{''.join(cells)}</tr>"
        )
    headers = "".join(
        f"<th>{w(f'tables.{key}')}</th>" for key in ("column", "holds", "why", "kept", "seen_by")
    )
    return (
        f'<h3 id="table-{escape(table.name)}"><code>{escape(table.name)}</code> — {title}</h3>'
        f'{about}<table class="schema"><colgroup><col style="width:20%">'
        f"{'<col>' * 4}</colgroup><thead><tr>{headers}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        f"{after}"
    )

"""The figures page as CSV: exactly its figures, one per row, for any spreadsheet.

Built from the same view model as the HTML, so it can hold no figure the page does not show.
Columns and values are stable words and ISO dates (the same whatever the page's language); a
figure that is not shown has an empty ``value`` and counts in ``not_shown``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from bot.privacy.figures_page import FiguresPage, SuggestionLine

COLUMNS = (
    "figure",
    "suggestion",
    "link",
    "started",
    "month",
    "status",
    "release_at",
    "network",
    "value",
    "low",
    "high",
    "not_shown",
)
Row = dict[str, str | int]


def render_csv(page: FiguresPage) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows_of(page))
    return out.getvalue()


def file_name(page: FiguresPage) -> str:
    return f"sharebot-figures-{page.role}-{page.generated_at.date().isoformat()}.csv"


def rows_of(page: FiguresPage) -> Iterator[Row]:
    """Every figure of the page, in the page's order."""
    for line in page.released:
        head = _suggestion(line)
        low, high = line.reached or ("", "")
        yield {**head, "figure": "people_reached", "low": low, "high": high}
        for count in line.counts:
            shown = count.value is not None
            yield {
                **head,
                "figure": "share_buttons",
                "network": count.network,
                "value": "" if count.value is None else count.value,
                "not_shown": 0 if shown else 1,
            }
    for month in page.months:
        base: Row = {"month": month.month}
        yield {**base, "figure": "suggestions_started", "value": month.started}
        yield {**base, "figure": "suggestions_released", "value": month.released}
        for total in month.counts:
            yield {
                **base,
                "figure": "share_buttons_month",
                "network": total.network,
                "value": total.shown,
                "not_shown": total.hidden,
            }
    for line in page.others:
        release = line.release_at.isoformat() if line.release_at else ""
        yield {**_suggestion(line), "figure": "no_figures", "release_at": release}
    for opted in page.opted_in or ():
        low, high = opted.band or ("", "")
        yield {
            "figure": "opted_in",
            "month": opted.month,
            "status": opted.state,
            "low": low,
            "high": high,
        }


def _suggestion(line: SuggestionLine) -> Row:
    return {
        "suggestion": line.suggestion_id,
        "link": line.link,
        "started": line.started_on,
        "month": line.month,
        "status": line.status,
    }

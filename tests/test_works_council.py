"""``sharebot works-council``: the document is the live installation, nothing written by hand."""

from __future__ import annotations

import re
import string
import subprocess
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.playground import demo
from adapters.works_council.agreement import PARAGRAPHS
from adapters.works_council.command import WorksCouncilError, make_document
from adapters.works_council.markup import LOCALE, Words, blocks, inline
from adapters.works_council.version import Build, this_build
from bot.i18n import Catalogue
from bot.policy import KEYS
from bot.privacy.installation import worked_example
from bot.privacy.release import Rule
from bot.privacy.reports import suggestion_notice
from bot.views import plain_text
from storage.database import Database
from tests.cli import run_cli
from tests.page_support import Elements
from tests.playground_server import running_playground
from tests.privacy_support import migrated_columns
from tests.support import WEDNESDAY, Chat
from tests.works_council_support import document, listed_columns, section, settings_for

ROOT = Path(__file__).resolve().parent.parent
LIMITS = "max_per_week<=2,anonymity_threshold>=10,window<=mon-fri 08:00-18:00"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_document_speaks_german_and_english_alike() -> None:
    catalogue = Catalogue.load(LOCALE)
    assert catalogue.ids("en") == catalogue.ids("de")
    for key in catalogue.ids("en"):
        en, de = catalogue.template("en", key), catalogue.template("de", key)
        assert en and de and _fields(en) == _fields(de), key


def test_marks_become_html_and_values_stay_text() -> None:
    assert inline("Use `policy` *now* or **never** <b>") == (
        "Use <code>policy</code> <em>now</em> or <strong>never</strong> &lt;b&gt;"
    )
    assert (
        blocks("One\nline.\n\n- a\n- `b`")
        == "<p>One line.</p><ul><li>a</li><li><code>b</code></li></ul>"
    )
    words = Words.load("en")
    assert "<code>*evil* &lt;i&gt;</code>" in words("bounds.fixed", value="*evil* <i>")


@pytest.mark.parametrize("language", ["en", "de"])
async def test_the_document_lists_exactly_the_tables_and_columns_of_the_database(
    database: Database, language: str
) -> None:
    html = (await document(database, language=language)).html
    assert listed_columns(html) == await migrated_columns(database)
    # and explains every one of them: nothing marked as unknown
    words = Words.load(language)
    assert words("tables.unexplained") not in html and words("tables.unknown") not in html


async def test_a_column_the_sheet_does_not_know_is_shown_and_marked(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(sa.text("ALTER TABLE person ADD COLUMN shoe_size INTEGER"))
        await connection.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))
    try:
        html = (await document(database)).html
    finally:  # PostgreSQL's test database outlives this test
        async with database.engine.begin() as connection:
            await connection.execute(sa.text("ALTER TABLE person DROP COLUMN shoe_size"))
            await connection.execute(sa.text("DROP TABLE notes"))
    assert {("person", "shoe_size"), ("notes", "id")} <= listed_columns(html)
    words = Words.load("en")
    assert html.count(words("tables.unexplained")) == 2  # notes.id and person.shoe_size
    assert words("tables.unknown") in section(html, "tables")


async def test_the_document_shows_the_live_policy_and_the_bounds(chat: Chat) -> None:
    await chat.say("hanna", "policy set max_per_week 5")  # before the bounds were agreed
    await chat.say("hanna", "policy set disclosure #iworkforACME")
    await chat.say("hanna", "policy set holidays AT")
    html = (await document(chat.database, SHAREBOT_POLICY_LIMITS=LIMITS)).html
    words = Words.load("en")

    policy = section(html, "policy")
    rows = {
        unescape(re.sub("<[^>]+>", "", cells[0])): unescape(re.sub("<[^>]+>", "", cells[1]))
        for cells in (
            re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", policy)
        )
        if cells
    }
    assert rows["max_per_week"] == "5" and rows["holidays"] == "AT"
    assert rows["disclosure"] == "#iworkforACME" and rows["window"] == "mon-fri 09:00-17:00"
    assert set(rows) == set(KEYS)  # every key of the policy, each once
    assert words("explain.max_per_week", value="5") in policy
    assert words("explain.holidays", value="AT") in policy
    # the stored 5 breaks the new bound of 2: the document says what happens at the next start
    assert words("policy.outside", now="5", then="2") in policy  # max_per_week
    assert words("policy.outside", now="5", then="10") in policy  # the default k
    assert policy.count('class="note"') == 2

    bounds = section(html, "bounds")
    assert "SHAREBOT_POLICY_LIMITS=" + LIMITS.replace(">", "&gt;").replace("<", "&lt;") in bounds
    for text in (
        words("bounds.max", value="2"),
        words("bounds.min", value="10"),
        words("bounds.window", value="mon-fri 08:00-18:00"),
        words("bounds.broken"),
    ):
        assert text in bounds
    assert bounds.count(f"<td>{words('bounds.kept')}</td>") == 1  # only the window is kept
    assert "#iworkforACME" in section(html, "rights")


async def test_without_bounds_the_document_says_so(chat: Chat) -> None:
    html = (await document(chat.database, language="de")).html
    words = Words.load("de")
    assert words.blocks("bounds.none") in section(html, "bounds")
    assert words.blocks("agreement.8.none", organisation="[Name des Unternehmens]") in html


async def test_the_role_holders_are_named_as_sharebot_knows_them(database: Database) -> None:
    async with running_playground(database):
        pass  # the demo organisation: Hanna is HR, Chris comms
    html = (await document(database, SHAREBOT_ADMINS="playground:hanna,slack:U0NEW")).html
    roles = section(html, "roles")
    hr, comms = re.findall(r"<tr><td>[^<]*</td><td>(.*?)</td></tr>", roles)
    assert "Hanna Hofer" in hr and "Chris Weber" not in hr
    assert "U0NEW" in hr and Words.load("en")("roles.configured") in hr  # never met yet
    assert "Chris Weber" in comms and "Hanna" not in comms
    for person in demo.PEOPLE:  # employees are nowhere in the document
        if person.role == "employee":
            assert person.name not in html


def _counts(html: str) -> dict[str, str]:
    return dict(re.findall(r"<code>([a-z.]+)</code></td><td>(\d+)</td>", section(html, "audit")))


async def test_the_audit_trail_is_counted_per_kind_and_names_nobody(chat: Chat) -> None:
    await chat.make_comms("chris")
    await chat.say("chris", "new https://example.com/a First --at now")
    await chat.say("chris", "new https://example.com/b Second --at now")
    await chat.say("chris", "end 1")
    await chat.say("hanna", "policy set max_per_week 1")
    html = (await document(chat.database, now=WEDNESDAY + timedelta(days=1))).html
    assert _counts(html) == {
        "suggestion.created": "2",
        "suggestion.ended": "1",
        "suggestion.approved": "0",
        "suggestion.rejected": "0",
        "policy.changed": "1",
        "policy.clamped": "0",
        "role.granted": "1",
        "role.revoked": "0",
        "invitation.sent": "0",
    }
    audit = section(html, "audit")
    assert "<strong>5</strong>" in audit  # all kinds
    assert "Chris" not in audit and "Hanna" not in audit and "hanna" not in audit

    chat.clock.advance(days=100)
    await chat.say("hanna", "policy set max_per_week 2")
    later = _counts((await document(chat.database, now=chat.clock.now())).html)
    assert later["policy.changed"] == "1" and later["suggestion.created"] == "0"


@pytest.mark.parametrize("k", [5, 10])
async def test_the_worked_example_is_the_release_rule_with_this_k(chat: Chat, k: int) -> None:
    await chat.say("hanna", f"policy set anonymity_threshold {k}")
    html = (await document(chat.database)).html
    rule = Rule(k=k, delay=timedelta(hours=24))
    example = worked_example(rule, WEDNESDAY)
    assert example.facts.reached == 9 * k + 2
    t = chat.ctx.catalogue.bind("en")
    expected = plain_text(suggestion_notice(t, example.figures, rule))
    (shown, opted_in) = [
        unescape(p) for p in re.findall(r"<pre>(.*?)</pre>", section(html, "seen"), re.S)
    ]
    assert shown == expected
    low = (9 * k + 2) // k * k
    assert f"Reached {low}–{low + k - 1} people" in shown
    assert f"LinkedIn: {2 * k + 2}" in shown and "XING: not shown" in shown
    assert "Text copied: not shown" in shown  # too close to everyone reached
    assert opted_in == t("overview.opted_in_hidden")  # too few people in this chat to show


def _head() -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


async def test_the_version_and_how_the_commit_was_found(chat: Chat) -> None:
    head = _head()
    build = this_build()
    assert build.commit == head and build.version == "0.1.0"
    html = (await document(chat.database)).html
    assert head in section(html, "version") and head[:12] in html
    words = Words.load("en")
    assert this_build(Path("/")) == Build(build.version, None)  # no checkout there
    assert words.blocks("version.commit.unknown") not in html


@pytest.mark.parametrize(("country", "law"), [("de", "§ 87 Abs. 1 Nr. 6 BetrVG"), ("at", "ArbVG")])
async def test_the_draft_agreement_has_this_installations_numbers(
    chat: Chat, country: str, law: str
) -> None:
    await chat.say("hanna", "policy set window mon-thu 08:30-16:00")
    await chat.say("hanna", "policy set anonymity_threshold 12")
    await chat.say("hanna", "policy set retention_days 21")
    made = await document(
        chat.database, language="de", country=country, SHAREBOT_POLICY_LIMITS=LIMITS
    )
    appendix = made.html[made.html.index('<section id="agreement"') :]
    assert law in appendix and "ENTWURF" in appendix
    assert appendix.count("<h3>§ ") == PARAGRAPHS
    assert "<code>mon-thu 08:30-16:00</code>" in appendix
    assert "mindestens 24 Personen" in appendix and "mindestens 12 Personen" in appendix
    assert "nach 21 Tagen" in appendix
    assert "<code>max_per_week&lt;=2,anonymity_threshold&gt;=10," in appendix
    assert ("§ 5 BetrVG" if country == "de" else "§ 36 ArbVG") in appendix
    assert "[Name des Unternehmens]" in appendix  # no --organisation: a blank to fill in


async def test_the_law_follows_the_holidays_unless_chosen(chat: Chat) -> None:
    assert (await document(chat.database)).country == "de"
    await chat.say("hanna", "policy set holidays AT-9")
    assert (await document(chat.database)).country == "at"
    assert (await document(chat.database, country="de")).country == "de"


async def test_the_language_follows_the_policy_unless_chosen(chat: Chat) -> None:
    settings = settings_for(chat.database)
    assert (await make_document(settings)).language == "de"  # default_language de
    await chat.say("hanna", "policy set default_language en")
    made = await make_document(settings)
    assert made.language == "en" and '<html lang="en">' in made.html


@pytest.mark.parametrize("language", ["de", "en"])
async def test_the_document_needs_nothing_from_anywhere(chat: Chat, language: str) -> None:
    html = (await document(chat.database, language=language)).html
    page = Elements(html)
    assert page.find("script") == [] and page.find("link") == [] and page.find("img") == []
    assert page.find("iframe") == [] and page.find("object") == []
    assert all(a.attrs["href"].startswith("#") for a in page.find("a"))
    assert not re.search(r"url\(|@import|src=", html)
    # every link of the contents leads to a part of the document
    ids = {e.attrs["id"] for e in page.found if "id" in e.attrs}
    assert {a.attrs["href"][1:] for a in page.find("a")} <= ids


async def test_making_the_document_changes_nothing(chat: Chat) -> None:
    await chat.say("hanna", "policy set max_per_week 5")
    before = await _rows(chat.database)
    await document(chat.database, SHAREBOT_POLICY_LIMITS=LIMITS)  # outside, but not clamped
    assert await _rows(chat.database) == before


async def _rows(database: Database) -> dict[str, list[tuple[object, ...]]]:
    async with database.engine.connect() as connection:
        return {
            table: [
                tuple(row)
                for row in await connection.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1"))
            ]
            for table in ("person", "policy_setting", "audit_entry", "role_grant")
        }


async def test_a_database_behind_the_schema_is_reported_not_upgraded(tmp_path: Path) -> None:
    empty = Database.from_url(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(WorksCouncilError, match="sharebot db upgrade"):
            await document(empty)
        async with empty.engine.connect() as connection:
            tables = await connection.run_sync(lambda c: sa.inspect(c).get_table_names())
        assert tables == []
    finally:
        await empty.close()


def test_the_command_writes_the_file_and_says_where(tmp_path: Path) -> None:
    assert run_cli(["db", "upgrade"], tmp_path).returncode == 0
    made = run_cli(
        ["works-council", "--lang", "en", "--country", "at", "--organisation", "ACME GmbH"],
        tmp_path,
        SHAREBOT_POLICY_LIMITS=LIMITS,
    )
    assert made.returncode == 0, made.stderr
    html = (tmp_path / "works-council-en.html").read_text(encoding="utf-8")
    assert (
        "ACME GmbH" in html
        and "ArbVG" in html
        and LIMITS.split(",")[0].replace("<", "&lt;") in html
    )
    assert "works-council-en.html" in made.stderr and "tables" in made.stderr  # progress
    assert made.stdout == ""

    to_stdout = run_cli(["works-council", "--lang", "de", "--out", "-"], tmp_path)
    assert to_stdout.returncode == 0 and to_stdout.stdout.startswith("<!doctype html>")
    assert '<html lang="de">' in to_stdout.stdout


def test_the_command_explains_itself_and_refuses_an_old_database(tmp_path: Path) -> None:
    helped = run_cli(["works-council", "--help"], tmp_path)
    assert helped.returncode == 0
    for option in ("--lang", "--out", "--country", "--organisation", "SHAREBOT_POLICY_LIMITS"):
        assert option in helped.stdout
    refused = run_cli(["works-council"], tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.strip().count("\n") == 1  # the progress line, then why
    assert "sharebot db upgrade" in refused.stderr

"""The share page and the photo route over real HTTP: what a person's phone sees, and what not."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
import segno

from adapters.playground import demo
from bot.sharing.networks import NETWORKS
from bot.views import SuggestionCard
from storage import figures
from storage.database import Database
from tests.page_support import Elements
from tests.photo_server import FakePhotoHost
from tests.playground_server import RunningServer, running_playground

CAPTION = "Our team day at the lake: paddling, lunch and a sunset"


@asynccontextmanager
async def suggested(
    database: Database, options: str = "", caption: str = CAPTION
) -> AsyncIterator[tuple[RunningServer, FakePhotoHost, aiohttp.ClientSession]]:
    """Suggestion #1 with one photo, delivered to the demo's opted-in people."""
    async with (
        FakePhotoHost() as host,
        running_playground(database, SHAREBOT_FETCH_ALLOW="127.0.0.1") as server,
        aiohttp.ClientSession() as http,
    ):
        reply = await server.runtime.core.say(
            demo.BY_KEY["chris"].actor,
            f"new https://example.com/teamday {caption} #teamday --image {host.url('outing.png')} "
            f"--at now {options}",
        )
        assert "#1" in str(reply), reply
        await server.runtime.dispatcher.idle()
        yield server, host, http


def card_of(server: RunningServer, person: str) -> SuggestionCard:
    cards = [m.view for m in server.transcript.of(person) if isinstance(m.view, SuggestionCard)]
    assert len(cards) == 1
    return cards[0]


def button(card: SuggestionCard, network: str) -> str:
    return next(b.url for b in card.share_buttons if b.network == network)


async def clicks(server: RunningServer, database: Database) -> dict[str, int]:
    await server.runtime.ctx.clicks.flush(database)
    async with database.transaction() as session:
        return (await figures.clicks_of(session, [1]))[1]


def no_person_in(text: str) -> None:
    for person in demo.PEOPLE:
        for word in (person.key, *person.name.split()):
            assert not re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE), word


async def test_instagram_button_opens_the_share_page_with_the_photo_and_no_person(
    database: Database,
) -> None:
    async with suggested(database) as (server, host, http):
        anna, ben = card_of(server, "anna"), card_of(server, "ben")
        link = button(anna, "instagram")
        assert link == button(ben, "instagram")
        assert re.fullmatch(rf"{server.url}/s/[\w-]+", link)
        (image,) = anna.images
        assert re.fullmatch(rf"{server.url}/i/[\w-]+", image.url)
        assert image.source == host.url("outing.png") and image.alt == CAPTION

        pages = []
        for url in (link, button(ben, "instagram")):
            async with http.get(url, allow_redirects=False) as response:
                assert response.status == 200 and response.content_type == "text/html"
                assert "Set-Cookie" not in response.headers
                assert response.headers["Cache-Control"] == "no-store"
                assert response.headers["Referrer-Policy"] == "no-referrer"
                csp = response.headers["Content-Security-Policy"]
                assert "img-src 'self'" in csp and "frame-ancestors 'none'" in csp
                pages.append(await response.text())
        assert pages[0] == pages[1]
        html = pages[0]
        page = Elements(html)

        (img,) = page.find("img")
        assert img.attrs["src"] == image.url and img.attrs["alt"] == CAPTION
        (download,) = page.find("a", download="")
        assert download.attrs["href"] == f"{image.url}?download"
        assert download.attrs["download"] == "sharebot-1-1.png"
        texts = [e.text for e in page.find("div", cls="text")]
        assert len(texts) == 1 and CAPTION in texts[0] and "#teamday" in texts[0]
        assert len(page.find("button", **{"data-copy": ""})) == 1
        (network,) = page.find("a", cls="network")
        assert "instagram" in network.classes
        assert network.attrs["href"] == "https://www.instagram.com/"
        assert network.attrs["data-app"] == "instagram://camera"
        assert page.find("html")[0].attrs["lang"] == "en"

        no_person_in(html)
        no_person_in(link)
        # the page shows Sharebot's copy: the photo's host never hears of it
        assert host.url("outing.png") not in html
        assert host.hits["outing.png"] == 1  # fetched once, when the suggestion was created


async def test_share_link_counts_one_click_and_the_qr_page_none(database: Database) -> None:
    async with suggested(database) as (server, _, http):
        link = button(card_of(server, "clara"), "instagram")
        async with http.get(link) as response:
            counted = await response.text()
        assert (await clicks(server, database))["instagram"] == 1

        qr_page = link.replace("/s/", "/p/")
        # the QR code leads there: the same symbol as one made for that address
        assert segno.make(qr_page, error="m").svg_inline(scale=4, border=2) in counted
        async with http.get(qr_page) as response:
            assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
            assert await response.text() == counted
        after = await clicks(server, database)
        assert after["instagram"] == 1 and sum(after.values()) == 1


async def test_photo_route_serves_the_exact_bytes_and_a_download(database: Database) -> None:
    async with suggested(database) as (server, host, http):
        (image,) = card_of(server, "anna").images
        async with http.get(image.url) as response:
            assert response.status == 200 and response.content_type == "image/png"
            assert await response.read() == host.photo
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert "Content-Disposition" not in response.headers
            assert "Set-Cookie" not in response.headers
        async with http.get(f"{image.url}?download") as response:
            assert await response.read() == host.photo
            assert (
                response.headers["Content-Disposition"] == 'attachment; filename="sharebot-1-1.png"'
            )
        for path in ("/s/nosuchtoken", "/p/nosuchtoken", "/i/nosuchtoken", "/i/" + "x" * 40):
            async with http.get(server.url + path, allow_redirects=False) as response:
                assert response.status == 404, path
        catalogue = server.runtime.ctx.catalogue
        async with http.get(f"{server.url}/s/nosuchtoken", headers={"Accept-Language": "de"}) as r:
            assert await r.text() == catalogue.text("de", "page.missing")


async def test_page_suggestion_leads_every_button_to_the_page_focused_first(
    database: Database,
) -> None:
    async with suggested(database, "--page", caption="Team & <friends> at the lake") as (
        server,
        _,
        http,
    ):
        card = card_of(server, "ben")
        offered = [b.network for b in card.share_buttons]
        assert offered == list(NETWORKS)
        for network in offered:
            async with http.get(button(card, network), allow_redirects=False) as response:
                assert response.status == 200 and response.content_type == "text/html", network
                html = await response.text()
            shown = [
                next(c for c in e.classes if c in NETWORKS)
                for e in Elements(html).find("a", cls="network")
            ]
            assert shown == [network, *(n for n in offered if n != network)]
            assert "<friends>" not in html and "Team &amp; &lt;friends&gt;" in html
        assert (await clicks(server, database)) == {n: 1 for n in offered} | {"copy": 0}


async def test_share_page_speaks_the_browsers_language(database: Database) -> None:
    async with suggested(database) as (server, _, http):
        link = button(card_of(server, "anna"), "instagram")
        catalogue = server.runtime.ctx.catalogue
        for accepted, language in (("de-AT,de;q=0.9,en;q=0.5", "de"), ("fr-FR,en;q=0.8", "en")):
            async with http.get(link, headers={"Accept-Language": accepted}) as response:
                page = Elements(await response.text())
            assert page.find("html")[0].attrs["lang"] == language
            assert page.find("h1")[0].text == catalogue.text(language, "page.title.instagram")
            (copy,) = page.find("button", **{"data-copy": ""})
            assert copy.text == catalogue.text(language, "page.copy")


@pytest.mark.parametrize("utm", ["on", "off"])
async def test_utm_policy_tags_the_link_the_same_for_everyone(database: Database, utm: str) -> None:
    link = "https://example.com/jobs?ref=news&x=1"
    async with running_playground(database) as server, aiohttp.ClientSession() as http:
        core = server.runtime.core
        await core.say(demo.BY_KEY["hanna"].actor, f"policy set utm {utm}")
        await core.say(demo.BY_KEY["chris"].actor, f"new {link} We are hiring --at now")
        await server.runtime.dispatcher.idle()
        urls = {button(card_of(server, p), "linkedin") for p in ("anna", "ben", "clara")}
        assert len(urls) == 1
        async with http.get(urls.pop(), allow_redirects=False) as response:
            assert response.status == 302
            target = urlsplit(response.headers["Location"])
        assert target.netloc == "www.linkedin.com"
        tagged = parse_qs(target.query)["url"]
        if utm == "on":
            expected = (
                f"{link}&utm_source=linkedin&utm_medium=employee-share&utm_campaign=sharebot-1"
            )
            assert tagged == [expected]
        else:
            assert tagged == [link]

"""Photos come from public addresses only: loopback, private ranges and redirects there are
refused before any request reaches them, with the same answer as a closed port."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator
from ipaddress import ip_address

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from adapters.photos import WebPhotos
from adapters.public_addresses import FetchRules, NotPublic, is_public, parse_allowance
from adapters.settings import SettingsError, load_settings
from bot.errors import UserError
from storage import suggestions
from storage.database import Database
from tests.photo_server import FakePhotoHost
from tests.playground_server import running_playground
from tests.support import Chat, FakeClock
from tests.tarpit import tarpit


class FakeDns(AbstractResolver):
    """Answers names from a table, as a company's DNS might; nothing is looked up for real."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self.table[host]
        ]

    async def close(self) -> None:
        pass


@pytest.fixture
async def host() -> AsyncIterator[FakePhotoHost]:
    async with FakePhotoHost() as serving:
        yield serving


def rules(allow: str) -> FetchRules:
    """The rules of a Sharebot whose operator set ``SHAREBOT_FETCH_ALLOW=allow``."""
    return FetchRules(load_settings(SHAREBOT_FETCH_ALLOW=allow).fetch_allowances)


async def answer(url: str, photos: WebPhotos | None = None) -> UserError:
    with pytest.raises(UserError) as caught:
        await (photos or WebPhotos()).fetch(url)
    return caught.value


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.178.1",
        "169.254.169.254",  # the cloud's metadata service
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.251",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fd00::1",
        "fc00::1",
        "fe80::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:0a00:0001::1",  # 6to4 around 10.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
        "2001:db8::1",
    ],
)
def test_addresses_that_are_not_public(address: str) -> None:
    assert not is_public(ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "2606:4700:4700::1111", "::ffff:93.184.215.14", "1.1.1.1"]
)
def test_public_addresses(address: str) -> None:
    assert is_public(ip_address(address))


def test_the_operators_allowances_take_ranges_and_ports() -> None:
    allowed = rules("10.20.0.0/16, 192.168.1.20:8080, [fd12::7]:443, fd00:1::/32").allowed
    assert [str(a) for a in allowed] == [
        "10.20.0.0/16",
        "192.168.1.20/32:8080",
        "[fd12::7/128]:443",
        "fd00:1::/32",
    ]
    assert allowed[0].admits(ip_address("10.20.3.4"), 80)
    assert allowed[0].admits(ip_address("::ffff:10.20.3.4"), 80)
    assert not allowed[0].admits(ip_address("10.21.0.1"), 80)
    assert allowed[1].admits(ip_address("192.168.1.20"), 8080)
    assert not allowed[1].admits(ip_address("192.168.1.20"), 22)


@pytest.mark.parametrize("entry", ["intranet.example", "10.0.0.0/33", "10.1.2.3:0", "[fd12::7"])
def test_a_bad_allowance_stops_the_start_with_one_line_naming_it(entry: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(SHAREBOT_FETCH_ALLOW=f"10.0.0.0/8, {entry}")
    message = str(caught.value)
    assert "SHAREBOT_FETCH_ALLOW" in message and repr(entry) in message and "\n" not in message
    with pytest.raises(ValueError, match=r"is not|no port"):
        parse_allowance(entry)


# --- over HTTP ---------------------------------------------------------------------------


async def test_loopback_by_address_name_and_ipv6_is_refused_before_any_request(
    host: FakePhotoHost,
) -> None:
    async with FakePhotoHost("::1") as six:
        urls = [
            host.url("outing.png"),
            f"http://localhost:{host.port}/outing.png",
            f"http://[::ffff:127.0.0.1]:{host.port}/outing.png",
            six.url("outing.png"),
        ]
        for url in urls:
            error = await answer(url)
            assert (error.key, error.params) == ("error.photo.unusable", {"url": url})
        assert six.hits == {} and host.hits == {}
        # the same addresses, allowed by the operator, do answer: the rules refused them
        allowed = WebPhotos(rules("127.0.0.1, ::1"))
        for url in urls:
            assert (await allowed.fetch(url)).data == host.photo
        assert six.hits["outing.png"] == 1 and host.hits["outing.png"] == 3


async def test_a_refused_address_answers_exactly_like_a_closed_port_or_a_silent_host(
    host: FakePhotoHost,
) -> None:
    """A port scanner learns nothing: refused, closed, silent and HTTP 404 read the same."""
    quick = WebPhotos(rules("127.0.0.1"), timeout=0.3)
    async with tarpit() as silent:
        answers = [
            await answer(f"http://127.0.0.1:{port}/a.png", photos)
            for port, photos in (
                (host.port, WebPhotos(timeout=0.3)),  # refused: loopback is not allowed
                (closed_port(), quick),
                (silent.port, quick),
                (host.port, quick),  # nothing there: HTTP 404
            )
        ]
        assert silent.connections == 1
    assert [(error.key, list(error.params)) for error in answers] == [
        ("error.photo.unusable", ["url"])
    ] * 4
    assert host.hits == {"a.png": 1}  # only the allowed fetch reached it


async def test_a_name_that_resolves_to_a_private_address_is_refused_at_connect_time() -> None:
    dns = FakeDns({"photos.intranet.example": ["10.1.2.3"]})
    started = time.monotonic()
    error = await answer("http://photos.intranet.example/team.png", WebPhotos(resolver=dns))
    assert error.key == "error.photo.unusable"
    assert dns.asked == ["photos.intranet.example"]
    cause = error.__cause__
    assert isinstance(cause, aiohttp.ClientConnectorDNSError)
    assert isinstance(cause.os_error, NotPublic)  # refused at resolution: no packet to 10.x
    assert time.monotonic() - started < 1


async def test_of_several_answers_only_permitted_addresses_are_connected_to(
    host: FakePhotoHost,
) -> None:
    dns = FakeDns({"photos.intranet.example": ["10.1.2.3", "127.0.0.1"]})
    photos = WebPhotos(rules(f"127.0.0.1:{host.port}"), resolver=dns)
    photo = await photos.fetch(f"http://photos.intranet.example:{host.port}/outing.png")
    assert photo.data == host.photo and host.hits["outing.png"] == 1


async def test_a_redirect_from_an_allowed_host_to_a_forbidden_one_is_not_followed(
    host: FakePhotoHost,
) -> None:
    async with FakePhotoHost() as inside:
        photos = WebPhotos(rules(f"127.0.0.1:{host.port}"))
        assert (await photos.fetch(host.url("outing.png"))).data == host.photo
        for target in (
            inside.url("outing.png"),
            f"http://localhost:{inside.port}/outing.png",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00::1]/x.png",
            "file:///etc/passwd",
        ):
            url = host.url(f"redirect?to={target}")
            error = await answer(url, photos)
            assert (error.key, error.params) == ("error.photo.unusable", {"url": url[:80]})
        assert inside.hits == {}
        # within the allowed host, redirects are followed as before
        photo = await photos.fetch(host.url(f"redirect?to={host.url('outing.png')}"))
        assert photo.data == host.photo


async def test_endless_redirects_end(host: FakePhotoHost) -> None:
    loop = host.url("redirect?to=" + host.url("redirect?to=/redirect?to=/redirect"))
    error = await answer(loop, WebPhotos(rules("127.0.0.1")))
    assert error.key == "error.photo.unusable"


# --- what the author reads, and the playground ----------------------------------------------


async def test_the_author_reads_the_same_in_their_language_for_loopback_and_a_closed_port(
    database: Database, clock: FakeClock, host: FakePhotoHost
) -> None:
    chat = Chat(database, clock, photos=WebPhotos())
    chat.person("christa", locale="de-DE")
    await chat.make_comms("christa")
    answers = []
    for url in (host.url("outing.png"), f"http://127.0.0.1:{closed_port()}/outing.png"):
        await chat.say("christa", f"new https://example.com Hallo --image {url}")
        answers.append(chat.last_reply("christa").replace(url, "<url>"))
    await chat.close()
    assert answers[0] == answers[1] == chat.text("error.photo.unusable", "de", url="<url>")
    assert "HTTP" not in answers[0] and "konnte nicht als Foto verwendet werden" in answers[0]
    assert host.hits == {}
    async with database.transaction() as session:
        assert await suggestions.get(session, 1) is None


async def test_the_playground_fetches_its_own_demo_photo_but_no_other_local_server(
    database: Database, host: FakePhotoHost
) -> None:
    async with running_playground(database) as server, aiohttp.ClientSession() as http:
        own = f"{server.url}/static/team-outing.png"
        for url, created in ((host.url("outing.png"), False), (own, True)):
            command = f"/share new https://example.com/outing Our day --image {url}"
            async with http.post(
                f"{server.url}/playground/api/say", json={"person": "chris", "text": command}
            ) as response:
                assert response.status == 200
            async with database.transaction() as session:
                assert (await suggestions.get(session, 1) is not None) is created
    assert host.hits == {}

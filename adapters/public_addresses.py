"""Which addresses Sharebot may fetch from: public ones, and the ranges the operator allows.

Sharebot fetches photos from addresses that comms type in. Without these rules that is a way
into the server's own network: its loopback, the cloud's metadata service (169.254.169.254),
the intranet. Every hop is checked twice: the URL's host when it is an address, and every
address DNS answers at the moment of connecting (:class:`PublicResolver`), so a name cannot
resolve to a public address for a check and to a private one for the connection.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

Address = IPv4Address | IPv6Address
# NAT64 (RFC 6052): the last 32 bits are an IPv4 address the gateway connects to.
_NAT64 = IPv6Network("64:ff9b::/96")
ALLOW_FORMAT = (
    "an address (192.168.1.20), a range (10.20.0.0/16, fd12:3456::/48), "
    "or either with a port (192.168.1.20:8080, [fd12::7]:443)"
)


class NotPublic(OSError):
    """An address Sharebot must not connect to (an ``OSError``, as aiohttp expects)."""


def is_public(address: Address) -> bool:
    """Whether an address is on the public internet: not loopback, private, link-local,
    shared (CGNAT), multicast, reserved or unspecified, also when wrapped in IPv6."""
    if isinstance(address, IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not is_public(embedded):
            return False
        if address.ipv4_mapped is not None:
            return True
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address.is_loopback
        or address.is_link_local
        or address.is_private
    )


def unwrapped(address: Address) -> Address:
    """``::ffff:10.0.0.1`` is ``10.0.0.1``: one answer for both spellings."""
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True)
class Allowance:
    """One range the operator allows although it is not public, on one port or all."""

    network: IPv4Network | IPv6Network
    port: int | None = None

    def admits(self, address: Address, port: int) -> bool:
        return unwrapped(address) in self.network and self.port in (None, port)

    def __str__(self) -> str:
        if self.port is None:
            return str(self.network)
        shown = str(self.network) if self.network.version == 4 else f"[{self.network}]"
        return f"{shown}:{self.port}"


def parse_allowance(entry: str) -> Allowance:
    """``10.0.0.0/8``, ``192.168.1.20:8080``, ``fd12::/48``, ``[fd12::7]:443``.

    Raises ``ValueError`` that names the entry. Host names are not taken: what a name
    resolves to can change after it was allowed.
    """
    entry = entry.strip()
    text, port = entry, None
    if text.startswith("["):
        inside, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(f"{entry!r} is not {ALLOW_FORMAT}")
        text, port = inside, _port(entry, rest[1:]) if rest else None
    elif text.count(":") == 1:
        text, _, given = text.partition(":")
        port = _port(entry, given)
    try:
        network = ip_network(text, strict=False)
    except ValueError as error:
        raise ValueError(f"{entry!r} is not {ALLOW_FORMAT}") from error
    return Allowance(network, port)


def _port(entry: str, text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"{entry!r} has no port between 1 and 65535")
    return int(text)


def parse_allowances(text: str) -> tuple[Allowance, ...]:
    """A comma list of :func:`parse_allowance` entries; empty means public addresses only."""
    return tuple(parse_allowance(item) for item in text.split(",") if item.strip())


def _default_port(url: URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


@dataclass(frozen=True)
class FetchRules:
    """Public addresses, plus the operator's allowances, plus (for the playground) Sharebot's
    own address. ``own_url`` is read when fetching: a test serves it on a port found late."""

    allowed: tuple[Allowance, ...] = ()
    own_url: Callable[[], str] | None = None

    def permits(self, host: str, address: Address, port: int) -> bool:
        """Whether connecting to ``address:port`` (found for ``host``) is allowed."""
        if is_public(address) or any(a.admits(address, port) for a in self.allowed):
            return True
        return self._is_own(host, port)

    def _is_own(self, host: str, port: int) -> bool:
        if self.own_url is None:
            return False
        own = URL(self.own_url())
        return bool(own.host) and (own.host, _default_port(own)) == (host.lower(), port)

    def check(self, url: URL) -> None:
        """Raises :class:`NotPublic` for a URL Sharebot must not fetch, before any traffic.

        Names are checked when they are resolved (:class:`PublicResolver`); a URL that
        names an address directly is checked here.
        """
        if url.scheme not in ("http", "https") or not url.host:
            raise NotPublic(f"not an http(s) address: {url.scheme or '(none)'}")
        try:
            address = ip_address(url.host.strip("[]"))
        except ValueError:
            return
        if not self.permits(url.host, address, _default_port(url)):
            raise NotPublic(f"{address} is not a public address")


class PublicResolver(AbstractResolver):
    """aiohttp's resolver, passing on only the addresses the rules permit.

    The connector connects to exactly what this returns, so the check happens where the
    connection is made, for every redirect hop, and DNS rebinding has no gap to use.
    """

    def __init__(self, rules: FetchRules, inner: AbstractResolver | None = None) -> None:
        self.rules = rules
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if self._inner is None:
            self._inner = ThreadedResolver()
        found = await self._inner.resolve(host, port, family)
        kept = list(self._permitted(host, found))
        if not kept:
            raise NotPublic(f"{host} resolves to no public address")
        return kept

    def _permitted(self, host: str, found: Iterable[ResolveResult]) -> Iterable[ResolveResult]:
        for result in found:
            try:
                address = ip_address(result["host"])
            except ValueError:
                continue
            if self.rules.permits(host, address, result["port"]):
                yield result

    async def close(self) -> None:
        if self._inner is not None:
            await self._inner.close()

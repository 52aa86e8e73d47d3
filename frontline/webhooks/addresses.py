"""Which addresses a webhook may reach: public ones, and what the operator allowlists.

A webhook URL is chosen by an admin but fetched by our servers, so it must not become a way to
reach what only our servers can: loopback, private and link-local networks, cloud metadata
endpoints. Every address a host resolves to is checked (`refusal`), including addresses hidden
inside IPv6 forms (IPv4-mapped, NAT64, 6to4). On-premise installations that post to an internal
system list its host name or network in `FRONTLINE_WEBHOOK_ALLOWLIST` (see `Allowlist.parse`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Cloud instance-metadata endpoints (AWS, GCP, Azure, OpenStack; AWS over IPv6; Alibaba).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(text) for text in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class Refused(ValueError):
    """A target that webhooks may not reach; `reason` says why, in words for an admin."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, when it is one of the translation forms."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    return None


def refusal(ip: IPAddress) -> str | None:
    """Why webhooks may not reach `ip` ("loopback", "private", ...), or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            reason = refusal(embedded)
            return f"{reason}, {embedded} inside IPv6" if reason else None
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private address"),
        (not ip.is_global, "not a public address"),
    )
    return next((reason for failed, reason in checks if failed), None)


def normalise_host(host: str) -> str:
    return host.strip().lower().rstrip(".")


@dataclass(frozen=True)
class Allowlist:
    """Host names and networks webhooks may reach although they are not public."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = field(default_factory=tuple)

    @classmethod
    def parse(cls, entries: str | Iterable[str]) -> Allowlist:
        """From "hooks.corp.example, 10.20.0.0/16, 192.168.1.5" or a list of such entries.

        An entry that is an address or network (CIDR) allows those addresses whatever the host
        name; any other entry is a host name allowed whatever it resolves to (exact match).
        """
        items = entries.split(",") if isinstance(entries, str) else list(entries)
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for item in items:
            text = item.strip()
            if not text:
                continue
            try:
                networks.append(ipaddress.ip_network(text, strict=False))
            except ValueError:
                hosts.add(normalise_host(text))
        return cls(hosts=frozenset(hosts), networks=tuple(networks))

    def allows_host(self, host: str) -> bool:
        return normalise_host(host) in self.hosts

    def allows_address(self, ip: IPAddress) -> bool:
        return any(ip.version == network.version and ip in network for network in self.networks)


def _same_address(host: str, ip: IPAddress) -> bool:
    try:
        return ipaddress.ip_address(host) == ip
    except ValueError:
        return False


def check(host: str, addresses: Iterable[str], allowlist: Allowlist) -> list[IPAddress]:
    """The addresses of `host` to connect to, all checked; Refused if any of them may not be reached.

    Refusing when any address is bad (not only the first) matters: the connection may fall back
    to any of them.
    """
    allowed_host = allowlist.allows_host(host)
    checked: list[IPAddress] = []
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
        reason = None if allowed_host or allowlist.allows_address(ip) else refusal(ip)
        if reason:
            shown = host if _same_address(host, ip) else f"{host} ({ip})"
            raise Refused(f"{shown} is {reason}")
        checked.append(ip)
    if not checked:
        raise Refused(f"{host} has no address")
    return checked

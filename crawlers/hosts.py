"""Host and address facts the crawler's guard and the sources file both need (no Scrapy here).

`literal_address` reads an IP written in any spelling a resolver accepts; `is_public_address`
says whether connecting there stays on the public internet; `on_domain` is the
allowed_domains rule (a domain and its subdomains).
"""
from __future__ import annotations

import ipaddress
import re
import socket
from typing import Iterable
from urllib.parse import urlsplit

SCHEMES = ("http", "https")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$", re.IGNORECASE)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def literal_address(host: str) -> Address | None:
    """The address a host names literally, in any spelling a resolver accepts (dotted, one
    number, hex, octal, short forms, IPv6 with or without brackets); None for a name."""
    host = host.strip().strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_public_address(address: Address) -> bool:
    """True for a globally routable unicast address; IPv6 forms that carry an IPv4 address
    (mapped, NAT64, 6to4, Teredo) are judged by the address they carry."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address.teredo:
            embedded = address.teredo[1]
        if embedded is not None:
            return is_public_address(embedded)
    return address.is_global and not address.is_multicast


def is_http_url(url: str) -> bool:
    return urlsplit(url.strip()).scheme.lower() in SCHEMES


def own_host_set(hosts: Iterable[str]) -> frozenset[str]:
    return frozenset(h.strip().strip("[]").lower() for h in hosts if h and h.strip())


def on_domain(host: str, domains: Iterable[str]) -> bool:
    """The host is one of the domains or a subdomain of one (example.org allows www.example.org)."""
    host = host.strip("[]").lower().rstrip(".")
    for domain in domains:
        domain = domain.strip().strip("[]").lower().rstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False

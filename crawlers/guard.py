"""What the crawler may fetch, checked on every request whatever `dont_filter` says.

Crawled pages are written by strangers, and a feed, sitemap, JSON API or redirect can point
anywhere. Three checks keep the crawler on the sources' own public sites:

- scheme: only http and https (Scrapy's file, data, ftp and s3 handlers are switched off too,
  see `DOWNLOAD_HANDLERS`);
- offsite: the host must be one of the source's `allowed_domains` or a subdomain of one;
  redirect targets come back through the downloader middlewares and are checked the same way;
- private address: a host that is, or resolves to, a loopback, private, link-local (cloud
  metadata at 169.254.169.254), shared, multicast or reserved address is refused unless the
  operator lists it in `crawl.own_hosts`. IP literals in any spelling (`2130706433`,
  `0x7f000001`, `[::1]`, `::ffff:127.0.0.1`) are caught in `GuardMiddleware` before any
  connection; names are checked by `GuardedResolver`, the resolver Scrapy connects with, on
  the very address it returns for the connection, so a DNS answer that changes between a
  check and the connection (rebinding) cannot slip through. That resolver asks for IPv4
  addresses only (Scrapy's default), so an AAAA-only host is not reached at all.

Every refusal is an `IgnoreRequest` subclass, `Refused`, carrying its cause (`scheme`,
`offsite`, `private_address`), so the spider records it in fetch_failures and `dulun status`
shows it.
"""
from __future__ import annotations

import ipaddress
import logging
from typing import Iterable
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError

from crawlers.hosts import SCHEMES, is_public_address, literal_address, on_domain, own_host_set

log = logging.getLogger(__name__)

OWN_HOSTS_SETTING = "DULUN_OWN_HOSTS"
# Only these two transports exist for the crawler: the others would read local files
# (file:///etc/passwd, file:///dev/zero with no size cap), inline data or other services.
DOWNLOAD_HANDLERS = {
    "http": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
    "https": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
    "file": None, "data": None, "ftp": None, "s3": None,
}


class Refused(IgnoreRequest):
    """A request the crawler will not make, and why."""

    def __init__(self, cause: str, detail: str):
        super().__init__(detail)
        self.cause = cause
        self.detail = detail


class PrivateAddress(DNSLookupError):
    """A name resolved to an address the crawler must not connect to. A DNSLookupError, so
    Twisted's endpoint treats it as "no usable address" without logging a traceback."""


def check_request(request: Request, allowed_domains: Iterable[str], own_hosts: Iterable[str]) -> None:
    """Raise `Refused` unless the request may be made: http(s), on the source's domains, and
    not at a private address written into the URL (names are checked at resolution)."""
    parts = urlparse_cached(request)
    if parts.scheme not in SCHEMES:
        raise Refused("scheme", f"{parts.scheme or 'scheme-less'} URLs are never fetched, only http and https")
    host = (parts.hostname or "").lower()
    if not host or not on_domain(host, allowed_domains):
        raise Refused("offsite", f"host {host or '(none)'} is not in the source's allowed_domains")
    address = literal_address(host)
    if address is not None and host not in own_host_set(own_hosts) and not is_public_address(address):
        raise Refused("private_address", f"{host} is the non-public address {address}")


class GuardMiddleware:
    """Downloader middleware, placed before robots.txt and everything else: every request,
    start URLs, articles, sitemap children, redirect targets and robots.txt included."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.own_hosts = own_host_set(crawler.settings.getlist(OWN_HOSTS_SETTING))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request, spider=None):
        spider = self.crawler.spider
        check_request(request, getattr(spider, "allowed_domains", None) or [], self.own_hosts)
        host = (urlparse_cached(request).hostname or "").lower()
        address = resolver_refusal(host)
        if address is not None:  # refused once this run: say so again without another lookup
            raise Refused("private_address", f"{host} resolves to the non-public address {address}")
        return None


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's default resolver (cached, IPv4), refusing non-public answers for every host
    the operator did not list as their own. The answer checked is the one the connection uses."""

    def __init__(self, reactor, cache_size: int, timeout: float, own_hosts: Iterable[str] = ()):
        super().__init__(reactor, cache_size, timeout)
        self.own_hosts = own_host_set(own_hosts)
        self.refused: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler, reactor):
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"), settings.getlist(OWN_HOSTS_SETTING))

    def getHostByName(self, name: str, timeout=()):  # noqa: N802 (Twisted's interface)
        return super().getHostByName(name, timeout).addCallback(self._checked, name)

    def _checked(self, address: str, name: str) -> str:
        if name.lower() in self.own_hosts:
            return address
        try:
            public = is_public_address(ipaddress.ip_address(address))
        except ValueError:
            public = False
        if public:
            return address
        if name.lower() not in self.refused:
            log.warning("Refused %s: it resolves to the non-public address %s (list it in crawl.own_hosts if it is yours).",
                        name, address)
        self.refused[name.lower()] = address
        raise PrivateAddress(f"{name} resolves to the non-public address {address}")


def resolver_refusal(host: str) -> str | None:
    """The non-public address the running crawl's resolver refused for `host`, if it did."""
    from twisted.internet import reactor  # the one Scrapy installed in this process

    refused = getattr(getattr(reactor, "resolver", None), "refused", None)
    return refused.get(host.lower()) if refused else None


def refusal_of(exception: BaseException, url: str | None) -> tuple[str, str] | None:
    """(cause, detail) when a failed request was refused by the guard or its resolver."""
    if isinstance(exception, Refused):
        return exception.cause, exception.detail
    hostname = urlsplit(url).hostname if url else None
    address = resolver_refusal(hostname) if hostname else None
    if address is not None:
        return "private_address", f"{hostname} resolves to the non-public address {address}"
    return None

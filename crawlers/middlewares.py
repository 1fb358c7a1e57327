"""Transport concerns, kept out of the spiders.

- `SeenUrlMiddleware`: an article the store already holds is never downloaded again.
- `ConditionalGetMiddleware`: feeds and sitemaps are asked "changed since?" (ETag /
  Last-Modified kept in the store), so an unchanged feed costs a 304.
- `BackoffRetryMiddleware`: Scrapy's retries for 429/5xx/timeouts, spaced out exponentially
  (or as the server's Retry-After says) instead of hammering a struggling site.
- `PageCountMiddleware`: counts pages fetched successfully for the run record.
"""
from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response

from crawlers.failures import AlreadyStored
from crawlers.guard import refusal_of
from store.crawl import Validators
from core.records import canonical_url

ARTICLE = "dulun_article"
CONDITIONAL = "dulun_conditional"
NOT_BEFORE = "dulun_not_before"


class _CrawlerAware:
    """Scrapy 2.13+ no longer passes `spider` to component methods; reach it via the crawler."""

    crawler = None

    @classmethod
    def from_crawler(cls, crawler):
        component = cls()
        component.crawler = crawler
        return component

    def state(self):
        spider = self.crawler.spider if self.crawler is not None else None
        return getattr(spider, "state", None)


class LocalHostMiddleware(_CrawlerAware):
    """Requests to hosts we own skip AutoThrottle (their slot has no delay in DOWNLOAD_SLOTS)."""

    def process_request(self, request: Request, spider=None):
        hosts = self.crawler.settings.getlist("DULUN_UNTHROTTLED_HOSTS")
        if urlsplit(request.url).hostname in hosts:
            request.meta["autothrottle_dont_adjust_delay"] = True
        return None


class SeenUrlMiddleware(_CrawlerAware):
    def process_request(self, request: Request, spider=None):
        state = self.state()
        if state is not None and request.meta.get(ARTICLE) and state.is_stored(request.url):
            state.skipped_seen()
            raise AlreadyStored("already stored")
        return None


class ConditionalGetMiddleware(_CrawlerAware):
    def process_request(self, request: Request, spider=None):
        state = self.state()
        if state is None or not request.meta.get(CONDITIONAL):
            return None
        known = state.validators.get(canonical_url(request.url))
        if known is not None:
            if known.etag:
                request.headers.setdefault(b"If-None-Match", known.etag.encode("latin-1"))
            if known.last_modified:
                request.headers.setdefault(b"If-Modified-Since", known.last_modified.encode("latin-1"))
        return None

    def process_response(self, request: Request, response: Response, spider=None):
        state = self.state()
        if state is None or not request.meta.get(CONDITIONAL) or response.status != 200:
            return response
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        if etag or modified:
            state.new_validators.append(Validators(
                url=canonical_url(request.url), source=state.source.name,
                etag=etag.decode("latin-1") if etag else None,
                last_modified=modified.decode("latin-1") if modified else None,
            ))
        return response


class ReplayClockMiddleware(_CrawlerAware):
    """In a replay (`crawl(cycles=...)`), tell the site which moment this poll stands for."""

    def process_request(self, request: Request, spider=None):
        state = self.state()
        if state is not None:
            request.headers["X-Dulun-Clock"] = state.context.now.isoformat()
        return None


class PageCountMiddleware(_CrawlerAware):
    def process_response(self, request: Request, response: Response, spider=None):
        state = self.state()
        if state is not None and 200 <= response.status < 300 and not request.url.endswith("/robots.txt"):
            state.page_ok()
        return response


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries wait base * 2**(n-1) seconds (capped), or the server's Retry-After."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base_s = settings.getfloat("DULUN_RETRY_BACKOFF_S", 2.0)
        self.cap_s = settings.getfloat("DULUN_RETRY_BACKOFF_MAX_S", 60.0)
        self._retry_after: float | None = None

    def process_exception(self, request: Request, exception, spider=None):
        if refusal_of(exception, request.url) is not None:
            return None  # a refused address stays refused: no retry, straight to the errback
        return super().process_exception(request, exception)

    def process_response(self, request: Request, response: Response, spider=None):
        self._retry_after = _retry_after_seconds(response.headers.get(b"Retry-After"))
        try:
            return super().process_response(request, response)
        finally:
            self._retry_after = None

    def _retry(self, request: Request, reason):
        retry = super()._retry(request, reason)
        if retry is not None:
            attempt = retry.meta.get("retry_times", 1)
            wait = self._retry_after if self._retry_after is not None else self.base_s * 2 ** (attempt - 1)
            retry.meta[NOT_BEFORE] = time.monotonic() + min(wait, self.cap_s)
        return retry


class BackoffWaitMiddleware(_CrawlerAware):
    """Holds a retried request until its backoff has passed (it keeps its domain slot, which
    is the polite thing: the site gets a pause, not a different request instead)."""

    async def process_request(self, request: Request, spider=None):
        not_before = request.meta.get(NOT_BEFORE)
        if not_before:
            delay = not_before - time.monotonic()
            if delay > 0:
                from twisted.internet import reactor  # the running one, installed by Scrapy

                await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))
        return None


def _retry_after_seconds(value: bytes | None) -> float | None:
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())

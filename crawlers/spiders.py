"""Five generic spiders, each parameterised by a source entry; no per-site spider code.

Spiders only parse and yield: article items go to `crawlers.pipelines.DocumentPipeline`,
transport concerns (seen URLs, conditional GET, backoff) live in `crawlers.middlewares`, and
the run is recorded by `crawlers.extensions.RunRecorder`. Every request carries `on_error`,
so each failure is counted with its cause instead of vanishing into the log.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, AsyncIterator, Iterator
from urllib.parse import urljoin, urlsplit, urlunsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.extract import decode_html, drop_element, extract_article, is_value_query, nfc, nfc_text, select
from crawlers.failures import AlreadyStored, classify
from crawlers.feeds import parse_xml_document
from crawlers.hosts import is_http_url
from crawlers.sources import Source
from crawlers.state import CrawlContext, SourceState
from crawlers.salt import author_pseudonym
from crawlers.vndate import parse_vn_datetime

from crawlers.middlewares import ARTICLE, CONDITIONAL


class SourceSpider(scrapy.Spider):
    """What every kind shares: start requests, article pages, age filter, error accounting."""

    kind = ""

    def __init__(self, source: Source, context: CrawlContext, *args: Any, **kwargs: Any):
        super().__init__(name=source.name, *args, **kwargs)
        self.source = source
        self.context = context
        self.allowed_domains = list(source.allowed_domains)
        self.state = SourceState(context, source)
        self._url_pattern = re.compile(source.url_pattern) if source.url_pattern else None

    @property
    def now(self) -> dt.datetime:
        return self.context.now

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.source.start_urls:
            yield self.start_request(url)

    def start_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_start, errback=self.on_error, dont_filter=True,
            meta={CONDITIONAL: self.kind in ("feed", "sitemap"), "handle_httpstatus_list": [304]},
        )

    def parse_start(self, response: Response) -> Iterator[Any]:
        raise NotImplementedError

    # --- articles -------------------------------------------------------------------------

    def article_request(self, url: str, hint: dict[str, Any] | None = None) -> scrapy.Request | None:
        """A request for an article, unless this run already scheduled it."""
        if not is_http_url(url):
            return None  # mailto:, javascript:, tel: links are listing junk, not refusals
        if self._url_pattern and not self._url_pattern.search(url):
            return None
        if not self.state.first_time_scheduled(url):
            self.state.fail(url, "duplicate_link", "listed more than once in this run")
            return None
        # dont_filter: our own per-run set dedupes; Scrapy's filter would silently swallow a
        # redirect loop instead of letting it reach the redirect limit and be counted.
        return scrapy.Request(url, callback=self.parse_article, errback=self.on_error,
                              dont_filter=True, meta={ARTICLE: True, "dulun_hint": hint or {}})

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        if not response.body.strip():
            self.state.fail(response.url, "empty_body", "the server sent no content")
            return
        decoded = decode_html(response.body, _content_type(response))
        if decoded.repaired:
            self.state.fail(response.url, "encoding_repaired", f"decoded as {decoded.encoding}")
        found = extract_article(decoded.text, response.url, self.source.selectors)
        hint = response.meta.get("dulun_hint") or {}
        published = found.published or hint.get("published")
        title = found.title or hint.get("title")
        if not found.text and not title:
            self.state.fail(response.url, "parse_error", "no title and no text found")
            return
        if published is None:
            self.state.fail(response.url, "no_date", "stored without a publication time")
        elif self.too_old(published):
            return
        converted = [n for n in found.notes if n.startswith("legacy_font_converted_")]
        if converted:
            self.state.fail(response.url, "legacy_font_converted", f"{converted[0].rsplit('_', 1)[1].upper()} text converted to Unicode")
        if "legacy_font_encoding" in found.notes:
            self.state.fail(response.url, "legacy_font_encoding", "legacy-font page whose text was not recognised as TCVN3/VNI, stored unconverted")
        yield {
            # The link as listed, not where it redirected: next run's seen-check asks about the
            # listed link, so storing it under that URL is what keeps a redirected page from
            # being fetched again on every run.
            "url": (response.meta.get("redirect_urls") or [response.url])[0],
            "title": title,
            "lead": found.lead,
            "text": found.text,
            "byline": found.byline if self.source.kind == "press" else None,
            "published_at": published,
            "language": "vi",
        }

    def too_old(self, published: dt.datetime | None) -> bool:
        days = self.source.max_age_days
        return bool(days and published and published < self.now - dt.timedelta(days=days))

    def hash_author(self, name: str | None, published: dt.datetime | None) -> str | None:
        """Authors become pseudonyms here, at parse time, so a raw name never reaches an item or
        a log; the pseudonym holds for the post's ISO week (Asia/Ho_Chi_Minh) and this source."""
        return author_pseudonym(name, self.context.author_key, published or self.now, self.source.name)

    # --- failures -------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else None
        if failure.check(AlreadyStored):
            return  # counted as skipped by the middleware
        cause, detail = classify(failure.value, url)
        host = urlsplit(url).netloc if url else ""
        if cause == "robots" and host in self.state.robots_unavailable:
            cause, detail = "robots_unavailable", f"robots.txt of {host} could not be read ({self.state.robots_unavailable[host]})"
        self.state.fail(url, cause, detail)

    def not_modified(self, response: Response) -> bool:
        if response.status == 304:
            self.state.not_modified += 1
            return True
        return False


class FeedSpider(SourceSpider):
    """RSS/Atom feeds, then each linked article."""

    kind = "feed"

    def parse_start(self, response: Response) -> Iterator[Any]:
        if self.not_modified(response):
            return
        parsed = parse_xml_document(response.body, response.url, _content_type(response))
        if parsed.malformed:
            cause = "parse_error" if not parsed.entries else "malformed_markup"
            self.state.fail(response.url, cause, "feed XML is broken" + ("" if parsed.entries else "; no items recovered"))
        if parsed.encoding_repaired:
            self.state.fail(response.url, "encoding_repaired", "feed declared the wrong encoding")
        for entry in parsed.entries:
            if self.too_old(entry.published):
                continue
            request = self.article_request(entry.url, {"published": entry.published, "title": entry.title})
            if request is not None:
                yield request


class SitemapSpider(SourceSpider):
    """News sitemaps and sitemap indexes, filtered by date against `now`."""

    kind = "sitemap"

    def parse_start(self, response: Response) -> Iterator[Any]:
        if self.not_modified(response):
            return
        parsed = parse_xml_document(response.body, response.url, _content_type(response))
        if parsed.malformed:
            self.state.fail(response.url, "parse_error" if not parsed.entries else "malformed_markup", "sitemap XML is broken")
        if parsed.kind == "sitemapindex":
            for entry in parsed.entries:
                if not self.too_old(entry.published) and self.state.first_time_scheduled(entry.url):
                    yield scrapy.Request(entry.url, callback=self.parse_start, errback=self.on_error,
                                         dont_filter=True, meta={CONDITIONAL: True, "handle_httpstatus_list": [304]})
            return
        for entry in parsed.entries:
            if self.source.max_age_days and entry.published is None:
                continue  # an undated sitemap URL could be years old; a dated news sitemap is what we want
            if self.too_old(entry.published) or (entry.published and entry.published > self.now + dt.timedelta(days=1)):
                continue
            request = self.article_request(entry.url, {"published": entry.published, "title": entry.title})
            if request is not None:
                yield request


class ListingSpider(SourceSpider):
    """Category pages: article links by selector, pagination up to `max_pages`."""

    kind = "listing"

    def parse_start(self, response: Response, page: int = 1) -> Iterator[Any]:
        selectors = self.source.selectors
        if not _is_text(response):
            self.state.fail(response.url, "parse_error", "listing page is not HTML")
            return
        for href in select(response, selectors.links).getall():
            request = self.article_request(urljoin(response.url, href.strip()))
            if request is not None:
                yield request
        if selectors.next_page and page < selectors.max_pages:
            following = select(response, selectors.next_page).get()
            if following:
                yield scrapy.Request(urljoin(response.url, following.strip()), callback=self.parse_start,
                                     errback=self.on_error, cb_kwargs={"page": page + 1})


class ForumSpider(SourceSpider):
    """Public thread lists and threads: one document per post, each with its own time."""

    kind = "forum"

    def parse_start(self, response: Response, page: int = 1) -> Iterator[Any]:
        selectors = self.source.selectors
        if not _is_text(response):
            self.state.fail(response.url, "parse_error", "thread list is not HTML")
            return
        if selectors.threads:
            for href in select(response, selectors.threads).getall():
                url = urljoin(response.url, href.strip())
                if self.state.first_time_scheduled(url):
                    yield scrapy.Request(url, callback=self.parse_thread, errback=self.on_error)
            if selectors.next_page and page < selectors.max_pages:
                following = select(response, selectors.next_page).get()
                if following:
                    yield scrapy.Request(urljoin(response.url, following.strip()), callback=self.parse_start,
                                         errback=self.on_error, cb_kwargs={"page": page + 1})
        else:
            yield from self.parse_thread(response)

    def parse_thread(self, response: Response, page: int = 1) -> Iterator[Any]:
        selectors = self.source.selectors
        if not _is_text(response):
            self.state.fail(response.url, "parse_error", "thread page is not HTML")
            return
        decoded = decode_html(response.body, _content_type(response))
        page_sel = scrapy.Selector(text=decoded.text)
        thread_title = nfc(page_sel.css("h1").xpath("string()").get()) or nfc(page_sel.css("title::text").get())
        posts = select(page_sel, selectors.post or "article")
        if not posts:
            self.state.fail(response.url, "parse_error", "no posts found in the thread page")
        for index, post in enumerate(posts, start=1):
            item = self.post_item(post, response.url, thread_title, (page - 1) * 1000 + index)
            if item is not None:
                yield item
        if selectors.next_page and page < (selectors.max_thread_pages or selectors.max_pages):
            following = select(page_sel, selectors.next_page).get()
            if following:
                yield scrapy.Request(urljoin(response.url, following.strip()), callback=self.parse_thread,
                                     errback=self.on_error, cb_kwargs={"page": page + 1})

    def post_item(self, post: scrapy.Selector, thread_url: str, thread_title: str | None, index: int) -> dict | None:
        selectors = self.source.selectors
        body_query = selectors.post_body or "*"
        body = select(post, body_query)
        text = _post_text(body[0]) if body else None
        if not text:
            return None
        published = parse_vn_datetime(_first(post, selectors.post_time))
        if published is None:
            self.state.fail(thread_url, "no_date", f"post {index} has no time")
        elif self.too_old(published):
            return None
        return {
            "url": self.post_url(post, thread_url, index),
            "title": thread_title,
            "lead": None,
            "text": text,
            "byline": None,
            "author_hash": self.hash_author(_first(post, selectors.post_author), published),
            "published_at": published,
            "language": "vi",
            "thread_url": thread_url,
        }

    def post_url(self, post: scrapy.Selector, thread_url: str, index: int) -> str:
        """The post's permalink when the page has one, else a stable id-based URL."""
        link = _first(post, self.source.selectors.post_link)
        if link and is_http_url(urljoin(thread_url, link.strip())):
            return urljoin(thread_url, link.strip())
        ident = post.attrib.get("data-content") or post.attrib.get("id") or f"post-{index}"
        parts = urlsplit(thread_url)
        query = (parts.query + "&" if parts.query else "") + f"post={re.sub(r'[^A-Za-z0-9_-]', '', ident)}"
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


class JsonSpider(SourceSpider):
    """Public JSON endpoints, mapped by the entry's dotted field paths."""

    kind = "json"

    def parse_start(self, response: Response, page: int = 1) -> Iterator[Any]:
        fields = self.source.fields
        try:
            data = json.loads(decode_html(response.body, _content_type(response)).text)
        except ValueError as exc:
            self.state.fail(response.url, "parse_error", f"not JSON: {exc}")
            return
        items = dig(data, fields.items)
        if not isinstance(items, list):
            self.state.fail(response.url, "parse_error", f"no list at `{fields.items or '(root)'}`")
            return
        for raw in items:
            item = self.json_item(raw, response.url) if isinstance(raw, dict) else None
            if item is not None:
                yield item
        following = dig(data, fields.next_page) if fields.next_page else None
        if isinstance(following, str) and following and page < fields.max_pages:
            yield scrapy.Request(urljoin(response.url, following), callback=self.parse_start,
                                 errback=self.on_error, cb_kwargs={"page": page + 1})

    def json_item(self, raw: dict[str, Any], endpoint: str) -> dict[str, Any] | None:
        fields = self.source.fields
        title = nfc(_str(dig(raw, fields.title)))
        text = nfc_text(_strip_tags(_str(dig(raw, fields.text))))
        if not (title or text):
            self.state.fail(endpoint, "parse_error", "JSON item without title or text")
            return None
        url = _str(dig(raw, fields.url)) if fields.url else None
        ident = _str(dig(raw, fields.id)) if fields.id else None
        if url and not is_http_url(urljoin(endpoint, url)):
            # A stranger's javascript: or data: link must never become a document URL.
            self.state.fail(url[:300], "scheme", "JSON item URL is not http(s); "
                            + ("its id URL is used instead" if ident else "item dropped"))
            url = None
            if not ident:
                return None
        if not url:
            if not ident:
                self.state.fail(endpoint, "parse_error", "JSON item without url or id")
                return None
            parts = urlsplit(endpoint)
            url = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/" + ident, "", ""))
        published = parse_vn_datetime(_str(dig(raw, fields.published)))
        if published is None:
            self.state.fail(url, "no_date", "JSON item has no time")
        elif self.too_old(published):
            return None
        place = nfc(_str(dig(raw, fields.place))) if fields.place else None
        status = nfc(_str(dig(raw, fields.status))) if fields.status else None
        status_at = parse_vn_datetime(_str(dig(raw, fields.status_date))) if fields.status_date else None
        return {
            "url": urljoin(endpoint, url),
            "title": title,
            "lead": nfc(_str(dig(raw, fields.lead))) if fields.lead else None,
            "text": text,
            "byline": None,
            "author_hash": self.hash_author(_str(dig(raw, fields.author)), published) if fields.author else None,
            "published_at": published,
            "language": "vi",
            "place": place,
            "portal_status": status[:200] if status else None,
            "portal_status_at": status_at,
        }


SPIDERS: dict[str, type[SourceSpider]] = {
    "feed": FeedSpider,
    "sitemap": SitemapSpider,
    "listing": ListingSpider,
    "forum": ForumSpider,
    "json": JsonSpider,
}


# --- small helpers ----------------------------------------------------------------------

def dig(data: Any, path: str | None) -> Any:
    """`data.items.0.url`-style lookup; None where the path does not exist."""
    if not path:
        return data
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def _strip_tags(value: str | None) -> str | None:
    if value is None or "<" not in value:
        return value
    return scrapy.Selector(text=f"<div>{value}</div>").xpath("string(//div)").get()


def _first(sel: scrapy.Selector, query: str | None) -> str | None:
    if not query:
        return None
    # "::attr(x)" alone means "this element's attribute", which parsel cannot select directly.
    match = re.fullmatch(r"::attr\(([\w:-]+)\)", query.strip())
    if match:
        return sel.attrib.get(match[1])
    found = select(sel, query)
    if not found:
        return None
    return found.get() if is_value_query(query) else found[0].xpath("string()").get()


def _post_text(body: scrapy.Selector) -> str | None:
    for junk in body.css("blockquote, script, style, .bbCodeBlock--quote"):
        drop_element(junk.root)  # quoted earlier posts belong to their own authors
    parts = body.xpath(".//text()").getall()
    return nfc_text("".join(parts).replace("\r", ""))


def _content_type(response: Response) -> str | None:
    value = response.headers.get("Content-Type")
    return value.decode("latin-1") if value else None


def _is_text(response: Response) -> bool:
    return hasattr(response, "css")

"""RSS/Atom feeds and sitemaps as real sites serve them: broken XML, wrong declared
encodings, relative links, CDATA full of HTML, gzip. Parsing recovers what it can and says
whether it had to (`malformed`), so the crawl goes on and `dulun status` shows the problem.
"""
from __future__ import annotations

import datetime as dt
import gzip
import io
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree

from crawlers.extract import decode_html, nfc
from crawlers.vndate import parse_vn_datetime

_MAX_GUNZIP = 50 * 1024 * 1024
_BARE_AMPERSAND = re.compile(rb"&(?!#?[A-Za-z0-9]+;)")


@dataclass
class Entry:
    url: str
    title: str | None = None
    published: dt.datetime | None = None
    summary: str | None = None


@dataclass
class Parsed:
    kind: str  # "feed", "urlset", "sitemapindex" or "unknown"
    entries: list[Entry]
    malformed: bool = False
    encoding_repaired: bool = False


def parse_xml_document(body: bytes, base_url: str, content_type: str | None = None) -> Parsed:
    """Feed or sitemap entries, with links made absolute against `base_url`."""
    body = _gunzip(body)
    root, malformed, repaired = _parse(body, content_type)
    if root is None:
        return Parsed("unknown", [], malformed=True, encoding_repaired=repaired)
    tag = etree.QName(root).localname.lower()
    if tag in ("rss", "feed", "rdf"):
        return Parsed("feed", _feed_entries(root, base_url), malformed, repaired)
    if tag == "urlset":
        return Parsed("urlset", _sitemap_entries(root, base_url, "url"), malformed, repaired)
    if tag == "sitemapindex":
        return Parsed("sitemapindex", _sitemap_entries(root, base_url, "sitemap"), malformed, repaired)
    return Parsed("unknown", [], malformed=True, encoding_repaired=repaired)


def _gunzip(body: bytes) -> bytes:
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
            return fh.read(_MAX_GUNZIP)
    except (OSError, EOFError):
        return body


def _parse(body: bytes, content_type: str | None):
    """Decode ourselves (the declaration is often wrong), drop the declaration, then let
    lxml's recovering parser take the text; a strict parse first tells us if recovery was needed."""
    decoded = decode_html(body, content_type)
    # The declaration's encoding no longer applies to the decoded text, and lxml refuses
    # str input that still carries one.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", decoded.text.lstrip("\ufeff"), count=1)
    text = _strip_invalid_xml_chars(text)
    data = text.encode("utf-8")
    malformed = False
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        malformed = True
        # The commonest breakage is a bare "&" in a title; escaping it keeps the character that
        # lxml's recovery would silently drop. Whatever is still broken is then recovered.
        data = _BARE_AMPERSAND.sub(b"&amp;", data)
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, encoding="utf-8")
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError:
            root = None
    return root, malformed, decoded.repaired


def _strip_invalid_xml_chars(text: str) -> str:
    # Control characters pasted from word processors are illegal in XML 1.0.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)


def _local(el, name: str):
    """Child elements by local name, whatever namespace the feed used."""
    return [c for c in el if isinstance(c.tag, str) and etree.QName(c).localname.lower() == name]


def _text(el, *names: str) -> str | None:
    for name in names:
        for child in _local(el, name):
            value = "".join(child.itertext()).strip()
            if value:
                return value
    return None


def _feed_entries(root, base_url: str) -> list[Entry]:
    items = [el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname.lower() in ("item", "entry")]
    entries = []
    for item in items:
        link = _entry_link(item)
        if not link:
            continue
        published = _text(item, "pubdate", "published", "date", "updated", "issued")
        entries.append(Entry(
            url=urljoin(base_url, link.strip()),
            title=nfc(_text(item, "title")),
            published=parse_vn_datetime(published),
            summary=_text(item, "description", "summary"),
        ))
    return entries


def _entry_link(item) -> str | None:
    for link in _local(item, "link"):
        href = link.get("href")
        if href and link.get("rel", "alternate") == "alternate":
            return href
        if link.text and link.text.strip():
            return link.text.strip()
    guid = _local(item, "guid")
    if guid and (guid[0].text or "").strip().startswith(("http", "/")):
        return guid[0].text.strip()
    return None


def _sitemap_entries(root, base_url: str, tag: str) -> list[Entry]:
    entries = []
    for node in _local(root, tag):
        loc = _text(node, "loc")
        if not loc:
            continue
        published = None
        for news in _local(node, "news"):
            published = parse_vn_datetime(_text(news, "publication_date"))
            title = nfc(_text(news, "title"))
            break
        else:
            title = None
        published = published or parse_vn_datetime(_text(node, "lastmod"))
        entries.append(Entry(url=urljoin(base_url, loc), title=title, published=published))
    return entries

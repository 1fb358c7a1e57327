"""Feeds and sitemaps as sites really serve them."""
from __future__ import annotations

import gzip

from crawlers.feeds import parse_xml_document


def test_atom_feed_with_relative_links():
    atom = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
    <entry><title>Tin A</title><link rel="alternate" href="/a.html"/><published>2026-11-22T08:00:00+07:00</published></entry>
    </feed>"""
    parsed = parse_xml_document(atom, "https://bao.vn/rss/feed.xml")
    assert parsed.kind == "feed" and not parsed.malformed
    assert parsed.entries[0].url == "https://bao.vn/a.html" and parsed.entries[0].title == "Tin A"


def test_broken_xml_with_a_wrong_declared_encoding_is_recovered():
    rss = ('<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel>'
           '<item><title>Nước & điện</title><link>/a.html</link></item>'
           '<item><title>Hai</title><link>/b.html</link><pubDate>Sun, 22 Nov 2026 08:00:00 +0700</pubDate></item>'
           '<item><title>dở dang').encode("utf-8")
    parsed = parse_xml_document(rss, "https://bao.vn/rss")
    assert parsed.malformed and parsed.encoding_repaired
    assert [e.url for e in parsed.entries][:2] == ["https://bao.vn/a.html", "https://bao.vn/b.html"]
    assert parsed.entries[0].title == "Nước & điện"


def test_gzipped_sitemap_index_and_news_sitemap():
    index = gzip.compress(b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://bao.vn/s1.xml</loc><lastmod>2026-11-22</lastmod></sitemap></sitemapindex>')
    parsed = parse_xml_document(index, "https://bao.vn/sitemap.xml.gz")
    assert parsed.kind == "sitemapindex" and parsed.entries[0].url == "https://bao.vn/s1.xml"
    news = b'''<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>https://bao.vn/a.html</loc><news:news><news:publication_date>2026-11-22T20:15:00+07:00</news:publication_date><news:title>A</news:title></news:news></url>
      <url><loc>https://bao.vn/b.html</loc><lastmod>2026-11-20</lastmod></url></urlset>'''
    parsed = parse_xml_document(news, "https://bao.vn/s1.xml")
    assert parsed.kind == "urlset"
    assert [(e.url, e.published.day) for e in parsed.entries] == [("https://bao.vn/a.html", 22), ("https://bao.vn/b.html", 20)]


def test_not_xml_at_all_is_reported_not_raised():
    for body in (b"", b"<html><body>Not a feed</body></html>", b"\x00\x01"):
        parsed = parse_xml_document(body, "https://bao.vn/rss")
        assert parsed.entries == [] and parsed.malformed

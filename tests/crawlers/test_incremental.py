"""Incremental crawling: stored URLs are never fetched again, unchanged feeds cost a 304."""
from __future__ import annotations

import pytest

from crawlers.api import crawl
from crawlers.fixture_server import SiteServer, site_dir
from crawlers.sources import load_sources
from store import open_reader

from .conftest import NOW, documents, fast_settings, localized, real_hosts, write_sources


def _serve(name: str) -> tuple[SiteServer, dict]:
    source = next(s for s in load_sources() if s.name == name)
    server = SiteServer(site_dir(name), real_hosts(source)).start()
    return server, localized(source, server.base)


@pytest.mark.slow
def test_second_run_skips_stored_articles_and_gets_304_for_an_unchanged_feed(tmp_path):
    server, entry = _serve("vnexpress-thoi-su")
    listing_server, listing_entry = _serve("vietnamnet-thoi-su")
    try:
        settings = fast_settings(tmp_path)
        sources_file = write_sources(tmp_path / "s.yaml", [entry, listing_entry])
        first = {s.source: s for s in crawl(settings, sources_file=sources_file, now=NOW)}
        article_hits = {p: n for p, n in listing_server.hits.items() if p.endswith(".html")}
        second = {s.source: s for s in crawl(settings, sources_file=sources_file, now=NOW)}
    finally:
        server.stop()
        listing_server.stop()

    assert first["vnexpress-thoi-su"].items_stored == 2
    # The feed answered 304 Not Modified to the validators saved by the first run:
    assert second["vnexpress-thoi-su"].failures.get("not_modified") == 1
    assert second["vnexpress-thoi-su"].items_stored == 0
    assert server.hits["/rss/thoi-su.rss"] == 2
    # The listing has no validators: it is read again, but its stored articles are not fetched.
    assert second["vietnamnet-thoi-su"].skipped_seen == 3
    assert {p: n for p, n in listing_server.hits.items() if p.endswith(".html")} == article_hits
    assert all(n == 1 for n in article_hits.values())
    assert server.user_agents == {"dulun/0.1 (public-issue monitoring; +https://github.com/dulun-project/dulun)"}
    assert len(documents(settings)) == 5
    with open_reader(settings.database) as store:
        validators = store.con.execute("SELECT source, etag IS NOT NULL, last_modified FROM http_validators").fetchall()
    assert validators == [("vnexpress-thoi-su", True, "Sun, 22 Nov 2026 03:00:00 GMT")]


@pytest.mark.slow
def test_a_run_with_every_page_failing_is_recorded_as_failed(tmp_path):
    settings = fast_settings(tmp_path, retries=0)
    with SiteServer() as server:  # serves nothing but 404s
        entry = {"name": "gone", "spider": "feed", "kind": "press", "start_urls": [f"{server.base}/rss.xml"],
                 "allowed_domains": ["127.0.0.1"]}
        summary = crawl(settings, sources_file=write_sources(tmp_path / "s.yaml", [entry]), now=NOW)[0]
    assert summary.status == "failed"
    assert summary.failures == {"http_404": 1}


@pytest.mark.slow
def test_sources_are_due_again_only_after_their_interval(tmp_path):
    import datetime as dt

    from crawlers.api import due_sources

    server, entry = _serve("tuoitre-thoi-su")
    try:
        settings = fast_settings(tmp_path)
        sources_file = write_sources(tmp_path / "s.yaml", [dict(entry, interval_minutes=30),
                                                           dict(entry, name="tuoitre-copy", interval_minutes=30)])
        assert due_sources(settings, NOW, sources_file) == ["tuoitre-thoi-su", "tuoitre-copy"]  # never ran
        crawl(settings, sources=["tuoitre-thoi-su"], sources_file=sources_file, now=NOW)
    finally:
        server.stop()
    # The run is stamped on the crawl's clock (NOW here, as in a replay): the interval counts from it.
    assert due_sources(settings, NOW + dt.timedelta(minutes=29), sources_file) == ["tuoitre-copy"]
    assert due_sources(settings, NOW + dt.timedelta(minutes=31), sources_file) == ["tuoitre-thoi-su", "tuoitre-copy"]


@pytest.mark.slow
def test_a_redirected_article_is_not_fetched_again_next_run(tmp_path):
    page = ('<html><head><meta charset="utf-8"><title>Bài mới</title></head><body><h1>Bài mới</h1>'
            '<p>Nội dung sau chuyển hướng, ngày 22/11/2026 08:00.</p></body></html>').encode()
    with SiteServer() as server:
        server.routes.update({
            "/rss.xml": lambda h: h.send_body(b'<rss><channel><item><title>x</title><link>/cu.html</link></item></channel></rss>', "application/rss+xml"),
            "/cu.html": lambda h: h.send_body(b"", "text/html", status=301, headers={"Location": "/moi.html"}),
            "/moi.html": lambda h: h.send_body(page, "text/html; charset=utf-8"),
        })
        entry = {"name": "moved", "spider": "feed", "kind": "press", "start_urls": [f"{server.base}/rss.xml"],
                 "allowed_domains": ["127.0.0.1"]}
        settings = fast_settings(tmp_path)
        sources_file = write_sources(tmp_path / "s.yaml", [entry])
        crawl(settings, sources_file=sources_file, now=NOW)
        second = crawl(settings, sources_file=sources_file, now=NOW)[0]
    assert [d["url"] for d in documents(settings)] == [f"{server.base}/cu.html"]
    assert second.skipped_seen == 1 and server.hits["/moi.html"] == 1


@pytest.mark.slow
def test_a_url_stored_by_one_source_is_never_overwritten_by_another(tmp_path):
    """The first source keeps its row (its kind, text and counts); a second source listing the
    same URL gets a `duplicate_url_other_source` note, or skips the page as already seen."""
    import json

    from .conftest import failures
    from .trouble_site import ARTICLE

    server = SiteServer().start()
    article = ARTICLE.format(title="Bài gốc của báo", published="2026-11-22T08:00:00+07:00", text="Nội dung gốc.")
    api = {"items": [{"url": "/bai-goc.html", "title": "Tiêu đề khác do nguồn thứ hai gửi", "content": "Nội dung khác.",
                      "created_at": "2026-11-22T09:00:00+07:00"}]}
    feed = ('<rss version="2.0"><channel><item><title>Bài gốc</title><link>/bai-goc.html</link>'
            "<pubDate>Sun, 22 Nov 2026 08:00:00 +0700</pubDate></item></channel></rss>").encode()
    server.routes.update({
        "/bai-goc.html": lambda h: h.send_body(article.encode(), "text/html; charset=utf-8"),
        "/api.json": lambda h: h.send_body(json.dumps(api).encode(), "application/json"),
        "/feed.rss": lambda h: h.send_body(feed, "application/rss+xml"),
    })
    base = {"kind": "press", "allowed_domains": ["127.0.0.1"], "selectors": {"body": "div.body"}}
    entries = [
        dict(base, name="bao-goc", spider="feed", start_urls=[f"{server.base}/feed.rss"]),
        {"name": "cong-phan-anh", "spider": "json", "kind": "petition", "start_urls": [f"{server.base}/api.json"],
         "allowed_domains": ["127.0.0.1"],
         "fields": {"items": "items", "url": "url", "title": "title", "text": "content", "published": "created_at"}},
        dict(base, name="bao-dang-lai", spider="feed", start_urls=[f"{server.base}/feed.rss"]),
    ]
    try:
        settings = fast_settings(tmp_path)
        sources_file = write_sources(tmp_path / "s.yaml", entries)
        crawl(settings, sources=["bao-goc"], sources_file=sources_file, now=NOW)
        second = crawl(settings, sources=["cong-phan-anh"], sources_file=sources_file, now=NOW)[0]
        third = crawl(settings, sources=["bao-dang-lai"], sources_file=sources_file, now=NOW)[0]
    finally:
        server.stop()

    [doc] = documents(settings)
    assert (doc["source"], doc["kind"], doc["title"], doc["version"]) == ("bao-goc", "press", "Bài gốc của báo", 1)
    assert second.items_stored == 0
    assert [f["cause"] for f in failures(settings, "cong-phan-anh")] == ["duplicate_url_other_source"]
    assert third.skipped_seen == 1 and third.items_stored == 0 and server.hits["/bai-goc.html"] == 1

"""The demo server on 127.0.0.1: every source's entry point, pages, pagination and broken links.

Pages are fetched with urllib over real HTTP; the CSS selectors declared in the written
sources.yaml are applied with parsel (what Scrapy uses), so a spider following the file finds
exactly one title, lead, body and date on every page.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import pytest
import yaml
from parsel import Selector

from crawlers.demo_site.content import VN

SPIDERS = {"feed", "sitemap", "listing", "forum", "json"}
KINDS = {"press", "post", "petition"}
VN_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})\D{1,5}(\d{2}):(\d{2})")


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read()


def get_text(url: str, expected_type: str) -> str:
    status, ctype, body = fetch(url)
    assert status == 200, url
    assert ctype == f"{expected_type}; charset=utf-8", url
    return body.decode("utf-8")  # strict: every served page is valid UTF-8


@pytest.fixture(scope="module")
def sources(demo_site):
    return {s["name"]: s for s in yaml.safe_load(demo_site.sources_file.read_text(encoding="utf-8"))["sources"]}


@pytest.fixture(scope="module")
def expected(demo_site):
    return demo_site.expected["items"]


def one(sel: Selector, css: str) -> str:
    found = sel.css(css)
    assert len(found) == 1, css
    return " ".join(t.strip() for t in found.css("*::text").getall() if t.strip())


def test_server_listens_on_a_free_local_port(demo_site):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d{2,5}", demo_site.base_url)
    assert "Trang mô phỏng" in get_text(demo_site.base_url + "/", "text/html")


def test_sources_file_follows_the_schema(demo_site, sources):
    assert set(sources) == {"demo-baoquocgia", "demo-baohaiphong", "demo-baoquangngai", "demo-diendan", "demo-phananh"}
    text = demo_site.sources_file.read_text(encoding="utf-8")
    assert "{base}" not in text
    for name, src in sources.items():
        assert re.fullmatch(r"[a-z0-9-]+", name)
        assert src["spider"] in SPIDERS and src["kind"] in KINDS
        assert all(u.startswith(demo_site.base_url + "/") for u in src["start_urls"])
        assert src["allowed_domains"] == ["127.0.0.1"]
        assert isinstance(src["interval_minutes"], int)
        assert ("fields" in src) == (src["spider"] == "json")
    assert sources["demo-baohaiphong"]["province"] == "Hải Phòng"
    assert sources["demo-baoquangngai"]["province"] == "Quảng Ngãi"


def test_robots_txt_allows_content_and_disallows_admin(demo_site):
    robots = get_text(demo_site.base_url + "/robots.txt", "text/plain")
    assert "User-agent: *" in robots and "Disallow: /admin/" in robots
    assert fetch(demo_site.base_url + "/admin/")[0] == 403


def test_rss_feed_lists_every_article_with_rfc822_dates_and_one_dead_link(demo_site, sources, expected):
    feed_url = sources["demo-baoquocgia"]["start_urls"][0]
    root = ElementTree.fromstring(get_text(feed_url, "application/rss+xml").encode("utf-8"))
    entries = {i.findtext("link"): i.findtext("pubDate") for i in root.iter("item")}
    want = {r["url"]: r["published"] for r in expected if r["source"] == "demo-baoquocgia"}
    assert set(want) < set(entries)
    for url, published in want.items():
        assert entries[url].endswith("+0700")
        assert parsedate_to_datetime(entries[url]) == dt.datetime.fromisoformat(published)
    dead = set(entries) - set(want)
    assert len(dead) == 1 and fetch(dead.pop())[0] == 404


def test_news_sitemap_lists_every_article_with_publication_dates(demo_site, sources, expected):
    url = sources["demo-baoquangngai"]["start_urls"][0]
    root = ElementTree.fromstring(get_text(url, "application/xml").encode("utf-8"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "n": "http://www.google.com/schemas/sitemap-news/0.9"}
    got = {u.findtext("s:loc", namespaces=ns): u.findtext("n:news/n:publication_date", namespaces=ns)
           for u in root.findall("s:url", ns)}
    assert got == {r["url"]: r["published"] for r in expected if r["source"] == "demo-baoquangngai"}


def follow_pages(start: str, link_css: str, next_css: str) -> tuple[list[str], int]:
    links, url, pages = [], start, 0
    while url:
        sel = Selector(text=get_text(url, "text/html"))
        pages += 1
        links += [urllib.request.urljoin(url, h) for h in sel.css(link_css).getall()]
        nxt = sel.css(next_css).get()
        url = urllib.request.urljoin(url, nxt) if nxt else None
    return links, pages


def test_listing_pages_reach_every_article_plus_two_broken_links(demo_site, sources, expected):
    src = sources["demo-baohaiphong"]
    links, pages = follow_pages(src["start_urls"][0], src["selectors"]["links"], src["selectors"]["next_page"])
    assert 2 <= pages <= src["selectors"]["max_pages"]
    want = {r["url"] for r in expected if r["source"] == "demo-baohaiphong"}
    extra = set(links) - want
    assert want <= set(links) and len(extra) == 2
    blocked = [u for u in extra if "/admin/" in u]
    malformed = [u for u in extra if "/admin/" not in u]
    assert len(blocked) == 1
    status, _ctype, body = fetch(malformed[0])
    assert status == 200
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_forum_thread_list_reaches_every_thread(demo_site, sources, expected):
    src = sources["demo-diendan"]
    links, _pages = follow_pages(src["start_urls"][0], src["selectors"]["threads"], src["selectors"]["next_page"])
    assert sorted(links) == sorted(r["url"] for r in expected if r["source"] == "demo-diendan")


def test_json_api_pages_through_every_petition(demo_site, sources, expected):
    src = sources["demo-phananh"]
    fields = src["fields"]
    url, records = src["start_urls"][0], []
    while url:
        answer = json.loads(get_text(url, "application/json"))
        records += answer["data"]["items"]
        url = answer["links"]["next"]
    want = {r["url"]: r for r in expected if r["source"] == "demo-phananh"}
    assert {rec[fields["url"]] for rec in records} == set(want)
    for rec in records:
        row = want[rec["url"]]
        assert rec[fields["title"]] == row["title"] and len(rec[fields["text"]]) > 100
        assert dt.datetime.fromisoformat(rec[fields["published"]]) == dt.datetime.fromisoformat(row["published"])
        assert rec[fields["author"]] and rec[fields["place"]].endswith(row["provinces"][0])
        assert get_text(rec["url"], "text/html").count(rec["title"]) >= 2


def published_on_page(sel: Selector, css: str) -> dt.datetime:
    day, month, year, hour, minute = map(int, VN_DATE.search(one(sel, css)).groups())
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


@pytest.mark.parametrize("source", ["demo-baoquocgia", "demo-baohaiphong", "demo-baoquangngai"])
def test_every_article_page_is_valid_and_the_selectors_find_it(demo_site, sources, expected, source):
    css = sources[source]["selectors"]
    rows = [r for r in expected if r["source"] == source]
    assert rows
    for row in rows:
        sel = Selector(text=get_text(row["url"], "text/html"))
        assert row["title"] in sel.css("title::text").get()
        assert sel.css('meta[property="og:title"]::attr(content)').get() == row["title"]
        assert sel.css("h1").getall() and one(sel, css["title"]) == row["title"]
        assert len(one(sel, css["lead"])) >= 60
        assert len(sel.css(css["body"]).css("p")) >= 3 and len(one(sel, css["body"])) >= 150
        assert one(sel, css["byline"])
        published = dt.datetime.fromisoformat(row["published"])
        assert published_on_page(sel, css["published"]) == published
        meta_time = sel.css('meta[property="article:published_time"]::attr(content)').get()
        if source == "demo-baohaiphong":
            assert meta_time is None  # this outlet shows its date only as Vietnamese text
        else:
            ld = json.loads(sel.css('script[type="application/ld+json"]::text').get())
            assert ld["@type"] == "NewsArticle"
            assert dt.datetime.fromisoformat(ld["datePublished"]) == published
        if source == "demo-baoquocgia":
            assert meta_time == published.isoformat() and meta_time.endswith("+07:00")


def test_every_forum_thread_has_timed_posts_with_authors(demo_site, sources, expected):
    css = sources["demo-diendan"]["selectors"]
    for row in (r for r in expected if r["source"] == "demo-diendan"):
        sel = Selector(text=get_text(row["url"], "text/html"))
        assert one(sel, css["title"]) == row["title"]
        posts = sel.css(css["post"])
        assert len(posts) == len(row["posts"])
        for post, want in zip(posts, row["posts"]):
            assert post.css(css["post_author"]).get()
            when = dt.datetime.strptime(post.css(css["post_time"]).get(), "%Y-%m-%dT%H:%M:%S%z")
            assert when == dt.datetime.fromisoformat(want["published"])
            assert len(" ".join(post.css(css["post_body"]).css("::text").getall()).strip()) >= 20


def test_unknown_paths_answer_404_with_html(demo_site):
    status, ctype, _body = fetch(demo_site.base_url + "/khong-co-trang-nay.html")
    assert status == 404 and ctype.startswith("text/html")


def test_expected_manifest_is_written_beside_the_sources_file(demo_site):
    on_disk = json.loads(demo_site.expected_file.read_text(encoding="utf-8"))
    assert on_disk == demo_site.expected
    assert demo_site.expected_file.parent == demo_site.sources_file.parent
    assert all(r["url"].startswith(demo_site.base_url) for r in on_disk["items"])


@pytest.mark.parametrize("source", ["demo-baoquocgia", "demo-baohaiphong", "demo-baoquangngai", "demo-diendan",
                                    "demo-phananh"])
def test_generic_extraction_finds_text_and_date_without_selectors(demo_site, expected, source):
    """trafilatura alone (no selectors) gets the body and the publication day on every 4th page."""
    import trafilatura

    rows = [r for r in expected if r["source"] == source][::4]
    for row in rows:
        html = get_text(row["url"], "text/html")
        doc = trafilatura.bare_extraction(html, url=row["url"], with_metadata=True)
        assert doc.date == row["published"][:10], row["url"]
        assert len(doc.text) >= 150, row["url"]


@pytest.mark.slow
def test_module_entry_serves_the_site_by_hand(tmp_path):
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "crawlers.demo_site", "--dir", str(tmp_path)],
                            stdout=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("Demo site: http://127.0.0.1:")
        base = first.removeprefix("Demo site: ").rstrip("/")
        assert "Disallow: /admin/" in get_text(base + "/robots.txt", "text/plain")
        assert (tmp_path / "sources.yaml").read_text(encoding="utf-8").count(base) == 5
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_scrapy_robots_parser_allows_every_entry_point_but_not_the_admin_link(demo_site, sources):
    from protego import Protego

    from crawlers.demo_site.site import ROBOTS_BLOCKED

    robots = Protego.parse(get_text(demo_site.base_url + "/robots.txt", "text/plain"))
    agent = "dulun/0.1 (public-issue monitoring; +https://github.com/dulun-project/dulun)"
    assert all(robots.can_fetch(url, agent) for src in sources.values() for url in src["start_urls"])
    assert not robots.can_fetch(demo_site.base_url + ROBOTS_BLOCKED, agent)


def test_scrapy_sitemap_reader_sees_every_url_with_its_lastmod(demo_site, sources, expected):
    from scrapy.utils.sitemap import Sitemap

    _status, _ctype, body = fetch(sources["demo-baoquangngai"]["start_urls"][0])
    entries = {e["loc"]: e["lastmod"] for e in Sitemap(body)}
    assert entries == {r["url"]: r["published"] for r in expected if r["source"] == "demo-baoquangngai"}


def test_a_stable_address_is_served_through_the_local_proxy():
    # Document ids come from URLs: the demo's must not depend on which port was free.
    import urllib.request

    import yaml

    from crawlers.demo_site.server import DEMO_ADDRESS, serve_demo_site

    with serve_demo_site(address=DEMO_ADDRESS) as site:
        assert site.base_url == DEMO_ADDRESS
        assert site.proxy_url.startswith("http://127.0.0.1:")
        entries = yaml.safe_load(site.sources_file.read_text(encoding="utf-8"))["sources"]
        assert all(url.startswith(DEMO_ADDRESS) for e in entries for url in e["start_urls"])
        assert all(e["allowed_domains"] == ["dulun-demo.test"] for e in entries)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": site.proxy_url}))
        with opener.open(f"{DEMO_ADDRESS}/baoquocgia/rss/tin-moi-nhat.rss", timeout=10) as response:
            feed = response.read().decode("utf-8")
    assert f"<link>{DEMO_ADDRESS}/baoquocgia/" in feed


def test_a_replay_poll_sees_each_petition_with_the_status_the_portal_showed_by_then(demo_site, sources, expected):
    # The portal moves a petition from logged to answered to settled over days; a replay poll
    # at a moment must see the status of that moment (follow-up dates answers by what it saw).
    moved = next(r for r in expected if len(r.get("portal_statuses", [])) >= 3)
    steps = moved["portal_statuses"]
    before_answer = dt.datetime.fromisoformat(steps[1]["from"]) + dt.timedelta(minutes=1)
    after_last = dt.datetime.fromisoformat(steps[-1]["from"]) + dt.timedelta(minutes=1)
    for moment, step in ((before_answer, steps[1]), (after_last, steps[-1])):
        url, found = sources["demo-phananh"]["start_urls"][0], None
        while url and found is None:
            request = urllib.request.Request(url, headers={"X-Dulun-Clock": moment.isoformat()})
            with urllib.request.urlopen(request, timeout=10) as resp:
                answer = json.loads(resp.read().decode("utf-8"))
            found = next((rec for rec in answer["data"]["items"] if rec["url"] == moved["url"]), None)
            url = answer["links"]["next"]
        assert found is not None
        assert found["status"] == step["status"]
        assert found["answered_at"] == (step["answered"] and dt.datetime.fromisoformat(step["answered"]).isoformat(timespec="minutes"))

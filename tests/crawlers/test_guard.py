"""The crawler fetches only what its sources allow: their own domains, over http(s), at public
addresses (or at hosts the operator lists as their own), with robots.txt read for every host.

Each attack here was seen working before the guard existed: a public feed and sitemap made
the crawler fetch and store a private service's page, a sitemap index made it read
/etc/passwd and crawl a local file's URLs, and a JSON API stored `javascript:` URLs.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from crawlers.api import crawl
from crawlers.guard import Refused
from crawlers.hosts import is_public_address, literal_address
from crawlers.run import scrapy_settings
from core.settings import CrawlSettings

from .conftest import NOW, documents, failures, fast_settings, write_sources
from .hostile_site import SECRET, start_hostile_sites

OWN_HOSTS = ["127.0.0.1", "127.0.0.3", "127.0.0.4"]  # the operator's test hosts; 127.0.0.2 is not theirs


def _sources(sites) -> list[dict]:
    feed_domains = ["127.0.0.1", "localhost", "2130706433", "0x7f000001", "::1", "169.254.169.254",
                    "127.0.0.3", "127.0.0.4"]  # every disguise of loopback is "allowed": the address check must still refuse it
    return [
        {"name": "hostile-feed", "spider": "feed", "kind": "press", "start_urls": [f"{sites.public.base}/feed.rss"],
         "allowed_domains": feed_domains, "selectors": {"body": "div.body"}},
        {"name": "hostile-sitemap", "spider": "sitemap", "kind": "press",
         "start_urls": [f"{sites.public.base}/sitemap-index.xml"], "allowed_domains": ["127.0.0.1"],
         "selectors": {"body": "div.body"}},
        {"name": "hostile-json", "spider": "json", "kind": "petition", "start_urls": [f"{sites.public.base}/api.json"],
         "allowed_domains": ["127.0.0.1"],
         "fields": {"items": "data.items", "url": "url", "id": "id", "title": "title", "text": "content",
                    "published": "created_at"}},
    ]


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    sites = start_hostile_sites(tmp)
    try:
        settings = fast_settings(tmp / "data", own_hosts=OWN_HOSTS, retries=1)
        sources_file = write_sources(tmp / "sources.yaml", _sources(sites))
        summaries = {s.source: s for s in crawl(settings, sources_file=sources_file, now=NOW)}
        yield settings, summaries, sites
    finally:
        sites.stop()


def _causes(settings, source: str) -> dict[str, str]:
    return {f["url"]: f["cause"] for f in failures(settings, source)}


@pytest.mark.slow
def test_the_private_service_is_never_contacted_and_its_secret_never_stored(hostile_crawl):
    settings, _, sites = hostile_crawl
    assert sites.private.hits == {}
    for doc in documents(settings):
        assert SECRET not in (doc["text"] or "") and "127.0.0.2" not in doc["url"]


@pytest.mark.slow
def test_a_feed_pointing_off_domain_or_at_loopback_in_disguise_is_refused_by_cause(hostile_crawl):
    settings, summaries, sites = hostile_crawl
    private, port = sites.private.base, sites.port
    causes = _causes(settings, "hostile-feed")
    assert causes[f"{private}/secret.html"] == "offsite"  # listed directly, and the redirect target
    assert [f["cause"] for f in failures(settings, "hostile-feed") if f["url"] == f"{private}/secret.html"] == ["offsite"] * 2
    for url in (f"http://localhost:{port}/via-localhost.html", f"http://2130706433:{port}/decimal.html",
                f"http://0x7f000001:{port}/hex.html", f"http://[::1]:{port}/v6.html",
                "http://169.254.169.254/latest/meta-data/", f"http://localhost:{port}/via-localhost-2.html"):
        assert causes.get(url) == "private_address", (url, causes)
    # A redirect to a local file: Scrapy 2.19 itself stops at the 302; older ones hand the guard
    # the file: request, which refuses it. Either way it ends as one failure and nothing is read.
    redirect_to_file = causes.get("file:///etc/passwd") or causes.get(f"{sites.public.base}/go-file.html")
    assert redirect_to_file in ("scheme", "http_302")
    assert [d["url"].rsplit("/", 1)[-1] for d in documents(settings, "hostile-feed")] == ["ok.html"]
    run = summaries["hostile-feed"]
    assert run.failures["offsite"] == 2 and run.failures["private_address"] == 6


@pytest.mark.slow
def test_robots_txt_is_read_for_every_host_fetched_and_an_unreadable_one_stops_the_crawl_there(hostile_crawl):
    settings, _, sites = hostile_crawl
    causes = _causes(settings, "hostile-feed")
    assert sites.strict.hits.get("/robots.txt") == 1 and "/page.html" not in sites.strict.hits
    assert causes[f"{sites.strict.base}/page.html"] == "robots"
    assert sites.down.hits.get("/robots.txt", 0) >= 1 and "/page.html" not in sites.down.hits
    assert causes[f"{sites.down.base}/page.html"] == "robots_unavailable"


@pytest.mark.slow
def test_a_sitemap_index_cannot_make_the_crawler_read_files_or_other_hosts(hostile_crawl):
    settings, _, sites = hostile_crawl
    causes = _causes(settings, "hostile-sitemap")
    assert causes["file:///etc/passwd"] == "scheme"
    assert causes[sites.local_sitemap.as_uri()] == "scheme"
    assert causes["data:text/plain,hello"] == "scheme"
    assert causes[f"{sites.private.base}/sitemap.xml"] == "offsite"
    assert "/from-file.html" not in sites.public.hits  # the local file's sitemap was never read
    stored = [d["url"].rsplit("/", 1)[-1] for d in documents(settings, "hostile-sitemap")]
    assert stored == ["from-sitemap.html"]
    for doc in documents(settings):
        assert "root:" not in (doc["text"] or "")


@pytest.mark.slow
def test_a_json_source_never_stores_javascript_or_data_urls(hostile_crawl):
    settings, _, sites = hostile_crawl
    urls = sorted(d["url"] for d in documents(settings, "hostile-json"))
    assert urls == [f"{sites.public.base}/api.json/101", f"{sites.public.base}/phan-anh/103"]
    assert list(_causes(settings, "hostile-json").values()).count("scheme") == 2  # one replaced by its id URL, one dropped


@pytest.mark.slow
def test_status_shows_every_refusal_by_cause(hostile_crawl):
    settings, _, _ = hostile_crawl
    env = dict(os.environ, DULUN_DATA_DIR=str(settings.data_dir), COLUMNS="200")
    out = subprocess.run([sys.executable, "-m", "dulun", "status"], capture_output=True, text=True, env=env,
                         check=True).stdout
    for cause in ("offsite", "scheme", "private_address", "robots_unavailable"):
        assert cause in out


# --- the pieces, without a crawl ----------------------------------------------------------

def test_only_the_http_and_https_download_handlers_exist():
    handlers = scrapy_settings(CrawlSettings())["DOWNLOAD_HANDLERS"]
    assert {k for k, v in handlers.items() if v} == {"http", "https"}
    assert all(handlers[scheme] is None for scheme in ("file", "data", "ftp", "s3"))


@pytest.mark.parametrize("host, public", [
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("::1", False), ("fe80::1", False), ("fc00::1", False), ("::ffff:127.0.0.1", False),
    ("::ffff:10.0.0.1", False), ("64:ff9b::a9fe:a9fe", False), ("2002:7f00:1::", False),
])
def test_loopback_private_link_local_and_reserved_addresses_are_not_public(host, public):
    assert is_public_address(literal_address(host)) is public


@pytest.mark.parametrize("host, address", [
    ("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"),
    ("::1", "::1"), ("example.org", None), ("1.example.org", None),
])
def test_every_spelling_of_an_ip_address_is_read_as_one(host, address):
    found = literal_address(host)
    assert (str(found) if found else None) == address


def test_file_dev_zero_is_refused_before_any_handler_could_read_it():
    from crawlers.guard import check_request

    with pytest.raises(Refused) as info:
        check_request(Request("file:///dev/zero"), ["127.0.0.1"], own_hosts=[])
    assert info.value.cause == "scheme" and isinstance(info.value, IgnoreRequest)

"""Politeness is configuration: robots.txt, an honest user agent, 1-2 requests per site,
AutoThrottle, size and time limits, retries with backoff."""
from __future__ import annotations

import time

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawlers.middlewares import NOT_BEFORE, BackoffRetryMiddleware
from crawlers.run import scrapy_settings
from core.settings import CrawlSettings


def test_default_crawl_settings_are_polite():
    settings = scrapy_settings(CrawlSettings())
    assert settings["ROBOTSTXT_OBEY"] is True
    assert settings["USER_AGENT"].startswith("dulun/") and "+https://github.com/dulun-project/dulun" in settings["USER_AGENT"]
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1
    assert settings["AUTOTHROTTLE_ENABLED"] is True and settings["DOWNLOAD_DELAY"] >= 1.0
    assert settings["DOWNLOAD_MAXSIZE"] == 10 * 1024 * 1024 and settings["DOWNLOAD_TIMEOUT"] == 20
    assert {429, 500, 503} <= set(settings["RETRY_HTTP_CODES"]) and settings["RETRY_TIMES"] == 3
    assert settings["COOKIES_ENABLED"] is False and settings["TELNETCONSOLE_ENABLED"] is False


def test_only_our_own_local_hosts_are_crawled_without_delay():
    slots = scrapy_settings(CrawlSettings())["DOWNLOAD_SLOTS"]
    assert set(slots) == {"127.0.0.1", "localhost"} and all(s["delay"] == 0 for s in slots.values())


def test_contact_url_is_filled_into_the_user_agent():
    crawl = CrawlSettings(contact_url="https://example.org/dulun-contact")
    assert scrapy_settings(crawl)["USER_AGENT"] == "dulun/0.1 (public-issue monitoring; +https://example.org/dulun-contact)"


@pytest.mark.parametrize("retry_after, attempt_wait", [(None, 2.0), (b"7", 7.0)])
def test_retries_back_off_exponentially_or_as_the_server_asks(retry_after, attempt_wait):
    crawler = get_crawler(Spider, {"RETRY_TIMES": 3, "DULUN_RETRY_BACKOFF_S": 2.0, "RETRY_HTTP_CODES": [503]})
    crawler.spider = crawler._create_spider("s")
    middleware = BackoffRetryMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1/a")
    headers = {"Retry-After": retry_after} if retry_after else {}
    retry = middleware.process_response(request, Response(request.url, status=503, headers=headers))
    wait = retry.meta[NOT_BEFORE] - time.monotonic()
    assert attempt_wait - 0.5 < wait <= attempt_wait
    if retry_after is None:  # the second retry waits twice as long
        again = middleware.process_response(retry, Response(request.url, status=503))
        assert 3.5 < again.meta[NOT_BEFORE] - time.monotonic() <= 4.0


def test_the_polite_defaults_switch_nothing_off():
    from crawlers.politeness import politeness_switches

    assert politeness_switches(CrawlSettings()) == []
    assert politeness_switches(CrawlSettings(unthrottled_hosts=["127.0.0.5", "::1", "localhost"])) == []


@pytest.mark.slow
def test_each_politeness_switch_is_logged_and_recorded_with_the_run(tmp_path, capfd):
    from crawlers.api import crawl
    from store import open_reader

    from .conftest import NOW, fast_settings, write_sources
    from .trouble_site import many_articles_site

    settings = fast_settings(tmp_path, obey_robots=False, unthrottled_hosts=["127.0.0.1", "baomoi.example"],
                             user_agent="dulun-test/0.1")
    with many_articles_site(1, delay_s=0) as site:
        sources_file = write_sources(tmp_path / "sources.yaml", [
            {"name": "rude", "spider": "feed", "kind": "press", "start_urls": [f"{site.base}/feed.rss"],
             "allowed_domains": ["127.0.0.1"]}])
        crawl(settings, sources_file=sources_file, now=NOW)
    logged = capfd.readouterr().err
    with open_reader(settings.database) as store:
        [recorded] = store.con.execute("SELECT politeness FROM crawl_runs").fetchall()[0]
    for switch in ("robots.txt not obeyed", "unthrottled hosts beyond loopback: baomoi.example",
                   "user agent without the contact URL"):
        assert switch in recorded and f"Politeness switched off: {switch}" in logged

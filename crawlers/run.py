"""The crawl child process: `python -m crawlers.run --config-json PATH`.

Runs in its own process so the Twisted reactor is fresh every time (a reactor cannot be
restarted), takes the writer lock for the whole crawl (opening the database file only for each
batch), and writes a JSON result file the parent turns into summaries.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

from scrapy.settings import default_settings

from crawlers import guard
from crawlers.politeness import politeness_switches
from crawlers.salt import author_key, check_author_key, warn_about_legacy_salt
from crawlers.sources import Source
from crawlers.spiders import SPIDERS
from crawlers.state import CrawlContext
from core.errors import UserError
from core.settings import CrawlSettings
from store import crawl as crawl_store
from store import writer_session
from store.runs import mark_interrupted_runs


log = logging.getLogger(__name__)
# Scrapy 2.14 renamed DNS_RESOLVER (the old name still works there, with a warning).
_RESOLVER_SETTING = "TWISTED_DNS_RESOLVER" if hasattr(default_settings, "TWISTED_DNS_RESOLVER") else "DNS_RESOLVER"


def scrapy_settings(crawl: CrawlSettings, extra_own_hosts: Iterable[str] = ()) -> dict[str, Any]:
    """Politeness, robustness and what may be fetched, all from the typed settings.

    `extra_own_hosts`: hosts to treat as the operator's own besides `crawl.own_hosts` (the
    HTTP proxy the crawl goes through, which the operator configured)."""
    return {
        "BOT_NAME": "dulun",
        # Twisted's own epoll reactor: measured 7x the pages/s of Scrapy's default asyncio
        # reactor at 2 requests per site (bench/bench_crawl.py), with no other change.
        "TWISTED_REACTOR": _native_reactor(),
        "USER_AGENT": crawl.resolved_user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "CONCURRENT_REQUESTS": crawl.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_domain,
        # Items are stored synchronously (batched upserts), so items in flight buy nothing, while
        # Scrapy's default of 100 sets up 100 cooperative tasks for every response's output: a
        # third of the demo replay's crawl CPU (79 polls of 5 sources).
        "CONCURRENT_ITEMS": 8,
        # A development check that re-reads and parses each callback's source for every response
        # (its cache misses on bound methods): a fifth of that CPU, for a warning the tests would show.
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        "DOWNLOAD_DELAY": crawl.download_delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if crawl.download_delay > 0 else 0,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay, 1.0),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawl.concurrency_per_domain),
        "DOWNLOAD_SLOTS": {
            host: {"delay": 0.0, "concurrency": crawl.concurrency_per_domain} for host in crawl.unthrottled_hosts
        },
        # Only http(s) transports, and a resolver that refuses non-public addresses (crawlers/guard.py).
        "DOWNLOAD_HANDLERS": dict(guard.DOWNLOAD_HANDLERS),
        _RESOLVER_SETTING: "crawlers.guard.GuardedResolver",
        guard.OWN_HOSTS_SETTING: [*crawl.own_hosts, *extra_own_hosts],
        "DOWNLOAD_TIMEOUT": crawl.timeout_s,
        "DOWNLOAD_MAXSIZE": crawl.max_bytes,
        "DOWNLOAD_WARNSIZE": crawl.max_bytes // 2,
        "RETRY_ENABLED": crawl.retries > 0,
        "RETRY_TIMES": crawl.retries,
        "RETRY_HTTP_CODES": [429, 500, 502, 503, 504, 522, 524, 408],
        "RETRY_GIVE_UP_LOG_LEVEL": "INFO",  # every give-up is recorded in fetch_failures anyway
        "DULUN_RETRY_BACKOFF_S": crawl.retry_backoff_s,
        "DULUN_UNTHROTTLED_HOSTS": list(crawl.unthrottled_hosts),
        "REDIRECT_MAX_TIMES": crawl.max_redirects,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,  # no listening port in an unattended crawler
        "LOG_LEVEL": crawl.log_level,
        "LOG_ENABLED": True,
        "LOG_INSTALL_ROOT_HANDLER": True,
        "DOWNLOADER_MIDDLEWARES": {
            # The guard replaces Scrapy's offsite filter, which lets dont_filter requests (and
            # their redirects) through and allows every host when allowed_domains is empty.
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            "crawlers.guard.GuardMiddleware": 40,  # before robots (100): nothing refused is ever asked for robots.txt
            "crawlers.robots.RobotsOutcomeMiddleware": 540,  # after retries on the way back: the final robots.txt answer
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawlers.middlewares.BackoffRetryMiddleware": 550,
            "crawlers.middlewares.SeenUrlMiddleware": 120,  # after robots (100): robots failures stay visible
            "crawlers.middlewares.BackoffWaitMiddleware": 130,
            "crawlers.middlewares.LocalHostMiddleware": 140,
            "crawlers.middlewares.ConditionalGetMiddleware": 560,
            "crawlers.middlewares.PageCountMiddleware": 940,
        },
        "ITEM_PIPELINES": {"crawlers.pipelines.DocumentPipeline": 300},
        "EXTENSIONS": {"crawlers.extensions.RunRecorder": 500},
    }


def proxy_hosts(environ: Mapping[str, str]) -> list[str]:
    """Hosts of the HTTP proxies Scrapy will connect through (http_proxy and friends)."""
    hosts = []
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        value = environ.get(name)
        host = urlsplit(value if "://" in (value or "") else f"http://{value}").hostname if value else None
        if host and host not in hosts:
            hosts.append(host)
    return hosts


def _native_reactor() -> str:
    if sys.platform.startswith("linux"):
        return "twisted.internet.epollreactor.EPollReactor"
    return "twisted.internet.selectreactor.SelectReactor"


def run_crawl(config: dict[str, Any]) -> dict[str, Any]:
    from scrapy.crawler import CrawlerProcess

    # Loaded before the reactor starts: importing it inside the first article callback would
    # block the reactor for about a second and time out every request in flight.
    import trafilatura  # noqa: F401

    crawl = CrawlSettings.model_validate(config["crawl"])
    sources = [Source.model_validate(entry) for entry in config["sources"]]
    now = dt.datetime.fromisoformat(config["now"])
    key = author_key(Path(config["secrets_dir"]))
    warn_about_legacy_salt(Path(config["data_dir"]))
    cycles = [(dt.datetime.fromisoformat(c["at"]), set(c.get("sources") or ())) for c in config.get("cycles") or []]
    # The writer lock for the whole crawl, the database file only per batch: readers get in
    # between. A replay's polls (the demo) keep it open: nobody reads while they run.
    with writer_session(Path(config["database"]), config["lock_timeout_s"], keep_open=bool(cycles)) as session:
        with session.batch() as con:
            check_author_key(con, key)
            mark_interrupted_runs(con)
            crawl_store.save_source_configs(con, [s.model_dump(mode="json") for s in sources])
        switches = politeness_switches(crawl)
        for switch in switches:
            log.warning("Politeness switched off: %s.", switch)
        context = CrawlContext(session=session, now=now, author_key=key.key,
                               flush_items=crawl.flush_items, flush_seconds=crawl.flush_seconds,
                               politeness="; ".join(switches) or None)
        if cycles:
            return _run_cycles(scrapy_settings(crawl, proxy_hosts(os.environ)), sources, context, cycles)
        process = CrawlerProcess(scrapy_settings(crawl, proxy_hosts(os.environ)))
        _quiet_extraction_logs()
        for source in sources:
            process.crawl(SPIDERS[source.spider], source=source, context=context)
        process.start()
        return {"runs": {name: state.run_id for name, state in context.states.items()}}


def _quiet_extraction_logs() -> None:
    # Extraction libraries warn about every odd page; the crawl records those per page already.
    for chatty in ("trafilatura", "htmldate", "justext"):
        logging.getLogger(chatty).setLevel(logging.ERROR)


def _run_cycles(settings: dict[str, Any], sources: list[Source], context: CrawlContext,
                cycles: list[tuple[dt.datetime, set[str]]]) -> dict[str, Any]:
    """A replay: polls one after another, each crawling its sources (all when none are named)
    on the simulated clock of its moment, in one reactor (a child process per poll would cost
    more than the polls). Every request says the poll's moment in `X-Dulun-Clock`, so a fixture
    site can show what it had published by then; real sites ignore it."""
    from scrapy.crawler import CrawlerRunner
    from scrapy.utils.log import configure_logging
    from scrapy.utils.reactor import install_reactor

    settings["DOWNLOADER_MIDDLEWARES"]["crawlers.middlewares.ReplayClockMiddleware"] = 150
    install_reactor(settings["TWISTED_REACTOR"])
    configure_logging(settings)
    _quiet_extraction_logs()
    from twisted.internet import defer, reactor

    runner = CrawlerRunner(settings)
    runs: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    @defer.inlineCallbacks
    def every_cycle():
        try:
            for when, names in cycles:
                context.start_cycle(when)
                polled = [s for s in sources if not names or s.name in names]
                yield defer.DeferredList([runner.crawl(SPIDERS[s.spider], source=s, context=context) for s in polled])
                for name, state in context.states.items():
                    runs.setdefault(name, []).append(state.run_id)
        except BaseException as exc:  # noqa: BLE001 - re-raised below, after the reactor stops
            errors.append(exc)
        finally:
            reactor.stop()

    reactor.callWhenRunning(every_cycle)
    reactor.run()
    if errors:
        raise errors[0]
    return {"runs": {name: ids[-1] for name, ids in runs.items()}, "cycle_runs": runs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config-json", required=True, type=Path)
    parser.add_argument("--result-json", required=True, type=Path)
    args = parser.parse_args(argv)
    config = json.loads(args.config_json.read_text(encoding="utf-8"))
    try:
        result = run_crawl(config)
    except UserError as exc:
        args.result_json.write_text(json.dumps({"user_error": str(exc)}), encoding="utf-8")
        return 2
    except Exception as exc:  # the parent shows this sentence; the traceback stays in the log
        logging.getLogger(__name__).exception("crawl failed")
        args.result_json.write_text(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), encoding="utf-8")
        return 1
    args.result_json.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

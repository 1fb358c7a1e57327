"""The crawl child process: `python -m crawlers.run --config-json PATH`.

Runs in its own process so the Twisted reactor is fresh every time (a reactor cannot be
restarted), takes the writer lock for the whole crawl (opening the database file only for each
batch), and writes a JSON result file the parent turns into summaries: first the runs it
started (so a parent can close them if this process is killed), then the final result.

It stops with its parent: SIGTERM when the parent dies (`--parent-pid`, PR_SET_PDEATHSIG). The
first SIGINT, SIGTERM or SIGHUP stops the crawl gracefully (requests in flight finish, the last
batch is stored, every run ends `interrupted` with its counts); later ones change nothing, since
Ctrl-C reaches parent and child alike and the parent then asks again.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import urlsplit

from scrapy.settings import default_settings

from crawlers import guard
from crawlers.politeness import politeness_switches
from crawlers.salt import author_key, check_author_key, warn_about_legacy_salt
from crawlers.sources import Source
from crawlers.spiders import SPIDERS
from crawlers.state import CrawlContext
from core.errors import UserError
from core.processes import die_with_parent
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


class GracefulStop:
    """The first SIGINT/SIGTERM/SIGHUP stops the crawl gracefully (see the module doc); later ones are ignored."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._process = None

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGHUP: the terminal closed
            signal.signal(signum, self._handle)

    def attach(self, process) -> None:
        """From now on a stop signal stops `process` (a CrawlerProcess: its reactor is installed)."""
        self._process = process
        if self.signum is not None:
            self._stop_soon()

    def _handle(self, signum, frame) -> None:
        if self.signum is None:
            self.signum = signum
            if self._process is not None:
                self._stop_soon()

    def _stop_soon(self) -> None:
        from twisted.internet import reactor

        reactor.callFromThread(self._stop)  # a signal handler must not log or touch the engine itself

    def _stop(self) -> None:
        from twisted.internet import reactor

        if any(c.engine is None or not c.engine.running for c in self._process.crawlers):
            reactor.callLater(0.1, self._stop)  # a crawler still starting would miss the stop
            return
        log.warning("Got %s: stopping the crawl; each run is closed as interrupted.", signal.Signals(self.signum).name)
        self._process.stop()


def run_crawl(config: dict[str, Any], stop: GracefulStop | None = None,
              started: Callable[[dict[str, int]], None] = lambda runs: None) -> dict[str, Any]:
    """Crawl the configured sources; `started(runs)` hears {source: run_id} before any page is fetched."""
    from scrapy.crawler import CrawlerProcess

    # Loaded before the reactor starts: importing it inside the first article callback would
    # block the reactor for about a second and time out every request in flight.
    import trafilatura  # noqa: F401

    stop = stop or GracefulStop()
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
            mark_interrupted_runs(con, at=now)
            crawl_store.save_source_configs(con, [s.model_dump(mode="json") for s in sources])
        switches = politeness_switches(crawl)
        for switch in switches:
            log.warning("Politeness switched off: %s.", switch)
        context = CrawlContext(session=session, now=now, author_key=key.key,
                               flush_items=crawl.flush_items, flush_seconds=crawl.flush_seconds,
                               politeness="; ".join(switches) or None)
        if stop.signum is not None:  # stopped while starting up: no run was opened
            return {"runs": {}, "stopped_by": signal.Signals(stop.signum).name}
        if cycles:
            return _run_cycles(scrapy_settings(crawl, proxy_hosts(os.environ)), sources, context, cycles, stop, started)
        process = CrawlerProcess(scrapy_settings(crawl, proxy_hosts(os.environ)))
        _quiet_extraction_logs()
        for source in sources:
            process.crawl(SPIDERS[source.spider], source=source, context=context)
        runs = {name: state.run_id for name, state in context.states.items()}
        started(runs)
        stop.attach(process)
        process.start(install_signal_handlers=False)  # GracefulStop handles them, once
        result: dict[str, Any] = {"runs": runs}
        if stop.signum is not None:
            result["stopped_by"] = signal.Signals(stop.signum).name
        return result


def _quiet_extraction_logs() -> None:
    # Extraction libraries warn about every odd page; the crawl records those per page already.
    for chatty in ("trafilatura", "htmldate", "justext"):
        logging.getLogger(chatty).setLevel(logging.ERROR)


def _run_cycles(settings: dict[str, Any], sources: list[Source], context: CrawlContext,
                cycles: list[tuple[dt.datetime, set[str]]], stop: GracefulStop,
                started: Callable[[dict[str, int]], None]) -> dict[str, Any]:
    """A replay: polls one after another, each crawling its sources (all when none are named)
    on the simulated clock of its moment, in one reactor (a child process per poll would cost
    more than the polls). Every request says the poll's moment in `X-Dulun-Clock`, so a fixture
    site can show what it had published by then; real sites ignore it. A stop signal ends the
    poll in progress as a crawl's (its runs end `interrupted`) and starts no later one."""
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
                if stop.signum is not None:
                    break
                context.start_cycle(when)
                polled = [s for s in sources if not names or s.name in names]
                crawls = [runner.crawl(SPIDERS[s.spider], source=s, context=context) for s in polled]
                started({**{name: ids[-1] for name, ids in runs.items()},
                         **{name: state.run_id for name, state in context.states.items()}})
                yield defer.DeferredList(crawls)
                for name, state in context.states.items():
                    runs.setdefault(name, []).append(state.run_id)
        except BaseException as exc:  # noqa: BLE001 - re-raised below, after the reactor stops
            errors.append(exc)
        finally:
            reactor.stop()

    stop.attach(runner)
    reactor.callWhenRunning(every_cycle)
    reactor.run(installSignalHandlers=False)  # GracefulStop handles them, once
    if errors:
        raise errors[0]
    result: dict[str, Any] = {"runs": {name: ids[-1] for name, ids in runs.items()}, "cycle_runs": runs}
    if stop.signum is not None:
        result["stopped_by"] = signal.Signals(stop.signum).name
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config-json", required=True, type=Path)
    parser.add_argument("--result-json", required=True, type=Path)
    parser.add_argument("--parent-pid", type=int, help="Stop (SIGTERM) when this process, our parent, dies.")
    args = parser.parse_args(argv)
    stop = GracefulStop()
    stop.install()
    if args.parent_pid:
        die_with_parent(args.parent_pid)
    config = json.loads(args.config_json.read_text(encoding="utf-8"))

    def write_result(result: dict) -> None:
        try:
            args.result_json.write_text(json.dumps(result), encoding="utf-8")
        except OSError as exc:  # the parent is gone and its folder with it: the log keeps the result
            log.warning("Could not write the crawl result to %s (%s): %s", args.result_json, exc.strerror, result)

    try:
        result = run_crawl(config, stop, started=lambda runs: write_result({"started": runs}))
    except UserError as exc:
        write_result({"user_error": str(exc)})
        return 2
    except Exception as exc:  # the parent shows this sentence; the traceback stays in the log
        logging.getLogger(__name__).exception("crawl failed")
        write_result({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    write_result(result)
    if args.parent_pid and os.getppid() != args.parent_pid:
        # "owners": what the parent wrote there for `crawlers.api.sweep_orphaned_workdirs`
        _clean_up_for_a_dead_parent(args.config_json, args.result_json, args.config_json.with_name("owners"))
    return 0


def _clean_up_for_a_dead_parent(*files: Path) -> None:
    """The parent was killed: nobody reads the result (the log has it) and nobody else removes
    the temporary folder it made for us. Only our own files go, then the folder if empty."""
    for path in files:
        path.unlink(missing_ok=True)
    try:
        files[0].parent.rmdir()
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())

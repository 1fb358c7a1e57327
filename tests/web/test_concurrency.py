"""Pages answer while the pipeline works: a real crawl of a slow local site (its child process
holds the writer lock for the whole run and opens the database only for each batch) while a
browser loads every page again and again; every page answers, `dulun status` too, and the pages
see the crawl's documents arrive batch by batch."""
from __future__ import annotations

import importlib.util
import re
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from web_support import NOW, build_workbench_db, serve

pytestmark = pytest.mark.slow
ARTICLES, DELAY_S = 40, 0.25
_TROUBLE = Path(__file__).resolve().parents[1] / "crawlers" / "trouble_site.py"


def _many_articles_site(count: int, delay_s: float):
    spec = importlib.util.spec_from_file_location("crawl_trouble_site", _TROUBLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.many_articles_site(count, delay_s)


def write_slow_source(path: Path, base: str) -> Path:
    import yaml

    entry = {"name": "slow", "spider": "feed", "kind": "press", "start_urls": [f"{base}/feed.rss"],
             "allowed_domains": ["127.0.0.1"], "selectors": {"body": "div.body"}}
    path.write_text(yaml.safe_dump({"sources": [entry]}, allow_unicode=True), encoding="utf-8")
    return path


def test_every_page_answers_during_a_crawl(open_page, tmp_path, dulun_cli):
    from crawlers.api import crawl

    settings = build_workbench_db(tmp_path / "data")
    settings = settings.model_copy(update={"crawl": settings.crawl.model_copy(update={
        "download_delay": 0, "autothrottle": False, "retries": 0, "timeout_s": 5, "flush_items": 5,
        "flush_seconds": 0.5, "concurrency_per_domain": 1, "own_hosts": ["127.0.0.1"]})})
    paths = ["/", "/hotspots", f"/hotspots/cell?week=2026-W47&topic=labor&province={urllib.parse.quote('Hải Phòng')}",
             "/map", "/search?q=dinh+cong", "/sources", "/alerts", "/review"]
    with _many_articles_site(ARTICLES, DELAY_S) as site, serve(settings) as server:
        sources_file = write_slow_source(tmp_path / "sources.yaml", site.base)
        outcome: dict = {}
        crawler = threading.Thread(target=lambda: outcome.update(runs=crawl(settings, sources_file=sources_file, now=NOW)))
        crawler.start()
        loads, seen_counts, status_ok = [], [], False
        while crawler.is_alive() or not loads:
            for path in paths:
                started = time.monotonic()
                page, response, problems = open_page(server.base + path)
                loads.append((path, response.status, time.monotonic() - started, problems))
                if path == "/sources":
                    row = page.locator("tr#slow td.n").first
                    seen_counts.append(int(row.inner_text().replace(".", "")) if row.count() else 0)
                page.close()
            if not status_ok and crawler.is_alive():
                status_ok = dulun_cli("status", env={"DULUN_DATA_DIR": str(settings.data_dir)}).returncode == 0
        crawler.join()
    assert outcome["runs"][0].items_stored == ARTICLES
    assert [(p, s, pr) for p, s, _, pr in loads if s != 200 or pr] == []
    assert status_ok, "dulun status failed while the crawl ran"
    # The pages saw the crawl's batches arrive, not only its end.
    assert len({n for n in seen_counts if 0 < n < ARTICLES}) >= 1, seen_counts
    times = sorted(t for _, _, t, _ in loads)
    print(f"\n{len(loads)} page loads in a browser during the crawl: median {times[len(times) // 2]:.2f} s, "
          f"slowest {times[-1]:.2f} s; documents the Sources page saw: {seen_counts}")

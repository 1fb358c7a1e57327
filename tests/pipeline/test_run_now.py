"""`dulun run --now T`: every stage of dulun/stages.py once, in order, as of T. The crawl stamps
what it fetches on a clock that starts at T; the rest of the pass runs at one moment, when the
crawl ended, so the detection counts what the crawl fetched (VnExpress-shaped fixture feed on
127.0.0.1, real DuckDB, the session's trained model)."""
from __future__ import annotations

import datetime as dt

import pytest
from rich.console import Console

from core.settings import Settings
from core.timeutil import VN
from crawlers.fixture_server import SiteServer, real_hosts, site_dir
from crawlers.sources import load_sources
from dulun.orchestrate import run_once
from store import open_reader

from ..crawlers.conftest import localized, write_sources

pytestmark = pytest.mark.slow

T = dt.datetime(2026, 11, 23, 8, 0, tzinfo=VN)


def test_run_now_walks_the_registry_at_one_moment_after_its_crawl(tmp_path, trained_home):
    source = next(s for s in load_sources() if s.name == "vnexpress-thoi-su")
    server = SiteServer(site_dir(source.name), real_hosts(source)).start()
    try:
        settings = Settings(data_dir=tmp_path / "data", nlp={"model_dir": str(trained_home / "models")},
                            crawl={"download_delay": 0, "autothrottle": False, "retries": 1, "timeout_s": 5,
                                   "own_hosts": ["127.0.0.1"]})
        sources_file = write_sources(tmp_path / "s.yaml", [localized(source, server.base)])
        report = run_once(settings, now=T, sources_file=sources_file, console=Console(quiet=True))
    finally:
        server.stop()

    assert [o.stage for o in report.outcomes] == [
        "crawl", "enrich", "followup", "detect", "search-index", "hotspots 2026-W47", "digest", "weekly-digest 2026-W47",
        "alerts"]
    with open_reader(settings.database) as store:
        fetched = [r[0] for r in store.con.execute("SELECT fetched_at FROM documents").fetchall()]
        runs = [r[0] for r in store.con.execute("SELECT detected_at FROM detection_runs").fetchall()]
        [(started, finished)] = store.con.execute("SELECT started_at, finished_at FROM crawl_runs").fetchall()
    assert fetched and all(T <= f < T + dt.timedelta(minutes=5) for f in fetched)  # the simulated clock
    # The crawl's run is on the same clock (source health in a replay's digest tells the replay's story).
    assert T <= started <= min(fetched) and max(fetched) <= finished < T + dt.timedelta(minutes=5)
    # One detection, shared by the alerts stage, at a moment after everything the crawl fetched.
    assert len(runs) == 1 and max(fetched) <= runs[0] < T + dt.timedelta(minutes=10)

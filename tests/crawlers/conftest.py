"""Crawler test fixtures: real local HTTP servers for the fixture sites, real DuckDB files."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml

from crawlers.fixture_server import FIXTURES, localize_entry, real_hosts, serve_fixture_sources
from crawlers.sources import Source, load_sources
from core.settings import Settings
from store import open_reader

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def fast_settings(data_dir: Path, **crawl) -> Settings:
    """Politeness off for 127.0.0.1 only: no delays, quick retries and timeouts; 127.0.0.1 is
    the operator's own host (the local test servers), so its loopback address is allowed."""
    options = {"download_delay": 0, "autothrottle": False, "retry_backoff_s": 0.01, "timeout_s": 3,
               "retries": 1, "flush_seconds": 0.5, "concurrency_per_domain": 2, "own_hosts": ["127.0.0.1"]}
    options.update(crawl)
    return Settings(data_dir=data_dir, crawl=options)


def localized(source: Source, base: str) -> dict:
    return localize_entry(source, base)


def local_url(url: str, source: Source, base: str) -> str:
    for host in real_hosts(source):
        url = re.sub(rf"^https?://{re.escape(host)}(?=/|$)", base, url)
    return url


def write_sources(path: Path, entries: list[dict]) -> Path:
    path.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def expected_for(name: str) -> dict:
    return json.loads((FIXTURES / name / "expected.json").read_text(encoding="utf-8"))


def documents(settings: Settings, source: str | None = None) -> list[dict]:
    with open_reader(settings.database) as store:
        sql = "SELECT * FROM documents" + (" WHERE source = ?" if source else "") + " ORDER BY url"
        cur = store.con.execute(sql, [source] if source else [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def portal_statuses(settings: Settings) -> dict[str, tuple[str, dt.datetime | None]]:
    """url -> (status, status date) of each petition whose portal showed a status."""
    with open_reader(settings.database) as store:
        rows = store.con.execute(
            "SELECT d.url, s.status, s.status_at FROM portal_statuses s JOIN documents d USING (doc_id)").fetchall()
    return {url: (status, at) for url, status, at in rows}


def failures(settings: Settings, source: str | None = None) -> list[dict]:
    with open_reader(settings.database) as store:
        sql = "SELECT source, url, cause, detail FROM fetch_failures" + (" WHERE source = ?" if source else "")
        cur = store.con.execute(sql, [source] if source else [])
        return [dict(zip(("source", "url", "cause", "detail"), row)) for row in cur.fetchall()]


class FixtureSites:
    """Every real-source fixture served on its own local server, and a sources file pointing at them."""

    def __init__(self, workdir: Path):
        self.sources = {s.name: s for s in load_sources()}
        self.sources_file = workdir / "sources.local.yaml"
        self.servers = serve_fixture_sources(self.sources_file)

    def local(self, name: str, url: str) -> str:
        return local_url(url, self.sources[name], self.servers[name].base)

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()


@pytest.fixture(scope="session")
def fixture_sites(tmp_path_factory):
    sites = FixtureSites(tmp_path_factory.mktemp("sites"))
    yield sites
    sites.stop()


@pytest.fixture(scope="session")
def crawled_fixtures(fixture_sites, tmp_path_factory):
    """One crawl of all fixture sources (one child process), shared by the per-source checks."""
    from crawlers.api import crawl

    settings = fast_settings(tmp_path_factory.mktemp("crawl-all"))
    summaries = crawl(settings, sources_file=fixture_sites.sources_file, now=NOW)
    return settings, {s.source: s for s in summaries}

"""The crawl stage's entry point: `crawl(settings, sources, sources_file, now)`.

Scrapy runs in a child process (`python -m crawlers.run`) so every crawl gets a fresh Twisted
reactor; the child takes the writer lock, the parent reads the recorded runs back.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from crawlers.salt import SALT_ENV
from crawlers.sources import Source, load_sources, select_sources
from core.errors import UserError
from core.settings import Settings
from core.timeutil import VN
from store import crawl as crawl_store
from store import open_reader

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class CrawlSummary:
    source: str
    run_id: int | None
    status: str
    pages_ok: int = 0
    pages_failed: int = 0
    skipped_seen: int = 0
    items_stored: int = 0
    failures: dict[str, int] = field(default_factory=dict)


def resolve_sources(settings: Settings, sources: list[str] | None = None, sources_file: Path | None = None,
                    base: str | None = None) -> list[Source]:
    entries = load_sources(sources_file or settings.crawl.sources_file)
    chosen = select_sources(entries, sources)
    if base:
        chosen = [s.with_base(base) for s in chosen]
    for source in chosen:
        if any("{base}" in url for url in source.start_urls):
            raise UserError(f"Source {source.name} has `{{base}}` in its start URLs; pass a base URL (the demo does).")
    return chosen


def due_sources(settings: Settings, now: dt.datetime | None = None, sources_file: Path | None = None) -> list[str]:
    """Sources whose `interval_minutes` has passed since their last run started (or never ran):
    what an unattended scheduler should crawl now."""
    now = now or dt.datetime.now(VN)
    entries = load_sources(sources_file or settings.crawl.sources_file)
    last: dict[str, dt.datetime] = {}
    if settings.database.is_file():
        with open_reader(settings.database) as store:
            last = crawl_store.last_started_runs(store.con)
    return [s.name for s in entries
            if s.name not in last or now - last[s.name] >= dt.timedelta(minutes=s.interval_minutes)]


def crawl(settings: Settings, sources: list[str] | None = None, sources_file: Path | None = None,
          now: dt.datetime | None = None, base: str | None = None, proxy: str | None = None) -> list[CrawlSummary]:
    """Crawl the named sources (default: all in the file) and return one summary per source.

    `proxy` sends every request through that HTTP proxy (the demo reaches its fixture site so)."""
    chosen = resolve_sources(settings, sources, sources_file, base)
    now = now or dt.datetime.now(VN)
    if now.tzinfo is None:
        raise UserError("`now` must carry a time zone, for example 2026-11-23T08:00:00+07:00.")
    with tempfile.TemporaryDirectory(prefix="dulun-crawl-") as tmp:
        child, result_path = start_child(settings, chosen, now, Path(tmp), proxy=proxy)
        code = child.wait()
        result = json.loads(result_path.read_text(encoding="utf-8")) if result_path.is_file() else {}
    if "user_error" in result:
        raise UserError(result["user_error"])
    if code != 0 or "runs" not in result:
        reason = result.get("error") or f"exit code {code}"
        raise RuntimeError(f"The crawl process failed ({reason}); see the log above.")
    return read_summaries(settings, result["runs"])


def start_child(settings: Settings, sources: list[Source], now: dt.datetime, workdir: Path,
                proxy: str | None = None) -> tuple[subprocess.Popen, Path]:
    """Launch the crawl child; returns the process and where it will write its result."""
    config_path, result_path = workdir / "config.json", workdir / "result.json"
    config_path.write_text(json.dumps(_child_config(settings, sources, now), ensure_ascii=False), encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, "-m", "crawlers.run", "--config-json", str(config_path), "--result-json", str(result_path)],
        env=_child_env(proxy),
    )
    return child, result_path


def read_summaries(settings: Settings, runs: dict[str, int]) -> list[CrawlSummary]:
    with open_reader(settings.database) as store:
        rows = crawl_store.run_rows(store.con, list(runs.values()))
    summaries = []
    for run_id, source, status, ok, failed, seen, stored, failures in rows:
        summaries.append(CrawlSummary(source, run_id, status, ok, failed, seen, stored,
                                      json.loads(failures) if failures else {}))
    return summaries


def _child_config(settings: Settings, sources: list[Source], now: dt.datetime) -> dict:
    return {
        "crawl": settings.crawl.model_dump(mode="json"),
        "sources": [s.model_dump(mode="json") for s in sources],
        "now": now.isoformat(),
        "database": str(settings.database.resolve()),
        "data_dir": str(settings.data_dir.resolve()),
        "secrets_dir": str(settings.secrets_path.resolve()),
        "lock_timeout_s": settings.lock_timeout_s,
    }


# What the crawl child may see of the environment: how to run Python and reach the network,
# and the author key. Nothing else: SMTP and webhook credentials (whatever their variables are
# called) stay with the parent, out of reach of code that parses strangers' pages.
_CHILD_ENV = frozenset({
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP",
    "PYTHONPATH", "PYTHONHOME", "PYTHONHASHSEED", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PYTHONUTF8",
    "PYTHONIOENCODING", "SSL_CERT_FILE", "SSL_CERT_DIR",
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY",
    SALT_ENV,
})


def _child_env(proxy: str | None = None, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Only what the child needs (see _CHILD_ENV). It must import this very checkout,
    installed or not; Scrapy's proxy middleware reads the proxy from the environment."""
    environ = os.environ if environ is None else environ
    env = {k: v for k, v in environ.items() if k in _CHILD_ENV or k.startswith("LC_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    if proxy:
        for name in ("no_proxy", "NO_PROXY", "https_proxy", "HTTPS_PROXY"):
            env.pop(name, None)
        env["http_proxy"] = env["HTTP_PROXY"] = proxy
    return env

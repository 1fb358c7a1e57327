"""The crawl stage's entry point: `crawl(settings, sources, sources_file, now)`.

Scrapy runs in a child process (`python -m crawlers.run`) so every crawl gets a fresh Twisted
reactor; the child takes the writer lock, the parent reads the recorded runs back.

The child never outlives this process: stopped here (Ctrl-C, SIGTERM), the parent asks the
child to stop, waits for it (a bounded time, then kills it), and says what was kept; killed
with -9, the parent's death signal stops the child. A child that dies has its runs closed as
`interrupted` at once, with the counts its batches recorded.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from crawlers.salt import SALT_ENV
from crawlers.sources import Source, load_sources, select_sources
from core.errors import ProcessFailed, UserError
from core.processes import Stopped, stop_child
from core.settings import Settings
from core.timeutil import VN
from store import crawl as crawl_store
from store import open_reader, open_writer
from store.runs import mark_interrupted_runs

REPO_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


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


WORKDIR_PREFIX = "dulun-crawl-"
OWNERS_FILE = "owners"  # "parent-pid child-pid": the folder stays while either lives


@dataclass(frozen=True)
class Poll:
    """One poll of a replay: the moment it stands for and the sources polled (empty: all)."""

    at: dt.datetime
    sources: tuple[str, ...] = ()


def crawl(settings: Settings, sources: list[str] | None = None, sources_file: Path | None = None,
          now: dt.datetime | None = None, base: str | None = None, proxy: str | None = None,
          cycles: list[Poll] | None = None) -> list[CrawlSummary]:
    """Crawl the named sources (default: all in the file) and return one summary per source.

    `proxy` sends every request through that HTTP proxy (the demo reaches its fixture site so).
    `cycles` replays polls on a simulated clock: one after another, in one child process, each
    poll crawls its sources with its moment as the crawl's clock, so documents are stamped as
    fetched then (one summary per source and poll)."""
    chosen = resolve_sources(settings, sources, sources_file, base)
    now = now or (cycles[0].at if cycles else dt.datetime.now(VN))
    if now.tzinfo is None or any(c.at.tzinfo is None for c in cycles or []):
        raise UserError("`now` must carry a time zone, for example 2026-11-23T08:00:00+07:00.")
    sweep_orphaned_workdirs(Path(tempfile.gettempdir()))
    with tempfile.TemporaryDirectory(prefix=WORKDIR_PREFIX) as tmp:
        child, result_path = start_child(settings, chosen, now, Path(tmp), proxy=proxy, cycles=cycles)
        (Path(tmp) / OWNERS_FILE).write_text(f"{os.getpid()} {child.pid}\n", encoding="utf-8")
        try:
            code = child.wait()
        except BaseException as stopped:  # Stopped by a signal, or KeyboardInterrupt: the child stops too
            grace = stop_grace_s(settings)
            log.warning("Stopping the crawl: pages already asked for are fetched and stored first (at most %g s; "
                        "stop again to end it at once).", grace)
            try:
                stop_child(child, grace)
            except BaseException as again:  # stopped again: stop_child has killed the child
                stopped = again
            kept = close_runs_of_a_dead_child(settings, _read_result(result_path))
            if isinstance(stopped, Stopped):
                raise stopped.with_detail(kept) from None
            raise stopped from None
        result = _read_result(result_path)
    if "user_error" in result:
        raise UserError(result["user_error"])
    if code != 0 or "runs" not in result:
        kept = close_runs_of_a_dead_child(settings, result)
        if code < 0:
            name = signal.Signals(-code).name
            raise ProcessFailed(f"The crawl process was killed by {name}; {kept}.", f"crawl_killed_{name}")
        reason = result.get("error") or f"exit code {code}"
        raise ProcessFailed(f"The crawl process failed ({reason}; its log is above); {kept}.", "crawl_failed")
    if "cycle_runs" in result:
        return read_summaries(settings, {f"{name}#{i}": run for name, ids in result["cycle_runs"].items()
                                         for i, run in enumerate(ids)})
    return read_summaries(settings, result["runs"])


def sweep_orphaned_workdirs(root: Path) -> int:
    """Remove the work folders of crawls whose parent and child are both dead (kill -9 of a
    whole process group leaves nobody to clean up); returns how many went. A folder is ours
    only when it names its owners, and it stays while either of them lives."""
    removed = 0
    for folder in root.glob(f"{WORKDIR_PREFIX}*"):
        try:
            if folder.stat().st_uid != os.getuid():
                continue
            pids = [int(p) for p in (folder / OWNERS_FILE).read_text(encoding="utf-8").split()]
        except (OSError, ValueError):
            continue  # another user's, one being set up, or not ours at all
        if pids and not any(_alive(pid) for pid in pids):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    if removed:
        log.info("removed %d work folder(s) of crawls killed before they could clean up", removed)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_grace_s(settings: Settings) -> float:
    """How long a stopping crawl child may take: requests in flight end within the download timeout."""
    return max(30.0, 2 * settings.crawl.timeout_s)


def _read_result(path: Path) -> dict:
    """The child's result file; {} when it never wrote one or died while writing it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def close_runs_of_a_dead_child(settings: Settings, result: dict) -> str:
    """Close the runs a stopped or dead crawl child left open (as interrupted, keeping the counts
    its batches recorded) and say, as half a sentence, what it kept."""
    runs = result.get("runs") or result.get("started") or {}
    if not runs:
        return "the crawl had stored nothing"
    with open_writer(settings.database, settings.lock_timeout_s) as store:
        mark_interrupted_runs(store.con, list(runs.values()), note="the crawl process stopped")
    summaries = read_summaries(settings, runs)
    stored = sum(s.items_stored for s in summaries)
    interrupted = sum(s.status == "interrupted" for s in summaries)
    documents = "1 new or changed document the crawl stored is" if stored == 1 else \
        f"{stored} new or changed documents the crawl stored are"
    kept = f"the {documents} kept"
    if interrupted:
        kept += (f" and {'its run is' if interrupted == 1 else f'{interrupted} runs are'} marked interrupted "
                 "(the next crawl carries on)")
    return kept


def start_child(settings: Settings, sources: list[Source], now: dt.datetime, workdir: Path,
                proxy: str | None = None, cycles: list[Poll] | None = None) -> tuple[subprocess.Popen, Path]:
    """Launch the crawl child; returns the process and where it will write its result."""
    config_path, result_path = workdir / "config.json", workdir / "result.json"
    config = _child_config(settings, sources, now)
    if cycles:
        config["cycles"] = [{"at": c.at.isoformat(), "sources": list(c.sources)} for c in cycles]
    config_path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    # The child's death signal comes when the thread starting it ends: crawl() waits in that thread.
    child = subprocess.Popen(
        [sys.executable, "-m", "crawlers.run", "--config-json", str(config_path), "--result-json", str(result_path),
         "--parent-pid", str(os.getpid())],
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

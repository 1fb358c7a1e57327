"""What every page needs: settings, the clock, names, and short read-only database connections.

Pages answer while the pipeline works. A writer (a crawl, enrichment) holds the writer lock for
its whole job but the DuckDB file only for short batches (`store.db.writer_session`), so each
page opens its own read-only connection, retrying every 20 ms while a batch is being written
(`web.page_wait_s` at most), and closes it before answering: the file is never kept from the
next batch for longer than one page takes.

Counts over a period (a cell's days, the map, the heat map, a story's members, Today's digest)
come from the search index's read model (`store.search_index`: a narrow per-document table and
per-day story cells), refreshed after every enrichment, so most pages never join a million
documents with their enrichments.

Inside this process DuckDB refuses a read-only and a read-write connection to the same file at
once, so the one thing here that writes (applying queued corrections) and the pages' readers
pass a gate: readers share it, the writer waits for them and goes first when it asks.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from core.errors import UserError
from core.settings import Settings
from core.timeutil import VN
from dulun.web.security import AuthConfig, LoginLimiter
from core.taxonomy import Topic
from store import open_reader, open_writer
from store import corrections as correction_queue
from store.db import Store

log = logging.getLogger(__name__)
READ_POLL_S = 0.02


class DatabaseGate:
    """Many readers or one writer in this process; a waiting writer holds new readers back."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class Memo:
    """A small LRU of computed results keyed by the database's state (file sizes and times), so
    a result is reused only while nothing was written. Kept on the app, never at module level."""

    def __init__(self, size: int = 64):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key, make: Callable[[], object]):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


@dataclass
class Workbench:
    settings: Settings
    auth: AuthConfig
    secure_cookies: bool
    topics: dict[str, Topic]
    provinces: list[str]
    thresholds: dict[str, float]
    pinned_now: dt.datetime | None = None
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    gate: DatabaseGate = field(default_factory=DatabaseGate)
    memo: Memo = field(default_factory=Memo)
    index_status: dict = field(default_factory=dict)

    def now(self) -> dt.datetime:
        return (self.pinned_now or dt.datetime.now(VN)).astimezone(VN)

    @property
    def database(self) -> Path:
        return self.settings.database

    @contextlib.contextmanager
    def reader(self) -> Iterator[Store]:
        with self.gate.reading():
            with open_reader(self.database, wait_s=self.settings.web.page_wait_s, poll_s=READ_POLL_S) as store:
                yield store

    def data_version(self) -> tuple:
        """Changes whenever DuckDB commits (its file or its write-ahead log changes)."""
        parts = []
        for path in (self.database, Path(str(self.database) + ".wal")):
            try:
                st = path.stat()
                parts.append((st.st_size, st.st_mtime_ns))
            except FileNotFoundError:
                parts.append(None)
        return tuple(parts)

    def apply_corrections(self, wait_s: float = 0.5) -> bool:
        """Apply queued corrections now if the writer is free (within `wait_s`); else leave them
        queued for the next writer. Never blocks a page for long."""
        if not correction_queue.pending_count(self.database):
            return True
        with self.gate.writing():
            try:
                with open_writer(self.database, lock_timeout_s=wait_s):
                    pass  # opening the writer applies the queue (store.db)
            except UserError as busy:
                log.info("Corrections stay queued: %s", busy)
                return False
        return True


def start_background(workbench: Workbench, update_index: bool, warm: Callable[[Workbench], None] | None = None,
                     interval_s: float = 3.0, settle_s: float = 6.0) -> threading.Event:
    """The search index brought up to date once at start; queued corrections applied as soon
    as the writer is free; and `warm` run once the database has stopped changing for `settle_s`
    (not after every batch of a running crawl). Returns the event that stops the thread."""
    stop = threading.Event()

    def loop() -> None:
        if update_index:
            refresh_search_index(workbench)
        warmed, seen, since = None, None, time.monotonic()
        while True:
            try:
                workbench.apply_corrections()
                version = workbench.data_version()
                if version != seen:
                    seen, since = version, time.monotonic()
                if warm is not None and version != warmed and time.monotonic() - since >= settle_s:
                    warm(workbench)
                    warmed = version
            except Exception:  # keep serving; the next turn tries again
                log.exception("background work failed")
            if stop.wait(interval_s):
                return

    threading.Thread(target=loop, name="dulun-web-background", daemon=True).start()
    return stop


def refresh_search_index(workbench: Workbench) -> None:
    from store.search_index import update_index

    status = workbench.index_status
    status.update(running=True, error=None)
    try:
        summary = update_index(workbench.database, reader=workbench.reader,
                               progress=lambda done, total: status.update(done=done, total=total))
        status.update(summary=str(summary))
        log.info("%s", summary)
    except Exception as exc:
        status.update(error=f"{type(exc).__name__}: {exc}")
        log.exception("search index update failed")
    finally:
        status.update(running=False)

"""What one crawl process shares (the writer session, author key, "now") and what each source's
run accumulates (counters, failures, pending documents) until it is flushed to the store.

Writes are batched: documents and failures wait in memory until `flush_items` have gathered
or `flush_seconds` have passed, so a killed crawl loses at most one small batch and a re-run
fetches exactly what is missing. The crawl holds the writer lock throughout but opens the
database file only for each batch (`WriterSession.batch`), so readers get in between.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from dataclasses import dataclass, field

from crawlers.failures import NOTE_CAUSES
from crawlers.sources import Source
from store import crawl as crawl_store
from store import runs as run_store
from store.db import WriterSession, transaction
from store.documents import stored_by_other_sources, upsert_documents
from store.followup import record_portal_statuses
from core.records import CrawlRunResult, Document, FetchFailure, canonical_url

log = logging.getLogger(__name__)


@dataclass
class CrawlContext:
    session: WriterSession
    now: dt.datetime
    author_key: bytes  # makes post authors pseudonyms (crawlers/salt.py)
    flush_items: int = 20
    flush_seconds: float = 2.0
    politeness: str | None = None  # the settings' politeness switches, recorded with every run
    states: dict[str, "SourceState"] = field(default_factory=dict)
    _started: float = field(default_factory=time.monotonic, repr=False)

    def clock(self) -> dt.datetime:
        """The crawl's time: `now` when it started plus the time it has run. A crawl given the
        real time stamps documents with the real time; one replaying a simulated moment (the
        demo) stamps them with that moment, so detection "as of then" sees exactly them."""
        return self.now + dt.timedelta(seconds=time.monotonic() - self._started)

    def start_cycle(self, now: dt.datetime) -> None:
        """The next poll of a replay: its own moment and fresh per-source runs."""
        self.now = now
        self._started = time.monotonic()
        self.states = {}


class SourceState:
    """One source's run: started in the store when created, finished by `finish`."""

    def __init__(self, context: CrawlContext, source: Source):
        self.context = context
        self.source = source
        with context.session.batch() as con:
            self.run_id = run_store.start_run(con, source.name, context.politeness, at=context.clock())
            # Stored by this source, or by another on the same domains (the first keeps it: see flush).
            self.seen = crawl_store.source_urls(con, source.name) | crawl_store.other_sources_urls(
                con, source.name, source.allowed_domains)
            self.validators = crawl_store.load_validators(con, source.name)
        self.result = CrawlRunResult()
        self.causes: Counter[str] = Counter()
        self.new_validators: list[crawl_store.Validators] = []
        self.scheduled: set[str] = set()
        self.robots_unavailable: dict[str, str] = {}  # host:port -> why its robots.txt could not be read
        self.not_modified = 0
        self._docs: list[Document] = []
        self._failures: list[FetchFailure] = []
        self._last_flush = time.monotonic()
        context.states[source.name] = self

    # --- counting -------------------------------------------------------------------------

    def page_ok(self) -> None:
        self.result.pages_ok += 1

    def skipped_seen(self) -> None:
        self.result.skipped_seen += 1

    def fail(self, url: str | None, cause: str, detail: str | None = None) -> None:
        """A fetch or parse failure (or, for NOTE_CAUSES, a stored page with a problem)."""
        if cause not in NOTE_CAUSES:
            self.result.pages_failed += 1
        self.causes[cause] += 1
        self._failures.append(FetchFailure(
            source=self.source.name, url=url, cause=cause, detail=detail,
            failed_at=self.context.clock(), run_id=self.run_id,
        ))
        log.info("%s: %s %s", self.source.name, cause, url)

    def first_time_scheduled(self, url: str) -> bool:
        """True the first time a URL is scheduled in this run (a feed listing an item twice)."""
        key = canonical_url(url)
        if key in self.scheduled:
            return False
        self.scheduled.add(key)
        return True

    def is_stored(self, url: str) -> bool:
        return canonical_url(url) in self.seen

    # --- writing --------------------------------------------------------------------------

    def add_document(self, doc: Document) -> None:
        self._docs.append(doc)
        if len(self._docs) >= self.context.flush_items:
            self.flush()

    def flush_if_due(self) -> None:
        if time.monotonic() - self._last_flush >= self.context.flush_seconds:
            self.flush()

    def flush(self) -> None:
        """Write pending documents and failures, each as one set-based batch."""
        if self._docs or self._failures:
            with self.context.session.batch() as con:
                self._flush_into(con)
        else:
            self._last_flush = time.monotonic()

    def _flush_into(self, con) -> None:
        """One transaction: a process killed mid-flush leaves either the whole batch with the
        run's count of it, or neither (a count short of what is stored misreports the run)."""
        self._last_flush = time.monotonic()
        docs, self._docs = self._docs, []
        with transaction(con):
            docs = self._without_other_sources_urls(con, docs)
            failures, self._failures = self._failures, []
            if docs:
                counts = upsert_documents(con, docs)
                record_portal_statuses(con, docs)
                self.result.items_stored += counts.stored
                self.seen.update(d.url for d in docs)
            if failures:
                run_store.record_failures(con, failures)
            if docs or failures:  # the run's row says what is stored, even if this process dies next
                self.result.failures = dict(self.causes)
                run_store.record_progress(con, self.run_id, self.result)

    def _without_other_sources_urls(self, con, docs: list[Document]) -> list[Document]:
        """A URL another source stored first stays that source's row: a second source silently
        overwriting it would move the document between sources (their counts, its kind, its
        province hint) and let any source rewrite another's documents. Noted, not stored."""
        owners = stored_by_other_sources(con, [d.doc_id for d in docs], self.source.name)
        for doc in docs:
            if doc.doc_id in owners:
                self.fail(doc.url, "duplicate_url_other_source", f"already stored by source {owners[doc.doc_id]}, which keeps it")
                self.seen.add(doc.url)
        return [d for d in docs if d.doc_id not in owners]

    def finish(self, reason: str) -> CrawlRunResult:
        self.result.failures = dict(self.causes)
        if self.not_modified:
            self.result.failures["not_modified"] = self.not_modified
        # "shutdown": stopped by a signal (Ctrl-C, the parent stopping, the parent's death).
        status = "ok" if reason == "finished" else "interrupted" if reason == "shutdown" else "failed"
        if reason == "finished" and self.result.pages_ok == 0 and self.result.pages_failed:
            status = "failed"
        with self.context.session.batch() as con:
            self._flush_into(con)
            # Validators are saved only after a complete run: if the crawl dies after the feed
            # answered but before its articles were stored, the next run must see the feed again.
            if reason == "finished":
                crawl_store.save_validators(con, self.new_validators)
            run_store.finish_run(con, self.run_id, self.result, status=status,
                                 note=None if reason == "finished" else f"stopped: {reason}", at=self.context.clock())
        return self.result

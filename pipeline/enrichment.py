"""The enrichment run: stored documents through the NLP stage and back into the store.

`ensure_model` (train when there is no usable model), `train` (the seed set plus analysts'
labels and optional weak labels read from the database), `enrich_pending` (every document
without a current enrichment: NLP results, story clusters against the stored story memory,
set-based writes) and `label_session` (the analyst review behind `dulun label`).

The NLP stage itself (`nlp.api`) never sees the database: this module reads its inputs,
hands them over as typed records, and writes what comes back.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np

from core.processes import Stopped
from core.records import DocInput, DocResult, Enrichment, StorySignature
from nlp.api import load_enricher, run_parallel, same_result_key, train_and_save, usable_model_version
from nlp.clusters import StoryIndex, thread_story_id
from nlp.enrich import Enricher
from nlp.label import review
from nlp.model import TopicModel
from nlp.provinces import Gazetteer
from nlp.topic_rules import RuleSet
from nlp.train import TrainingData, load_seed, weak_labels
from pipeline.training import trained_once
from store import open_writer
from store.db import require_database
from store import nlp as nlp_store

log = logging.getLogger(__name__)
STORY_MEMORY_DAYS = 14
CANDIDATE_POOL = 2000  # enriched documents `dulun label` ranks by uncertainty


@dataclass
class EnrichSummary:
    model_version: str
    documents: int = 0
    enriched: int = 0           # Vietnamese documents tagged
    reused_duplicates: int = 0  # exact republications: the first copy's result reused
    not_vietnamese: int = 0
    stories_new: int = 0
    stories_joined: int = 0
    signatures_forgotten: int = 0  # story memory older than STORY_MEMORY_DAYS, pruned
    seconds: float = 0.0
    by_topic: dict[str, int] = field(default_factory=dict)

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.timezone.utc)


def ensure_model(settings, now: dt.datetime | None = None) -> str:
    """The current model version; trains one from the shipped seed set (+ labels) if there is
    none, or if the topic rules or the shipped seed set changed since it was trained.

    Two processes that find no model (the scheduler's enrich job and a manual `dulun enrich`)
    must not both train: the training lock in the model folder lets one train while the other
    waits, then finds the model the first one saved."""
    return trained_once(settings.model_dir, "the topic model", lambda: usable_model_version(settings),
                        lambda: train(settings, now=now).version)


def train(settings, weak: int = 0, now: dt.datetime | None = None, include_labels: bool = True) -> TopicModel:
    """Train from seed + analysts' labels (+ `weak` rule-labeled crawled documents), save, record.

    With no database the seed set alone is legitimate (`dulun classify` on a fresh checkout needs
    a model, nothing stored); the model is then saved but no database is created for it: an empty
    one at a mistyped data folder would hide the real one. Weak labels need crawled documents,
    so asking for them without a database is the usual one sentence."""
    rules = RuleSet.load(settings.nlp.rules_file)
    gazetteer = Gazetteer.load()
    items = load_seed()
    counts = {"seed": len(items), "analyst_labels": 0, "weak": 0}
    has_database = Path(settings.database).is_file()
    if weak:
        require_database(settings.database)
    if has_database and (include_labels or weak):
        with open_writer(settings.database, settings.lock_timeout_s, create=False) as store:
            labeled = nlp_store.labeled_documents(store.con) if include_labels else []
            crawled = nlp_store.unlabeled_sample(store.con, weak * 20) if weak else []
        items += labeled
        counts["analyst_labels"] = len(labeled)
        if weak:
            extra = weak_labels(crawled, rules, gazetteer, weak)
            items += extra
            counts["weak"] = len(extra)
    model, path = train_and_save(settings, TrainingData(items, counts), _now(now), rules, gazetteer)
    if has_database:
        with open_writer(settings.database, settings.lock_timeout_s, create=False) as store:
            nlp_store.record_model(store.con, "topics", model.version, str(path), model.meta, _now(now))
    else:
        log.warning("No database at %s: trained %s from the shipped seed set alone (no analysts' labels) into %s "
                    "and created no database; run `dulun init` first, or check the data folder, to train with labels.",
                    settings.database, model.version, settings.model_dir)
    log.info("trained %s from %s", model.version, counts)
    return model


def enrich_pending(settings, now: dt.datetime | None = None, progress: bool = False) -> EnrichSummary:
    """Enrich every document with no current enrichment, in chunks, on `settings.nlp.workers` cores.

    One writer for the whole run (the model is made ready first, outside it); each chunk's
    enrichments are committed before the next chunk is read, so a killed run loses one chunk."""
    started = time.perf_counter()
    require_database(settings.database)  # before training a model for a database that is not there
    enricher = load_enricher(settings, ensure_model(settings, now))
    summary = EnrichSummary(model_version=enricher.model_version)
    when = _now(now)
    index = StoryIndex(threshold=settings.nlp.story_threshold)
    memory_starts = when - dt.timedelta(days=STORY_MEMORY_DAYS)
    # Big chunks: each one pays a database round trip and a fork; 8 batches per worker amortise both.
    chunk = settings.nlp.batch_size * settings.nlp.workers * 8
    with open_writer(settings.database, settings.lock_timeout_s, create=False) as store:
        summary.signatures_forgotten = nlp_store.forget_signatures_before(store.con, memory_starts)
        for doc_id, story_id, _key, blob in nlp_store.recent_signatures(store.con, memory_starts):
            index.add(doc_id, story_id, np.frombuffer(blob, dtype="<u8").astype(np.uint64))
        total = nlp_store.count_pending(store.con)
        written = 0
        try:
            with _progress(progress, total) as advance:
                while docs := nlp_store.pending_documents(store.con, chunk):
                    enrichments, signatures = _enrich_chunk(enricher, docs, index, settings, summary)
                    nlp_store.write_enrichments(store.con, enrichments, when)
                    nlp_store.write_signatures(store.con, signatures, when)
                    written += len(docs)
                    advance(len(docs))
        except Stopped as stopped:  # Ctrl-C or SIGTERM: the workers are gone, the chunks written stay
            raise stopped.with_detail(
                f"{written} documents enriched and stored; the next `dulun enrich` does the other {total - written}",
                documents_enriched=written, documents_pending=total - written,
            ) from None
    summary.seconds = time.perf_counter() - started
    return summary


def _enrich_chunk(enricher: Enricher, docs: list[DocInput], index: StoryIndex, settings, summary: EnrichSummary):
    results = run_parallel(enricher, docs, settings.nlp.workers, settings.nlp.batch_size)
    summary.reused_duplicates += len(docs) - len({same_result_key(d) for d in docs})
    summary.enriched += sum(r.language == "vi" for r in results)
    enrichments, signatures = [], []
    for doc, result in zip(docs, results):
        story, new_story = _story_of(doc, result, index)
        summary.documents += 1
        summary.stories_new += new_story
        summary.stories_joined += not new_story
        summary.not_vietnamese += result.language != "vi"
        for topic in result.topics:
            summary.by_topic[topic] = summary.by_topic.get(topic, 0) + 1
        enrichments.append(Enrichment(doc.id, enricher.model_version, doc.content_hash, result.topics, result.scores,
                                      result.provinces, story_id=story, language=result.language))
        signatures.append(StorySignature(doc.id, story, result.text_key, result.signature.astype("<u8").tobytes()))
    return enrichments, signatures


def _story_of(doc: DocInput, result: DocResult, index: StoryIndex) -> tuple[str, bool]:
    """(story id, whether it is a new story). A forum post belongs to its thread's story.

    Within one run a story remembers STORY_MEMORY_DAYS of publications, as it does across runs
    (documents come oldest first): a backfill of a year's archive then neither joins December to
    January nor holds a year of signatures in memory."""
    if doc.published_at is not None:
        index.forget_before(doc.published_at - dt.timedelta(days=STORY_MEMORY_DAYS))
    if doc.kind == "post" and doc.url:
        story = thread_story_id(doc.url)
        new_story = story not in index.stories
        index.add(doc.id, story, result.signature, doc.published_at)
        return story, new_story
    story, _ = index.assign(doc.id, result.signature, doc.published_at)
    return story, story == doc.id


class _progress:
    """A rich progress bar on a terminal, nothing otherwise."""

    def __init__(self, enabled: bool, total: int):
        self.enabled, self.total = enabled, total
        self._bar = None

    def __enter__(self):
        if not self.enabled:
            return lambda n: None
        from rich.progress import Progress

        self._bar = Progress(transient=True)
        self._bar.__enter__()
        task = self._bar.add_task("Enriching", total=self.total)
        return lambda n: self._bar.advance(task, n)

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)


def label_session(settings, count: int, answers: TextIO, out: TextIO, now: dt.datetime | None = None) -> int:
    """`dulun label`: the least certain enriched documents shown one by one, the analyst's topics
    recorded in `labels` for the next training. Returns how many labels were recorded."""
    rules = RuleSet.load(settings.nlp.rules_file)
    with open_writer(settings.database, settings.lock_timeout_s, create=False) as store:
        candidates = nlp_store.uncertain_candidates(store.con, CANDIDATE_POOL)
    recorded = review(candidates, rules, count, answers, out)
    if recorded:
        with open_writer(settings.database, settings.lock_timeout_s, create=False) as store:
            nlp_store.write_labels(store.con, recorded, now or dt.datetime.now(dt.timezone.utc))
    out.write(f"\nRecorded {len(recorded)} label(s); run `dulun train` to use them.\n")
    return len(recorded)

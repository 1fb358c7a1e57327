"""Entry points the pipeline, the demo and the scheduler call: `ensure_model`, `enrich_pending`."""
from __future__ import annotations

import datetime as dt
import logging
import multiprocessing as mp
import queue
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nlp.clusters import StoryIndex, thread_story_id
from nlp.enrich import DocInput, DocResult, Enricher
from nlp.model import TopicModel, current_version
from nlp.provinces import Gazetteer
from nlp.topic_rules import RuleSet
from nlp.train import TrainingData, load_seed, seed_fingerprint, train_model, weak_labels
from store import open_writer
from store import nlp as nlp_store

log = logging.getLogger(__name__)
STORY_MEMORY_DAYS = 14


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
    """The current model version; trains one from the shipped seed set (+ labels) if there is none,
    if the topic rules changed since it was trained (the model reads the rules' scores), or if
    the shipped seed set changed (an upgrade brought better training data)."""
    version = current_version(settings.model_dir)
    if version:
        meta = _model_meta(settings.model_dir, version)
        rules_same = meta.get("rules_fingerprint") in (None, RuleSet.load(settings.nlp.rules_file).fingerprint)
        seed_same = meta.get("seed_fingerprint") == seed_fingerprint()
        if rules_same and seed_same:
            return version
        log.info("%s changed since %s was trained; retraining", "topic rules" if not rules_same else "the seed set", version)
    return train(settings, now=now).version


def _model_meta(model_dir: Path, version: str) -> dict:
    import json

    path = Path(model_dir) / version / "meta.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def train(settings, weak: int = 0, now: dt.datetime | None = None, include_labels: bool = True) -> TopicModel:
    """Train from seed + analysts' labels (+ `weak` rule-labeled crawled documents), save, record."""
    rules = RuleSet.load(settings.nlp.rules_file)
    gazetteer = Gazetteer.load()
    items = load_seed()
    counts = {"seed": len(items), "analyst_labels": 0, "weak": 0}
    db_exists = Path(settings.database).is_file()
    if db_exists and (include_labels or weak):
        with open_writer(settings.database, settings.lock_timeout_s) as store:
            labeled = nlp_store.labeled_documents(store.con) if include_labels else []
            crawled = nlp_store.unlabeled_sample(store.con, weak * 20) if weak else []
        items += labeled
        counts["analyst_labels"] = len(labeled)
        if weak:
            extra = weak_labels(crawled, rules, gazetteer, weak)
            items += extra
            counts["weak"] = len(extra)
    model = train_model(rules, gazetteer, TrainingData(items, counts), now=_now(now), workers=settings.nlp.workers)
    path = model.save(settings.model_dir)
    with open_writer(settings.database, settings.lock_timeout_s) as store:
        nlp_store.record_model(store.con, model.version, str(path), model.meta, _now(now))
    log.info("trained %s from %s", model.version, counts)
    return model


def load_enricher(settings, version: str | None = None) -> Enricher:
    version = version or ensure_model(settings)
    return Enricher(RuleSet.load(settings.nlp.rules_file), Gazetteer.load(), TopicModel.load(settings.model_dir, version),
                    model_weight=settings.nlp.model_weight)


def enrich_pending(settings, now: dt.datetime | None = None, progress: bool = False) -> EnrichSummary:
    """Enrich every document with no current enrichment, in chunks, on `settings.nlp.workers` cores."""
    import time

    started = time.perf_counter()
    enricher = load_enricher(settings)
    summary = EnrichSummary(model_version=enricher.model_version)
    when = _now(now)
    index = StoryIndex(threshold=settings.nlp.story_threshold)
    memory_starts = when - dt.timedelta(days=STORY_MEMORY_DAYS)
    with open_writer(settings.database, settings.lock_timeout_s) as store:
        summary.signatures_forgotten = nlp_store.forget_signatures_before(store.con, memory_starts)
        for doc_id, story_id, _key, blob in nlp_store.recent_signatures(store.con, memory_starts):
            index.add(doc_id, story_id, np.frombuffer(blob, dtype="<u8").astype(np.uint64))
        total = nlp_store.count_pending(store.con)
    # Big chunks: each one pays a database round trip and a fork; 8 batches per worker amortise both.
    chunk = settings.nlp.batch_size * settings.nlp.workers * 8
    with _progress(progress, total) as advance:
        while True:
            with open_writer(settings.database, settings.lock_timeout_s) as store:
                docs = nlp_store.pending_documents(store.con, chunk)
            if not docs:
                break
            rows, signatures = _enrich_chunk(enricher, docs, index, settings, summary)
            with open_writer(settings.database, settings.lock_timeout_s) as store:
                nlp_store.write_enrichments(store.con, rows, when)
                nlp_store.write_signatures(store.con, signatures, when)
            advance(len(docs))
    summary.seconds = time.perf_counter() - started
    return summary


def _enrich_chunk(enricher: Enricher, docs: list[dict], index: StoryIndex, settings, summary: EnrichSummary):
    inputs = [DocInput(d["doc_id"], d["title"] or "", d["lead"] or "", d["text"] or "", d["default_province"]) for d in docs]
    results = run_parallel(enricher, inputs, settings.nlp.workers, settings.nlp.batch_size)
    summary.reused_duplicates += len(inputs) - len({(d.title, d.lead, d.text, d.default_province) for d in inputs})
    summary.enriched += sum(r.language == "vi" for r in results)
    rows, signatures = [], []
    for doc, result in zip(docs, results):
        _add_topics_of_kind(result, enricher.rules.topics_for_kind(doc.get("kind")))
        story, new_story = _story_of(doc, result, index)
        summary.documents += 1
        summary.stories_new += new_story
        summary.stories_joined += not new_story
        summary.not_vietnamese += result.language != "vi"
        for topic in result.topics:
            summary.by_topic[topic] = summary.by_topic.get(topic, 0) + 1
        rows.append({
            "doc_id": doc["doc_id"], "model_version": enricher.model_version, "content_hash": doc["content_hash"],
            "language": result.language, "topics": result.topics, "scores": result.scores,
            "provinces": result.provinces, "story_id": story,
        })
        signatures.append({"doc_id": doc["doc_id"], "story_id": story, "text_key": result.text_key,
                           "signature": result.signature.astype("<u8").tobytes()})
    return rows, signatures


def _add_topics_of_kind(result: DocResult, topics: list[str]) -> None:
    """Topics the rules give a document for its kind alone (a petition is a complaint)."""
    missing = [t for t in topics if t not in result.topics]
    if missing and result.language == "vi":
        result.topics = result.topics + missing
        result.scores = {**result.scores, **{t: 1.0 for t in missing}}


def _story_of(doc: dict, result: DocResult, index: StoryIndex) -> tuple[str, bool]:
    """(story id, whether it is a new story). A forum post belongs to its thread's story.

    Within one run a story remembers STORY_MEMORY_DAYS of publications, as it does across runs
    (documents come oldest first): a backfill of a year's archive then neither joins December to
    January nor holds a year of signatures in memory."""
    if doc.get("published_at") is not None:
        index.forget_before(doc["published_at"] - dt.timedelta(days=STORY_MEMORY_DAYS))
    if doc.get("kind") == "post" and doc.get("url"):
        story = thread_story_id(doc["url"])
        new_story = story not in index.stories
        index.add(doc["doc_id"], story, result.signature, doc.get("published_at"))
        return story, new_story
    story, _ = index.assign(doc["doc_id"], result.signature, doc.get("published_at"))
    return story, story == doc["doc_id"]


def run_parallel(enricher: Enricher, inputs: list[DocInput], workers: int, batch_size: int) -> list[DocResult]:
    """Enrich in batches on `workers` forked processes; exact duplicates are enriched once.

    Fork (not spawn) so the loaded model, rules and gazetteer are shared copy-on-write instead
    of pickled to every worker.
    """
    unique: dict[tuple, int] = {}
    order = []
    for doc in inputs:
        key = (doc.title, doc.lead, doc.text, doc.default_province)
        order.append(unique.setdefault(key, len(unique)))
    firsts = {}
    for doc, slot in zip(inputs, order):
        firsts.setdefault(slot, doc)
    todo = [firsts[s] for s in range(len(unique))]
    batches = [todo[i:i + batch_size] for i in range(0, len(todo), batch_size)]
    if workers <= 1 or len(batches) <= 1:
        done = [r for b in batches for r in enricher.enrich(b)]
    else:
        done = _fork_map(enricher, batches, workers)
    out = []
    for doc, slot in zip(inputs, order):
        result = done[slot]
        out.append(result if result.id == doc.id else DocResult(**{**result.__dict__, "id": doc.id}))
    return out


def _fork_map(enricher: Enricher, batches: list[list[DocInput]], workers: int) -> list[DocResult]:
    enricher.enrich([DocInput("warm-up", "Khởi động", "", "Xin chào.")])  # load underthesea before forking
    ctx = mp.get_context("fork")
    tasks, results = ctx.Queue(), ctx.Queue()
    for i, batch in enumerate(batches):
        tasks.put((i, batch))
    procs = [ctx.Process(target=_worker, args=(enricher, tasks, results), daemon=True) for _ in range(min(workers, len(batches)))]
    for p in procs:
        tasks.put(None)
        p.start()
    collected: dict[int, list[DocResult]] = {}
    try:
        while len(collected) < len(batches):
            try:
                i, payload = results.get(timeout=5)
            except queue.Empty:
                dead = [p for p in procs if not p.is_alive() and p.exitcode not in (0, None)]
                if dead or not any(p.is_alive() for p in procs):
                    codes = ", ".join(str(p.exitcode) for p in procs)
                    raise RuntimeError(f"enrichment worker died (exit codes {codes}); nothing was written for this chunk") from None
                continue
            if isinstance(payload, BaseException):
                raise RuntimeError(f"enrichment worker failed: {payload!r}") from payload
            collected[i] = payload
    finally:
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
    return [r for i in range(len(batches)) for r in collected[i]]


def _worker(enricher: Enricher, tasks, results) -> None:
    while True:
        item = tasks.get()
        if item is None:
            return
        i, batch = item
        try:
            results.put((i, enricher.enrich(batch)))
        except Exception as exc:  # reported to the parent with its cause
            results.put((i, exc))


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


def rules_classifier(settings):
    """Topics from the YAML rules alone, for comparing rules with the model (notebooks, review).

    Returns a function from records (`doc_id`, `title`, `lead`, `text`) to topic lists; it needs
    no trained model.
    """
    enricher = Enricher(RuleSet.load(settings.nlp.rules_file), Gazetteer.load(), None,
                        model_weight=settings.nlp.model_weight)

    def classify(records: list[dict]) -> list[list[str]]:
        inputs = [DocInput(str(r["doc_id"]), r.get("title") or "", r.get("lead") or "", r.get("text") or "")
                  for r in records]
        return [result.topics for result in enricher.enrich(inputs, rules_only=True, with_signature=False)]

    return classify

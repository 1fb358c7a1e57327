"""The NLP stage's entry points, all pure: no database, no files but those the settings name.

* `usable_model_version(settings)`: the trained model in `nlp.model_dir` that still fits the
  topic rules and the shipped seed set, or None (then someone must train).
* `train_and_save(settings, data)`: a model trained from the labeled items given, saved.
* `load_enricher(settings, version)`: rules, gazetteer and model, ready to enrich.
* `run_parallel(enricher, docs, workers, batch_size)`: many documents on several cores.
* `rules_classifier(settings)`: topics from the YAML rules alone (notebooks, review).

Where the documents come from and where results go (the database) is the caller's business:
`pipeline.enrichment` runs this over stored documents, `dulun classify` over a file.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import multiprocessing as mp
import os
import queue
from pathlib import Path

from core.errors import UserError
from core.processes import STOP_SIGNALS, Stopped, worker_signals
from core.records import DocInput, DocResult
from nlp.enrich import Enricher
from nlp.model import TopicModel, current_version
from nlp.provinces import Gazetteer
from nlp.topic_rules import RuleSet
from nlp.train import TrainingData, seed_fingerprint, train_model

log = logging.getLogger(__name__)


def usable_model_version(settings) -> str | None:
    """The current model version, unless the topic rules changed since it was trained (the
    model reads the rules' scores) or the shipped seed set did (an upgrade brought better
    training data); None when there is no such model."""
    version = current_version(settings.model_dir)
    if not version:
        return None
    meta = _model_meta(settings.model_dir, version)
    rules_same = meta.get("rules_fingerprint") in (None, RuleSet.load(settings.nlp.rules_file).fingerprint)
    seed_same = meta.get("seed_fingerprint") == seed_fingerprint()
    if rules_same and seed_same:
        return version
    log.info("%s changed since %s was trained; retraining", "topic rules" if not rules_same else "the seed set", version)
    return None


def _model_meta(model_dir: Path, version: str) -> dict:
    path = Path(model_dir) / version / "meta.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def train_and_save(settings, data: TrainingData, now: dt.datetime, rules: RuleSet | None = None,
                   gazetteer: Gazetteer | None = None) -> tuple[TopicModel, Path]:
    """Train from `data` (the labeled items given: seed set, analysts' labels, weak labels),
    save under `nlp.model_dir` as the current model; returns the model and where it is."""
    rules = rules or RuleSet.load(settings.nlp.rules_file)
    model = train_model(rules, gazetteer or Gazetteer.load(), data, now=now, workers=settings.nlp.workers)
    return model, model.save(settings.model_dir)


def load_enricher(settings, version: str | None = None) -> Enricher:
    """The enricher with model `version` (default: the current model in `nlp.model_dir`)."""
    version = version or current_version(settings.model_dir)
    if not version:
        raise UserError(f"No topic model in {settings.model_dir}; run `dulun train` first.")
    return Enricher(RuleSet.load(settings.nlp.rules_file), Gazetteer.load(), TopicModel.load(settings.model_dir, version),
                    model_weight=settings.nlp.model_weight)


def run_parallel(enricher: Enricher, inputs: list[DocInput], workers: int, batch_size: int) -> list[DocResult]:
    """Enrich in batches on `workers` forked processes; exact duplicates are enriched once.

    Fork (not spawn) so the loaded model, rules and gazetteer are shared copy-on-write instead
    of pickled to every worker.
    """
    unique: dict[tuple, int] = {}
    order = []
    for doc in inputs:
        order.append(unique.setdefault(same_result_key(doc), len(unique)))
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


def same_result_key(doc: DocInput) -> tuple:
    """Documents with equal keys get equal results: what the enricher reads of a document."""
    return (doc.title, doc.lead, doc.text, doc.default_province, doc.kind)


def _fork_map(enricher: Enricher, batches: list[list[DocInput]], workers: int) -> list[DocResult]:
    """The batches on `workers` forked processes, which never outlive this one: killed with it
    (their parent-death signal), and killed at once when this process stops or fails."""
    enricher.enrich([DocInput("warm-up", "Khởi động", "", "Xin chào.")])  # load underthesea before forking
    ctx = mp.get_context("fork")
    tasks, results = ctx.Queue(), ctx.Queue()
    for i, batch in enumerate(batches):
        tasks.put((i, batch))
    procs = [ctx.Process(target=_worker, args=(enricher, tasks, results, os.getpid()), daemon=True)
             for _ in range(min(workers, len(batches)))]
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
                if stop := _stop_signal_of(dead):
                    # A stop signal to the whole process group (systemctl stop) reached the
                    # workers too: we are being stopped, nothing failed.
                    raise Stopped(stop)
                if dead or not any(p.is_alive() for p in procs):
                    codes = ", ".join(str(p.exitcode) for p in procs)
                    raise RuntimeError(f"enrichment worker died (exit codes {codes}); nothing was written for this chunk") from None
                continue
            if isinstance(payload, BaseException):
                raise RuntimeError(f"enrichment worker failed: {payload!r}") from payload
            collected[i] = payload
    except BaseException:
        for p in procs:  # stopped (Ctrl-C, SIGTERM) or failed: the chunk is lost anyway
            p.kill()
        raise
    finally:
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
                p.join()
        for q in (tasks, results):  # their feeder threads must not wait on a pipe no one reads
            q.cancel_join_thread()
            q.close()
    return [r for i in range(len(batches)) for r in collected[i]]


def _stop_signal_of(dead: list) -> int | None:
    """The stop signal (SIGTERM, SIGINT, SIGHUP) that killed one of the `dead` workers, if any."""
    signals = sorted(-p.exitcode for p in dead if p.exitcode is not None and -p.exitcode in STOP_SIGNALS)
    return signals[0] if signals else None


def _worker(enricher: Enricher, tasks, results, parent_pid: int) -> None:
    worker_signals(parent_pid)
    while True:
        item = tasks.get()
        if item is None:
            return
        i, batch = item
        try:
            results.put((i, enricher.enrich(batch)))
        except Exception as exc:  # reported to the parent with its cause
            results.put((i, exc))


def rules_classifier(settings):
    """Topics from the YAML rules alone, for comparing rules with the model (notebooks, review).

    Returns a function from records (`doc_id`, `title`, `lead`, `text`, optionally `kind`) to
    topic lists; it needs no trained model.
    """
    enricher = Enricher(RuleSet.load(settings.nlp.rules_file), Gazetteer.load(), None,
                        model_weight=settings.nlp.model_weight)

    def classify(records: list[dict]) -> list[list[str]]:
        inputs = [DocInput(str(r["doc_id"]), r.get("title") or "", r.get("lead") or "", r.get("text") or "",
                           kind=r.get("kind")) for r in records]
        return [result.topics for result in enricher.enrich(inputs, rules_only=True, with_signature=False)]

    return classify

"""Follow-up: for every issue raised in public, was it answered, was it resolved, and how fast.

`run_followup(settings, now)` is the pipeline stage (after enrichment, every cycle): every
enriched document published and fetched by `now` that it has not read gets its role (report,
response, resolution, none: `nlp.roles`) and joins or opens an issue thread (`nlp.threads`).
Threads are kept, never recomputed: each run loads the threads still active within the window,
links the new documents in publication order, and writes the new members and the threads they
changed; a document already in a thread never moves, so thread ids and members are stable. A
document left out of every thread (read as `none`) and corrected since by an analyst into a
report, an answer or a remedy is read again by the next run and links with the analyst's role.

`states_as_of(con, settings, now)` reads the threads as they stood at `now` (documents published
and fetched by then, portal statuses seen by then) and says where each issue stands
(`pipeline.followup.states`); the digests, `dulun followup --list`, the workbench and the
"unanswered" alert rules all read them through it.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from core.settings import Settings
from core.timeutil import VN
from nlp.entities import extract_entities, province_names
from nlp.provinces import Gazetteer
from nlp.roles import (TEMPLATED_SEED, RoleClassifier, RoleInput, RoleModel, RoleRules, load_role_seed, train_role_model,
                       usable_role_model)
from nlp.threads import IssueWords, Thread, ThreadDoc, ThreadLinker
from nlp.train import load_seed
from pipeline.followup.states import ThreadState, response_rates, thread_states
from pipeline.training import trained_once
from store import followup as fu_store
from store import nlp as nlp_store
from store import open_writer

log = logging.getLogger(__name__)
CHUNK = 4000

__all__ = ["FollowupSummary", "run_followup", "states_as_of", "response_rates", "ThreadState", "role_rules", "train_roles"]


@dataclass
class FollowupSummary:
    now: str
    role_model: str = ""
    documents: int = 0
    roles: dict[str, int] = field(default_factory=dict)
    threads_opened: int = 0
    joined: int = 0
    not_threaded: int = 0
    seconds: float = 0.0

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        roles = ", ".join(f"{n} {r}" for r, n in sorted(self.roles.items())) or "none"
        return (f"Follow-up as of {self.now}: {self.documents} documents read ({roles}); "
                f"{self.threads_opened} threads opened, {self.joined} documents joined a thread, "
                f"{self.not_threaded} in none ({self.seconds:.1f} s).")


def role_rules(settings: Settings) -> RoleRules:
    return RoleRules.load(settings.followup.rules_file)


def ensure_role_model(settings: Settings, rules: RoleRules, now: dt.datetime) -> RoleModel:
    """The current role model; trained (a few seconds) from the shipped seed sets and the
    analysts' role corrections when there is none, or when the role rules or the seed sets
    changed since. Saved with its provenance and recorded in `models`."""
    def usable() -> RoleModel | None:
        version = usable_role_model(settings.model_dir, rules)
        return RoleModel.load(settings.model_dir, version) if version else None

    return trained_once(settings.model_dir, "the role model", usable, lambda: train_roles(settings, now, rules=rules))


def train_roles(settings: Settings, now: dt.datetime | None = None, include_labels: bool = True,
                rules: RoleRules | None = None) -> RoleModel:
    """Train the role model from the seed sets and (unless `include_labels` is false) every
    analyst's role correction, save it as the current one and record it in `models`.

    Like the topic model: with no database, the seed sets alone, and no database is created."""
    now = (now or dt.datetime.now(VN)).astimezone(VN)
    rules = rules or role_rules(settings)
    has_database = Path(settings.database).is_file()   # never an empty database at a mistyped data folder
    labeled: list[dict] = []
    if has_database and include_labels:
        with open_writer(settings.database, settings.lock_timeout_s, create=False) as store:
            labeled = fu_store.role_labeled_documents(store.con)
    model = train_role_model(rules, load_role_seed(), now, labels_from=labeled)
    path = model.save(settings.model_dir)
    if has_database:
        with open_writer(settings.database, settings.lock_timeout_s, create=False) as store:
            nlp_store.record_model(store.con, "roles", model.version, str(path), model.meta, now)
    log.info("trained role model %s from %s (out-of-fold macro-F1 %s)", model.version,
             model.meta.get("training_sources"), model.meta.get("cv_macro_f1"))
    return model


def issue_words(ignore: frozenset[str] = frozenset()) -> IssueWords:
    """How distinctive each word pair is, from the templated seed sets (topics and roles); pairs
    never span the names in `ignore` (the provinces'). Not from the hand-written role articles:
    they follow the same invented issues from report to remedy, so an issue's own words recur
    there and would read as common."""
    return IssueWords.from_texts((f"{item.get('title') or ''}\n{item.get('sapo') or ''}"
                                  for item in load_seed() + load_role_seed((TEMPLATED_SEED,))), ignore)


def run_followup(settings: Settings, now: dt.datetime | None = None) -> FollowupSummary:
    started = time.perf_counter()
    now = (now or dt.datetime.now(VN)).astimezone(VN)
    rules = role_rules(settings)
    classifier = RoleClassifier(rules, ensure_role_model(settings, rules, now))
    ignore = province_names(Gazetteer.load())
    words = issue_words(ignore)
    window = dt.timedelta(days=settings.followup.window_days)
    summary = FollowupSummary(now.isoformat(timespec="seconds"), role_model=classifier.version)
    with open_writer(settings.database, settings.lock_timeout_s) as store:
        while not (frame := fu_store.pending_documents(store.con, now, CHUNK)).empty:
            linker = _linker(store.con, pd.Timestamp(frame.published_at.min()).to_pydatetime() - window, settings)
            roles = _roles(classifier, frame)
            fu_store.write_roles(store.con, [{**r, "model_version": classifier.version} for r in roles], now)
            docs = [_thread_doc(row, _linking_role(row, role), ignore, words)
                    for row, role in zip(frame.itertuples(), roles) if not isinstance(row.thread_id, str)]
            links = linker.link_all(docs)
            stories = {d.doc_id: d.story_id for d in docs}
            members = [{"doc_id": l.doc_id, "thread_id": l.thread_id, "story_id": stories[l.doc_id], "how": l.how,
                        "score": l.score} for l in links if l.thread_id]
            changed = [_thread_row(linker.threads[t]) for t in sorted(linker.changed)]
            fu_store.write_links(store.con, members, changed, now)
            _tally(summary, roles, links)
    summary.seconds = time.perf_counter() - started
    log.info("%s", summary)
    return summary


def _tally(summary: FollowupSummary, roles: list[dict], links) -> None:
    summary.documents += len(roles)
    for r in roles:
        summary.roles[r["role"]] = summary.roles.get(r["role"], 0) + 1
    for link in links:
        if link.how == "opened":
            summary.threads_opened += 1
        elif link.thread_id:
            summary.joined += 1
        else:
            summary.not_threaded += 1


def _roles(classifier: RoleClassifier, frame: pd.DataFrame) -> list[dict]:
    inputs = [RoleInput(row.doc_id, _str(row.title), _str(row.lead), _str(row.text), bool(len(_list(row.provinces))))
              for row in frame.itertuples()]
    vietnamese = [row.language == "vi" for row in frame.itertuples()]
    results = classifier.classify([d for d, vi in zip(inputs, vietnamese) if vi])
    by_id = {r.id: r for r in results}
    out = []
    for row in frame.itertuples():
        r = by_id.get(row.doc_id)
        out.append({"doc_id": row.doc_id, "content_hash": row.content_hash, "role": r.role if r else "none",
                    "detail": r.detail if r else None, "confidence": r.confidence if r else None})
    return out


def _linking_role(row, model: dict) -> str:
    """The role a document links with: the analyst's correction when there is one (it is what
    the document is), else the model's."""
    return row.analyst_role if isinstance(row.analyst_role, str) else model["role"]


def _thread_doc(row, role: str, ignore: frozenset[str], words: IssueWords) -> ThreadDoc:
    scores = row.scores if isinstance(row.scores, dict) else json.loads(row.scores or "{}")
    topics = tuple(sorted(_list(row.topics), key=lambda t: (-float(scores.get(t, 0.0)), t)))
    head = f"{_str(row.title)}\n{_str(row.lead)}"
    entities = extract_entities(f"{head}\n{_str(row.text)}", ignore)
    return ThreadDoc(row.doc_id, row.story_id, pd.Timestamp(row.published_at).to_pydatetime(), topics,
                     tuple(_list(row.provinces)), role, tuple(e.key for e in entities), words.weighted(head),
                     _str(row.kind) or "press")


def _str(value) -> str:
    # A NULL text column reads as NaN (pandas' string dtype), which is truthy: `or ""` misses it.
    return value if isinstance(value, str) else ""


def _list(value) -> list:
    if value is None:
        return []
    return list(value)


def _linker(con, since: dt.datetime, settings: Settings) -> ThreadLinker:
    rows = fu_store.active_threads(con, since)
    threads = {}
    for r in rows.itertuples():
        threads[r.thread_id] = Thread(
            r.thread_id, r.topic if isinstance(r.topic, str) else None,
            r.province if isinstance(r.province, str) else None, frozenset(_list(r.topics)), json.loads(r.names),
            pd.Timestamp(r.first_published_at).to_pydatetime(), pd.Timestamp(r.last_published_at).to_pydatetime(),
            documents=int(r.documents), opened_by=r.opened_by, words=json.loads(r.words), companies=set(_list(r.companies)))
    return ThreadLinker(threads, fu_store.thread_stories(con, list(threads)), window_days=settings.followup.window_days)


def _thread_row(thread: Thread) -> dict:
    return {"thread_id": thread.thread_id, "topic": thread.topic, "province": thread.province,
            "topics": thread.topics, "names": thread.names, "words": thread.words, "opened_by": thread.opened_by,
            "first_at": thread.first_at, "last_at": thread.last_at, "documents": thread.documents,
            "companies": thread.companies}


# ---------------------------------------------------------------- reading

def states_as_of(con, settings: Settings, now: dt.datetime, rules: RoleRules | None = None,
                 thread_ids: list[str] | None = None, active_since: dt.datetime | None = None,
                 raised_before: dt.datetime | None = None, topics: list[str] | None = None) -> list[ThreadState]:
    """Every thread's state as it stood at `now` (or only these threads', those with a document
    published since `active_since`, those raised by `raised_before`, those of these topics)."""
    rules = rules or role_rules(settings)
    members = fu_store.thread_documents(con, now, thread_ids, active_since, raised_before, topics)
    petitions = members.doc_id[members.kind == "petition"].tolist() if len(members) else []
    portal = fu_store.portal_observations(con, now, petitions)
    return thread_states(members, portal, rules, now, settings.followup.unanswered_days, VN)

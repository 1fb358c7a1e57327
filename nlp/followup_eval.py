"""Measuring follow-up: document roles per role, thread linking pairwise, each beside a naive
baseline. Pure: labeled rows in, figures out (the benchmark and the tests read the files).

* Roles: precision and recall of each role against the labels, for the classifier (model and
  rules), the rules alone, and `nlp.roles.keyword_role` (a handful of keywords).
* Threads: pairwise precision and recall over the documents of held-out threads (two documents
  are a pair when they share a thread), through the pipeline's own path: enrichment (topics,
  provinces, story signatures), story clusters, roles, named things, the linker. Baselines:
  story clusters alone (republications only), and "same province and topic within the window"
  (what a topic-and-place keyword view would group).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import combinations

from core.records import DocInput
from nlp.clusters import StoryIndex
from nlp.entities import extract_entities, province_names
from nlp.roles import ROLES, RoleClassifier, RoleInput, keyword_role
from nlp.threads import WINDOW_DAYS, IssueWords, ThreadDoc, ThreadLinker


@dataclass(frozen=True)
class PR:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return round(2 * p * r / (p + r), 4) if p + r else 0.0


def per_role(gold: list[str], predicted: list[str]) -> dict[str, PR]:
    out = {}
    for role in ROLES:
        tp = sum(g == role and p == role for g, p in zip(gold, predicted))
        said = sum(p == role for p in predicted)
        real = sum(g == role for g in gold)
        out[role] = PR(round(tp / said, 4) if said else 0.0, round(tp / real, 4) if real else 0.0)
    return out


def role_report(rows: list[dict], classifier: RoleClassifier, has_place: list[bool | None]) -> dict[str, dict[str, PR]]:
    """Per-role P/R on labeled rows (`title`, `sapo`, optional `text`, `role`) for the classifier,
    its rules alone and the keyword baseline."""
    docs = [RoleInput(r.get("id", str(i)), r.get("title") or "", r.get("sapo") or "", r.get("text") or "", place)
            for i, (r, place) in enumerate(zip(rows, has_place))]
    gold = [r["role"] for r in rows]
    return {
        "classifier": per_role(gold, [x.role for x in classifier.classify(docs)]),
        "rules only": per_role(gold, [x.role for x in classifier.classify(docs, rules_only=True)]),
        "keyword baseline": per_role(gold, [keyword_role(r.get("title") or "", r.get("sapo") or "") for r in rows]),
    }


def pairwise(gold: dict[str, str], predicted: dict[str, str | None]) -> PR:
    """Pairs of documents put together, against pairs that belong together. A document that
    joined no thread is in no pair."""
    ids = sorted(gold)
    true_pairs = {(a, b) for a, b in combinations(ids, 2) if gold[a] == gold[b]}
    said_pairs = {(a, b) for a, b in combinations(ids, 2)
                  if predicted.get(a) is not None and predicted.get(a) == predicted.get(b)}
    tp = len(true_pairs & said_pairs)
    return PR(round(tp / len(said_pairs), 4) if said_pairs else 0.0, round(tp / len(true_pairs), 4) if true_pairs else 0.0)


def thread_docs(rows: list[dict], enricher, roles: RoleClassifier, words: IssueWords,
                story_threshold: float = 0.5) -> list[ThreadDoc]:
    """The rows (`id`, `title`, `sapo`, `text`, `published_at`, `kind`, the source's
    `default_province`) as the follow-up stage
    sees them: enriched, in story clusters, with their roles and named things."""
    inputs = [DocInput(r["id"], r.get("title") or "", r.get("sapo") or "", r.get("text") or "",
                       default_province=r.get("default_province"), kind=r.get("kind"),
                       published_at=dt.datetime.fromisoformat(r["published_at"])) for r in rows]
    results = {res.id: res for res in enricher.enrich(inputs)}
    ignore = province_names(enricher.gazetteer)
    index = StoryIndex(threshold=story_threshold)
    docs = []
    for doc in sorted(inputs, key=lambda d: (d.published_at, d.id)):
        res = results[doc.id]
        story, _ = index.assign(doc.id, res.signature, doc.published_at)
        role = roles.classify([RoleInput(doc.id, doc.title, doc.lead, doc.text, bool(res.provinces))])[0].role
        ordered = tuple(sorted(res.topics, key=lambda t: -res.scores.get(t, 0.0)))
        entities = extract_entities(f"{doc.title}\n{doc.lead}\n{doc.text[:1500]}", ignore)
        distinctive = words.weighted(f"{doc.title}\n{doc.lead}")
        docs.append(ThreadDoc(doc.id, story, doc.published_at, ordered, tuple(res.provinces), role,
                              tuple(e.key for e in entities), distinctive, doc.kind or "press"))
    return docs


def link_report(rows: list[dict], docs: list[ThreadDoc], window_days: int = WINDOW_DAYS) -> dict[str, PR]:
    """Pairwise P/R of the linker and of the two baselines on the same documents."""
    gold = {r["id"]: r["thread"] for r in rows}
    linker = ThreadLinker(window_days=window_days)
    linked = {link.doc_id: link.thread_id for link in linker.link_all(docs)}
    stories = {d.doc_id: d.story_id for d in docs}
    return {
        "linker": pairwise(gold, linked),
        "story clusters only": pairwise(gold, stories),
        "same province and topic within the window": pairwise(gold, same_cell_threads(docs, window_days)),
    }


def same_cell_threads(docs: list[ThreadDoc], window_days: int) -> dict[str, str | None]:
    """The naive baseline: a document joins the latest thread of its first province and first
    topic if that thread's last document is within the window, else opens one."""
    window = dt.timedelta(days=window_days)
    latest: dict[tuple[str, str], tuple[str, dt.datetime]] = {}
    out: dict[str, str | None] = {}
    for doc in sorted(docs, key=lambda d: (d.published_at, d.doc_id)):
        if not doc.topics or not doc.provinces:
            out[doc.doc_id] = None
            continue
        cell = (doc.topics[0], doc.provinces[0])
        current = latest.get(cell)
        thread = current[0] if current and doc.published_at - current[1] <= window else doc.doc_id
        latest[cell] = (thread, doc.published_at)
        out[doc.doc_id] = thread
    return out

"""Follow-up: quality on the held-out sets beside naive baselines, and cost beside enrichment.

    PYTHONPATH=$PWD python -m bench.bench_followup                         # quality + 4,000 corpus docs
    PYTHONPATH=$PWD python -m bench.bench_followup --docs 34000 --spread-days 365

Quality (same run, same documents):
* document roles on tests/nlp/fixtures/followup/roles_eval.jsonl (192 leads, never trained or
  tuned on): precision and recall per role for the classifier (model + rules), the rules alone,
  and a keyword baseline (`nlp.roles.keyword_role`);
* thread linking on threads_eval.jsonl (24 held-out threads, 60 documents), threads_fresh.jsonl
  and threads_blind.jsonl (written blind at stop 22, see the fixtures' README), pairwise precision
  and recall, through the stage's own path (enrichment, story clusters, roles, named things),
  beside story clusters alone and "same province and topic within the window"; and the roles of
  the documents of the two blind-written sets (follow-ups as the press writes them, not leads
  written beside the rules).
Cost, on the real corpus (../shared/corpus, stored as crawled documents, published over
`--spread-days`): enrichment alone (`enrich_pending`), then the follow-up stage over the same
documents (`run_followup`: roles, named things, linking, writes), each in docs/s, and the
stage's time as a share of enrichment's. Also the named-thing extractor against underthesea's
NER tagger on the titles and leads of 200 articles.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
import time
from pathlib import Path

from bench.bench_enrich import read_corpus, shared_dir, store_corpus
from bench.harness import RESULTS_DIR

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "nlp" / "fixtures" / "followup"
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
# name -> file: the held-out set (looked at while tuning, several times), the fresh set (written
# blind, measured once at stop 22, then opened for diagnosis), the blind set (written blind at
# stop 22, measured once when it landed), blind3 and blind4 (written blind at stop 23), blind5, blind6
# and blind7 (stop 24); see the fixtures' README for what has been measured on each.
THREAD_SETS = {"held_out": "threads_eval.jsonl", "fresh": "threads_fresh.jsonl", "blind": "threads_blind.jsonl",
               "blind3": "threads_blind3.jsonl", "blind4": "threads_blind4.jsonl", "blind5": "threads_blind5.jsonl",
               "blind6": "threads_blind6.jsonl", "blind7": "threads_blind7.jsonl"}
# Role sets of standalone documents: the 192 leads written before the rules, and blind-written
# sets of leads with bodies (three at stop 23, two at stop 24).
ROLE_SETS = {"held_out": "roles_eval.jsonl", "blind_leads": "roles_blind.jsonl", "blind_leads2": "roles_blind2.jsonl",
             "blind_leads3": "roles_blind3.jsonl", "blind_leads4": "roles_blind4.jsonl",
             "blind_leads5": "roles_blind5.jsonl"}


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def pr(value) -> dict:
    return {"precision": value.precision, "recall": value.recall, "f1": value.f1}


def quality(settings, only: set[str] | None = None) -> dict:
    """Every set, or those named in `only` (a blind set is measured once: `--sets blind6`)."""
    from nlp.api import load_enricher
    from nlp.entities import province_names
    from nlp.followup_eval import link_report, role_report, thread_docs
    from nlp.provinces import choose_provinces
    from nlp.roles import RoleClassifier
    from pipeline.followup import ensure_role_model, issue_words, role_rules

    rules = role_rules(settings)
    roles = RoleClassifier(rules, ensure_role_model(settings, rules, NOW))
    enricher = load_enricher(settings)
    words = issue_words(province_names(enricher.gazetteer))

    def role_figures(labeled: list[dict]) -> dict:
        places = [bool(choose_provinces(enricher.gazetteer.find(r["title"], r.get("sapo") or "", ""))) for r in labeled]
        return {"documents": len(labeled), **{name: {role: pr(v) for role, v in by_role.items()}
                                              for name, by_role in role_report(labeled, roles, places).items()}}

    def link_figures(threads: list[dict]) -> dict:
        links = link_report(threads, thread_docs(threads, enricher, roles, words))
        return {"documents": len(threads), "threads": len({r["thread"] for r in threads}),
                **{baseline: pr(v) for baseline, v in links.items()}}

    report = {f"roles_{name}": role_figures(rows(file)) for name, file in ROLE_SETS.items()
              if (FIXTURES / file).is_file() and (only is None or name in only)}
    for name, file in THREAD_SETS.items():
        if only is not None and name not in only:
            continue
        threads = rows(file)
        report[f"linking_{name}"] = link_figures(threads)
        if name != "held_out":   # these carry each document's role too: roles as follow-ups are written
            report[f"roles_{name}"] = role_figures(threads)
    return {**report, "role_model": roles.version, "role_model_cv_macro_f1": roles.model.meta.get("cv_macro_f1")}


def entity_speed(corpus: list[dict], sample: int = 200) -> dict:
    from nlp.entities import extract_entities

    heads = [f"{r.get('title') or ''}\n{r.get('sapo') or ''}" for r in corpus[:sample]]
    started = time.perf_counter()
    for text in heads:
        extract_entities(text)
    ours = time.perf_counter() - started
    from underthesea import ner

    ner("Khởi động")
    started = time.perf_counter()
    for r in corpus[:sample]:
        for part in (r.get("title"), r.get("sapo")):
            if part:
                ner(part)
    theirs = time.perf_counter() - started
    return {"documents": sample, "extractor_docs_per_s": round(sample / ours, 1),
            "underthesea_ner_docs_per_s": round(sample / theirs, 1), "speedup": round(theirs / ours, 1)}


def cost(settings, corpus: list[dict], spread_days: int) -> dict:
    from pipeline.enrichment import enrich_pending
    from pipeline.followup import run_followup, states_as_of
    from store import open_reader
    from store.followup import counts

    store_corpus(settings, corpus, spread_days)   # not timed: the crawler's work
    enriched = enrich_pending(settings, now=NOW)
    followed = run_followup(settings, now=NOW + dt.timedelta(days=1))
    started = time.perf_counter()
    with open_reader(settings.database) as store:
        states = states_as_of(store.con, settings, NOW + dt.timedelta(days=1))
        stored = counts(store.con)
    reading = time.perf_counter() - started
    return {
        "documents": enriched.documents, "published_over_days": spread_days, "workers": settings.nlp.workers,
        "enrichment_docs_per_s": round(enriched.docs_per_s, 1), "enrichment_seconds": round(enriched.seconds, 1),
        "followup_docs_per_s": round(followed.docs_per_s, 1), "followup_seconds": round(followed.seconds, 1),
        "followup_share_of_enrichment_time": round(followed.seconds / enriched.seconds, 3),
        "both_docs_per_s": round(enriched.documents / (enriched.seconds + followed.seconds), 1),
        "roles": followed.roles, "threads": stored["threads"], "documents_in_threads": stored["members"],
        "threads_opened": followed.threads_opened, "joined": followed.joined,
        "states_of_every_thread_seconds": round(reading, 2), "states": len(states),
        **topic_unknown(states),
    }


def topic_unknown(states) -> dict:
    """Threads whose topic is still unknown (counted nowhere until a member has one): how many, and
    whether they swallow documents (their sizes beside the others')."""
    unknown = [s.documents for s in states if s.topic is None]
    known = [s.documents for s in states if s.topic is not None]
    return {"threads_topic_unknown": len(unknown),
            "threads_topic_unknown_share": round(len(unknown) / len(states), 3) if states else 0.0,
            "documents_in_topic_unknown_threads": sum(unknown),
            "largest_topic_unknown_thread": max(unknown, default=0), "largest_thread_with_topic": max(known, default=0),
            "documents_in_threads_over_50": sum(n for n in unknown + known if n > 50),
            "threads_over_50": sum(n > 50 for n in unknown + known),
            "mean_documents_topic_unknown": round(sum(unknown) / len(unknown), 2) if unknown else 0.0,
            "mean_documents_with_topic": round(sum(known) / len(known), 2) if known else 0.0}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=4000, help="corpus documents for the cost figures (0: skip)")
    parser.add_argument("--spread-days", type=int, default=365, help="publish the corpus over this many days")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sets", help="measure only these comma-separated sets, e.g. held_out,blind5 "
                        f"(thread sets: {', '.join(THREAD_SETS)}; role sets: {', '.join(ROLE_SETS)})")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "followup.json", help="write the JSON report here")
    args = parser.parse_args(argv)

    from core.settings import Settings
    from pipeline.enrichment import ensure_model

    report: dict = {"cpu_count": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="dulun-bench-followup-") as tmp:
        settings = Settings.model_validate({"data_dir": tmp, "nlp": {"workers": args.workers}})
        ensure_model(settings, NOW)   # the topic model from the seed set (not timed)
        report["quality"] = quality(settings, set(args.sets.split(",")) if args.sets else None)
        corpus_file = shared_dir() / "corpus" / "baomoi-2017.jsonl.gz"
        if args.docs and corpus_file.is_file():
            corpus = read_corpus(args.docs)
            report["named_things"] = entity_speed(corpus)
            report["cost"] = cost(settings, corpus, args.spread_days)
        elif args.docs:
            report["cost"] = f"skipped: the corpus {corpus_file} is absent (set DULUN_SHARED)"
    print(json.dumps(report, indent=1, ensure_ascii=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return report


if __name__ == "__main__":
    main()

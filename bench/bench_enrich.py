"""Enrichment throughput on the real 2017 corpus: the pipeline path vs the naive baseline, same run.

    PYTHONPATH=$PWD python -m bench.bench_enrich --docs 4000 --baseline-docs 300
    PYTHONPATH=$PWD python -m bench.bench_enrich --docs 34000 --spread-days 365   # a year's backfill

Pipeline path: `pipeline.enrichment.enrich_pending` over documents stored in a fresh DuckDB file (normalise,
tokenize what the classifier reads, rules + model, provinces, story clusters, batched writes),
on `--workers` forked processes.
Naive baseline: one process, one document at a time: underthesea over the whole text, the model
called per document, places, signature (no store at all, which flatters the baseline).
Also reports dev-set macro-F1 of both paths (when ../shared/eval/dev.jsonl exists) so a speed-up
that costs quality shows, and peak memory (max RSS of the parent and of the largest worker).
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    return Path(os.environ.get("DULUN_SHARED") or REPO.parent / "shared")


def read_corpus(limit: int) -> list[dict]:
    path = shared_dir() / "corpus" / "baomoi-2017.jsonl.gz"
    if not path.is_file():
        sys.exit(f"bench_enrich: the corpus {path} is absent (set DULUN_SHARED); nothing to measure.")
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rows.append(json.loads(line))
            if len(rows) >= limit:
                break
    return rows


def store_corpus(settings, rows: list[dict], spread_days: int = 0) -> None:
    """The corpus as crawled documents; with `spread_days`, published evenly over that many days
    (the corpus has no dates), as a backfill of an archive would be."""
    from store import open_writer
    from store.documents import upsert_documents
    from core.records import Document

    now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    first = now - dt.timedelta(days=spread_days)
    docs = [Document(url=f"https://baomoi.example/{r['id']}.html", source="baomoi-2017", kind="press",
                     title=r.get("title"), lead=r.get("sapo"), text=r.get("text"), fetched_at=now,
                     published_at=first + dt.timedelta(days=spread_days * i / len(rows)) if spread_days else now)
            for i, r in enumerate(rows)]
    with open_writer(settings.database) as store:
        store.con.execute("SELECT 1").fetchall()
        upsert_documents(store.con, docs)


ENRICH_SCRIPT = """
import json, sys
from bench.harness import largest_child_peak_rss_mb, own_peak_rss_mb
from core.settings import Settings
from pipeline.enrichment import enrich_pending
settings = Settings.model_validate({"data_dir": sys.argv[1], "nlp": {"workers": int(sys.argv[2])}})
s = enrich_pending(settings)
print(json.dumps({"documents": s.documents, "docs_per_s": round(s.docs_per_s, 1), "stories_new": s.stories_new,
                  "stories_joined": s.stories_joined, "not_vietnamese": s.not_vietnamese,
                  "peak_rss_mb_parent": round(own_peak_rss_mb(), 1),
                  "peak_rss_mb_largest_worker": round(largest_child_peak_rss_mb(), 1)}))
"""


def enrich_in_fresh_process(data_dir: str, workers: int) -> dict:
    """`enrich_pending` in its own process, so its peak memory is the pipeline's, not the bench's."""
    import subprocess

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", ENRICH_SCRIPT, data_dir, str(workers)], capture_output=True,
                         text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def naive_baseline(enricher_full, rows: list[dict]) -> float:
    """One document at a time, underthesea over the whole text; returns docs/s."""
    from core.records import DocInput

    started = time.perf_counter()
    for r in rows:
        enricher_full.enrich([DocInput(str(r["id"]), r.get("title") or "", r.get("sapo") or "", r.get("text") or "")])
    return len(rows) / (time.perf_counter() - started)


def dev_macro_f1(enricher, workers: int, batch: int) -> float | None:
    from nlp.api import run_parallel
    from core.records import DocInput
    from nlp.evaluate import score

    path = shared_dir() / "eval" / "dev.jsonl"
    if not path.is_file():
        return None
    gold = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
    inputs = [DocInput(str(g["id"]), g.get("title") or "", g.get("sapo") or "", g.get("text") or "") for g in gold]
    results = run_parallel(enricher, inputs, workers, batch)
    return score(gold, [{"id": r.id, "topics": r.topics, "provinces": r.provinces} for r in results])["macro_f1"]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=4000, help="corpus documents for the pipeline path")
    parser.add_argument("--baseline-docs", type=int, default=300, help="corpus documents for the naive baseline")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--spread-days", type=int, default=0,
                        help="publish the documents over this many days (a backfill); 0: all at once")
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON report here")
    args = parser.parse_args(argv)

    from dataclasses import replace

    from core.settings import Settings
    from nlp.api import load_enricher
    from pipeline.enrichment import ensure_model

    rows = read_corpus(max(args.docs, args.baseline_docs))
    with tempfile.TemporaryDirectory(prefix="dulun-bench-") as tmp:
        settings = Settings.model_validate({"data_dir": tmp, "nlp": {"workers": args.workers}})
        enricher = load_enricher(settings, ensure_model(settings))  # trains from the seed set (not timed)
        store_corpus(settings, rows[:args.docs], args.spread_days)  # not timed: the crawler's work

        naive = replace(enricher, body_chars=None)   # whole text through underthesea
        baseline_rate = naive_baseline(naive, rows[:args.baseline_docs])
        del rows  # the stored copy is what the pipeline reads; forked workers should not inherit this one

        run = enrich_in_fresh_process(tmp, args.workers)
        report = {
            "documents": run["documents"],
            "published_over_days": args.spread_days,
            "workers": args.workers,
            "pipeline_docs_per_s": run["docs_per_s"],
            "baseline_docs_per_s": round(baseline_rate, 1),
            "speedup": round(run["docs_per_s"] / baseline_rate, 2),
            "stories": run["stories_new"], "joined_existing_story": run["stories_joined"],
            "not_vietnamese": run["not_vietnamese"],
            "peak_rss_mb_enrich_parent": run["peak_rss_mb_parent"],
            "peak_rss_mb_largest_worker": run["peak_rss_mb_largest_worker"],
            "dev_macro_f1_pipeline": dev_macro_f1(enricher, args.workers, settings.nlp.batch_size),
            "dev_macro_f1_baseline": dev_macro_f1(naive, 1, 1),
            "cpu_count": os.cpu_count(),
        }
    print(json.dumps(report, indent=1))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return report


if __name__ == "__main__":
    main()

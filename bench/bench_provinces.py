"""Province finding on the real 2017 corpus: the evidence scorer vs the naive baseline, same run.

    DULUN_SHARED=../shared PYTHONPATH=$PWD python -m bench.bench_provinces --docs 5000

Subject: what enrichment runs for places on each document, `Gazetteer.find` + `choose_provinces`
(every mention weighed by how and where it appears). Baseline: `naive_provinces`, every province
name found anywhere in the text is a province (one compiled regex). Documents are normalised
first (not timed), as enrichment hands them over. Also reports the province precision, recall
and F1 of both on the dev set (documents with a topic, as `dulun evaluate` does), so the speed
is read beside what it buys.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.bench_enrich import read_corpus, shared_dir
from bench.harness import measure


def dev_figures(gazetteer) -> dict | None:
    from nlp.evaluate import naive_province_baseline, province_prf
    from nlp.normalize import normalize_document
    from nlp.provinces import choose_provinces

    path = shared_dir() / "eval" / "dev.jsonl"
    if not path.is_file():
        return None
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    pred = {}
    for row in rows:
        doc = normalize_document(row.get("title"), row.get("sapo"), row.get("text"))
        pred[str(row["id"])] = {"provinces": choose_provinces(gazetteer.find(doc.title, doc.lead, doc.text))}
    p, r, f = province_prf(rows, pred)
    return {"evidence": {"precision": p, "recall": r, "f1": f}, "naive": naive_province_baseline(rows, gazetteer)}


def main(argv: list[str] | None = None) -> dict:
    from nlp.normalize import normalize_document
    from nlp.provinces import Gazetteer, choose_provinces, naive_provinces

    parser = argparse.ArgumentParser(prog="python -m bench.bench_provinces", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=5000, help="corpus documents to time (default 5000)")
    parser.add_argument("--out", type=Path, help="also write the JSON report here")
    args = parser.parse_args(argv)
    gazetteer = Gazetteer.load()
    docs = [normalize_document(r.get("title"), r.get("sapo"), r.get("text")) for r in read_corpus(args.docs)]
    naive_pattern_built = gazetteer.naive_pattern  # noqa: F841  (built once, outside the timing)
    subject = measure("evidence", len(docs), lambda: [choose_provinces(gazetteer.find(d.title, d.lead, d.text))
                                                      for d in docs])
    baseline = measure("naive", len(docs), lambda: [naive_provinces(gazetteer, d.full()) for d in docs])
    report = {
        "documents": len(docs),
        "evidence_docs_per_s": round(subject.rate, 1),
        "naive_docs_per_s": round(baseline.rate, 1),
        "ratio_to_naive": round(subject.rate / baseline.rate, 2),
        "dev_province": dev_figures(gazetteer),
    }
    print(json.dumps(report, indent=1))
    if args.out:
        args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return report


if __name__ == "__main__":
    main(sys.argv[1:])

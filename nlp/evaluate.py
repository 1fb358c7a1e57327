"""Metrics with exactly the definitions of shared/eval/score.py (pinned by a test against it)."""
from __future__ import annotations

import unicodedata

from core.taxonomy import TOPICS


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def place_key(name: str) -> str:
    s = unicodedata.normalize("NFC", name).lower().strip()
    for prefix in ("thành phố ", "tp. ", "tp ", "tỉnh "):
        if s.startswith(prefix):
            s = s[len(prefix):]
    return s


def score(gold_rows: list[dict], pred_rows: list[dict]) -> dict:
    pred = {str(p["id"]): p for p in pred_rows}
    per, TP, FP, FN = {}, 0, 0, 0
    for t in TOPICS:
        tp = fp = fn = 0
        for g in gold_rows:
            hit = t in (pred.get(str(g["id"]), {}).get("topics") or [])
            gold = t in g["topics"]
            tp += hit and gold
            fp += hit and not gold
            fn += (not hit) and gold
        TP, FP, FN = TP + tp, FP + fp, FN + fn
        p, r, f = _prf(tp, fp, fn)
        per[t] = {"precision": p, "recall": r, "f1": f, "support": tp + fn}
    present = [v["f1"] for v in per.values() if v["support"]]
    none_pred = [g for g in gold_rows if not pred.get(str(g["id"]), {}).get("topics")]
    province_p, province_r, province_f1 = province_prf(gold_rows, pred)
    return {
        "micro_f1": _prf(TP, FP, FN)[2],
        "macro_f1": sum(present) / max(1, len(present)),
        "per_topic": per,
        "none_precision": (sum(1 for g in none_pred if not g["topics"]) / len(none_pred)) if none_pred else 0.0,
        "province_f1": province_f1,
        "province_precision": province_p,
        "province_recall": province_r,
        "missing_predictions": sum(1 for g in gold_rows if str(g["id"]) not in pred),
    }


def province_prf(gold_rows: list[dict], pred: dict[str, dict]) -> tuple[float, float, float]:
    """Province precision, recall, F1 over (document, province) pairs of documents with a gold topic."""
    tp = fp = fn = 0
    for g in gold_rows:
        if not g["topics"]:
            continue
        gp = {place_key(x) for x in g.get("provinces") or []}
        pp = {place_key(x) for x in pred.get(str(g["id"]), {}).get("provinces") or []}
        tp, fp, fn = tp + len(gp & pp), fp + len(pp - gp), fn + len(gp - pp)
    return _prf(tp, fp, fn)


def naive_province_baseline(gold_rows: list[dict], gazetteer) -> dict:
    """Province P/R/F1 of the naive baseline (every province name anywhere in the text is a
    province), so the place finder's figures are read beside it."""
    from nlp.normalize import normalize_document
    from nlp.provinces import naive_provinces

    pred = {}
    for row in gold_rows:
        doc = normalize_document(row.get("title"), row.get("sapo") or row.get("lead"), row.get("text"))
        pred[str(row["id"])] = {"provinces": naive_provinces(gazetteer, doc.full())}
    p, r, f = province_prf(gold_rows, pred)
    return {"precision": p, "recall": r, "f1": f}


def score_by_confidence(gold_rows: list[dict], pred_rows: list[dict]) -> dict:
    """Micro/macro-F1 per gold `confidence` value ("high", "low": whether the gold's readers
    called the document a close case), so clear misses and close calls can be told apart.
    Empty when the gold file has no confidence field."""
    groups: dict[str, list[dict]] = {}
    for row in gold_rows:
        if row.get("confidence"):
            groups.setdefault(str(row["confidence"]), []).append(row)
    out = {}
    for name, rows in sorted(groups.items()):
        report = score(rows, pred_rows)
        out[name] = {"documents": len(rows), "micro_f1": report["micro_f1"], "macro_f1": report["macro_f1"]}
    return out

"""Stage 7: analyst feedback. Show the least certain documents, take the analyst's topics.

Uncertainty of a document = how close its most undecided topic score is to that topic's
threshold (0 = right on it). Answers are read line by line from any text stream, so the
session works in a terminal and from a pipe (tests, scripted review). The candidates come from,
and the answers go to, the database through `pipeline.enrichment.label_session`.
"""
from __future__ import annotations

import re
from typing import TextIO

from core.taxonomy import TOPICS
from nlp.topic_rules import RuleSet


def uncertainty(scores: dict[str, float], thresholds: dict[str, float]) -> float:
    if not scores:
        return 1.0
    return min(abs(float(scores.get(t, 0.0)) - thresholds.get(t, 0.5)) for t in TOPICS)


def parse_answer(answer: str) -> list[str] | None | str:
    """Topic list, [] for `none`, None to skip, "quit" to stop. Unknown ids raise ValueError."""
    text = answer.strip().lower()
    if text in ("q", "quit", "exit"):
        return "quit"
    if not text:
        return None
    if text in ("none", "-", "0", "no"):
        return []
    topics = [t for t in re.split(r"[\s,;]+", text) if t]
    unknown = [t for t in topics if t not in TOPICS]
    if unknown:
        raise ValueError(f"unknown topic {', '.join(unknown)}; use: {', '.join(TOPICS)} or none")
    return sorted(set(topics), key=TOPICS.index)


def review(candidates: list[dict], rules: RuleSet, count: int, answers: TextIO, out: TextIO) -> list[dict]:
    """Show the `count` least certain candidates (enriched documents: doc_id, title, lead, text,
    scores, topics, provinces) and read a topic answer for each; returns the labels given."""
    thresholds = {t: r.threshold for t, r in rules.rules.items()}
    ranked = sorted(candidates, key=lambda c: (uncertainty(c["scores"], thresholds), c["doc_id"]))
    recorded = []
    for item in ranked[:count]:
        _show(item, out)
        while True:
            out.write("topics> ")
            out.flush()
            line = answers.readline()
            if not line:
                parsed = "quit"
                break
            try:
                parsed = parse_answer(line)
                break
            except ValueError as exc:
                out.write(f"  {exc}\n")
        if parsed == "quit":
            break
        if parsed is not None:
            recorded.append({"doc_id": item["doc_id"], "topics": parsed, "provinces": list(item["provinces"] or [])})
    return recorded


def _show(item: dict, out: TextIO) -> None:
    scores = item["scores"] or {}
    top = sorted(scores.items(), key=lambda kv: -float(kv[1]))[:4]
    out.write("\n" + "-" * 72 + "\n")
    out.write(f"{item['doc_id']}  {item['title'] or ''}\n")
    if item.get("lead"):
        out.write(f"  {item['lead'][:300]}\n")
    if item.get("text"):
        out.write(f"  {item['text'][:400]}...\n")
    out.write("  model: " + ", ".join(f"{t} {float(s):.2f}" for t, s in top) + f"  -> {list(item['topics'] or []) or 'none'}\n")

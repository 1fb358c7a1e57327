"""`dulun train`: the topic model from the shipped seed set + analysts' labels (+ optional weak labels).

Weak supervision: crawled documents the YAML rules tag with high confidence (or confidently
with no topic) join the training data with those labels; off by default.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import random
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nlp.enrich import PLACE_CONTEXT_CHARS, RULE_BODY_CHARS, features_for
from nlp.model import TopicModel, model_version
from nlp.normalize import normalize_document
from nlp.provinces import Gazetteer
from nlp.topic_rules import TOPICS, RuleSet

WEAK_TOPIC_PROB = 0.9
WEAK_NONE_PROB = 0.05


@dataclass
class TrainingData:
    items: list[dict]
    counts: dict[str, int]

    def fingerprint(self) -> str:
        digest = hashlib.sha1()
        for item in self.items:
            digest.update(json.dumps([item.get("title"), item.get("sapo"), sorted(item["topics"])], ensure_ascii=False).encode())
        return digest.hexdigest()


def load_seed(holdout_every: int = 0, holdout: bool = False) -> list[dict]:
    """The shipped seed set. With holdout_every=k, every k-th item is set aside (tests measure on it)."""
    text = resources.files("nlp").joinpath("seed", "seed.jsonl").read_text(encoding="utf-8")
    items = [json.loads(line) for line in text.splitlines() if line.strip()]
    if not holdout_every:
        return items
    return [it for i, it in enumerate(items) if (i % holdout_every == 0) == holdout]


def weak_labels(docs: list[dict], rules: RuleSet, gazetteer: Gazetteer, limit: int) -> list[dict]:
    """Rule-labeled crawled documents: only the confident ones, as many no-topic as topic items."""
    positive, negative = [], []
    for doc in docs:
        n = normalize_document(doc.get("title"), doc.get("sapo"), doc.get("text"))
        if n.language != "vi":
            continue
        places = gazetteer.find(n.title, n.lead, n.text)
        probs = rules.probabilities(rules.raw_scores(n.head, n.text[:RULE_BODY_CHARS], bool(places)))
        top = max(probs.values())
        if top >= WEAK_TOPIC_PROB:
            positive.append({**doc, "topics": [t for t, p in probs.items() if p >= WEAK_TOPIC_PROB]})
        elif top <= WEAK_NONE_PROB:
            negative.append({**doc, "topics": []})
    rng = random.Random(7)
    rng.shuffle(positive)
    rng.shuffle(negative)
    half = limit // 2
    return positive[:half] + negative[:limit - min(half, len(positive))]


def train_model(rules: RuleSet, gazetteer: Gazetteer, data: TrainingData, now: dt.datetime | None = None) -> TopicModel:
    feats = []
    for item in data.items:
        n = normalize_document(item.get("title"), item.get("sapo"), item.get("text"))
        vn_place = bool(gazetteer.mentions(f"{n.head}\n{n.text[:PLACE_CONTEXT_CHARS]}"))
        f, _ = features_for(n, rules, vn_place)
        feats.append(f)
    model = TopicModel.fit(feats, [it["topics"] for it in data.items])
    now = now or dt.datetime.now(dt.timezone.utc)
    model.version = model_version(data.fingerprint() + rules.fingerprint, now.strftime("%Y%m%d%H%M%S"))
    model.meta = provenance(model, data, rules, now)
    return model


def provenance(model: TopicModel, data: TrainingData, rules: RuleSet, now: dt.datetime) -> dict:
    import sklearn
    import underthesea

    return {
        "model_version": model.version,
        "created_at": now.isoformat(),
        "training_counts": data.counts,
        "topic_support": {t: sum(t in it["topics"] for it in data.items) for t in TOPICS},
        "thresholds": model.thresholds,
        "cv_f1": model.cv_f1,
        "rules_file": rules.source,
        "rules_fingerprint": rules.fingerprint,
        "libraries": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                      "underthesea": underthesea.__version__},
    }

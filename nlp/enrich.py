"""The enrichment of one batch of documents, in one process: normalise -> tokenize -> topics ->
provinces -> story signature. `Enricher` holds the loaded parts (rules, gazetteer, model) and is
built once per process and passed around; `nlp.api.run_parallel` runs it on several cores.

Pure: documents in (`DocInput`: text, kind, dates, default province), `DocResult`s out. The
topics a document carries by its kind alone (a petition is a complaint) are added here, so
`dulun classify`, `dulun evaluate` and `dulun enrich` tag every kind alike.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from core.records import DocInput, DocResult
from core.taxonomy import TOPICS
from nlp.clusters import signature
from nlp.model import Features, TopicModel
from nlp.normalize import NormalDoc, normalize_document
from nlp.provinces import Gazetteer, choose_provinces
from nlp.topic_rules import RuleSet
from nlp.tokenize import syllables, word_tokens

# The classifier reads the title, the lead and this much of the body: the press states what a
# story is about early. Measured on the dev set (353 real articles), macro-F1 and docs/s on one
# core: whole text 0.773 at 43, 1200 chars 0.773 at 87, 500 chars 0.768 at 150, 300 chars 0.757
# at 185. 500 keeps the loss under 0.01 while the tokenizer sees a fraction of the text.
BODY_CHARS = 500
# The rules read further: a phrase deep in the body still counts, at no tokenizer cost.
RULE_BODY_CHARS = 3600
# A Vietnamese place here (title, lead, opening) tells the rules a story is not foreign news.
PLACE_CONTEXT_CHARS = 600
# Story signatures cover the opening of a story, where republications agree.
SIGNATURE_CHARS = 1500


def features_for(doc: NormalDoc, rules: RuleSet, has_vn_place: bool, body_chars: int = BODY_CHARS) -> tuple[Features, dict[str, float]]:
    read = doc.full(body_chars)
    raw = rules.raw_scores(doc.head, doc.text[:RULE_BODY_CHARS], has_vn_place)
    feats = Features(
        words=" ".join(word_tokens(read)),
        syllables=" ".join(syllables(read)),
        rule_scores=[raw[t] for t in TOPICS],
    )
    return feats, raw


@dataclass
class Enricher:
    rules: RuleSet
    gazetteer: Gazetteer
    model: TopicModel | None = None
    body_chars: int = BODY_CHARS
    # The final score of a topic: this share from the model, the rest from the YAML rules.
    # No default here: `nlp.model_weight` in the settings is the one place it is set.
    model_weight: float = field(kw_only=True)

    @property
    def model_version(self) -> str:
        return self.model.version if self.model else "rules-only"

    def enrich(self, docs: list[DocInput], rules_only: bool = False, with_signature: bool = True) -> list[DocResult]:
        normal = [normalize_document(d.title, d.lead, d.text) for d in docs]
        places = [self.gazetteer.find(n.title, n.lead, n.text, d.default_province) for d, n in zip(docs, normal)]
        feats, raws = [], []
        for n in normal:
            vn_place = bool(self.gazetteer.mentions(f"{n.head}\n{n.text[:PLACE_CONTEXT_CHARS]}"))
            f, raw = features_for(n, self.rules, vn_place, self.body_chars) if n.language == "vi" and not rules_only \
                else (None, self.rules.raw_scores(n.head, n.text[:RULE_BODY_CHARS], vn_place))
            feats.append(f)
            raws.append(raw)
        use_model = self.model is not None and not rules_only
        vi_rows = [i for i, n in enumerate(normal) if n.language == "vi"]
        model_probs = {}
        if use_model and vi_rows:
            matrix = self.model.predict_proba([feats[i] for i in vi_rows])
            model_probs = {i: matrix[k] for k, i in enumerate(vi_rows)}
        results = []
        for i, (doc, n, p, raw) in enumerate(zip(docs, normal, places, raws)):
            rule_probs = self.rules.probabilities(raw)
            rule_topics = self.rules.decide(rule_probs)
            if n.language != "vi":
                scores, topics = {t: 0.0 for t in TOPICS}, []
            elif use_model:
                scores = self.combine(model_probs[i], rule_probs)
                topics = self.rules.decide(scores)
            else:
                scores, topics = {t: round(v, 4) for t, v in rule_probs.items()}, rule_topics
            if n.language == "vi":
                topics, scores = self._add_topics_of_kind(doc.kind, topics, scores)
            provinces = choose_provinces(p)
            results.append(DocResult(
                id=doc.id, language=n.language, topics=topics if n.language == "vi" else [],
                scores=scores, provinces=provinces, rule_topics=rule_topics,
                signature=signature(n.full(SIGNATURE_CHARS)) if with_signature else None,
                text_key=hashlib.sha1(n.full().encode("utf-8")).hexdigest()[:20],
            ))
        return results

    def _add_topics_of_kind(self, kind: str | None, topics: list[str], scores: dict[str, float]):
        """Topics the rules give a document for its kind alone (an item on a citizens' petition
        portal is a complaint, whatever its wording), with score 1."""
        missing = [t for t in self.rules.topics_for_kind(kind) if t not in topics]
        if not missing:
            return topics, scores
        return topics + missing, {**scores, **{t: 1.0 for t in missing}}

    def combine(self, model_row: np.ndarray, rule_probs: dict[str, float]) -> dict[str, float]:
        """The two layers together: a weighted mean of the model's and the rules' probabilities,
        decided against each topic's threshold in the YAML (so analysts steer both)."""
        w = self.model_weight
        return {t: round(float(w * model_row[j] + (1 - w) * rule_probs[t]), 4) for j, t in enumerate(TOPICS)}

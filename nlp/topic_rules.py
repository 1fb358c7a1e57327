"""Stage 3a: analyst-editable topic rules (YAML), the way media monitors define categories.

Every phrase of every topic is compiled into ONE regular expression, so a document is scanned
once whatever the number of rules. The format is documented at the top of the YAML file.
"""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from core.errors import UserError
from core.records import DOC_KINDS
from core.taxonomy import TOPICS
from nlp.normalize import fix_tone_marks


@dataclass(frozen=True)
class TopicRule:
    topic: str
    phrases: dict[str, float]
    required: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    bias: float = 4.0
    scale: float = 1.5
    threshold: float = 0.5
    head_boost: float = 2.0
    max_hits: int = 3
    kinds: tuple[str, ...] = ()  # document kinds that carry this topic by what they are

    def probability(self, score: float) -> float:
        return 1.0 / (1.0 + math.exp(-(score - self.bias) / self.scale))


@dataclass
class RuleSet:
    """All topic rules; `topics_for_kind` names the topics a document has by its kind alone."""

    rules: dict[str, TopicRule]
    abroad_phrases: tuple[str, ...] = ()
    abroad_factor: float = 1.0
    source: str = ""
    fingerprint: str = ""       # hash of the rules' content: a changed rule makes a new model version
    _pattern: re.Pattern | None = field(default=None, repr=False)
    _index: dict[str, list[tuple[str, str, float]]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, path: Path | None = None) -> "RuleSet":
        if path is None:
            text = resources.files("nlp").joinpath("rules", "topics.yaml").read_text(encoding="utf-8")
            source = "nlp/rules/topics.yaml"
        else:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except FileNotFoundError:
                raise UserError(f"Topic rules file {path} does not exist.") from None
            source = str(path)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise UserError(f"Topic rules file {source} is not valid YAML: {exc}.") from None
        ruleset = cls.from_dict(data, source)
        ruleset.fingerprint = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        return ruleset

    @classmethod
    def from_dict(cls, data: dict, source: str = "(dict)") -> "RuleSet":
        if not isinstance(data, dict) or not isinstance(data.get("topics"), dict):
            raise UserError(f"Topic rules file {source} needs a `topics:` mapping.")
        defaults = data.get("defaults") or {}
        rules = {}
        for topic, spec in data["topics"].items():
            if topic not in TOPICS:
                raise UserError(f"Topic rules file {source} names unknown topic `{topic}`; use one of {', '.join(TOPICS)}.")
            rules[topic] = _topic_rule(topic, spec or {}, defaults, source)
        abroad = data.get("abroad") or {}
        ruleset = cls(
            rules=rules,
            abroad_phrases=tuple(_norm(p) for p in abroad.get("phrases", [])),
            abroad_factor=float(abroad.get("factor", 1.0)),
            source=source,
        )
        ruleset._compile()
        return ruleset

    def _compile(self) -> None:
        index: dict[str, list[tuple[str, str, float]]] = {}
        for rule in self.rules.values():
            for phrase, weight in rule.phrases.items():
                index.setdefault(phrase, []).append((rule.topic, "phrase", weight))
            for phrase in rule.required:
                index.setdefault(phrase, []).append((rule.topic, "required", 0.0))
            for phrase in rule.exclude:
                index.setdefault(phrase, []).append((rule.topic, "exclude", 0.0))
        for phrase in self.abroad_phrases:
            index.setdefault(phrase, []).append(("*", "abroad", 0.0))
        # Whole syllables only ("cháy" never inside a longer word; \w covers Vietnamese letters).
        # The phrases go in as a trie-shaped pattern: Python's regex engine tries a flat
        # alternation of 700 phrases one by one at every position, a trie a few branches.
        self._pattern = re.compile(r"(?<!\w)(" + trie_pattern(list(index)) + r")(?!\w)")
        self._index = index

    def raw_scores(self, head: str, body: str, has_vn_place: bool = True) -> dict[str, float]:
        """Topic -> rule score (before the logistic), for the model's features and for `scores`."""
        hits: dict[tuple[str, str], int] = {}
        scores = {t: 0.0 for t in TOPICS}
        required_seen: set[str] = set()
        excluded: dict[str, int] = {}
        abroad_in_head = False
        for part, text in (("head", head.lower()), ("body", body.lower())):
            for match in self._pattern.finditer(text):
                for topic, kind, weight in self._index[match.group(1)]:
                    if kind == "abroad":
                        abroad_in_head |= part == "head"
                    elif kind == "required":
                        required_seen.add(topic)
                    elif kind == "exclude":
                        if part == "head":
                            excluded[topic] = excluded.get(topic, 0) + 1
                    else:
                        rule = self.rules[topic]
                        key = (topic, match.group(1))
                        hits[key] = hits.get(key, 0) + 1
                        if hits[key] <= rule.max_hits:
                            scores[topic] += weight * (rule.head_boost if part == "head" else 1.0)
        for topic, rule in self.rules.items():
            if rule.required and topic not in required_seen:
                scores[topic] = 0.0
            scores[topic] *= 0.5 ** excluded.get(topic, 0)
            if abroad_in_head and not has_vn_place:
                scores[topic] *= self.abroad_factor
        return scores

    def topics_for_kind(self, kind: str | None) -> list[str]:
        """Topics a document carries by its kind alone: an item on a citizens' petition portal is
        a petition to the authorities (the taxonomy's `complaints`), whatever its wording."""
        return [topic for topic, rule in self.rules.items() if kind and kind in rule.kinds]

    def probabilities(self, raw: dict[str, float]) -> dict[str, float]:
        return {t: (self.rules[t].probability(s) if t in self.rules else 0.0) for t, s in raw.items()}

    def decide(self, probs: dict[str, float]) -> list[str]:
        return [t for t in TOPICS if t in self.rules and probs[t] >= self.rules[t].threshold]


def trie_pattern(phrases: list[str]) -> str:
    """A regex matching exactly `phrases`, longest first at each branch (so "ô nhiễm môi trường"
    wins over "ô nhiễm" when both fit; the (?!\\w) after the group backtracks as needed)."""
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie)


def _norm(phrase: str) -> str:
    return fix_tone_marks(" ".join(str(phrase).lower().split()))


def _topic_rule(topic: str, spec: dict, defaults: dict, source: str) -> TopicRule:
    try:
        phrases = {_norm(p): float(w) for p, w in (spec.get("phrases") or {}).items()}
    except (TypeError, ValueError, AttributeError):
        raise UserError(f"Topic rules file {source}: `{topic}.phrases` must map phrases to numeric weights.") from None
    if not phrases:
        raise UserError(f"Topic rules file {source}: topic `{topic}` has no phrases.")
    value = lambda key, cast: cast(spec.get(key, defaults.get(key, TopicRule.__dataclass_fields__[key].default)))
    kinds = tuple(spec.get("kinds") or ())
    unknown = sorted(set(kinds) - set(DOC_KINDS))
    if unknown:
        raise UserError(f"Topic rules file {source}: `{topic}.kinds` has {unknown[0]!r}; "
                        f"document kinds are {', '.join(DOC_KINDS)}.")
    return TopicRule(
        topic=topic,
        phrases=phrases,
        required=tuple(_norm(p) for p in spec.get("required") or ()),
        exclude=tuple(_norm(p) for p in spec.get("exclude") or ()),
        bias=value("bias", float),
        scale=value("scale", float),
        threshold=value("threshold", float),
        head_boost=value("head_boost", float),
        max_hits=value("max_hits", int),
        kinds=kinds,
    )

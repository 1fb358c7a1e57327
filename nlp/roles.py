"""Where a document stands in the life of one public issue: report, response, resolution, none.

* `report`: the problem itself; `response`: the authority or the party responsible answers or
  acts (received, inspecting, dialogue, instructed, replied, sanctioned); `resolution`: the
  remedy is done, with what (paid, handed_over, cleaned_up, repaired, removed, refunded,
  rejected, done); `none`: no step of a public issue.
* Rules (`nlp/rules/roles.yaml`, analyst-editable): weighted phrases per role and detail, read
  with what comes just before them: "chưa được giải quyết" is a report, "sẽ trả đủ lương" a
  promise (a response), "yêu cầu khắc phục xong" an order (a response).
* Model: TF-IDF over syllable 1-3-grams of the title (twice), the lead and the opening of the
  body, plus the rules' scores; one multinomial logistic regression, trained in a few seconds
  from the shipped seed sets (`nlp/seed/roles.jsonl`, templated; `nlp/seed/role_articles.jsonl`,
  written by hand) and the analysts' role corrections (weighted up: they are real documents of
  the analysts' own sources), saved with its provenance under `<model_dir>/roles/`. The detail
  (what kind of response, remedy with what) comes from the rules' strongest phrase group of the
  chosen role.

Pure: text in, roles out; the caller says whether the document names a Vietnamese place.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import platform
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import joblib
import numpy as np
from scipy import sparse

from core.datafiles import parse_yaml, read_user_file
from core.errors import UserError
from nlp.normalize import canonical_form
from nlp.topic_rules import trie_pattern

ROLES = ("report", "response", "resolution", "none")
RESPONSE_DETAILS = ("received", "inspecting", "dialogue", "instructed", "replied", "sanctioned")
RESOLUTION_DETAILS = ("paid", "handed_over", "cleaned_up", "repaired", "removed", "refunded", "rejected", "done")
PORTAL_STATES = ("raised", "answered", "resolved")
# The role reads the title, the lead and this much of the body: the press says early what a
# piece reports, and a body goes on to background that belongs to earlier steps.
BODY_CHARS = 400
MAX_HITS = 2  # one phrase counts at most this often per part (title, rest)
RULE_FEATURE_SCALE = 0.6
MODEL_DIR_NAME = "roles"
# The shipped seed sets, with what one item weighs in training: the hand-written articles are
# real-shaped documents (bodies, quotes, outcomes told as facts), worth three templated items.
TEMPLATED_SEED = "roles.jsonl"
WRITTEN_SEED = "role_articles.jsonl"
SEED_WEIGHTS = {TEMPLATED_SEED: 1.0, WRITTEN_SEED: 3.0}
# An analyst's correction is a real document of the analyst's own sources: it counts as much as
# a hand-written article, so a few dozen corrections move the model.
LABEL_WEIGHT = 3.0
_SYLLABLES = re.compile(r"[^\W_]+")
_SPACES = re.compile(r"\s+")


def normal_text(text: str | None) -> str:
    """What rules and model read: NFC, one tone-mark convention, lower case, single spaces."""
    if not text:
        return ""
    return _SPACES.sub(" ", canonical_form(text).lower()).strip()


@dataclass(frozen=True)
class RoleInput:
    id: str
    title: str = ""
    lead: str = ""
    text: str = ""
    has_place: bool | None = None  # names a Vietnamese place (its provinces); None: not known


@dataclass(frozen=True)
class RoleResult:
    id: str
    role: str
    detail: str | None
    confidence: float
    probabilities: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PortalState:
    state: str           # raised / answered / resolved
    detail: str | None


@dataclass
class RuleScores:
    roles: dict[str, float]
    details: dict[tuple[str, str], float]
    abroad_in_head: bool = False
    negated: float = 0.0     # weight moved to `report` by a negation
    promised: float = 0.0    # weight moved from `resolution` to `response` by a promise or an order

    def features(self, has_place: bool | None = None) -> list[float]:
        """The model's rule features. A foreign name in the title counts only when the document
        is not known to name a Vietnamese place ("biển Mỹ Khê" is in Đà Nẵng)."""
        values = [math.log1p(self.roles[r]) for r in ROLES]
        values += [float(self.abroad_in_head and has_place is not True), math.log1p(self.negated),
                   math.log1p(self.promised)]
        return [v * RULE_FEATURE_SCALE for v in values]

    def best_detail(self, role: str) -> str | None:
        found = [(score, detail) for (r, detail), score in self.details.items() if r == role and score > 0]
        return max(found)[1] if found and role in ("response", "resolution") else None


@dataclass
class RoleRules:
    index: dict[str, list[tuple[str, str, float]]]
    head_boost: float = 2.0
    min_score: float = 2.0
    window: int = 3
    negation: tuple[str, ...] = ()
    promise: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    abroad: tuple[str, ...] = ()
    portal_statuses: tuple[tuple[str, PortalState], ...] = ()
    source: str = ""
    fingerprint: str = ""
    _pattern: re.Pattern | None = field(default=None, repr=False)
    _abroad: re.Pattern | None = field(default=None, repr=False)

    @classmethod
    def load(cls, path: Path | None = None) -> "RoleRules":
        if path is None:
            text = resources.files("nlp").joinpath("rules", "roles.yaml").read_text(encoding="utf-8")
            source = "nlp/rules/roles.yaml"
        else:
            text, source = read_user_file(path, "Role rules file"), str(path)
        rules = cls.from_dict(parse_yaml(text, "Role rules file", source), source)
        rules.fingerprint = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        return rules

    @classmethod
    def from_dict(cls, data, source: str = "(dict)") -> "RoleRules":
        if not isinstance(data, dict) or not isinstance(data.get("roles"), dict):
            raise UserError(f"Role rules file {source} needs a `roles:` mapping.")
        index: dict[str, list[tuple[str, str, float]]] = {}
        for role, details in data["roles"].items():
            if role not in ROLES:
                raise UserError(f"Role rules file {source} names unknown role `{role}`; use one of {', '.join(ROLES)}.")
            if not isinstance(details, dict):
                raise UserError(f"Role rules file {source}: `roles.{role}` must map detail names to phrase lists.")
            for detail, phrases in details.items():
                if not isinstance(phrases, dict) or not phrases:
                    raise UserError(f"Role rules file {source}: `roles.{role}.{detail}` must map phrases to weights.")
                for phrase, weight in phrases.items():
                    try:
                        index.setdefault(normal_text(str(phrase)), []).append((role, str(detail), float(weight)))
                    except (TypeError, ValueError):
                        raise UserError(f"Role rules file {source}: the weight of `{phrase}` in "
                                        f"`roles.{role}.{detail}` must be a number.") from None
        modifiers = data.get("modifiers") or {}
        rules = cls(
            index=index,
            head_boost=float(data.get("head_boost", 2.0)),
            min_score=float(data.get("min_score", 2.0)),
            window=int(data.get("window", 3)),
            negation=tuple(normal_text(p) for p in modifiers.get("negation") or ()),
            promise=tuple(normal_text(p) for p in modifiers.get("promise") or ()),
            order=tuple(normal_text(p) for p in modifiers.get("order") or ()),
            abroad=tuple(normal_text(p) for p in data.get("abroad") or ()),
            portal_statuses=tuple(_portal_entries(data.get("portal_statuses") or [], source)),
            source=source,
        )
        rules._pattern = re.compile(r"(?<!\w)(" + trie_pattern(list(index)) + r")(?!\w)")
        rules._abroad = re.compile(r"(?<!\w)(" + trie_pattern(list(rules.abroad)) + r")(?!\w)") if rules.abroad else None
        return rules

    # ------------------------------------------------------------------ scoring

    def score(self, title: str, rest: str) -> RuleScores:
        """Role and detail scores of a document's title and the rest it reads (lead, opening)."""
        scores = RuleScores({r: 0.0 for r in ROLES}, {})
        for text, boost in ((normal_text(title), self.head_boost), (normal_text(rest), 1.0)):
            hits: dict[str, int] = {}
            for match in self._pattern.finditer(text):
                phrase = match.group(1)
                hits[phrase] = hits.get(phrase, 0) + 1
                if hits[phrase] > MAX_HITS:
                    continue
                before = _last_syllables(text, match.start(), self.window)
                for role, detail, weight in self.index[phrase]:
                    self._add(scores, role, detail, weight * boost, before)
        if self._abroad is not None:
            scores.abroad_in_head = bool(self._abroad.search(normal_text(title)))
        return scores

    def _add(self, scores: RuleScores, role: str, detail: str, weight: float, before: str) -> None:
        if role in ("response", "resolution") and _contains_any(before, self.negation):
            role, detail = "report", "negated"
            scores.negated += weight
            weight *= 0.8
        elif role == "resolution" and _contains_any(before, self.promise):
            role, detail = "response", "replied"
            scores.promised += weight
        elif role == "resolution" and _contains_any(before, self.order):
            role, detail = "response", "instructed"
            scores.promised += weight
        scores.roles[role] += weight
        scores.details[(role, detail)] = scores.details.get((role, detail), 0.0) + weight

    def decide(self, scores: RuleScores, has_place: bool | None = None) -> tuple[str, str | None]:
        """The rules' own answer: the strongest role (the later step on a tie), `none` when
        every role is weak or the title is about a place abroad and the text names none of ours."""
        if scores.abroad_in_head and has_place is False:
            return "none", None
        acting = {r: scores.roles[r] for r in ("report", "response", "resolution")}
        best = max(acting, key=lambda r: (acting[r], ROLES.index(r)))
        if acting[best] < self.min_score or scores.roles["none"] > acting[best]:
            return "none", None
        return best, scores.best_detail(best)

    def portal_state(self, status: str | None) -> PortalState | None:
        """The state a petition portal's status text means, or None for a text not listed."""
        text = normal_text(status)
        if not text:
            return None
        for needle, state in self.portal_statuses:
            if needle in text:
                return state
        return None


def _portal_entries(entries, source: str):
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("state") not in PORTAL_STATES or not entry.get("text"):
            raise UserError(f"Role rules file {source}: every `portal_statuses` entry needs `text` and a `state` "
                            f"of {', '.join(PORTAL_STATES)} (got {entry!r}).")
        yield normal_text(str(entry["text"])), PortalState(entry["state"], entry.get("detail"))


def _last_syllables(text: str, end: int, count: int) -> str:
    return " ".join(_SYLLABLES.findall(text[max(0, end - 12 * count):end])[-count:])


def _contains_any(words: str, phrases: tuple[str, ...]) -> bool:
    padded = f" {words} "
    return any(f" {p} " in padded for p in phrases)


def document_parts(doc: RoleInput) -> tuple[str, str]:
    """(title, rest): what a document's role is read from."""
    rest = " ".join(part for part in (doc.lead or "", (doc.text or "")[:BODY_CHARS]) if part)
    return doc.title or "", rest


def model_text(title: str, rest: str) -> str:
    head = normal_text(title)
    return f"{head} . {head} . {normal_text(rest)}"


# ---------------------------------------------------------------- the model

@dataclass
class RoleModel:
    vectorizer: object
    classifier: object
    version: str = ""
    meta: dict = field(default_factory=dict)

    @classmethod
    def fit(cls, texts: list[str], rule_features: list[list[float]], labels: list[str],
            weights: list[float] | None = None, seed: int = 7) -> "RoleModel":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        vectorizer = TfidfVectorizer(token_pattern=r"[^\W_]+", ngram_range=(1, 3), min_df=2, sublinear_tf=True,
                                     max_features=80000, lowercase=False)
        X = _stack(vectorizer.fit_transform(texts), rule_features)
        classifier = LogisticRegression(C=4.0, max_iter=3000, class_weight="balanced", random_state=seed)
        classifier.fit(X, labels, sample_weight=None if weights is None else np.asarray(weights, dtype=float))
        return cls(vectorizer, classifier)

    def predict_proba(self, texts: list[str], rule_features: list[list[float]]) -> np.ndarray:
        """Rows: documents; columns: ROLES."""
        X = _stack(self.vectorizer.transform(texts), rule_features)
        probs = self.classifier.predict_proba(X)
        order = [list(self.classifier.classes_).index(r) for r in ROLES]
        return probs[:, order]

    def save(self, model_dir: Path) -> Path:
        home = Path(model_dir) / MODEL_DIR_NAME
        target = home / self.version
        target.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, target / "model.joblib", compress=3)
        (target / "meta.json").write_text(json.dumps(self.meta, ensure_ascii=False, indent=1), encoding="utf-8")
        (home / "CURRENT").write_text(self.version + "\n", encoding="utf-8")
        return target

    @classmethod
    def load(cls, model_dir: Path, version: str) -> "RoleModel":
        return joblib.load(Path(model_dir) / MODEL_DIR_NAME / version / "model.joblib")


def _stack(words, rule_features: list[list[float]]):
    return sparse.hstack([words, sparse.csr_matrix(np.asarray(rule_features, dtype=float))]).tocsr()


def current_role_model(model_dir: Path) -> str | None:
    marker = Path(model_dir) / MODEL_DIR_NAME / "CURRENT"
    if not marker.is_file():
        return None
    version = marker.read_text(encoding="utf-8").strip()
    return version if (Path(model_dir) / MODEL_DIR_NAME / version / "model.joblib").is_file() else None


def usable_role_model(model_dir: Path, rules: RoleRules) -> str | None:
    """The current role model, unless the role rules or the shipped seed set changed since."""
    version = current_role_model(model_dir)
    if version is None:
        return None
    try:
        meta = json.loads((Path(model_dir) / MODEL_DIR_NAME / version / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    same = meta.get("rules_fingerprint") == rules.fingerprint and meta.get("seed_fingerprint") == role_seed_fingerprint()
    return version if same else None


def _seed_files(names=tuple(SEED_WEIGHTS)):
    home = resources.files("nlp").joinpath("seed")
    return [(name, home.joinpath(name)) for name in names if home.joinpath(name).is_file()]


def load_role_seed(names=tuple(SEED_WEIGHTS)) -> list[dict]:
    """The shipped role seed items (templated and hand-written, or those `names`), in file order,
    each with the `weight` its set carries in training."""
    return [{**json.loads(line), "weight": SEED_WEIGHTS[name]}
            for name, f in _seed_files(names) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]


def role_seed_fingerprint() -> str:
    digest = hashlib.sha1()
    for name, f in _seed_files():
        digest.update(name.encode("utf-8") + f.read_bytes() + str(SEED_WEIGHTS[name]).encode("ascii"))
    return digest.hexdigest()[:12]


def train_role_model(rules: RoleRules, items: list[dict], now: dt.datetime, cv_folds: int = 3,
                     labels_from: list[dict] = ()) -> RoleModel:
    """A role model from the seed `items` and the analysts' corrections `labels_from` (each
    `title`, `sapo`, optional `text`, `role`; a seed item weighs its `weight`, a correction
    LABEL_WEIGHT), with its provenance: training counts by role and by source, out-of-fold
    macro-F1 on the training items, rules and seed fingerprints, library versions."""
    import sklearn
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    texts, feats, labels, weights = [], [], [], []
    for item, weight in [(i, i.get("weight", 1.0)) for i in items] + [(i, LABEL_WEIGHT) for i in labels_from]:
        title, rest = document_parts(RoleInput("", item.get("title") or "", item.get("sapo") or "", item.get("text") or ""))
        texts.append(model_text(title, rest))
        feats.append(rules.score(title, rest).features())
        labels.append(item["role"])
        weights.append(weight)
    cv_f1 = None
    if cv_folds > 1:
        predicted = np.empty(len(labels), dtype=object)
        folds = StratifiedKFold(n_splits=cv_folds, shuffle=True, random_state=7)
        for train, test in folds.split(texts, labels):
            fold = RoleModel.fit([texts[i] for i in train], [feats[i] for i in train], [labels[i] for i in train],
                                 [weights[i] for i in train])
            probs = fold.predict_proba([texts[i] for i in test], [feats[i] for i in test])
            predicted[test] = [ROLES[j] for j in probs.argmax(axis=1)]
        cv_f1 = round(float(f1_score(labels, list(predicted), average="macro")), 4)
    model = RoleModel.fit(texts, feats, labels, weights)
    digest = hashlib.sha1(("".join(texts) + rules.fingerprint).encode("utf-8")).hexdigest()[:8]
    model.version = f"roles-{now.strftime('%Y%m%d%H%M%S')}-{digest}"
    model.meta = {
        "model_version": model.version,
        "created_at": now.isoformat(),
        "training_counts": {r: labels.count(r) for r in ROLES},
        "training_sources": {"seed": len(items), "analyst_labels": len(labels_from),
                             "weights": {**SEED_WEIGHTS, "analyst_labels": LABEL_WEIGHT}},
        "cv_macro_f1": cv_f1,
        "rules_file": rules.source,
        "rules_fingerprint": rules.fingerprint,
        "seed_fingerprint": role_seed_fingerprint(),
        "libraries": {"python": platform.python_version(), "scikit-learn": sklearn.__version__},
    }
    return model


# ---------------------------------------------------------------- the classifier

@dataclass
class RoleClassifier:
    rules: RoleRules
    model: RoleModel | None = None

    @property
    def version(self) -> str:
        return self.model.version if self.model else f"role-rules-{self.rules.fingerprint}"

    def classify(self, docs: list[RoleInput], rules_only: bool = False) -> list[RoleResult]:
        parts = [document_parts(d) for d in docs]
        scores = [self.rules.score(title, rest) for title, rest in parts]
        if self.model is None or rules_only or not docs:
            out = []
            for doc, s in zip(docs, scores):
                role, detail = self.rules.decide(s, doc.has_place)
                out.append(RoleResult(doc.id, role, detail, 1.0))
            return out
        probs = self.model.predict_proba([model_text(t, r) for t, r in parts],
                                         [s.features(d.has_place) for s, d in zip(scores, docs)])
        out = []
        for doc, s, row in zip(docs, scores, probs):
            role = ROLES[int(row.argmax())]
            if s.abroad_in_head and doc.has_place is False:
                role = "none"
            out.append(RoleResult(doc.id, role, s.best_detail(role), round(float(row[ROLES.index(role)]), 4),
                                  {r: round(float(p), 4) for r, p in zip(ROLES, row)}))
        return out


def keyword_role(title: str, lead: str) -> str:
    """The naive baseline benchmarks compare with: a handful of keywords, the later step first."""
    text = normal_text(f"{title} {lead}")
    if any(k in text for k in ("đã trả", "đã khắc phục", "hoàn thành", "đã giải quyết", "bàn giao", "hoàn trả", "tháo dỡ")):
        return "resolution"
    if any(k in text for k in ("trả lời", "kiểm tra", "chỉ đạo", "đối thoại", "yêu cầu", "xử phạt", "tiếp nhận", "vào cuộc")):
        return "response"
    if any(k in text for k in ("phản ánh", "bức xúc", "kêu cứu", "tố cáo", "khiếu nại", "ô nhiễm", "nợ lương", "ngừng việc")):
        return "report"
    return "none"

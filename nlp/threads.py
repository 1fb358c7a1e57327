"""Issue threads: the documents of one public issue over weeks, beyond republications.

A document joins a thread when it is about the same place (the thread's province among its
provinces) and topic (a topic in common with the document that opened the thread), within
`window_days` of the thread's documents, and names the same things (a company, a factory, a
project, a road, a stream, a commune: `nlp.entities`), weighed by what kind of thing they are;
of several such threads, the best named wins. A story (republications of one article, from the
story clusters) belongs to exactly one thread: the thread of its first document.

A follow-up often does not restate its province or use the words that gave the first report its
topic ("Công nhân Hoa Sen đã nhận đủ lương"), so an unknown province or topic is not a different
one: such a document joins on names alone when they say more (`UNKNOWN_SCORE` with one of the two
unknown, `BOTH_UNKNOWN_SCORE` with both). An answer (a response, a resolution) that says one of
the two and not the other cannot open a thread of its own, so, left out, it would be lost to its
issue: it joins on less (`ANSWER_SCORE`, one commune in common) when what it does say is the
thread's ("Di dời khẩn cấp 12 hộ dân khỏi vùng có vết nứt" in the commune of last week's report).
A document opens a thread when it is a step of an issue (a report, a response or a resolution
whose report was never seen) with a topic and a province; a document of role `none` may join a
thread, never open one. A report whose province or topic was not found ("Bệnh viện Đống Đa thiếu
thuốc" in a national paper, "Đường Tô Ngọc Vân cứ mưa là thành sông" on a forum) opens a thread
only when it names a strong thing (a company, a facility, a project, a road, a stream), and the
thread takes the province and the topic of the first documents that have them; national stories
(no province, nothing named) open none, since threads are counted by province x topic. A raised
issue (a report, or a petition whatever its words) with a province and no recognised topic ("Bùn
than tràn vào nhà, dân Cẩm Phả bức xúc") opens a thread whose topic stays unknown until a member
has one; it is joined on the evidence an unknown topic needs, never by a document of role `none`
(background news of the same street would give the issue its topic), and the pipeline counts it
nowhere until then. A report naming a company the thread's steps never named, in a thread that
named others, never joins it: it is another company's issue in the same industrial zone, told in
the same words.

Incremental and stable: the linker is given the threads still open (active within the window)
and the stories already placed; each new document joins or opens a thread and nothing already
placed ever moves, so a thread's id (from the document that opened it) and its members stay
what they were when they were first published. Threads are about issues, never people: what
links documents is places, topics and named things, and the named things never include people.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable

from nlp.entities import CLASS_WEIGHT
from nlp.normalize import canonical_form

WINDOW_DAYS = 60
MIN_SCORE = 0.8       # one shared company, facility, project, road or stream; two communes
UNKNOWN_SCORE = 0.8   # the province or the topic unknown: still one strong name in common
BOTH_UNKNOWN_SCORE = 1.6  # neither known: more than one name in common
ANSWER_SCORE = 0.4    # an answer that could not open a thread of its own: one commune in common
CROSS_TOPIC_SCORE = 1.8  # topics known and different: at least two strong names in common
STRONG_NAME = 0.8     # a company, facility, project, road or stream (nlp.entities.CLASS_WEIGHT)
ONE_SYLLABLE_FACTOR = 0.5
COMMON_NAME_THREADS = 3  # a name more threads of the window carry counts that much less
NUMBER_WEIGHT = 0.25  # "ấp 4", "tổ 5", "quốc lộ 1": a number alone names many places
OPENING_ROLES = ("report", "response", "resolution")
ANSWERING_ROLES = ("response", "resolution")
COMPANY_ROLES = ("report",)  # an answer may name the union, the contractor or the buyer beside the company
TIE = 0.05            # scores this close are a tie
WORD_WEIGHT = 0.6     # a document whose distinctive words its thread has all: worth most of a name
KEEP_WORDS = 24
THREAD_WORDS = 3 * KEEP_WORDS
MIN_WORD_IDF = 3.0    # pairs in more than about 1 in 20 seed items are not distinctive
# The weaker evidence (`ThreadLinker._by_words`), tuned on tests/nlp/fixtures/followup/threads_dev.jsonl:
WORD_LINK_SCORE = 20.0  # summed rarity (log inverse frequency) of the shared pairs: three or four rare ones
#   for an answer (a report needs REPORT_FACTOR more): on the dev set (59 threads, 108 documents) the best
#   wrong thread scored 22.5 (a second report in the same ward and week), the weakest right answer 24
WORD_NAME_WEIGHT = 10.0  # a shared commune (0.4) is worth about half a rare pair
UNKNOWN_TOPIC_FACTOR = 1.5  # the document's or the thread's topic unknown: half as much again
UNKNOWN_PLACE_FACTOR = 1.5  # the document's province unknown (its topic known): half as much again
REPORT_FACTOR = 1.25   # the document itself a report: a quarter as much again
CROSS_WORDS_FACTOR = 1.5  # an answer the topic model put under another topic: half as much again
PLAUSIBLE_SHARE = 0.5   # a thread scoring half the threshold is one the document could follow
RECENT_DAYS = 14
RECENT_BONUS = 4.0      # an answer within two weeks of the thread's last document
_SYLLABLE = re.compile(r"[^\W_]+")
_CLAUSE = re.compile(r"[^\w\s]+")
# Words that introduce a name: a pair starting with one is half a name, said already by names.
_NAME_LEADS = frozenset({"xã", "phường", "huyện", "quận", "thị", "tỉnh", "tp", "ty", "thôn", "ấp", "xóm", "bản"})


@dataclass(frozen=True)
class IssueWords:
    """How distinctive a pair of syllables is (inverse document frequency over the shipped seed
    sets): what an issue is about in its own words ("quỹ bảo trì", "nước rỉ rác"), weighed so
    that "người dân" or "cho biết" say nothing. Built once per run and passed around."""

    idf: dict[str, float]
    default: float
    ignore: re.Pattern | None = None
    # syllable -> its own rarity: a pair the seed sets never saw is no rarer than its two
    # syllables together ("dầm ở", "từ tối" are chance neighbours, "bùn than" is not).
    syllables: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_texts(cls, texts: Iterable[str], ignore: Iterable[str] = ()) -> "IssueWords":
        """`ignore`: names that say nothing about one issue (the provinces'): pairs never span them."""
        df: dict[str, int] = {}
        syllable_df: dict[str, int] = {}
        n = 0
        for text in texts:
            n += 1
            for pair in set(_pairs(text)):
                df[pair] = df.get(pair, 0) + 1
            for syllable in set(_syllables(text)):
                syllable_df[syllable] = syllable_df.get(syllable, 0) + 1
        def idf(count: int) -> float:
            return math.log((n + 1) / (count + 1))
        return cls({pair: idf(count) for pair, count in df.items()}, math.log(n + 1), _ignore_pattern(ignore),
                   {syllable: idf(count) for syllable, count in syllable_df.items()})

    def of(self, text: str, keep: int = KEEP_WORDS) -> tuple[str, ...]:
        """The `keep` most distinctive pairs of a title and lead, most distinctive first."""
        return tuple(self.weighted(text, keep))

    def weighted(self, text: str, keep: int = KEEP_WORDS) -> dict[str, float]:
        """The distinctive pairs of a title and lead with their weights (what a ThreadDoc carries),
        most distinctive first."""
        weights = {pair: self.weight(pair) for pair in set(_pairs(text, self.ignore))}
        ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:keep]
        return {pair: weight for pair, weight in ranked if weight >= MIN_WORD_IDF}

    def weight(self, pair: str) -> float:
        weight = self.idf.get(pair, self.default)
        if self.syllables:
            first, _, second = pair.partition(" ")
            weight = min(weight, self.syllables.get(first, self.default) + self.syllables.get(second, self.default))
        return weight


def _ignore_pattern(names: Iterable[str]) -> re.Pattern | None:
    names = sorted({n.lower() for n in names if n}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b") if names else None


def _syllables(text: str) -> list[str]:
    return _SYLLABLE.findall(canonical_form(text).lower())


def _pairs(text: str, ignore: re.Pattern | None = None) -> list[str]:
    """Adjacent syllables within one clause: pairs never span punctuation or a province's name,
    and never start at a word that introduces a name ("xã Tân", "công ty Cà"): the name itself
    is what says something, and the named-thing extractor already weighs it."""
    text = canonical_form(text).lower()
    if ignore is not None:
        text = ignore.sub("|", text)
    pairs = []
    for clause in _CLAUSE.split(text):
        syl = [w for w in _SYLLABLE.findall(clause) if not w[:1].isdigit()]
        pairs.extend(f"{a} {b}" for a, b in zip(syl, syl[1:]) if a not in _NAME_LEADS)
    return pairs


@dataclass(frozen=True)
class ThreadDoc:
    """What linking reads of one document (from its enrichment and its role)."""

    doc_id: str
    story_id: str
    published_at: dt.datetime
    topics: tuple[str, ...]      # strongest first
    provinces: tuple[str, ...]   # strongest first
    role: str
    entities: tuple[str, ...] = ()  # `nlp.entities.Entity.key`s: "org:hoa sen"
    words: dict[str, float] = field(default_factory=dict)  # distinctive pairs of the title and lead -> weight
    kind: str = "press"  # the document's kind: a petition raises an issue whatever its words

    @cached_property
    def companies(self) -> frozenset[str]:
        """The companies it names (`company_names`), read once: every candidate thread asks."""
        return frozenset(company_names(self.entities))


@dataclass
class Thread:
    thread_id: str
    topic: str | None     # None until a document of the thread has a topic
    province: str | None  # None until a document of the thread names its province
    topics: frozenset[str]
    names: dict[str, float]
    first_at: dt.datetime
    last_at: dt.datetime
    documents: int = 0
    opened_by: str = ""
    words: dict[str, float] = field(default_factory=dict)
    companies: set[str] = field(default_factory=set)   # the companies its steps named

    def near(self, when: dt.datetime, window: dt.timedelta) -> bool:
        return self.first_at - window <= when <= self.last_at + window


@dataclass(frozen=True)
class Link:
    doc_id: str
    thread_id: str | None
    score: float
    how: str   # story / names / opened / cross-topic / none: no-place, no-topic, role-none


def thread_id_for(doc_id: str) -> str:
    return f"th-{doc_id}"


def weighted_names(entity_keys: Iterable[str]) -> dict[str, float]:
    """name -> weight: what kind of thing it is says how much a shared name means. A name of
    three syllables or more also answers to its last two ("may sơn hà" is also "sơn hà")."""
    names: dict[str, float] = {}
    for key in entity_keys:
        cls, _, name = key.partition(":")
        if not name:
            continue
        weight = CLASS_WEIGHT.get(cls, 0.5)
        if all(part[:1].isdigit() for part in name.split()):
            # A number names something only with its kind: "quốc lộ 19" is one road in a
            # province, "ấp 4" or "tổ 5" one of many hamlets.
            name = f"{cls}:{name}"
            weight = weight if cls == "road" else min(weight, NUMBER_WEIGHT)
        parts = name.split()
        if len(parts) == 1 and ":" not in name:
            # "sông Đà", "phố Huế" are real, but one syllable is as often the start of a longer
            # name cut short ("trường Bách khoa") or a capitalised word of a title: half a name
            weight *= ONE_SYLLABLE_FACTOR
        variants = [name]
        if len(parts) >= 3:
            variants.append(" ".join(parts[-2:]))
        for i, variant in enumerate(variants):
            w = weight if i == 0 else weight * 0.8
            names[variant] = max(names.get(variant, 0.0), w)
    return names


def company_names(entity_keys: Iterable[str]) -> set[str]:
    """The companies among named things, each also by its last two syllables ("may phúc lâm" is
    also "phúc lâm"), as `weighted_names` reads them."""
    return set(weighted_names(key for key in entity_keys if key.startswith("org:")))


def name_score(doc_names: dict[str, float], thread_names: dict[str, float]) -> float:
    return sum(min(w, thread_names[name]) for name, w in doc_names.items() if name in thread_names)


def word_score(doc_words: dict[str, float], thread_words: dict[str, float]) -> float:
    """The share of a document's distinctive words its thread already has, times WORD_WEIGHT."""
    total = sum(doc_words.values())
    if not total:
        return 0.0
    return WORD_WEIGHT * sum(w for pair, w in doc_words.items() if pair in thread_words) / total


@dataclass
class ThreadLinker:
    threads: dict[str, Thread] = field(default_factory=dict)
    story_threads: dict[str, str] = field(default_factory=dict)   # story id -> thread id
    window_days: int = WINDOW_DAYS
    min_score: float = MIN_SCORE
    cross_topic_score: float = CROSS_TOPIC_SCORE
    unknown_score: float = UNKNOWN_SCORE
    both_unknown_score: float = BOTH_UNKNOWN_SCORE
    answer_score: float = ANSWER_SCORE
    word_link_score: float = WORD_LINK_SCORE
    changed: set[str] = field(default_factory=set)
    # name -> the threads that have it: a document is compared only with threads it shares a
    # name with (words alone never link), not with every thread of the window.
    _by_name: dict[str, set[str]] = field(default_factory=dict, repr=False)
    # word pair -> the threads that have it: the weaker evidence, for documents sharing no name.
    _by_word: dict[str, set[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for thread in self.threads.values():
            for name in thread.names:
                self._by_name.setdefault(name, set()).add(thread.thread_id)
            for pair in thread.words:
                self._by_word.setdefault(pair, set()).add(thread.thread_id)

    @property
    def window(self) -> dt.timedelta:
        return dt.timedelta(days=self.window_days)

    def link_all(self, docs: Iterable[ThreadDoc]) -> list[Link]:
        """Every document in publication order (what came first opens the thread)."""
        return [self.link(doc) for doc in sorted(docs, key=lambda d: (d.published_at, d.doc_id))]

    def link(self, doc: ThreadDoc) -> Link:
        names = weighted_names(doc.entities)
        placed = self.story_threads.get(doc.story_id)
        if placed is not None and placed in self.threads:
            self._join(self.threads[placed], doc, names)
            return Link(doc.doc_id, placed, 0.0, "story")
        best, best_score, how, rival = None, 0.0, "", None
        telling = self._telling(names, doc.published_at)
        if names:
            candidates = set().union(*(self._by_name.get(name, ()) for name in names))
            for thread in (self.threads[t] for t in sorted(candidates)):
                needed, kind = self._needed(thread, doc)
                if needed is None or not thread.near(doc.published_at, self.window):
                    continue
                shared = name_score(telling, thread.names)
                if not shared:
                    continue  # words alone never link: two wage disputes are told in the same words
                if self._names_another_company(thread, doc):
                    continue
                score = shared + word_score(doc.words, thread.words)
                if score < needed:
                    continue
                if best is None or (score, thread.last_at) > (best_score, best.last_at):
                    if best is not None and best_score >= score - TIE and best.province != thread.province:
                        rival = best
                    elif rival is not None and rival.province == thread.province:
                        rival = None
                    best, best_score, how = thread, score, kind
                elif score >= best_score - TIE and thread.province != best.province:
                    rival = thread
        if best is not None and rival is not None and not doc.provinces:
            # Namesakes in two provinces and a document that says neither: which one it
            # follows cannot be told, and a wrong link is worse than none.
            best = None
        if best is None and rival is None:
            best, best_score, how = self._by_words(doc, telling)
        if best is not None:
            self._join(best, doc, names)
            return Link(doc.doc_id, best.thread_id, round(best_score, 3), how)
        refused = self._may_not_open(doc, names)
        if refused:
            return Link(doc.doc_id, None, 0.0, refused)
        thread = Thread(thread_id_for(doc.doc_id), doc.topics[0] if doc.topics else None,
                        doc.provinces[0] if doc.provinces else None, frozenset(doc.topics), {},
                        doc.published_at, doc.published_at, opened_by=doc.doc_id)
        self.threads[thread.thread_id] = thread
        self._join(thread, doc, names)
        return Link(doc.doc_id, thread.thread_id, 0.0, "opened")

    @staticmethod
    def _may_not_open(doc: ThreadDoc, names: dict[str, float]) -> str:
        """Why this document may not open a thread ("" when it may). A step of an issue with a
        topic and a province opens one. A raised issue (a report, or a petition whatever its
        words) whose topic was not recognised opens one in its province ("Bùn than tràn vào nhà,
        dân Cẩm Phả bức xúc"): its topic stays unknown until a later member has one, and
        until then it is counted nowhere (rates, digests and alerts are by province x topic). A
        report naming no province, or whose topic was not recognised, opens one when it names a
        strong thing; a national story (no province, nothing named) or an answer without a
        province or a topic opens none."""
        raised = doc.role == "report" or doc.kind == "petition"
        if doc.role not in OPENING_ROLES and not raised:
            return "none: role-none"
        if doc.topics and doc.provinces:
            return ""
        if doc.provinces and raised:
            return ""
        if doc.role == "report" and max(names.values(), default=0.0) >= STRONG_NAME:
            return ""   # counted nowhere until its members say the province and the topic
        return "none: no-topic" if not doc.topics else "none: no-place"

    def _by_words(self, doc: ThreadDoc, telling: dict[str, float]) -> tuple[Thread | None, float, str]:
        """The weaker evidence, for a document that shares no (or too little) name with a thread:
        a topic in common (or one of the two unknown), within the window, and the issue's own
        rarer words in common ("bùn than", "nước rỉ rác", "xây vượt phép"), each weighed by how
        rare it is in the seed sets, with a shared commune or district and nearness in time
        adding to them. The province must be the thread's; a follow-up from a national paper
        that does not say it ("Cá nuôi lồng chết do thiếu oxy") joins on more of it, when its
        topic is known and the threads its words could follow are all of one province; an answer
        (a response, a resolution) that says neither its province nor its topic ("Cơ sở chế biến
        gỗ gây ồn đã dời khỏi khu dân cư") on half as much again, on the same condition. An answer
        of its province that the topic model put under another topic (an arrest answering a
        livelihood report) joins on half as much again. Never across two known provinces, never
        a report or background news across two known topics or saying neither: two issues of one
        kind are told in the same words in many places."""
        if not doc.words or not (doc.provinces or doc.topics or doc.role in ANSWERING_ROLES):
            return None, 0.0, ""
        if doc.role not in OPENING_ROLES and not (doc.provinces and doc.topics):
            return None, 0.0, ""   # background news joins on its issue's own place and topic, or not at all
        candidates = set().union(*(self._by_word.get(pair, ()) for pair in doc.words))
        best, best_score, places = None, 0.0, set()
        for thread in (self.threads[t] for t in sorted(candidates)):
            if not thread.near(doc.published_at, self.window) or (thread.topic is None and doc.role not in OPENING_ROLES):
                continue
            if doc.provinces:
                if thread.province not in doc.provinces:
                    continue
                needed = self.word_link_score
            elif thread.province is None or (doc.topics and not thread.topics):
                continue
            else:
                needed = self.word_link_score * UNKNOWN_PLACE_FACTOR
            if doc.role == "report":
                needed *= REPORT_FACTOR   # a second report in the same words is as often a new issue
            if not (thread.topics and doc.topics):
                needed *= UNKNOWN_TOPIC_FACTOR   # a topic unknown is not a different one, but says less
            elif not thread.topics.intersection(doc.topics):
                if not doc.provinces or doc.role not in ANSWERING_ROLES:
                    continue
                needed *= CROSS_WORDS_FACTOR   # "Khởi tố hai cán bộ thôn thu tiền của hộ nghèo" answers a livelihood report
            if self._names_another_company(thread, doc):
                continue
            score = sum(w for pair, w in doc.words.items() if pair in thread.words)
            score += WORD_NAME_WEIGHT * name_score(telling, thread.names)
            if doc.published_at - thread.last_at <= dt.timedelta(days=RECENT_DAYS):
                score += RECENT_BONUS
            if score >= self.word_link_score * PLAUSIBLE_SHARE:
                places.add(thread.province)
            if score >= needed and (best is None or (score, thread.last_at) > (best_score, best.last_at)):
                best, best_score = thread, score
        if best is not None and not doc.provinces and len(places) > 1:
            return None, 0.0, ""   # it could follow issues of two provinces: which one cannot be told
        return best, best_score, "words" if doc.provinces else "words, place unknown"

    def _telling(self, names: dict[str, float], when: dt.datetime) -> dict[str, float]:
        """The names weighed by how many issues of the moment have them: a name many threads
        within the window carry ("Sài Gòn" of a dozen companies, a ministry's office, the
        country) tells no one issue apart, and let one thread swallow a city's news."""
        telling = {}
        for name, weight in names.items():
            holders = sum(self.threads[t].near(when, self.window) for t in self._by_name.get(name, ()))
            telling[name] = weight if holders <= COMMON_NAME_THREADS else weight * COMMON_NAME_THREADS / holders
        return telling

    def _needed(self, thread: Thread, doc: ThreadDoc) -> tuple[float | None, str]:
        """The name score this document needs to join this thread (None: it may not)."""
        if doc.provinces and thread.province is not None and thread.province not in doc.provinces:
            return None, ""
        unknown = (not doc.provinces or thread.province is None) + (not doc.topics or thread.topic is None)
        if doc.role not in OPENING_ROLES and (unknown or not thread.topics.intersection(doc.topics)):
            # Background news joins its issue on the issue's own place and topic, or not at all
            # (news of the same street would give a topic-less issue its topic).
            return None, ""
        if unknown == 2:
            return self.both_unknown_score, "names, place and topic unknown"
        if doc.topics and thread.topics and not thread.topics.intersection(doc.topics):
            return (self.cross_topic_score, "cross-topic") if doc.provinces else (None, "")
        if self._answer_without_a_thread_of_its_own(thread, doc):
            return self.answer_score, "names, answer without its place or topic"
        return (self.unknown_score, "names, place or topic unknown") if unknown else (self.min_score, "names")

    @staticmethod
    def _names_another_company(thread: Thread, doc: ThreadDoc) -> bool:
        """A report naming a company its thread's steps never named, in a thread that named
        others: another company's issue in the same industrial zone or commune ("Công ty Bao bì
        Tân Hưng Phát nợ BHXH" beside "Hơn 1.200 công nhân Công ty Quang Vinh Tech ngừng việc",
        both in KCN Vân Trung), however many of its words the two share."""
        if doc.role not in COMPANY_ROLES or not thread.companies:
            return False
        return bool(doc.companies) and not doc.companies & thread.companies

    @staticmethod
    def _answer_without_a_thread_of_its_own(thread: Thread, doc: ThreadDoc) -> bool:
        """An answer that says its province but no recognised topic, or a topic but no province,
        may not open a thread: it joins this one on less when what it says is this thread's."""
        if doc.role not in ANSWERING_ROLES or thread.province is None:
            return False
        if doc.provinces and not doc.topics:
            return thread.province in doc.provinces
        return not doc.provinces and bool(thread.topics.intersection(doc.topics))

    def _join(self, thread: Thread, doc: ThreadDoc, names: dict[str, float]) -> None:
        # Background news joins its issue but lends it nothing: names and words lent by every
        # story that joined let a thread chain a city's news together, one shared name at a time.
        lends = doc.role in OPENING_ROLES
        for name, weight in (names.items() if lends else ()):
            thread.names[name] = max(thread.names.get(name, 0.0), weight)
            self._by_name.setdefault(name, set()).add(thread.thread_id)
        if lends:
            thread.companies |= doc.companies
        for pair, weight in (doc.words.items() if lends else ()):
            if len(thread.words) >= THREAD_WORDS:
                break   # what the issue was first told in: a thread that took every word would take any story
            if pair not in thread.words:
                thread.words[pair] = weight
                self._by_word.setdefault(pair, set()).add(thread.thread_id)
        if thread.province is None and doc.provinces:
            thread.province = doc.provinces[0]
        if thread.topic is None and doc.topics:
            thread.topic, thread.topics = doc.topics[0], frozenset(doc.topics)
        thread.first_at = min(thread.first_at, doc.published_at)
        thread.last_at = max(thread.last_at, doc.published_at)
        thread.documents += 1
        self.story_threads.setdefault(doc.story_id, thread.thread_id)
        self.changed.add(thread.thread_id)

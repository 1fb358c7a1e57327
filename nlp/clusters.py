"""Stage 6: story clusters. One story republished by twenty outlets is one story, twenty mentions.

MinHash over syllable 3-shingles of the title, lead and first part of the body, indexed with
LSH banding. A document joins the story of the first earlier document whose estimated
Jaccard similarity passes `threshold`; otherwise it starts a story named after itself.
Signatures of recent documents are stored (table `nlp_story_signatures`) so tomorrow's
republication joins today's story. Forum posts are replies, not republications: every post of
a thread belongs to the thread's story, whatever its wording.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import zlib
from collections import deque
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from nlp.tokenize import syllables

NUM_PERM = 64
BANDS, ROWS = 16, 4           # 16 bands of 4 rows: candidate pairs from about Jaccard 0.5 up
SHINGLE = 3
_SHIFT = np.uint64(32)
_EMPTY = np.uint64(1 << 33)  # above every real value: an empty text matches nothing


def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    # Fixed seed: signatures stored today must compare with signatures computed next month.
    rng = np.random.RandomState(20260101)
    a = rng.randint(0, 1 << 62, size=num_perm, dtype=np.int64).astype(np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.randint(0, 1 << 62, size=num_perm, dtype=np.int64).astype(np.uint64)
    return a, b


_A, _B = _permutations(NUM_PERM)


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    sy = syllables(text)
    if len(sy) < size:
        return {" ".join(sy)} if sy else set()
    return {" ".join(sy[i:i + size]) for i in range(len(sy) - size + 1)}


def signature(text: str) -> np.ndarray:
    """MinHash values (uint64, NUM_PERM of them); identical in every process and every run.

    Shingles are hashed with CRC-32 (Python's hash() is salted per process), then passed
    through NUM_PERM multiply-shift hash functions (odd multipliers, top 32 bits kept).
    """
    items = shingles(text)
    if not items:
        return np.full(NUM_PERM, _EMPTY, dtype=np.uint64)
    hashes = np.fromiter((zlib.crc32(s.encode()) for s in items), dtype=np.uint64, count=len(items))
    with np.errstate(over="ignore"):  # multiply-shift hashing wraps modulo 2**64 on purpose
        permuted = (hashes[:, None] * _A[None, :] + _B[None, :]) >> _SHIFT
    return permuted.min(axis=0)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return float(np.mean(a == b))


_POST_PARAMS = {"post", "p", "page", "reply"}
_POST_PATH = re.compile(r"/(?:post|page)-\d+/?$")


def thread_key(url: str) -> str:
    """The thread a forum post belongs to: its URL without the post's or page's own part."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in _POST_PARAMS]
    return urlunsplit((parts.scheme, parts.netloc, _POST_PATH.sub("/", parts.path), urlencode(query), ""))


def thread_story_id(url: str) -> str:
    return "thread-" + hashlib.sha1(thread_key(url).encode("utf-8")).hexdigest()[:16]


class StoryIndex:
    """LSH (banding) over recent signatures: `assign` returns the story id of a new document."""

    def __init__(self, threshold: float = 0.5):
        self.threshold = threshold
        self.buckets: dict[tuple[int, bytes], list[str]] = {}
        self.story_of: dict[str, str] = {}
        self.signatures: dict[str, np.ndarray] = {}
        self.stories: set[str] = set()
        self._dated: deque[tuple[dt.datetime, str]] = deque()  # (published, doc id), in the order added

    def _bands(self, sig: np.ndarray):
        for band in range(BANDS):
            yield band, sig[band * ROWS:(band + 1) * ROWS].tobytes()

    def add(self, doc_id: str, story_id: str, sig: np.ndarray, published: dt.datetime | None = None) -> None:
        """Index a document; one with a publication time can later be forgotten by `forget_before`."""
        if doc_id in self.story_of:
            return
        for key in self._bands(sig):
            self.buckets.setdefault(key, []).append(doc_id)
        self.story_of[doc_id] = story_id
        self.signatures[doc_id] = sig
        self.stories.add(story_id)
        if published is not None:
            self._dated.append((published, doc_id))

    def forget_before(self, moment: dt.datetime) -> int:
        """Drop documents published before `moment` (in the order they were added), so a
        backfill of a year's archive neither joins December to January nor holds a year of
        signatures in memory. Returns how many were dropped."""
        dropped = 0
        while self._dated and self._dated[0][0] < moment:
            _, doc_id = self._dated.popleft()
            for key in self._bands(self.signatures.pop(doc_id)):
                members = self.buckets[key]
                members.remove(doc_id)
                if not members:
                    del self.buckets[key]
            del self.story_of[doc_id]
            dropped += 1
        return dropped

    def assign(self, doc_id: str, sig: np.ndarray, published: dt.datetime | None = None) -> tuple[str, float]:
        """(story id, similarity to its closest earlier member, 0 for a new story); indexes the doc."""
        if doc_id in self.story_of:
            return self.story_of[doc_id], 1.0
        candidates = {other for key in self._bands(sig) for other in self.buckets.get(key, ())}
        best_id, best_sim = None, 0.0
        for other in sorted(candidates):  # sorted: the same input gives the same stories
            sim = similarity(self.signatures[other], sig)
            if sim > best_sim:
                best_id, best_sim = other, sim
        empty = bool((sig == _EMPTY).all())
        joined = best_id is not None and best_sim >= self.threshold and not empty
        story = self.story_of[best_id] if joined else doc_id
        self.add(doc_id, story, sig, published)
        return story, (best_sim if joined else 0.0)

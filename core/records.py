"""Typed records that stages hand to each other and to the store.

Stages never reach into each other's internals: a crawler yields `Document`s; the store hands
the NLP stage `DocInput`s (a document to enrich), the NLP stage returns a `DocResult` for each,
and the enrichment run stores them as `Enrichment`s and `StorySignature`s.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

DOC_KINDS = ("press", "post", "petition")
_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "zarsrc", "vn_source", "vn_medium", "vn_campaign")


def canonical_url(url: str) -> str:
    """Same page, same string: lower-case scheme and host, no fragment, no tracking parameters."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port and not (parts.scheme == "http" and parts.port == 80) and not (
        parts.scheme == "https" and parts.port == 443
    ):
        host = f"{host}:{parts.port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PARAMS)
    ]
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(sorted(query)), ""))


def document_id(url: str) -> str:
    """Stable document id: a short hash of the canonical URL."""
    return hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()[:20]


def content_hash(title: str | None, lead: str | None, text: str | None) -> str:
    body = "\x1f".join(unicodedata.normalize("NFC", part or "") for part in (title, lead, text))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


def author_hash(author: str, key: bytes, iso_week: str, source: str) -> str:
    """A keyed pseudonym of a post author that holds for one ISO week and one source: enough to
    count distinct voices in a week, not to name one or follow them across weeks or sites."""
    normalized = unicodedata.normalize("NFC", author).strip().casefold()
    message = "\x1f".join((iso_week, source, normalized))
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()[:24]


@dataclass
class Document:
    url: str
    source: str
    kind: str
    title: str | None
    text: str | None
    fetched_at: dt.datetime
    published_at: dt.datetime | None = None
    lead: str | None = None
    byline: str | None = None
    author_hash: str | None = None
    language: str | None = None
    default_province: str | None = None
    thread_url: str | None = None  # forum posts: the thread page, what digests and alerts link to
    # Petition portals: the status the portal shows now ("Đã trả lời") and the date it gives
    # for it (an answer date), as crawled; follow-up maps them to states (nlp/rules/roles.yaml).
    portal_status: str | None = None
    portal_status_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        if self.kind not in DOC_KINDS:
            raise ValueError(f"document kind must be one of {DOC_KINDS}, not {self.kind!r}")
        if self.fetched_at.tzinfo is None:
            raise ValueError("fetched_at must carry a time zone")
        if self.published_at is not None and self.published_at.tzinfo is None:
            raise ValueError("published_at must carry a time zone")
        if self.portal_status_at is not None and self.portal_status_at.tzinfo is None:
            raise ValueError("portal_status_at must carry a time zone")
        self.url = canonical_url(self.url)

    @property
    def doc_id(self) -> str:
        return document_id(self.url)

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, self.lead, self.text)


@dataclass
class DocInput:
    """A document to enrich: its text, what it is (`kind`) and where it came from.

    The same record whether it comes from the database (`dulun enrich`, `id` is the document id)
    or from a JSON-lines file (`dulun classify`, `dulun evaluate`), so both are tagged alike."""

    id: str
    title: str = ""
    lead: str = ""
    text: str = ""
    default_province: str | None = None  # a provincial outlet's province, used when no place is named
    kind: str | None = None  # press, post or petition (DOC_KINDS); None: not known
    published_at: dt.datetime | None = None
    url: str | None = None
    content_hash: str | None = None  # of the stored version the enrichment will describe


@dataclass
class DocResult:
    """What the NLP stage says about one document: its topics with a score for every topic,
    its provinces, and its story signature (MinHash, a numpy array of uint64)."""

    id: str
    language: str
    topics: list[str]
    scores: dict[str, float]
    provinces: list[str]
    rule_topics: list[str] = field(default_factory=list)
    signature: Any = None
    text_key: str = ""  # hash of the normalised text: exact republications share it


@dataclass
class Enrichment:
    doc_id: str
    model_version: str
    content_hash: str
    topics: list[str]
    scores: dict[str, float]
    provinces: list[str]
    story_id: str | None = None
    language: str | None = None


@dataclass
class StorySignature:
    """A document's story signature as stored, so a republication crawled later joins its story."""

    doc_id: str
    story_id: str
    text_key: str
    signature: bytes  # little-endian uint64 MinHash values


@dataclass
class FetchFailure:
    source: str
    url: str | None
    cause: str
    detail: str | None
    failed_at: dt.datetime
    run_id: int | None = None


@dataclass
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def stored(self) -> int:
        return self.inserted + self.updated


@dataclass
class CrawlRunResult:
    pages_ok: int = 0
    pages_failed: int = 0
    skipped_seen: int = 0
    items_stored: int = 0
    failures: dict[str, int] = field(default_factory=dict)

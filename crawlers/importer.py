"""`dulun import FILE`: documents from a JSONL file (archives, other collectors' output).

One JSON object per line:

    {"url": "https://...", "title": "...", "sapo": "...", "text": "...",
     "published_at": "2026-11-20T09:15:00+07:00", "fetched_at": "2026-11-20T09:40:00+07:00",
     "source": "baohaiphong", "kind": "press", "author": "..."}

`sapo` (the lead), `fetched_at` (default: now) and `author` are optional. An author becomes the
pseudonym a crawled author gets (keyed, for the ISO week of publication and this source: the
same voice counts once whether crawled or imported), never stored raw. Documents are stored like a crawl
stores them: the same URL is the same row, a changed text updates it and keeps the earlier
version. Lines are read one at a time and stored in batches; a bad line (not JSON, a missing or
malformed field, a time without its zone, too long) is reported with its number and reason and
recorded in `fetch_failures` (cause `bad_import_line`), and every good line is still imported.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crawlers.salt import author_key, author_pseudonym, check_author_key
from core.errors import UserError
from core.settings import Settings
from core.timeutil import VN
from store import open_writer
from store.documents import upsert_documents
from core.records import Document, FetchFailure
from store.runs import record_failures

log = logging.getLogger(__name__)
BATCH = 1000
BAD_LINE = "bad_import_line"
SHOWN_PROBLEMS = 20


class ImportLine(BaseModel):
    """One line of the file; unknown fields (other collectors' extras) are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    url: str = Field(pattern=r"^https?://[^\s/]+", max_length=4096)
    title: str = Field(min_length=1)
    sapo: str | None = None
    text: str
    published_at: dt.datetime
    fetched_at: dt.datetime | None = None
    source: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=200)
    kind: Literal["press", "post", "petition"]
    author: str | None = None

    @field_validator("published_at", "fetched_at")
    @classmethod
    def _with_zone(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("needs its time zone, for example 2026-11-20T09:15:00+07:00")
        return value


@dataclass
class Problem:
    line: int
    reason: str
    source: str | None = None
    url: str | None = None


@dataclass
class ImportSummary:
    path: str
    lines: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        stored = self.inserted + self.updated + self.unchanged
        text = (f"Imported {self.path}: {self.lines} lines, {stored} documents ({self.inserted} new, "
                f"{self.updated} changed, {self.unchanged} unchanged), {len(self.problems)} bad lines.")
        shown = [f"  line {p.line}: {p.reason}" for p in self.problems[:SHOWN_PROBLEMS]]
        if len(self.problems) > SHOWN_PROBLEMS:
            shown.append(f"  ... and {len(self.problems) - SHOWN_PROBLEMS} more (dulun status shows them all)")
        return "\n".join([text, *shown])


def import_file(settings: Settings, path: Path, now: dt.datetime | None = None, batch: int = BATCH) -> ImportSummary:
    """Import every good line of `path`; `now` is the default fetch time (default: the real time)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Import file {path} does not exist.")
    now = (now or dt.datetime.now(VN))
    key = author_key(settings.secrets_path)
    summary = ImportSummary(str(path))
    max_bytes = settings.crawl.max_bytes
    with open_writer(settings.database, settings.lock_timeout_s) as store:
        check_author_key(store.con, key)
        pending: list[Document] = []
        for number, raw in _lines(path):
            summary.lines += 1
            result = parse_line(raw, number, key.key, now, max_bytes)
            if isinstance(result, Problem):
                summary.problems.append(result)
                continue
            pending.append(result)
            if len(pending) >= batch:
                _store(store.con, pending, summary)
                pending = []
        _store(store.con, pending, summary)
        if summary.problems:
            record_failures(store.con, [
                FetchFailure(p.source or "import", p.url, BAD_LINE, f"{path.name}:{p.line}: {p.reason}"[:1000], now)
                for p in summary.problems])
    log.info("%s", summary)
    return summary


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of every non-blank line, read one at a time."""
    try:
        with path.open("rb") as fh:
            for number, raw in enumerate(fh, 1):
                if raw.strip():
                    yield number, raw
    except OSError as exc:
        raise UserError(f"Import file {path} cannot be read: {exc.strerror or exc}.") from None


def parse_line(raw: bytes, number: int, key: bytes, now: dt.datetime, max_bytes: int) -> Document | Problem:
    """One line as a Document, or the reason it is not one."""
    if len(raw) > max_bytes:
        return Problem(number, f"longer than {max_bytes:,} bytes (crawl.max_bytes)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Problem(number, "not UTF-8 text")
    except json.JSONDecodeError as exc:
        return Problem(number, f"not JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(data, dict):
        return Problem(number, "not a JSON object")
    try:
        line = ImportLine.model_validate(data)
    except ValidationError as exc:
        return Problem(number, _reason(exc), _str(data.get("source")), _str(data.get("url")))
    fetched = line.fetched_at or now
    return Document(
        url=line.url, source=line.source, kind=line.kind, title=line.title, text=line.text, lead=line.sapo,
        published_at=line.published_at, fetched_at=fetched,
        author_hash=author_pseudonym(line.author, key, line.published_at, line.source),
    )


def _reason(exc: ValidationError) -> str:
    err = exc.errors()[0]
    name = ".".join(str(p) for p in err["loc"]) or "(line)"
    if err["type"] == "missing":
        return f"`{name}` is missing"
    got = err.get("input")
    shown = f" (got {got!r:.80})" if isinstance(got, (str, int, float)) else ""
    return f"`{name}`: {err['msg'].removeprefix('Value error, ').rstrip('.')}{shown}"


def _str(value) -> str | None:
    return value[:4096] if isinstance(value, str) else None


def _store(con, docs: list[Document], summary: ImportSummary) -> None:
    if not docs:
        return
    counts = upsert_documents(con, docs)
    summary.inserted += counts.inserted
    summary.updated += counts.updated
    summary.unchanged += counts.unchanged

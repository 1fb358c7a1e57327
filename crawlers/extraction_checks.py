"""How well extraction does on pages nobody wrote selectors for: four checks per article page.

The cases are every article page of the configured sources' fixtures (`fixtures/sites/*`, feed,
sitemap and listing sources; their selectors are NOT used) and the pattern fixtures
(`fixtures/patterns/*`, outlets nobody configured). Each case's expected JSON gives the title,
the publication time (or null), the lead when the page has one, the body's paragraphs and
strings that must not be in the body (boilerplate: related links, ads, footers).

The checks, each passed or failed per page (text compared after `normalise`: NFC, no-break
spaces as spaces, runs of white space as one space, no space before . , ; : ! ? ) or after ( ):

- title: the extracted title equals the expected one.
- minute: the extracted time, in +07:00 and cut to the minute, equals the expected one;
  when the expected time is null (the page prints none), nothing may be extracted.
- first_sentence: the body's first sentence (the first paragraph up to the first . ? ! or …
  followed by a space, or all of it) is at the start of the extracted body, as it is or once
  leading paragraphs equal to (or ending with) the lead, expected or extracted, are skipped.
- body: at least 90% of the expected paragraphs occur, each as one substring, in the extracted
  body (its paragraphs joined by a space), and none of the body_excludes strings occurs.

`score(cases, extractor)` runs an extractor over the cases and counts the passes per check;
`bench/bench_extract.py` reports it beside trafilatura's defaults and a test pins a minimum.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urlsplit

from crawlers.extract import decode_html, extract_article
from crawlers.fixture_server import FIXTURES, fixture_file, served_content_type
from crawlers.vndate import VN

PATTERNS = FIXTURES.parent / "patterns"
CHECKS = ("title", "minute", "first_sentence", "body")
ARTICLE_SPIDERS = ("feed", "sitemap", "listing")  # forum posts and JSON items are not article pages
BODY_RECALL = 0.9


@dataclass
class Case:
    name: str          # "<source>/<file>" for a site fixture, the folder name for a pattern fixture
    url: str
    body: bytes
    content_type: str | None
    expected: dict


@dataclass
class Found:
    """What an extractor returns for the checks."""
    title: str | None
    published: dt.datetime | None
    lead: str | None
    text: str | None


@dataclass
class Score:
    passed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKS, 0))
    total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKS, 0))
    misses: list[dict] = field(default_factory=list)  # {"case", "check", "got"}

    @property
    def share(self) -> float:
        return sum(self.passed.values()) / max(1, sum(self.total.values()))

    def as_dict(self) -> dict:
        return {
            "share": round(self.share, 4),
            "passed": sum(self.passed.values()), "checks": sum(self.total.values()),
            "by_check": {c: {"passed": self.passed[c], "checks": self.total[c],
                             "share": round(self.passed[c] / max(1, self.total[c]), 4)} for c in CHECKS},
        }


# --- cases ------------------------------------------------------------------------------

def load_cases(fixtures: Path = FIXTURES, patterns: Path = PATTERNS) -> list[Case]:
    return site_cases(fixtures) + pattern_cases(patterns)


def site_cases(fixtures: Path = FIXTURES) -> list[Case]:
    """Every article page a configured source's fixture pins a body for."""
    from crawlers.sources import load_sources

    cases = []
    for source in load_sources():
        if source.spider not in ARTICLE_SPIDERS:
            continue
        expected = json.loads((fixtures / source.name / "expected.json").read_text(encoding="utf-8"))
        root = fixtures / source.name / "site"
        for document in expected["documents"]:
            parts = urlsplit(document["url"])
            page = fixture_file(root, parts.path, parts.query)
            if page is None:
                raise FileNotFoundError(f"{source.name}: no fixture page for {document['url']}")
            slug = parts.path.rstrip("/").rsplit("/", 1)[-1]
            cases.append(Case(f"{source.name}/{slug}", document["url"], page.read_bytes(),
                              served_content_type(root, parts.path, page), document))
    return cases


def pattern_cases(patterns: Path = PATTERNS) -> list[Case]:
    cases = []
    for folder in sorted(p for p in patterns.iterdir() if (p / "expected.json").is_file()):
        expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
        cases.append(Case(folder.name, expected["url"], (folder / "page.html").read_bytes(), None, expected))
    return cases


# --- checks -----------------------------------------------------------------------------

def normalise(text: str | None) -> str:
    text = " ".join(unicodedata.normalize("NFC", text or "").replace("\xa0", " ").split())
    return re.sub(r"\(\s+", "(", re.sub(r"\s+([.,;:!?)])", r"\1", text))


def first_sentence(paragraph: str) -> str:
    match = re.search(r"[.?!…](?=\s)", paragraph)
    return paragraph[: match.end()] if match else paragraph


def check(case: Case, found: Found) -> dict[str, bool]:
    exp = case.expected
    results = {"title": normalise(found.title) == normalise(exp["title"]),
               "minute": _same_minute(found.published, exp["published"])}
    body = exp.get("body") or []
    if body:
        paragraphs = [normalise(p) for p in (found.text or "").splitlines() if normalise(p)]
        whole = " ".join(paragraphs)
        leads = {normalise(exp.get("lead")), normalise(found.lead)} - {""}
        while paragraphs and any(paragraphs[0].endswith(lead) for lead in leads):
            paragraphs = paragraphs[1:]
        text = " ".join(paragraphs)
        opening = normalise(first_sentence(body[0]))
        results["first_sentence"] = text.startswith(opening) or whole.startswith(opening)
        text = whole
        present = sum(normalise(p) in text for p in body)
        excluded = [s for s in exp.get("body_excludes", []) + exp.get("text_excludes", []) if normalise(s) in text]
        results["body"] = present >= BODY_RECALL * len(body) and not excluded
    return results


def _same_minute(got: dt.datetime | None, want: str | None) -> bool:
    if want is None or got is None:
        return want is None and got is None
    def minute(value: dt.datetime) -> dt.datetime:
        return value.astimezone(VN).replace(second=0, microsecond=0)
    return minute(got) == minute(dt.datetime.fromisoformat(want))


def score(cases: Iterable[Case], extractor: Callable[[Case], Found]) -> Score:
    result = Score()
    for case in cases:
        found = extractor(case)
        for name, ok in check(case, found).items():
            result.total[name] += 1
            result.passed[name] += ok
            if not ok:
                result.misses.append({"case": case.name, "check": name, "got": _shown(found, name)})
    return result


def _shown(found: Found, check_name: str) -> str | None:
    if check_name == "title":
        return found.title
    if check_name == "minute":
        return found.published.isoformat() if found.published else None
    return (found.text or "")[:160]


# --- the generic path -------------------------------------------------------------------

def generic(case: Case) -> Found:
    """dulun's extraction with no selectors, as for a source nobody configured."""
    decoded = decode_html(case.body, case.content_type)
    got = extract_article(decoded.text, case.url, selectors=None)
    return Found(got.title, got.published, got.lead, got.text)

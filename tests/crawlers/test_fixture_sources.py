"""Every shipped source crawls its offline fixture (the real site's markup) into the store,
with the fields its expected.json pins."""
from __future__ import annotations

import datetime as dt

import pytest

from crawlers.sources import load_sources
from core.timeutil import VN, week_label
from core.records import canonical_url

from .conftest import documents, expected_for, failures, portal_statuses

SOURCE_NAMES = [s.name for s in load_sources()]


def test_at_least_fifteen_real_sources_cover_every_kind_the_issue_names():
    sources = load_sources()
    assert len(sources) >= 15
    assert {s.spider for s in sources} == {"feed", "sitemap", "listing", "forum", "json"}
    assert {"post", "petition", "press"} <= {s.kind for s in sources}
    assert {"Hải Phòng", "Quảng Ngãi"} <= {s.province for s in sources}


@pytest.mark.slow
@pytest.mark.parametrize("name", SOURCE_NAMES)
def test_fixture_source_is_crawled_as_expected(name, crawled_fixtures, fixture_sites):
    settings, summaries = crawled_fixtures
    expected = expected_for(name)
    summary = summaries[name]
    assert summary.status == "ok", summary
    stored = {d["url"]: d for d in documents(settings, name)}
    wanted = {canonical_url(fixture_sites.local(name, e["url"])): e for e in expected["documents"]}
    assert set(stored) == set(wanted), f"{name}: stored {sorted(stored)}"
    for url, exp in wanted.items():
        _check_document(stored[url], exp)
    for url in expected.get("not_stored", []):
        assert canonical_url(fixture_sites.local(name, url)) not in stored
    causes = {f["cause"] for f in failures(settings, name)}
    assert set(expected.get("notes_expected", [])) <= causes, causes
    assert summary.pages_failed == 0, failures(settings, name)
    assert summary.items_stored == len(wanted)
    for path in expected.get("not_fetched", []):
        assert path not in fixture_sites.servers[name].hits
    _check_authors(stored, expected, fixture_sites, name)
    _check_portal_statuses(settings, wanted)


def _check_portal_statuses(settings, wanted: dict) -> None:
    """A petition portal's status and answer date are kept beside the petition, as shown."""
    seen = portal_statuses(settings)
    for url, exp in wanted.items():
        if "portal_status" not in exp:
            continue
        if exp["portal_status"] is None:
            assert url not in seen
            continue
        at = exp.get("portal_status_at")
        assert seen[url] == (exp["portal_status"], dt.datetime.fromisoformat(at) if at else None), url


def _check_document(doc: dict, exp: dict) -> None:
    if "title" in exp:
        assert doc["title"] == exp["title"]
    if "published" in exp:
        want = dt.datetime.fromisoformat(exp["published"]) if exp["published"] else None
        assert doc["published_at"] == want, (doc["url"], doc["published_at"], want)
    if "lead" in exp:
        assert doc["lead"] == exp["lead"]
    if "lead_contains" in exp:
        assert exp["lead_contains"] in (doc["lead"] or "")
    if "byline" in exp:
        assert doc["byline"] == exp["byline"]
    if "province" in exp:
        assert doc["default_province"] == exp["province"]
    for phrase in exp.get("text_contains", []):
        assert phrase in (doc["text"] or ""), (doc["url"], phrase, doc["text"])
    for phrase in exp.get("text_excludes", []):
        assert phrase not in (doc["text"] or ""), (doc["url"], phrase)
    if exp.get("author_hashed"):
        assert doc["author_hash"] and len(doc["author_hash"]) == 24
    if doc["kind"] == "post":  # what digests and alerts link to instead of the post's permalink
        assert doc["thread_url"] and doc["thread_url"] != doc["url"]
    else:
        assert doc["thread_url"] is None
    for field in ("title", "lead", "text"):
        value = doc[field] or ""
        import unicodedata
        assert unicodedata.is_normalized("NFC", value)


def _check_authors(stored: dict, expected: dict, sites, name: str) -> None:
    # One person's posts share a pseudonym within an ISO week and never across weeks.
    same = [stored[canonical_url(sites.local(name, u))] for u in expected.get("same_author", [])]
    for a in same:
        for b in same:
            same_week = week_label(a["published_at"].astimezone(VN).date()) == week_label(b["published_at"].astimezone(VN).date())
            assert (a["author_hash"] == b["author_hash"]) == same_week, (a["url"], b["url"])
    for raw in expected.get("raw_names_never_stored", []):
        for doc in stored.values():
            assert raw not in " ".join(str(v) for v in doc.values() if v is not None)


@pytest.mark.slow
def test_selectors_may_be_xpath_instead_of_css(fixture_sites, tmp_path):
    from crawlers.api import crawl

    from .conftest import NOW, fast_settings, localized, write_sources

    source = fixture_sites.sources["vietnamnet-thoi-su"]
    entry = localized(source, fixture_sites.servers[source.name].base)
    entry["name"] = "vietnamnet-xpath"
    entry["selectors"] = {
        "links": "//h3[contains(@class, 'vnn-title')]/a/@href",
        "next_page": "//li[contains(@class, 'pagination__list-item--next')]/a/@href",
        "max_pages": 3,
        "title": "//h1[@class='content-detail-title']",
        "published": "//div[@class='bread-crumb-detail__time']/text()",
        "body": "//div[@id='maincontent']",
    }
    settings = fast_settings(tmp_path)
    summary = crawl(settings, sources_file=write_sources(tmp_path / "s.yaml", [entry]), now=NOW)[0]
    assert summary.items_stored == 3 and summary.pages_failed == 0
    docs = {d["title"]: d for d in documents(settings)}
    assert docs["Hải Phòng tạm dừng cấp phép khai thác cát trên sông Cấm"]["published_at"] == dt.datetime.fromisoformat("2026-11-22T19:00:00+07:00")
    assert "tàu hút cát" in docs["Hải Phòng tạm dừng cấp phép khai thác cát trên sông Cấm"]["text"]

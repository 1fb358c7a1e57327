"""The sources file is validated at load; a bad entry names the source and the problem."""
from __future__ import annotations

import pytest

from crawlers.sources import load_sources, parse_sources, select_sources
from core.errors import UserError

GOOD = {"name": "demo-feed", "spider": "feed", "kind": "press", "start_urls": ["{base}/rss.xml"],
        "allowed_domains": ["baoquocgia.vn"]}


def _error(entry: dict) -> str:
    with pytest.raises(UserError) as info:
        parse_sources({"sources": [entry]}, "sources.yaml")
    return str(info.value)


def test_the_shipped_file_is_valid_and_every_source_has_a_fixture():
    from crawlers.fixture_server import FIXTURES

    for source in load_sources():
        assert (FIXTURES / source.name / "expected.json").is_file(), source.name
        assert (FIXTURES / source.name / "README.md").is_file(), source.name


def test_the_shared_schema_with_base_placeholder_is_accepted():
    entry = dict(GOOD, title="Demo", province="Hải Phòng", interval_minutes=30, max_age_days=10,
                 allowed_domains=["127.0.0.1"], selectors={"title": "h1", "links": "a::attr(href)", "max_pages": 2})
    source = parse_sources({"sources": [entry]})[0]
    assert source.with_base("http://127.0.0.1:8000/").start_urls == ["http://127.0.0.1:8000/rss.xml"]


@pytest.mark.parametrize("entry, words", [
    (dict(GOOD, spider="crawl"), ["demo-feed", "spider"]),
    (dict(GOOD, kind="blog"), ["demo-feed", "kind"]),
    (dict(GOOD, name="Bad Name"), ["Bad Name", "lower-case"]),
    (dict(GOOD, start_urls=[]), ["demo-feed", "start_urls"]),
    (dict(GOOD, start_urls=["ftp://x"]), ["demo-feed", "http"]),
    (dict(GOOD, colour="red"), ["demo-feed", "unknown key `colour`"]),
    (dict(GOOD, selectors={"titel": "h1"}), ["demo-feed", "selectors.titel"]),
    (dict(GOOD, spider="listing"), ["demo-feed", "selectors.links"]),
    (dict(GOOD, spider="json"), ["demo-feed", "fields"]),
    (dict(GOOD, interval_minutes=0), ["demo-feed", "interval_minutes"]),
    (dict(GOOD, url_pattern="("), ["demo-feed", "regular expression"]),
    (dict(GOOD, allowed_domains=[]), ["demo-feed", "allowed_domains must list the hosts"]),
    ({k: v for k, v in GOOD.items() if k != "allowed_domains"}, ["demo-feed", "allowed_domains must list the hosts"]),
    (dict(GOOD, allowed_domains=["https://baoquocgia.vn/"]), ["demo-feed", "bare host name"]),
    (dict(GOOD, start_urls=["https://evil.example/rss.xml"]), ["demo-feed", "not on the source's allowed_domains"]),
    ({k: v for k, v in GOOD.items() if k != "kind"}, ["demo-feed", "missing", "kind"]),
])
def test_a_bad_entry_names_the_source_and_the_problem(entry, words):
    message = _error(entry)
    for word in words:
        assert word in message


def test_duplicate_names_and_missing_list_are_errors(tmp_path):
    with pytest.raises(UserError, match="declared twice"):
        parse_sources({"sources": [GOOD, GOOD]})
    with pytest.raises(UserError, match="top-level `sources:`"):
        parse_sources({"feeds": []})
    broken = tmp_path / "s.yaml"
    broken.write_text("sources: [\n", encoding="utf-8")
    with pytest.raises(UserError, match="not valid YAML"):
        load_sources(broken)
    with pytest.raises(UserError, match="does not exist"):
        load_sources(tmp_path / "missing.yaml")


def test_unknown_source_name_lists_the_known_ones():
    sources = parse_sources({"sources": [GOOD]})
    with pytest.raises(UserError, match="Unknown source nope; known sources: demo-feed"):
        select_sources(sources, ["nope"])


def test_base_placeholder_is_filled_or_refused(tmp_path):
    from crawlers.api import resolve_sources
    from core.settings import Settings

    sources_file = tmp_path / "s.yaml"
    sources_file.write_text("sources:\n  - name: demo-feed\n    spider: feed\n    kind: press\n"
                            "    start_urls: ['{base}/rss.xml']\n    allowed_domains: [baoquocgia.vn]\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path)
    filled = resolve_sources(settings, None, sources_file, base="http://127.0.0.1:9000")
    assert filled[0].start_urls == ["http://127.0.0.1:9000/rss.xml"]
    assert filled[0].allowed_domains == ["baoquocgia.vn", "127.0.0.1"]  # the mirror named by --base may be fetched
    with pytest.raises(UserError, match="pass a base URL"):
        resolve_sources(settings, None, sources_file)

"""The demo site's content: deterministic, 11 ISO weeks, realistic spread, and the planted rises."""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from crawlers.demo_site import DEMO_NOW
from crawlers.demo_site.content import VN, build_content, manifest
from crawlers.demo_site.site import render_site
from core.taxonomy import TOPICS as TAXONOMY_TOPICS

TOPICS = set(TAXONOMY_TOPICS)
PROVINCES_34 = {
    "Hà Nội", "Tuyên Quang", "Cao Bằng", "Thái Nguyên", "Lào Cai", "Điện Biên", "Lai Châu", "Sơn La", "Phú Thọ",
    "Lạng Sơn", "Quảng Ninh", "Bắc Ninh", "Hải Phòng", "Hưng Yên", "Ninh Bình", "Thanh Hóa", "Nghệ An", "Hà Tĩnh",
    "Quảng Trị", "Huế", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Đắk Lắk", "Khánh Hòa", "Lâm Đồng", "Đồng Nai",
    "Tây Ninh", "Hồ Chí Minh", "Đồng Tháp", "Vĩnh Long", "An Giang", "Cần Thơ", "Cà Mau",
}
SOURCES = {"demo-baoquocgia", "demo-baohaiphong", "demo-baoquangngai", "demo-diendan", "demo-phananh"}


def items_manifest():
    return manifest(build_content())["items"]


def weekly(rows, topic, province):
    return Counter(r["week"] for r in rows if topic in r["topics"] and province in r["provinces"])


def test_two_builds_are_identical_down_to_the_bytes():
    first, second = build_content(), build_content()
    assert json.dumps(manifest(first), ensure_ascii=False) == json.dumps(manifest(second), ensure_ascii=False)
    pages_a = render_site(first, "http://127.0.0.1:1")
    pages_b = render_site(second, "http://127.0.0.1:1")
    assert pages_a == pages_b


def test_another_seed_gives_other_baseline_but_same_planted_rise():
    other = manifest(build_content(seed=7))["items"]
    assert [r["title"] for r in other] != [r["title"] for r in items_manifest()]
    assert weekly(other, "labor", "Hải Phòng")["2026-W47"] == 10


def test_dates_cover_eleven_iso_weeks_before_demo_now():
    rows = items_manifest()
    weeks = sorted({r["week"] for r in rows})
    assert weeks == [f"2026-W{w}" for w in range(37, 48)]
    published = [dt.datetime.fromisoformat(r["published"]) for r in rows]
    assert min(published) >= dt.datetime(2026, 9, 7, tzinfo=VN)
    assert max(published) < dt.datetime(2026, 11, 23, tzinfo=VN) <= DEMO_NOW
    for r in rows:
        for post in r.get("posts", []):
            assert r["week"] == dt.datetime.fromisoformat(post["published"]).strftime("%G-W%V")


def test_every_week_has_25_to_50_items_from_every_source():
    rows = items_manifest()
    per_week = Counter(r["week"] for r in rows)
    assert all(25 <= n <= 50 for n in per_week.values()), per_week
    for week in per_week:
        assert {r["source"] for r in rows if r["week"] == week} == SOURCES


def test_planted_labor_rise_in_hai_phong_week_47():
    rows = items_manifest()
    counts = weekly(rows, "labor", "Hải Phòng")
    history = [counts[f"2026-W{w}"] for w in range(37, 47)]
    assert 8 <= counts["2026-W47"] <= 12
    assert max(history) <= 1 and sum(history) >= 1  # a real, low history, not an empty one
    rise = [r for r in rows if r["week"] == "2026-W47" and "labor" in r["topics"] and "Hải Phòng" in r["provinces"]]
    assert len({r["source"] for r in rise}) >= 4
    carried = Counter(r["story"] for r in rise)
    assert sum(1 for n in carried.values() if n >= 2) >= 3  # same story republished: clustering has work


def test_republished_story_is_reworded_not_copied():
    items = [it for it in build_content() if it.story == "hp-labor-giayda-ngungviec"]
    assert len(items) == 3
    assert len({it.title for it in items}) == 3
    assert len({it.lead for it in items}) >= 2


def test_second_smaller_rise_environment_in_quang_ngai():
    counts = weekly(items_manifest(), "environment", "Quảng Ngãi")
    assert counts["2026-W46"] >= 3 and counts["2026-W47"] >= 4
    assert max(counts[f"2026-W{w}"] for w in range(37, 46)) <= 1


def test_no_other_cell_looks_like_a_rise():
    rows = items_manifest()
    cells = Counter((t, p, r["week"]) for r in rows for t in r["topics"] for p in r["provinces"])
    planted = {("labor", "Hải Phòng"), ("environment", "Quảng Ngãi")}
    assert max(n for (t, p, _w), n in cells.items() if (t, p) not in planted) <= 2


def test_all_topics_no_topic_items_and_many_provinces():
    rows = items_manifest()
    assert {t for r in rows for t in r["topics"]} == TOPICS
    assert sum(1 for r in rows if not r["topics"]) >= 40
    provinces = {p for r in rows for p in r["provinces"]}
    assert provinces <= PROVINCES_34 and len(provinces) >= 15
    assert all(not r["provinces"] for r in rows if not r["topics"])  # as the evaluation files label them


def test_hard_negatives_sit_next_to_the_rise():
    w47 = [it for it in build_content() if it.week == "2026-W47" and not it.topics]
    texts = [" ".join([it.title, it.lead, *it.paragraphs]) for it in w47]
    assert any("đình công" in t and "Đức" in t for t in texts)  # a strike abroad
    assert any("ngày hội việc làm" in t.lower() and "Hải Phòng" in t for t in texts)  # a job fair


def test_texts_use_names_of_their_time_and_some_old_district_names():
    text = " ".join(" ".join([it.title, it.lead, *it.paragraphs]) for it in build_content())
    for old in ("huyện Thủy Nguyên", "quận Lê Chân", "TP Thủ Dầu Một"):
        assert old in text
    for new in ("phường Nam Triệu", "phường An Biên", "phường Thủ Dầu Một", "TP Hồ Chí Minh"):
        assert new in text
    assert "{" not in text and "}" not in text  # every slot filled


def test_items_are_rich_and_carry_what_each_kind_shows():
    for it in build_content():
        assert len(it.title) >= 20 and len(it.lead) >= 60
        if it.kind == "press":
            assert 3 <= len(it.paragraphs) <= 6 and it.byline
        if it.kind == "post":
            assert 2 <= len(it.posts) <= 4 and len({p.author for p in it.posts}) == len(it.posts)
        if it.kind == "petition":
            assert it.author and it.place and "complaints" in it.topics


def test_builds_in_other_processes_match_whatever_the_hash_seed():
    import hashlib
    import os
    import subprocess
    import sys

    script = ("import hashlib, json; from crawlers.demo_site.content import build_content, manifest; "
              "print(hashlib.sha256(json.dumps(manifest(build_content()), ensure_ascii=False).encode()).hexdigest())")
    here = hashlib.sha256(json.dumps(manifest(build_content()), ensure_ascii=False).encode()).hexdigest()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == here

"""Fixtures for hot spots, digests and alerts: a real DuckDB file with a small, demo-shaped
timeline built through the store's own writers.

The timeline stands for 2026-09-07 (Monday of 2026-W37) to 2026-11-22 (Sunday of 2026-W47),
"today" being 2026-11-23 08:00 in Asia/Ho_Chi_Minh, like `dulun demo`: about 30 items a week
over a few provinces and topics, Hải Phòng's `labor` history 0-1 story a week, and in W47 a
rise of labor in Hải Phòng: 10 items from 5 outlets about 6 distinct strikes/wage disputes.
One item's headline carries markup (`<script>`, `onerror=`) that every output must show as text.
"""
from __future__ import annotations

import datetime as dt
import random

import pytest

from core.settings import Settings
from core.timeutil import VN
from store import open_writer
from store.documents import upsert_documents
from bench.synthetic import insert_enrichments
from core.records import Document, Enrichment, FetchFailure
from store.runs import finish_run, record_failures, start_run
from core.records import CrawlRunResult

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=VN)
FIRST_MONDAY = dt.date(2026, 9, 7)  # 2026-W37
WEEKS = 11
OUTLETS = ["bao-a", "bao-b", "bao-c", "bao-d", "bao-e", "bao-f"]
BACKGROUND = [  # (topic, province, stories per week): the steady news
    ("land", "Hà Nội", 3), ("complaints", "Hà Nội", 2), ("public_order", "Hồ Chí Minh", 4),
    ("environment", "Hồ Chí Minh", 2), ("safety", "Đà Nẵng", 2), ("infrastructure", "Hà Nội", 2),
    ("education", "Nghệ An", 1), ("health", "Hồ Chí Minh", 2), ("livelihood", "Cần Thơ", 1),
    ("land", "Hải Phòng", 1),
]
HOSTILE_TITLE = 'Công nhân đình công <script>alert("x")</script> <img src=x onerror=alert(1)>'


def _doc(i: int, source: str, title: str, published: dt.datetime) -> Document:
    return Document(
        url=f"https://{source}.example.vn/tin/{i}.html", source=source, kind="press", title=title,
        lead=f"Tóm tắt {i}", text=f"Nội dung bài {i}.", fetched_at=published + dt.timedelta(hours=1),
        published_at=published,
    )


def build_timeline(con, rise: bool = True, seed: int = 5) -> dict:
    """Writes the timeline; returns what was planted so tests can name it."""
    rng = random.Random(seed)
    docs: list[Document] = []
    enrich: list[tuple[int, list[str], list[str], str]] = []  # (doc index, topics, provinces, story)

    def add(topic: str, province: str, when: dt.datetime, title: str, story: str, source: str) -> None:
        docs.append(_doc(len(docs), source, title, when))
        enrich.append((len(docs) - 1, [topic], [province], story))

    for week in range(WEEKS):
        monday = dt.datetime.combine(FIRST_MONDAY + dt.timedelta(weeks=week), dt.time(8), tzinfo=VN)
        for topic, province, n in BACKGROUND:
            for s in range(n):
                when = monday + dt.timedelta(days=rng.randrange(7), hours=rng.randrange(12))
                story = f"{topic}-{province}-{week}-{s}"
                for source in rng.sample(OUTLETS, rng.choice([1, 1, 2])):
                    add(topic, province, when, f"Tin {topic} tại {province} tuần {week} số {s}", story, source)
        if week < WEEKS - 1 and week % 3 == 1:  # Hải Phòng labor: 0-1 a week before the rise
            when = monday + dt.timedelta(days=2)
            add("labor", "Hải Phòng", when, f"Công ty chậm trả lương công nhân tuần {week}", f"hp-labor-{week}", "bao-a")
    if rise:
        monday = dt.datetime.combine(FIRST_MONDAY + dt.timedelta(weeks=WEEKS - 1), dt.time(7), tzinfo=VN)
        strikes = [
            "Hàng nghìn công nhân ngừng việc tập thể ở KCN Tràng Duệ",
            "Công nhân đình công vì bị nợ lương hai tháng",
            "Doanh nghiệp nợ bảo hiểm xã hội, người lao động bức xúc",
            HOSTILE_TITLE,
            "Công ty giày da cắt giảm hàng loạt lao động",
            "Lao động ngừng việc đòi tăng lương ở An Dương",
        ]
        for s, title in enumerate(strikes):
            when = monday + dt.timedelta(days=s % 7, hours=s)
            outlets = OUTLETS[s % 5: s % 5 + (2 if s < 4 else 1)]
            for source in outlets:
                add("labor", "Hải Phòng", when + dt.timedelta(minutes=5 * len(docs) % 60), title, f"hp-strike-{s}", source)
        # The day before "today" has a labor item from a place never seen before.
        add("labor", "Cao Bằng", dt.datetime(2026, 11, 22, 9, tzinfo=VN), "Lần đầu có tranh chấp lao động ở Cao Bằng", "cb-1", "bao-f")
    upsert_documents(con, docs)
    insert_enrichments(con, [
        Enrichment(doc_id=docs[i].doc_id, model_version="test-1", content_hash=docs[i].content_hash,
                   topics=topics, scores={t: 0.9 for t in topics}, provinces=provinces, story_id=story)
        for i, topics, provinces, story in enrich
    ])
    return {"documents": len(docs)}


def record_crawl_health(con) -> None:
    """Two sources' last runs: one failed with causes, one fine (and a silent source)."""
    con.execute("INSERT INTO sources VALUES ('bao-x', 'feed', 'press', 'https://bao-x.example.vn', NULL, NULL, now())")
    ok = start_run(con, "bao-a")
    finish_run(con, ok, CrawlRunResult(pages_ok=5, items_stored=5))
    bad = start_run(con, "bao-b")
    record_failures(con, [FetchFailure("bao-b", "https://bao-b.example.vn/rss", "http_500", "Server error", NOW, bad)] * 2)
    finish_run(con, bad, CrawlRunResult(pages_ok=0, pages_failed=2, failures={"http_500": 2}), status="failed")


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def timeline_db(settings):
    with open_writer(settings.database) as store:
        build_timeline(store.con)
        record_crawl_health(store.con)
    return settings


@pytest.fixture
def now():
    """The demo's pinned "today": 2026-11-23 08:00 in Asia/Ho_Chi_Minh."""
    return NOW

"""Daily and weekly digests: same content in HTML, Markdown and JSON, crawled text escaped,
recorded in `digests` (writing again replaces), Vietnamese labels."""
from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser

from pipeline.digest import run_daily_digest, run_weekly_digest
from pipeline.hotspots import run_hotspots
from store import open_reader

HOSTILE_DAY = dt.date(2026, 11, 19)  # the day the headline with <script> and onerror= was published


class _Elements(HTMLParser):
    """Every element and attribute the browser would build from the page."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)
        self.hrefs.extend(v for k, v in attrs if k == "href")


def _strings(value) -> str:
    if isinstance(value, dict):
        return "\n".join(_strings(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(_strings(v) for v in value)
    return str(value)


def _parse(path) -> _Elements:
    parser = _Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_daily_digest_has_totals_hot_spots_top_stories_new_places_and_source_health(timeline_db, now):
    run_hotspots(timeline_db, now=now)
    summary = run_daily_digest(timeline_db, now=now)  # default: yesterday, 2026-11-22
    assert summary.period == "2026-11-22"
    content = json.loads(summary.json_path.read_text(encoding="utf-8"))
    assert content["title"] == "Bản tin dư luận ngày 22/11/2026"
    assert content["totals"]["documents"] == 3 and content["totals"]["documents_avg7"] > 0
    assert content["hotspot_week"] == "2026-W47"
    [hot] = content["hotspots"]
    assert (hot["topic_name"], hot["province"], hot["level_name"]) == ("Lao động, đình công, nợ lương", "Hải Phòng", "Đang tăng")
    assert hot["trend"][-1] == 6 and max(hot["trend"][:-1]) <= 1 and len(hot["trend"]) == 12
    labor = next(t for t in content["topics"] if t["topic"] == "labor")
    assert labor["stories"][0]["headline"] == "Lần đầu có tranh chấp lao động ở Cao Bằng"
    assert labor["stories"][0]["links"][0]["url"].startswith("https://bao-f.example.vn/")
    assert [(p["topic"], p["province"]) for p in content["new_places"]] == [("labor", "Cao Bằng")]
    health = {s["source"]: s for s in content["source_health"]}
    assert health["bao-b"]["problem"] == "failed" and "http_500" in health["bao-b"]["causes"]
    assert health["bao-x"]["problem"] == "silent"
    assert "bao-a" not in health

    html = summary.html_path.read_text(encoding="utf-8")
    for heading in ("Tổng quan trong ngày", "Điểm nóng tuần 2026-W47", "Tin nổi bật theo chủ đề",
                    "Địa bàn mới xuất hiện", "Tình trạng nguồn tin"):
        assert heading in html
        assert heading in summary.md_path.read_text(encoding="utf-8")
    elements = _parse(summary.html_path)
    assert "svg" in elements.tags  # the trend chart is inline
    assert not [h for h in elements.hrefs if not h.startswith("https://")]  # nothing external but source links
    assert "<link" not in html and "<script" not in html and "<img" not in html  # self-contained, no scripts


def test_crawled_markup_is_text_in_every_output(timeline_db, now):
    run_hotspots(timeline_db, now=now)
    for summary in (run_daily_digest(timeline_db, day=HOSTILE_DAY, now=now), run_weekly_digest(timeline_db, now=now)):
        elements = _parse(summary.html_path)
        assert "script" not in elements.tags and "img" not in elements.tags
        assert not [name for name, _ in elements.attributes if name.startswith("on")]
        html = summary.html_path.read_text(encoding="utf-8")
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
        markdown = summary.md_path.read_text(encoding="utf-8")
        assert "<script>" not in markdown and "\\<script\\>" in markdown
        # JSON keeps the text exactly as published: escaping is the renderer's job.
        assert 'Công nhân đình công <script>alert("x")</script>' in _strings(json.loads(summary.json_path.read_text(encoding="utf-8")))


def test_writing_a_digest_again_replaces_its_files_and_row(timeline_db, now):
    run_daily_digest(timeline_db, now=now)
    later = now + dt.timedelta(hours=2)
    summary = run_daily_digest(timeline_db, now=later)
    with open_reader(timeline_db.database) as store:
        rows = store.con.execute("SELECT kind, period, html_path, summary FROM digests").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [("daily", "2026-11-22", str(summary.html_path))]
    assert "10:00:00+07:00" in json.loads(summary.json_path.read_text(encoding="utf-8"))["generated_at"]


def test_weekly_digest_lists_the_hot_spots_with_their_stories(timeline_db, now):
    run_hotspots(timeline_db, now=now)
    summary = run_weekly_digest(timeline_db, week="2026-W47", now=now)
    content = json.loads(summary.json_path.read_text(encoding="utf-8"))
    [hot] = content["hotspots"]
    assert len(hot["stories_list"]) == 5 and hot["stories_list"][0]["outlets"] == 2
    assert summary.html_path.name == "2026-W47.html" and summary.html_path.parent.name == "weekly"


def test_a_digest_with_no_hot_spots_computed_says_so(settings, now):
    from store import open_writer

    with open_writer(settings.database):  # `dulun init`: an empty database
        pass
    summary = run_daily_digest(settings, now=now)
    html = summary.html_path.read_text(encoding="utf-8")
    assert "chưa tính điểm nóng tuần nào" in html and "Không có tin nào được gắn chủ đề" in html


def test_only_web_links_become_links_and_markdown_cannot_inject_markup():
    from pipeline.digest.render import md, md_url, safe_url

    assert safe_url("https://baohaiphong.vn/a.html") == "https://baohaiphong.vn/a.html"
    assert safe_url("javascript:alert(1)") is None and safe_url("data:text/html,<b>x</b>") is None
    assert md("Giá điện | tăng <b>mạnh</b> [xem](javascript:x)") == \
        "Giá điện \\| tăng \\<b\\>mạnh\\</b\\> \\[xem\\]\\(javascript:x\\)"
    assert md_url("javascript:alert(1)") == "" and md_url("https://a.vn/x (1)") == "https://a.vn/x%20%281%29"


def test_posts_are_linked_by_their_thread_never_by_the_post_permalink(timeline_db, now, tmp_path):
    """A post's permalink opens the page with its author's name next to it; digests and alerts
    point at the public thread instead (an issue is about the thread, not the person)."""
    from pipeline.alerts import run_alerts
    from store import open_writer
    from store.documents import upsert_documents
    from bench.synthetic import insert_enrichments
    from core.records import Document, Enrichment

    thread = "https://diendan.example.vn/threads/cong-nhan-ngung-viec.123/"
    posts = [Document(url=f"{thread}post-{n}", source="dien-dan", kind="post", title="Công nhân KCN ngừng việc đòi lương",
                      text=f"Bài viết số {n} trong chủ đề.", author_hash=f"{n:024d}", thread_url=thread,
                      published_at=dt.datetime(2026, 11, 22, 10 + n, tzinfo=now.tzinfo),
                      fetched_at=dt.datetime(2026, 11, 22, 20, tzinfo=now.tzinfo)) for n in (1, 2)]
    with open_writer(timeline_db.database) as store:
        upsert_documents(store.con, posts)
        insert_enrichments(store.con, [
            Enrichment(doc_id=p.doc_id, model_version="test-1", content_hash=p.content_hash, topics=["labor"],
                       scores={"labor": 0.9}, provinces=["Hải Phòng"], story_id="dien-dan-1") for p in posts])
    run_hotspots(timeline_db, now=now)
    digest = json.loads(run_daily_digest(timeline_db, now=now).json_path.read_text(encoding="utf-8"))
    rules = tmp_path / "rules.yaml"
    rules.write_text(f"channels:\n  board: {{type: file, dir: {tmp_path / 'alerts'}}}\n"
                     "rules:\n  - {name: lao-dong, topics: [labor], provinces: [Hải Phòng], channels: [board]}\n",
                     encoding="utf-8")
    alerting = timeline_db.model_copy(update={"alerts": timeline_db.alerts.model_copy(update={"rules_file": rules})})
    run_alerts(alerting, now=now)
    [alert] = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "alerts").glob("*.json")]
    digest_links = [link["url"] for topic in digest["topics"] for story in topic["stories"] for link in story["links"]]
    alert_links = [link["url"] for h in alert["headlines"] for link in h["links"]]
    for links in (digest_links, alert_links):
        assert thread in links and links.count(thread) == 1
        assert not [u for u in links if "/post-" in u]


def test_the_daily_digest_says_what_is_rising_now(timeline_db, now):
    """The rolling detection at the digest's own moment: the Hải Phòng labor wave (five stories in
    the 7 days before 2026-11-23 08:00), its leading story with the hostile headline kept as text."""
    summary = run_daily_digest(timeline_db, now=now)
    content = json.loads(summary.json_path.read_text(encoding="utf-8"))
    assert content["rising_now"]["at"] == "2026-11-23T08:00+07:00"
    [cell] = content["rising_now"]["cells"]
    assert (cell["topic"], cell["province"], cell["window_name"], cell["stories"], cell["level_name"]) == \
        ("labor", "Hải Phòng", "7 ngày", 5, "Đang tăng")
    assert cell["expected"] < 1 and cell["story"]["headline"].startswith("Công nhân đình công <script>")
    page = _parse(summary.html_path)
    assert "script" not in page.tags and not any(name.startswith("on") for name, _ in page.attributes)
    html = summary.html_path.read_text(encoding="utf-8")
    assert 'id="rising-now"' in html and "Đang nổi lên" in html and "7 ngày" in html
    assert "## Đang nổi lên" in summary.md_path.read_text(encoding="utf-8")

"""`dulun demo` runs the whole pipeline offline and leaves a database an analyst can look at."""
import datetime as dt
from pathlib import Path

import pytest


pytestmark = pytest.mark.slow

DEMO_SOURCES = {"demo-baoquocgia", "demo-baohaiphong", "demo-baoquangngai", "demo-diendan", "demo-phananh"}


def test_every_fixture_source_is_stored(demo_db, query):
    by_source = dict(query(demo_db, "SELECT source, count(*) FROM documents GROUP BY source"))
    assert DEMO_SOURCES <= set(by_source), by_source
    assert all(n > 0 for n in by_source.values())


def test_every_document_is_enriched(demo_db, query):
    missing = query(demo_db, """
        SELECT count(*) FROM documents d
        WHERE d.language IS DISTINCT FROM 'other'
          AND NOT EXISTS (SELECT 1 FROM current_enrichments e WHERE e.doc_id = d.doc_id)""")[0][0]
    assert missing == 0


def test_the_planted_rise_is_a_hot_spot(demo_db, query):
    hot = query(demo_db, """
        SELECT level, stories, baseline FROM hotspots
        WHERE iso_week = '2026-W47' AND topic = 'labor' AND province = 'Hải Phòng'""")
    assert hot, "no hot-spot row for labor in Hải Phòng in 2026-W47"
    level, stories, baseline = hot[0]
    assert level in ("new", "rising", "persistent")
    assert stories >= 3 and stories > 3 * (baseline or 0)


def test_every_post_of_a_forum_thread_counts_as_one_story(demo_db, query):
    threads = query(demo_db, """
        SELECT regexp_replace(d.url, '[?]post=.*$', '') AS thread, count(DISTINCT e.story_id) AS stories
        FROM documents d JOIN current_enrichments e USING (doc_id)
        WHERE d.source = 'demo-diendan' GROUP BY thread""")
    assert len(threads) >= 10
    assert all(stories == 1 for _, stories in threads), [t for t in threads if t[1] != 1][:3]


def test_a_digest_and_an_alert_are_written(demo_run, demo_db, query):
    data_dir, _ = demo_run
    digests = query(demo_db, "SELECT kind, period, html_path FROM digests")
    assert any(kind == "daily" for kind, _, _ in digests)
    for _, _, html in digests:
        assert (data_dir.parent / html).is_file() or Path(html).is_file()
    alerts = query(demo_db, "SELECT topic, province, payload FROM alerts")
    assert any(topic == "labor" and province == "Hải Phòng" for topic, province, _ in alerts)
    delivered = query(demo_db, "SELECT count(*) FROM alert_outbox WHERE channel LIKE 'file%' AND status = 'sent'")
    assert delivered[0][0] >= 1
    assert any(p.suffix == ".json" for p in (data_dir / "alerts").rglob("*"))


def test_status_shows_the_demo(demo_run, dulun_cli):
    data_dir, _ = demo_run
    status = dulun_cli("status", env={"DULUN_DATA_DIR": str(data_dir)}, cwd=data_dir.parent)
    assert status.returncode == 0, status.stderr
    for source in DEMO_SOURCES:
        assert source in status.stdout


def test_running_the_demo_twice_does_not_duplicate_documents(demo_run, demo_db, query, dulun_cli):
    data_dir, _ = demo_run
    before = query(demo_db, "SELECT count(*), count(DISTINCT url), sum(version) FROM documents")[0]
    alerts_before = query(demo_db, "SELECT count(*) FROM alerts")[0][0]
    again = dulun_cli("demo", env={"DULUN_DATA_DIR": str(data_dir)}, cwd=data_dir.parent)
    assert again.returncode == 0, again.stderr[-3000:]
    after = query(demo_db, "SELECT count(*), count(DISTINCT url), sum(version) FROM documents")[0]
    assert after == before
    assert before[0] == before[1]
    assert query(demo_db, "SELECT count(*) FROM alerts")[0][0] == alerts_before


def test_the_hai_phong_labor_alert_fires_while_the_wave_builds_not_the_next_monday(demo_run, demo_db, query):
    """The demo replays its last 14 days hour by hour: the alert about the planted wave (building
    from Tuesday 17/11) comes within 6 hours of the third story the pipeline counted there, days
    before the weekly table (Monday 23/11 06:30)."""
    import datetime as dt

    from core.timeutil import VN

    [(detected, tipping)] = query(demo_db, """
        SELECT detected_at, tipping_published_at FROM alerts
        WHERE kind = 'opened' AND rule = 'lao-dong-dinh-cong' AND topic = 'labor' AND province = 'Hải Phòng'""")
    stories = [r[0] for r in query(demo_db, """
        SELECT published_at FROM detect_stories WHERE topic = 'labor' AND province = 'Hải Phòng'
          AND published_at >= TIMESTAMPTZ '2026-11-16 00:00:00+07' ORDER BY published_at""")]
    third = stories[2]
    assert third <= detected <= third + dt.timedelta(hours=6)
    assert detected.astimezone(VN).date() == third.astimezone(VN).date()  # the day the wave builds
    assert detected < dt.datetime(2026, 11, 20, tzinfo=VN)
    assert tipping == third  # the story that tipped it
    _, result = demo_run
    assert "When each alert fired" in result.stderr and "after the 3rd of these" in result.stderr


def test_the_demo_follows_its_issues_to_their_answers_and_digests_them(demo_run):
    """Follow-up on the demo: the Trà Bồng fish kill (reported Tuesday 10/11) is inspected on
    12/11 and cleaned up and compensated on 20/11; the daily digest lists what waits for an
    answer and what waits for a resolution, the weekly one has the response-rate table, and the
    replay's hourly cycles sent the shipped 'unanswered after 7 days' rule's alerts."""
    import json

    from tests.conftest import run_dulun

    data_dir, result = demo_run
    listed = run_dulun("followup", "--list", "--json", "--now", "2026-11-23T08:00+07:00",
                       env={"DULUN_DATA_DIR": str(data_dir)}, cwd=data_dir.parent)
    assert listed.returncode == 0, listed.stderr
    threads = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]
    [trabong] = [t for t in threads if t["headline"].startswith("Cá chết trắng sông Trà Bồng")]
    assert (trabong["province"], trabong["topic"], trabong["state"]) == ("Quảng Ngãi", "environment", "resolved")
    assert trabong["raised_at"].startswith("2026-11-10T07:30") and trabong["answered_at"].startswith("2026-11-12T09:30")
    assert trabong["resolved_at"].startswith("2026-11-20T08:40") and trabong["documents"] >= 5
    # The portal's statuses, seen poll by poll, answer some petitions.
    assert any(t["answered_how"] and t["answered_how"].startswith("portal") for t in threads), \
        {t["answered_how"] for t in threads}

    daily = (data_dir / "digests" / "daily" / "2026-11-22.md").read_text(encoding="utf-8")
    assert "## Phản ánh chưa được trả lời sau 7 ngày" in daily and "## Đã trả lời, chưa giải quyết" in daily
    weekly = (data_dir / "digests" / "weekly" / "2026-W47.md").read_text(encoding="utf-8")
    assert "## Tỷ lệ trả lời, giải quyết theo địa bàn và chủ đề" in weekly and "| Quảng Ngãi | Môi trường" in weekly
    assert "unanswered moi-truong-chua-tra-loi" in " ".join(result.stderr.split())


def test_crawl_runs_are_on_the_replays_clock(demo_db, query):
    """The demo replays weeks of polls on a simulated clock: its source health (digest, workbench
    Sources page) must show when each poll ran in that story, not when the demo was run: every run
    between the first fetch and the replay's last cycle."""
    first_fetch, last_cycle, first_run, last_run, unfinished = query(demo_db, """
        SELECT (SELECT min(fetched_at) FROM documents), (SELECT max(detected_at) FROM detection_runs),
               min(started_at), max(finished_at), count(*) FILTER (WHERE finished_at IS NULL) FROM crawl_runs""")[0]
    assert unfinished == 0
    assert first_fetch - dt.timedelta(hours=1) <= first_run and last_run <= last_cycle

"""The digest as an analyst sees it: opened from disk in headless Chromium (Debian's package),
key sections visible, crawled markup shown as text, no console or page errors, a screenshot kept."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.digest import run_daily_digest, run_weekly_digest
from pipeline.hotspots import run_hotspots

pytestmark = pytest.mark.slow


def _open(browser, path: Path, watched_page):
    page, problems = watched_page(browser, 1100, 900)
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page, problems


def test_daily_digest_renders_in_chromium_with_sections_visible_and_no_errors(browser, watched_page, timeline_db, now,
                                                                              tmp_path):
    run_hotspots(timeline_db, now=now)
    summary = run_daily_digest(timeline_db, day=dt.date(2026, 11, 19), now=now)
    page, problems = _open(browser, summary.html_path, watched_page)
    for section in ("#totals", "#hotspots", "#topics", "#new-places", "#source-health"):
        assert page.locator(section).is_visible(), section
    assert page.get_by_role("heading", name="Điểm nóng tuần 2026-W47").is_visible()
    hot = page.locator("tr.hotspot").first
    assert "Hải Phòng" in hot.inner_text() and "Đang tăng" in hot.inner_text()
    assert hot.locator("svg").is_visible()
    # The hostile headline is on screen as text, and built no element.
    assert page.get_by_text('<script>alert("x")</script>', exact=False).first.is_visible()
    assert page.locator("img").count() == 0 and page.locator("body script").count() == 0
    screenshot = tmp_path / "digest-2026-11-19.png"
    page.screenshot(path=str(screenshot), full_page=True)
    page.emulate_media(media="print")  # the print stylesheet applies without errors
    assert page.locator("#hotspots").is_visible()
    print(f"\ndigest screenshot: {screenshot}")
    assert screenshot.stat().st_size > 10_000
    assert problems == []


def test_weekly_digest_renders_in_chromium(browser, watched_page, timeline_db, now, tmp_path):
    run_hotspots(timeline_db, now=now)
    summary = run_weekly_digest(timeline_db, now=now)
    page, problems = _open(browser, summary.html_path, watched_page)
    assert page.locator("#hotspots").is_visible()
    assert page.locator("li.story").count() == 5
    page.screenshot(path=str(tmp_path / "weekly-2026-W47.png"), full_page=True)
    assert problems == []

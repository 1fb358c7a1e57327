"""The workbench as an analyst uses it, in headless Chromium (Debian's package): every page
renders with no console or page errors on the demo database, a toneless search finds the
planted strikes, a `<script>` headline is text, and a correction made by clicking shows up in
the next `dulun train`'s provenance."""
from __future__ import annotations

import json
import re
import shutil
import urllib.parse

import pytest

from store import open_reader
from web_support import serve

pytestmark = pytest.mark.slow
HP = urllib.parse.quote("Hải Phòng")


@pytest.fixture(scope="module")
def demo_copy(demo_run, tmp_path_factory):
    """A copy of the session's demo data, so clicks here change nothing other tests read."""
    from core.settings import Settings

    target = tmp_path_factory.mktemp("demo-web") / "data"
    shutil.copytree(demo_run[0], target, ignore=shutil.ignore_patterns("*.lock"))
    return Settings(data_dir=target)


@pytest.fixture(scope="module")
def demo_server(demo_copy):
    with serve(demo_copy) as server:
        yield server


def test_every_page_renders_without_errors_and_a_toneless_search_finds_the_planted_strikes(open_page, demo_server):
    base = demo_server.base
    page, _, _ = open_page(base + "/search?q=dinh+cong+hai+phong")
    results = page.locator("li.result")
    titles = results.locator("a.title").all_inner_texts()
    assert len(titles) >= 3, titles
    assert all("Hải Phòng" in text for text in results.all_inner_texts())  # each planted strike is tagged there
    assert any("đình công" in t.lower() for t in titles)
    assert page.locator("mark", has_text="đình công").count() > 0
    story = page.locator("li.result a", has_text="sự việc").first.get_attribute("href")
    doc = page.locator("li.result a.title").first.get_attribute("href")
    page.close()
    paths = ["/", "/?day=2026-11-18", "/hotspots", "/hotspots?week=2026-W46",
             f"/hotspots/cell?week=2026-W47&topic=labor&province={HP}", "/map", "/map?measure=level&topic=labor",
             "/map?days=90&topic=environment", story, doc, "/sources", "/alerts", "/review", "/search?q=ng%E1%BA%ADp"]
    for path in paths:
        page, response, problems = open_page(base + path)
        assert response.status == 200, path
        assert page.locator("main h1").first.is_visible(), path
        assert problems == [], (path, problems)
        page.close()


def test_the_cell_page_explains_the_flag_and_loads_its_phrases(open_page, demo_server):
    page, _, problems = open_page(demo_server.base + f"/hotspots/cell?week=2026-W47&topic=labor&province={HP}")
    assert "Đang tăng" in page.locator("h1").inner_text() or "Mới" in page.locator("h1").inner_text()
    assert "so với mức thường thấy" in page.locator("#why").inner_text()
    assert page.locator("#daily svg rect.now").count() > 0
    page.locator("#phrases table").wait_for(timeout=30_000)  # htmx fetched the fragment
    assert page.locator("#phrases td").count() > 0
    assert problems == []


def test_today_shows_the_hai_phong_wave_rising_now_and_its_cell_tells_the_episode(open_page, demo_server):
    page, _, problems = open_page(demo_server.base + "/")
    row = page.locator("#rising-now tr.rising", has_text="Hải Phòng")
    assert row.count() == 1 and "Lao động" in row.inner_text()
    assert "18/11/2026" in row.inner_text()  # followed since the second day of the wave (simulated clock)
    row.locator("a").click()
    page.wait_for_load_state("networkidle")
    episodes = page.locator("#episodes").inner_text()
    assert "Đợt #" in episodes and "Bắt đầu theo dõi" in episodes and "18/11/2026" in episodes
    assert problems == []


def test_a_story_of_the_demo_is_dated_by_the_replay_clock_not_the_machine_clock(open_page, demo_server):
    """The demo replays 2026-11-09 to 2026-11-23: every time on a story page belongs there."""
    page, _, _ = open_page(demo_server.base + "/search?q=dinh+cong+hai+phong")
    story = page.locator("li.result a", has_text="sự việc").first.get_attribute("href")
    page.goto(demo_server.base + story)
    dates = re.findall(r"(\d{2})/(\d{2})/(\d{4}) \d{2}:\d{2}", page.locator("main").inner_text())
    assert dates and all((y, m, d) <= ("2026", "11", "23") for d, m, y in dates), dates


def test_a_script_headline_is_shown_as_text(open_page, live):
    page, _, problems = open_page(live.base + "/search?q=c%C3%B4ng+nh%C3%A2n+%C4%91%C3%ACnh+c%C3%B4ng")
    assert page.get_by_text('<script>alert("x")</script>', exact=False).first.is_visible()
    assert page.locator("main script").count() == 0 and page.locator("main img").count() == 0
    assert problems == []


def test_a_correction_made_in_the_browser_shows_up_in_the_next_train_provenance(open_page, demo_server, demo_copy,
                                                                                  dulun_cli):
    page, _, problems = open_page(demo_server.base + "/review")
    first = page.locator("article.review-item").first
    doc_id = re.search(r"/doc/([0-9a-f]+)", first.locator("h2 a").get_attribute("href"))[1]
    form = first.locator("form.label-form")
    box = form.locator("input[name=topic][value=labor]")
    box.set_checked(not box.is_checked())
    form.locator("button[value=save]").click()
    page.get_by_text("Đã lưu nhãn").wait_for(timeout=15_000)  # htmx swapped in the answer
    assert problems == []
    with demo_server.reading(), open_reader(demo_copy.database) as store:
        assert store.con.execute("SELECT count(*) FROM labels WHERE doc_id = ?", [doc_id]).fetchall()[0][0] == 1
    status = dulun_cli("status", env={"DULUN_DATA_DIR": str(demo_copy.data_dir)})
    assert re.search(r"waiting for a retrain\D+1\b", status.stdout), status.stdout
    trained = dulun_cli("train", env={"DULUN_DATA_DIR": str(demo_copy.data_dir)})
    assert trained.returncode == 0, trained.stderr[-2000:]
    with open_reader(demo_copy.database) as store:
        provenance = store.con.execute("SELECT provenance FROM models WHERE kind = 'topics' "
                                       "ORDER BY created_at DESC LIMIT 1").fetchall()[0][0]
    assert json.loads(provenance)["training_counts"]["analyst_labels"] == 1

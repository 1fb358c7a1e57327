"""Every workbench page over real HTTP on the demo-shaped timeline: answers in Vietnamese,
carries the security headers, escapes crawled text, shows no author, and corrections reach the
labels table through the single writer (queued while another process writes)."""
from __future__ import annotations

import re
import time
import urllib.parse

from store import open_reader
from store.db import WriterLock

from web_support import Client

HP = urllib.parse.quote("Hải Phòng")
PAGES = {
    "/": "Bản tin dư luận ngày 22/11/2026",
    "/?day=2026-11-19": "Bản tin dư luận ngày 19/11/2026",
    "/hotspots": "Điểm nóng tuần 2026-W47",
    f"/hotspots/cell?week=2026-W47&topic=labor&province={HP}": "Vì sao",
    f"/hotspots/cell/phrases?week=2026-W47&topic=labor&province={HP}": "Cụm từ",
    "/map": "Bản đồ",
    "/map?measure=level&topic=labor": "Mức điểm nóng tuần 2026-W47",
    "/search?q=dinh+cong+hai+phong": "tin khớp",
    "/sources": "Nguồn tin",
    "/alerts": "Cảnh báo",
    "/review": "Rà soát nhãn",
    "/issues": "Theo dõi",
    "/issues?state=raised": "Theo dõi",
    "/issues/review": "Rà soát vai trò",
}


def _doc_ids(text: str) -> list[str]:
    return re.findall(r'href="/doc/([0-9a-f]+)"', text)


def test_every_page_answers_in_vietnamese_with_security_headers_and_no_inline_script(client):
    for path, heading in PAGES.items():
        reply = client.get(path)
        assert reply.status == 200, (path, reply.text[:500])
        assert heading in reply.text, path
        csp = reply.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert reply.headers["x-content-type-options"] == "nosniff" and reply.headers["x-frame-options"] == "DENY"
        assert reply.headers["server-timing"].startswith("app;dur=")
        scripts = re.findall(r"<script\b[^>]*>", reply.text)
        assert all('src="/static/' in s for s in scripts), (path, scripts)
        assert " style=" not in reply.text and "<style" not in reply.text, path


def test_the_story_and_document_pages_follow_a_search_hit(client):
    search = client.get("/search?q=%C4%91%C3%ACnh+c%C3%B4ng")
    doc_id = _doc_ids(search.text)[0]
    doc = client.get(f"/doc/{doc_id}")
    assert doc.status == 200 and "Sửa nhãn" in doc.text
    story = re.search(r'href="/story/([^"]+)"', doc.text)[1]
    page = client.get(f"/story/{story}")
    assert page.status == 200 and "Mọi lần nhắc tới" in page.text and "Lần đầu đăng" in page.text


def _section(text: str, section_id: str) -> str:
    return text.split(f'<section id="{section_id}">', 1)[1].split("</section>", 1)[0]


def test_today_and_hot_spots_show_what_is_rising_now_linking_to_the_cell_and_its_episode(client):
    cell = "/hotspots/cell?" + urllib.parse.urlencode({"topic": "labor", "province": "Hải Phòng"})
    for path in ("/", "/hotspots"):
        rising = _section(client.get(path).text, "rising-now")
        row = next(r for r in rising.split("<tr") if "Hải Phòng" in r)
        assert "Lao động" in row and cell.replace("&", "&amp;") in row, path
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        assert cells[5] == cells[7] == "23/11/2026 08:00", (path, cells)  # followed since / detected at: the alerts' cycle
    episodes = _section(client.get(cell).text, "episodes")
    assert "Đợt #" in episodes and "đang diễn ra" in episodes
    assert "Bắt đầu theo dõi" in episodes and "sự việc (kỳ vọng" in episodes


def test_a_moment_pinned_before_the_newest_detection_is_not_shown_what_was_found_later(workbench_settings):
    """The detect stage keeps its newest run only: a workbench pinned three days earlier (a
    replay read back) says when that run was instead of showing its cells as "rising now"."""
    import datetime as dt

    from web_support import NOW, serve

    with serve(workbench_settings, now=NOW - dt.timedelta(days=3), index=False) as earlier:
        rising = _section(Client(earlier.base).get("/").text, "rising-now")
    assert "diễn ra sau thời điểm đang xem (20/11/2026 08:00)" in rising and "23/11/2026 08:00" in rising
    assert "<table" not in rising and "Hải Phòng" not in rising


def test_crawled_markup_is_shown_as_text_everywhere(client):
    for path in ("/search?q=cong+nhan+dinh+cong", f"/hotspots/cell?week=2026-W47&topic=labor&province={HP}"):
        text = client.get(path).text
        assert "&lt;script&gt;alert(" in text, path
        assert "<script>alert" not in text and "<img src=x" not in text, path


def test_bad_parameters_get_a_page_not_a_traceback(client):
    for path in ("/?day=23-11-2026", "/hotspots?week=2026-W99", "/map?topic=nope", "/search?kind=rumour",
                 "/doc/nope", "/story/nope", "/issue/nope", "/issues?state=lost"):
        reply = client.get(path)
        assert reply.status in (400, 404), path
        assert "Traceback" not in reply.text and "<h1>" in reply.text, path


def test_no_page_shows_a_post_author_and_a_byline_only_on_its_own_press_item(workbench_settings, live, client):
    from store import open_writer

    with live.writing(), open_writer(workbench_settings.database) as store:
        store.con.execute("UPDATE documents SET byline = 'Phóng viên Nguyễn Văn A', author_hash = 'hash-of-someone' "
                          "WHERE doc_id = (SELECT min(doc_id) FROM documents)")
        doc_id, story = store.con.execute(
            "SELECT d.doc_id, coalesce(e.story_id, d.doc_id) FROM documents d JOIN enrichments e USING (doc_id) "
            "WHERE d.doc_id = (SELECT min(doc_id) FROM documents)").fetchall()[0]
    assert "Nguyễn Văn A" in client.get(f"/doc/{doc_id}").text  # the press byline, as published
    for path in (f"/story/{urllib.parse.quote(story)}", "/search?q=tin", "/", "/review", "/sources"):
        text = client.get(path).text
        assert "Nguyễn Văn A" not in text and "hash-of-someone" not in text, path


def test_a_post_without_the_csrf_token_is_refused(client):
    doc_id = _doc_ids(client.get("/review").text)[0]
    reply = client.post(f"/doc/{doc_id}/label", {"topic": "labor"})
    assert reply.status == 403 and "CSRF" in reply.text
    reply = client.post(f"/doc/{doc_id}/label", {"topic": "labor", "csrf": "forged"})
    assert reply.status == 403


def _label(settings, doc_id, live):
    with live.reading(), open_reader(settings.database) as store:
        rows = store.con.execute("SELECT topics, provinces FROM labels WHERE doc_id = ?", [doc_id]).fetchall()
    return rows[0] if rows else None


def test_a_correction_is_stored_as_an_analyst_label_at_once_when_the_writer_is_free(workbench_settings, live, client):
    doc_id = _doc_ids(client.get("/review").text)[0]
    reply = client.post(f"/doc/{doc_id}/label", {"csrf": client.csrf(), "topic": ["labor", "complaints"],
                                                 "province": ["Hải Phòng", "Atlantis"], "action": "save"})
    assert reply.status == 303 and reply.headers["location"].endswith("saved=1")
    assert _label(workbench_settings, doc_id, live) == (["labor", "complaints"], ["Hải Phòng"])  # unknown place dropped
    assert "nhãn chờ huấn luyện lại" in client.get("/review").text


def test_a_correction_made_while_another_process_writes_is_queued_then_applied(workbench_settings, live, client,
                                                                                   dulun_cli):
    doc_id = _doc_ids(client.get("/review").text)[1]
    token = client.csrf()
    lock = WriterLock(workbench_settings.database, 0)
    lock.acquire()  # what a crawl does for its whole run
    try:
        started = time.monotonic()
        reply = client.post(f"/doc/{doc_id}/label", {"csrf": token, "topic": "health", "action": "save"},
                            headers={"HX-Request": "true"})
        assert time.monotonic() - started < 5
        assert reply.status == 200 and "hàng chờ" in reply.text
        assert _label(workbench_settings, doc_id, live) is None
        status = dulun_cli("status", env={"DULUN_DATA_DIR": str(workbench_settings.data_dir)})
        assert status.returncode == 0, status.stderr
        assert re.search(r"corrections queued\D+1\b", status.stdout), status.stdout
    finally:
        lock.release()
    deadline = time.monotonic() + 20
    while _label(workbench_settings, doc_id, live) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _label(workbench_settings, doc_id, live) == (["health"], [])

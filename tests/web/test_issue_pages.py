"""The workbench's follow-up pages over real HTTP: an issue's timeline with each document's role
and its portal statuses, reached from the story and document pages; the list of issues by state."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from core.settings import Settings
from store import open_reader

from web_support import Client, module_at, serve

_FOLLOWUP = Path(__file__).resolve().parents[1] / "pipeline" / "test_followup.py"


def _timeline():
    return module_at(_FOLLOWUP, "followup_timeline")


@pytest.fixture(scope="module")
def issue_site(tmp_path_factory, role_model_dir):
    from pipeline.followup import run_followup

    timeline = _timeline()
    settings = Settings.model_validate({"data_dir": str(tmp_path_factory.mktemp("issues") / "data"),
                                        "nlp": {"model_dir": str(role_model_dir)}})
    ids = timeline.build(settings)
    run_followup(settings, now=timeline.day(12))
    with serve(settings, now=timeline.day(12)) as server:
        yield Client(server.base), ids, settings


def test_an_issue_page_shows_where_it_stands_and_its_timeline_with_roles(issue_site):
    client, ids, _ = issue_site
    page = client.get(f"/issue/th-{ids['hs-report']}")
    assert page.status == 200
    text = page.text
    assert "Đã trả lời, chưa giải quyết" in text and "Diễn biến" in text
    assert text.index("Hơn 1.000 công nhân") < text.index("Đối thoại với công nhân")   # in time order
    assert text.count('class="tag role role-report"') == 2 and text.count('class="tag role role-response"') == 1
    assert "đối thoại" in text and "Công nhân Hoa Sen đã nhận đủ lương" not in text    # day 18: not yet


def test_a_petition_issue_shows_the_portal_statuses_seen_by_then(issue_site):
    client, ids, _ = issue_site
    text = client.get(f"/issue/th-{ids['pet']}").text
    assert "Cổng phản ánh" in text and "Đang xử lý" in text and "Đã tiếp nhận" in text
    assert "Đã trả lời</strong>" in text                   # dated day 9, seen day 10
    assert "cổng phản ánh: Đang xử lý" in text             # how it was first answered


def test_story_and_document_pages_link_to_their_issue(issue_site):
    client, ids, _ = issue_site
    doc = client.get(f"/doc/{ids['hs-dialogue']}").text
    assert f'href="/issue/th-{ids["hs-report"]}"' in doc and "Trả lời, xử lý" in doc
    story = re.search(r'href="/story/([^"]+)"', doc)[1]
    assert f'href="/issue/th-{ids["hs-report"]}"' in client.get(f"/story/{story}").text


def test_the_issue_list_counts_by_state(issue_site):
    client, ids, _ = issue_site
    text = client.get("/issues").text
    assert "Chưa được trả lời (1)" in text and "Đã trả lời, chưa giải quyết (2)" in text
    raised = client.get("/issues?state=raised").text
    assert "Nhà máy giấy Hoàng Hà" in raised and "Hơn 1.000 công nhân" not in raised
    assert "quá 7 ngày" in raised


def test_a_thread_an_official_action_opened_is_left_out_of_the_list_and_a_click_away(tmp_path, role_model_dir):
    """Only issues raised in public are followed (like the rates): an inspection nobody reported
    before would read as 'answered' the minute it appeared."""
    from bench.synthetic import insert_enrichments
    from core.records import Document, Enrichment
    from pipeline.followup import run_followup
    from store import open_writer
    from store.documents import upsert_documents

    timeline = _timeline()
    settings = Settings.model_validate({"data_dir": str(tmp_path / "data"), "nlp": {"model_dir": str(role_model_dir)}})
    timeline.build(settings)
    inspection = Document(url="https://bao.example.vn/kiem-tra.html", source="bao", kind="press",
                          title="Sở Tài nguyên và Môi trường Nghệ An kiểm tra, đình chỉ lò đốt rác xã Nghi Yên",
                          lead="Đoàn kiểm tra liên ngành tỉnh Nghệ An đã lập biên bản, yêu cầu đình chỉ hoạt động lò đốt rác.",
                          text="", published_at=timeline.day(3), fetched_at=timeline.day(3.1))
    with open_writer(settings.database) as store:
        upsert_documents(store.con, [inspection])
        insert_enrichments(store.con, [Enrichment(inspection.doc_id, "test", inspection.content_hash, ["environment"],
                                                  {"environment": 0.9}, ["Nghệ An"], story_id="s-na", language="vi")])
    run_followup(settings, now=timeline.day(12))
    with open_reader(settings.database) as store:
        [role] = store.con.execute("SELECT role FROM doc_roles WHERE doc_id = ?", [inspection.doc_id]).fetchone()
    assert role in ("response", "resolution")
    with serve(settings, now=timeline.day(12)) as server:
        client = Client(server.base)
        followed = client.get("/issues").text
        assert "lò đốt rác" not in followed and "Không tính 1 chuỗi tin" in followed
        everything = client.get("/issues?all=1").text
        assert "lò đốt rác" in everything and "Gồm cả 1 chuỗi tin" in everything
        [thread] = re.findall(r'href="/issue/([^"]+)">Sở Tài nguyên', everything)
        assert "không phải một phản ánh" in client.get(f"/issue/{thread}").text


def test_an_issue_whose_topic_is_unknown_is_left_out_of_the_list_but_has_its_page(tmp_path, role_model_dir):
    """The list counts by province x topic like the rates: a report no topic was recognised in
    waits there until a member brings its topic; its own page shows it as 'chưa rõ chủ đề'."""
    from pipeline.followup import run_followup

    timeline = _timeline()
    settings = Settings.model_validate({"data_dir": str(tmp_path / "data"), "nlp": {"model_dir": str(role_model_dir)}})
    timeline.build(settings)
    ids = timeline.add_press(settings, timeline.SLUDGE[:1])
    run_followup(settings, now=timeline.day(8.5))
    with serve(settings, now=timeline.day(8.5)) as server:
        client = Client(server.base)
        assert "Bùn đất từ Nhà máy tuyển than" not in client.get("/issues").text
        page = client.get(f"/issue/th-{ids['sludge-report']}")
        assert page.status == 200 and "chưa rõ chủ đề" in page.text

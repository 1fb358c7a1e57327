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

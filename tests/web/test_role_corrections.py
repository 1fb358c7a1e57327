"""Analysts correct a document's follow-up role on the issue page (real HTTP, real DuckDB file):
the correction is stored at once, the thread's state is recomputed with it everywhere states
are read, and a later follow-up run that reads the document again does not undo it."""
from __future__ import annotations

import re
from pathlib import Path

from core.settings import Settings
from pipeline.followup import run_followup, states_as_of
from store import open_reader, open_writer
from store.followup import role_labels

from web_support import Client, module_at, serve

_timeline = module_at(Path(__file__).resolve().parents[1] / "pipeline" / "test_followup.py", "followup_timeline")


def _state(settings: Settings, thread_id: str, at):
    with open_reader(settings.database) as store:
        [found] = states_as_of(store.con, settings, at, thread_ids=[thread_id])
    return found.state


def _row(page: str, doc_id: str) -> str:
    """The timeline row of one document (its role tag, its correction form)."""
    rows = [r for r in page.split("<tr") if f'name="doc_id" value="{doc_id}"' in r]
    assert len(rows) == 1, page
    return rows[0]


def test_relabeling_a_document_as_the_resolution_resolves_its_issue_and_a_rerun_keeps_it(tmp_path, role_model_dir):
    settings = Settings.model_validate({"data_dir": str(tmp_path / "data"), "nlp": {"model_dir": str(role_model_dir)}})
    ids = _timeline.build(settings)
    now = _timeline.day(12)
    run_followup(settings, now=now)
    thread, copy = f"th-{ids['hs-report']}", ids["hs-copy"]   # the wage arrears; a republished report
    with serve(settings, now=now) as server:
        client = Client(server.base)
        page = client.get(f"/issue/{thread}").text
        assert "Đã trả lời, chưa giải quyết" in page and "role-report" in _row(page, copy)
        token = client.csrf(f"/issue/{thread}")

        def relabel(role, doc_id=copy, csrf=token):
            return client.post(f"/issue/{thread}/role", {"csrf": csrf, "doc_id": doc_id, "role": role})

        reply = relabel("none")
        assert reply.status == 303 and reply.headers["location"] == f"/issue/{thread}?saved=1"
        page = client.get(reply.headers["location"]).text
        assert 'class="tag role role-none"' in _row(page, copy) and "(đã sửa)" in _row(page, copy)
        assert "Đã trả lời, chưa giải quyết" in page and "Đã lưu vai trò" in page

        reply = relabel("resolution")                            # the latest correction wins
        page = client.get(reply.headers["location"]).text
        assert 'class="tag role role-resolution"' in _row(page, copy)
        assert re.search(r'class="state state-resolved">Đã giải quyết<', page)
        with server.reading():
            assert _state(settings, thread, now) == "resolved"
            assert _state(settings, thread, _timeline.day(11)) == "answered"   # a replay before the correction
            with open_reader(settings.database) as store:
                labels = role_labels(store.con)
        assert labels[["doc_id", "role"]].values.tolist() == [[copy, "resolution"]]  # one row a document, no one's name

        bad = relabel("solved")
        assert bad.status == 400 and "không hợp lệ" in bad.text
        stranger = relabel("report", doc_id=ids["sc-report"])    # a document of another issue
        assert stranger.status == 400 and "không thuộc vấn đề" in stranger.text
        assert relabel("report", csrf="forged").status == 403
        assert client.post(f"/issue/{thread}/role", {"doc_id": copy, "role": "report"}).status == 403

        with server.writing():   # follow-up reads the document again (as after its page changed)
            with open_writer(settings.database) as store:
                store.con.execute("DELETE FROM doc_roles WHERE doc_id = ?", [copy])
            run_followup(settings, now=_timeline.day(12.5))
            with open_reader(settings.database) as store:
                [model_role] = store.con.execute("SELECT role FROM doc_roles WHERE doc_id = ?", [copy]).fetchone()
        assert model_role == "report"
        assert 'class="tag role role-resolution"' in _row(client.get(f"/issue/{thread}").text, copy)
        with server.reading():
            assert _state(settings, thread, now) == "resolved"


def test_the_role_review_lists_the_least_sure_readings_and_a_correction_made_there_comes_back_to_it(tmp_path, role_model_dir):
    """Corrections are the route past the role model's aims, so finding what to correct takes
    no search: /issues/review lists the issues' documents the model was least sure of, least
    sure first, each with the role form; a correction returns to the list, without that one."""
    settings = Settings.model_validate({"data_dir": str(tmp_path / "data"), "nlp": {"model_dir": str(role_model_dir)}})
    ids = _timeline.build(settings)
    now = _timeline.day(12)
    run_followup(settings, now=now)
    with serve(settings, now=now) as server:
        client = Client(server.base)
        assert 'href="/issues/review"' in client.get("/issues").text
        page = client.get("/issues/review").text
        listed = re.findall(r'name="doc_id" value="([0-9a-f]+)"', page)
        assert ids["hs-copy"] in listed and "Rà soát vai trò" in page
        with server.reading(), open_reader(settings.database) as store:
            sure = dict(store.con.execute("SELECT doc_id, confidence FROM doc_roles").fetchall())
        assert [sure[d] for d in listed] == sorted(sure[d] for d in listed)   # least sure first
        thread = re.search(rf'action="/issue/([^"/]+)/role">\s*<input type="hidden" name="csrf" value="[^"]*">'
                           rf'<input type="hidden" name="doc_id" value="{ids["hs-copy"]}"', page)[1]
        reply = client.post(f"/issue/{thread}/role", {"csrf": client.csrf("/issues/review"), "doc_id": ids["hs-copy"],
                                                       "role": "none", "back": "review"})
        assert reply.status == 303 and reply.headers["location"] == "/issues/review?saved=1"
        again = client.get(reply.headers["location"]).text
        assert "Đã lưu vai trò" in again and ids["hs-copy"] not in re.findall(r'name="doc_id" value="([0-9a-f]+)"', again)

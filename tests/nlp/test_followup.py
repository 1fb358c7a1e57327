"""Follow-up's NLP: document roles (rules and model), named things, issue threads.

The quality figures are measured on sets written for this project and kept apart from
training: tests/nlp/fixtures/followup/roles_eval.jsonl (192 labeled leads) and
threads_eval.jsonl (24 held-out threads); the thread dev set (threads_dev.jsonl) is the one
the linker was tuned on."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from core.errors import UserError
from nlp.entities import extract_entities, province_names
from nlp.followup_eval import link_report, per_role, role_report, thread_docs
from nlp.roles import (RESOLUTION_DETAILS, RESPONSE_DETAILS, ROLES, RoleClassifier, RoleInput, RoleRules,
                       TEMPLATED_SEED, WRITTEN_SEED, load_role_seed, train_role_model)
from nlp.threads import KEEP_WORDS as KEEP, IssueWords, Thread, ThreadDoc, ThreadLinker

FIXTURES = Path(__file__).parent / "fixtures" / "followup"
VN = dt.timezone(dt.timedelta(hours=7))


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def role_rules() -> RoleRules:
    return RoleRules.load()


@pytest.fixture(scope="module")
def roles(role_rules) -> RoleClassifier:
    model = train_role_model(role_rules, load_role_seed(), dt.datetime(2026, 11, 23, tzinfo=VN), cv_folds=0)
    return RoleClassifier(role_rules, model)


# ---------------------------------------------------------------- rules

def rule_role(rules: RoleRules, title: str, lead: str = "", has_place: bool | None = True) -> str:
    return rules.decide(rules.score(title, lead), has_place)[0]


def test_what_comes_before_a_phrase_changes_what_it_says(role_rules):
    # A remedy promised is an answer, a remedy ordered is an answer, a remedy denied is the problem.
    assert rule_role(role_rules, "Công ty cam kết sẽ trả đủ lương trước ngày 15/3") == "response"
    assert rule_role(role_rules, "Tỉnh yêu cầu khắc phục xong trước ngày 30/6") == "response"
    assert rule_role(role_rules, "Đã nhiều lần kiến nghị nhưng vẫn chưa được giải quyết") == "report"
    assert rule_role(role_rules, "Người dân không đồng ý nhận tiền bồi thường") == "report"
    assert rule_role(role_rules, "Công nhân đã nhận đủ tiền lương bị nợ") == "resolution"


def test_a_longer_phrase_wins_over_the_words_inside_it(role_rules):
    scores = role_rules.score("Sở Tài nguyên tiếp nhận phản ánh về mùi hôi", "")
    assert role_rules.decide(scores)[0] == "response"
    assert scores.best_detail("response") == "received"


def test_an_answer_abroad_is_none_when_the_document_names_no_place_of_ours(role_rules):
    title = "Thái Lan chỉ đạo kiểm tra nhà máy xả thải"
    assert rule_role(role_rules, title, has_place=False) == "none"
    assert rule_role(role_rules, title, has_place=True) == "response"


def test_portal_statuses_map_to_states(role_rules):
    assert role_rules.portal_state("Đã tiếp nhận").state == "raised"  # the portal logging it is not an answer
    assert role_rules.portal_state("Đã chuyển xử lý").state == "answered"
    assert role_rules.portal_state("ĐANG XỬ LÝ").state == "answered"
    assert role_rules.portal_state("Đã trả lời").detail == "replied"
    assert role_rules.portal_state("Đã giải quyết xong").state == "resolved"
    assert role_rules.portal_state("Trạng thái lạ") is None


def test_a_broken_role_rules_file_is_one_sentence(tmp_path):
    bad = tmp_path / "roles.yaml"
    bad.write_text("roles:\n  reprot:\n    x: {a: 1}\n", encoding="utf-8")
    with pytest.raises(UserError, match="unknown role `reprot`"):
        RoleRules.load(bad)
    bad.write_text("roles: [\n", encoding="utf-8")
    with pytest.raises(UserError, match="not valid YAML"):
        RoleRules.load(bad)


# ---------------------------------------------------------------- seed and evaluation sets

def test_the_seed_set_teaches_every_role_and_the_hard_negatives():
    seed = load_role_seed()
    assert {s["role"] for s in seed} == set(ROLES)
    assert all(s["detail"] in RESPONSE_DETAILS for s in seed if s["role"] == "response")
    assert all(s["detail"] in RESOLUTION_DETAILS for s in seed if s["role"] == "resolution")
    promises = [s for s in seed if s["role"] == "response" and ("cam kết" in s["title"] or "dự kiến" in s["title"])]
    abroad = [s for s in seed if s["role"] == "none" and any(c in s["title"] for c in ("Thái Lan", "Mỹ", "Indonesia"))]
    unanswered = [s for s in seed if s["role"] == "report" and "chưa" in s["title"] + s["sapo"]]
    assert len(promises) >= 30 and len(abroad) >= 20 and len(unanswered) >= 50


def test_the_hand_written_role_articles_teach_what_the_templates_cannot_and_weigh_more():
    """1,432 articles written by hand in the press's own words (outcomes told as facts, answers in
    quotes, forum posts, portal pages, hard negatives), each worth three templated items."""
    written = load_role_seed((WRITTEN_SEED,))
    assert len(written) >= 1000 and {w["weight"] for w in written} == {3.0}
    assert {w["weight"] for w in load_role_seed((TEMPLATED_SEED,))} == {1.0}
    assert {w["role"] for w in written} == set(ROLES)
    assert all(w["detail"] in RESPONSE_DETAILS for w in written if w["role"] == "response")
    assert all(w["detail"] in RESOLUTION_DETAILS for w in written if w["role"] == "resolution")
    assert all(w["text"] and w["group"] for w in written)
    titles = [w["title"] for w in written]
    assert len(set(titles)) == len(titles) and not set(titles) & {t["title"] for t in load_role_seed((TEMPLATED_SEED,))}
    assert sum(w["group"] == "abroad" for w in written) >= 40
    assert sum(w["group"].startswith("outcome") for w in written) >= 100
    assert sum(w["group"].startswith(("forum", "portal")) for w in written) >= 200


def test_the_evaluation_sets_are_kept_apart_from_training():
    seed_text = {(s["title"], s["sapo"]) for s in load_role_seed()}
    seed_titles = {s["title"] for s in load_role_seed()}
    held_out = [row for path in sorted(FIXTURES.glob("threads_*.jsonl")) if path.name != "threads_dev.jsonl"
                for row in rows(path.name)]
    role_sets = [row for path in sorted(FIXTURES.glob("roles_*.jsonl")) for row in rows(path.name)]
    assert len(held_out) >= 680 and len(role_sets) >= 1000
    for row in role_sets + held_out:
        assert (row["title"], row["sapo"]) not in seed_text
        assert row["title"] not in seed_titles
    dev = {r["title"] for r in rows("threads_dev.jsonl")}
    assert not dev & {r["title"] for r in held_out}


# Eight repairs told the way the press tells them ("… đã được vá"), as an analyst would correct
# them on issue pages: the seed set reads that shape as a report (the pothole is the problem).
PATCHED_ROADS = [
    ("Ổ gà trên tỉnh lộ 8 qua xã Phước Hiệp đã được vá", "Công ty quản lý đường bộ đã vá xong các ổ gà lớn, xe qua lại êm hơn."),
    ("Mặt đường Nguyễn Trãi đoạn qua phường Hà Đông đã được vá lại", "Sau nhiều ngày xe cộ lao đao, đoạn đường hư hỏng đã được thảm nhựa phẳng phiu."),
    ("Những ổ voi trên đường tránh TP Vinh đã được lấp", "Đơn vị thi công đã lấp các ổ voi sâu, người đi xe máy không còn phải né tránh."),
    ("Cầu tạm ở xã Ea Kly đã được gia cố", "Các nhịp cầu gỗ hư hỏng đã được thay bằng dầm thép, học sinh qua lại an toàn."),
    ("Đoạn quốc lộ 14 qua xã Đắk Mil đã được vá ổ gà", "Hơn 50 ổ gà trên đoạn đường dài 3 km được vá trong hai ngày cuối tuần."),
    ("Tuyến đường vào cụm công nghiệp Tân Phú đã được vá", "Các vết nứt, ổ gà đã được trám, xe tải ra vào cụm công nghiệp thuận lợi."),
    ("Đường Lê Duẩn qua phường Thanh Khê đã được vá sau mưa", "Những hố sâu do mưa lớn đã được san lấp và trải nhựa ngay trong đêm."),
    ("Mặt cầu Phú Mỹ đoạn bị bong tróc đã được vá", "Đơn vị quản lý đã sửa xong các vị trí bong tróc trên mặt cầu."),
]


@pytest.mark.slow
def test_a_few_analysts_corrections_teach_the_role_model_what_the_seed_set_did_not(role_rules, roles):
    """The route past the seed set is the analysts' corrections: eight of them move documents of
    the same shape the model has not seen, and the provenance counts them."""
    unseen = [RoleInput("a", "Ổ gà trên quốc lộ 1A đoạn qua xã Bình Minh đã được vá",
                        "Đơn vị quản lý đường bộ vá xong hơn 30 ổ gà, xe cộ đi lại êm thuận."),
              RoleInput("b", "Đường Trần Phú qua phường Lộc Thọ đã được vá lại",
                        "Các ổ gà sau mưa đã được trám, người dân đi lại thuận tiện.")]
    assert [r.role for r in roles.classify(unseen)] == ["report", "report"]
    corrections = [{"title": t, "sapo": lead, "text": "", "role": "resolution"} for t, lead in PATCHED_ROADS]
    taught = train_role_model(role_rules, load_role_seed(), dt.datetime(2026, 11, 23, tzinfo=VN), cv_folds=0,
                              labels_from=corrections)
    assert [r.role for r in RoleClassifier(role_rules, taught).classify(unseen)] == ["resolution", "resolution"]
    assert taught.meta["training_sources"]["analyst_labels"] == 8


@pytest.mark.slow
def test_roles_on_the_held_out_set_reach_the_goal_and_beat_the_keyword_baseline(roles, gazetteer):
    """Measured on 192 leads nobody trained or tuned on: every role's precision and recall
    >= 0.85 (the issue's goal), and each role's F1 above a handful of keywords'."""
    from nlp.provinces import choose_provinces

    labeled = rows("roles_eval.jsonl")
    places = [bool(choose_provinces(gazetteer.find(r["title"], r["sapo"], ""))) for r in labeled]
    report = role_report(labeled, roles, places)
    for role in ROLES:
        ours, baseline = report["classifier"][role], report["keyword baseline"][role]
        assert ours.precision >= 0.85 and ours.recall >= 0.85, (role, ours)
        assert ours.f1 > baseline.f1, (role, ours, baseline)


@pytest.mark.slow
@pytest.mark.parametrize("name, least", [
    # 223 leads: before the hand-written role articles report 0.58 / 0.67, response 0.70 / 0.67,
    # resolution 0.80 / 0.65, none 0.58 / 0.65; after the first round 0.82 / 0.86, 0.79 / 0.83,
    # 0.84 / 0.85, 0.94 / 0.78; after the second 0.85 / 0.89, 0.82 / 0.88, 0.87 / 0.88, 1.00 / 0.78;
    # after the third 0.88 / 0.90, 0.83 / 0.88, 0.87 / 0.92, 1.00 / 0.78; after the fourth (stop
    # 24) 0.89 / 0.89, 0.83 / 0.90, 0.87 / 0.90, 1.00 / 0.82.
    ("roles_blind.jsonl", {"report": (0.86, 0.86), "response": (0.80, 0.87), "resolution": (0.84, 0.87), "none": (0.97, 0.80)}),
    # 220 leads written blind for the end of stop 23, measured on the stop's first code
    # (0.63 / 0.70, 0.67 / 0.55, 0.80 / 0.65, 0.60 / 0.83), after the second round of role
    # articles (0.88 / 0.88, 0.88 / 0.82, 0.86 / 0.95, 0.87 / 0.83), after the third (0.87 / 0.90,
    # 0.89 / 0.82, 0.86 / 0.93, 0.89 / 0.85) and after the fourth (0.90 / 0.90, 0.89 / 0.83,
    # 0.89 / 0.97, 0.90 / 0.88).
    ("roles_blind2.jsonl", {"report": (0.87, 0.87), "response": (0.86, 0.80), "resolution": (0.86, 0.94), "none": (0.87, 0.85)}),
    # 226 leads with full-length bodies written blind late in stop 23, measured once before the
    # third round of role articles (0.89 / 0.94, 0.90 / 0.85, 0.88 / 0.97, 1.00 / 0.85), once
    # after (0.89 / 0.94, 0.90 / 0.84, 0.88 / 0.97, 1.00 / 0.88) and after the fourth (0.89 /
    # 0.94, 0.90 / 0.87, 0.92 / 0.95, 1.00 / 0.93).
    ("roles_blind3.jsonl", {"report": (0.86, 0.91), "response": (0.87, 0.84), "resolution": (0.89, 0.92), "none": (0.97, 0.90)}),
    # 220 leads written blind at stop 24, measured once before the fourth round (0.91 / 0.88,
    # 0.85 / 0.87, 0.80 / 0.92, 1.00 / 0.80) and once after (0.92 / 0.90, 0.86 / 0.90, 0.90 /
    # 0.93, 1.00 / 0.90).
    ("roles_blind4.jsonl", {"report": (0.89, 0.87), "response": (0.83, 0.87), "resolution": (0.87, 0.90), "none": (0.97, 0.87)}),
    # 220 leads written blind at stop 24, measured once, on the stop's final model: 0.91 / 0.87,
    # 0.92 / 0.90, 0.88 / 0.97, 0.97 / 0.93.
    ("roles_blind5.jsonl", {"report": (0.88, 0.84), "response": (0.89, 0.87), "resolution": (0.85, 0.94), "none": (0.94, 0.90)}),
])
def test_roles_on_the_blind_written_leads_do_not_fall_and_beat_the_keyword_baseline(roles, gazetteer, name, least):
    """Leads with bodies written blind at stops 23 and 24 the way the press writes (outcomes told as
    facts, answers in quotes, sanctions, promises, statistics, the same events abroad), pinned a
    little below what was measured. The newest two reach the 0.85 goal in every role; the
    oldest, measured after every round, not everywhere: see README."""
    from nlp.provinces import choose_provinces

    labeled = rows(name)
    places = [bool(choose_provinces(gazetteer.find(r["title"], r["sapo"], ""))) for r in labeled]
    report = role_report(labeled, roles, places)
    for role, (precision, recall) in least.items():
        ours, baseline = report["classifier"][role], report["keyword baseline"][role]
        assert ours.precision >= precision and ours.recall >= recall, (role, ours)
        assert ours.f1 > baseline.f1 + 0.15, (role, ours, baseline)


def test_per_role_counts_precision_and_recall():
    scores = per_role(["report", "report", "none", "response"], ["report", "none", "none", "report"])
    assert scores["report"].precision == 0.5 and scores["report"].recall == 0.5
    assert scores["none"].precision == 0.5 and scores["none"].recall == 1.0
    assert scores["resolution"].precision == 0.0


# ---------------------------------------------------------------- named things

def keys(text: str, ignore=frozenset()) -> list[str]:
    return [e.key for e in extract_entities(text, ignore)]


def test_named_things_come_after_the_word_that_says_what_they_are():
    assert keys("Công nhân Công ty TNHH Điện tử Hoa Sen tại KCN Quế Võ (Bắc Ninh) ngừng việc") == \
        ["org:hoa sen", "facility:quế võ"]
    assert keys("Nhà máy tinh bột mì Sơn Hải xả thải xuống suối Nước Trong ở xã Sơn Hải") == \
        ["facility:sơn hải", "water:nước trong", "commune:sơn hải"]
    assert keys("Trường Tiểu học Kim Đồng, Trường THCS Hưng Dũng và bờ sông Cổ Chiên") == \
        ["facility:kim đồng", "facility:hưng dũng", "water:cổ chiên"]
    assert keys("đường tỉnh 830, quốc lộ 1A, ấp 4") == ["road:830", "road:1a", "hamlet:4"]
    assert keys("chờ tiền bồi thường hồ chứa nước Ka Zam, hồ thủy lợi Sông Mực") == ["water:ka zam", "water:sông mực"]


def test_people_and_everyday_words_are_never_named_things():
    assert keys("anh Trường cho biết ông Lò Văn Pao ở TP Hồ Chí Minh trên đường đi làm") == []
    assert keys("Sở Tài nguyên và Môi trường Quảng Ngãi yêu cầu Công ty Sông Đà báo cáo") == ["org:sông đà"]


def test_province_names_are_not_named_things(gazetteer):
    ignore = province_names(gazetteer)
    assert keys("Công ty Thoát nước Hà Nội lý giải việc hầm chui Kim Liên ngập", ignore) == ["road:kim liên"]
    # Their everyday names and the country's neither, while a company named after one stays.
    assert keys("cảng Sài Gòn, vịnh Hạ Long, Công ty Bia Sài Gòn, trường Việt Nam", ignore) == ["org:bia sài gòn"]


def test_a_person_s_name_never_runs_on_from_a_thing_s_name():
    """Seen on the corpus: a doctor after his hospital, a principal after her school, a byline after
    a kindergarten became names (and keys of threads)."""
    assert keys("Bệnh viện Đa khoa tỉnh Hòa Bình Hoàng Công Lương được tại ngoại") == ["facility:hòa bình"]
    assert keys("Hiệu trưởng trường mầm non Sen Vàng Phạm Thị Tân xin nhận trách nhiệm") == ["facility:sen vàng"]
    assert keys("vụ bạo hành trẻ ở trường mầm non Theo Lê Phương (Khám phá)") == []
    assert keys("đơn gửi trường Anh Trần Chí Dũng") == []
    # A person's title inside a name is the name's ("xã Thụy Anh" was cut to "thụy", a commune of
    # one syllable, half a name, and its follow-ups in threads_fresh never found their report).
    assert keys("người dân xã Thụy Anh thắc mắc") == ["commune:thụy anh"]
    assert keys("ngập ở quận Hai Bà Trưng") == ["district:hai bà trưng"]
    # ... unless a surname follows it, or it is another title: there a person's name begins.
    assert keys("khám tại Bệnh viện Hà An Ông Nguyễn Thanh cho biết") == ["facility:hà an"]
    assert keys("đến sân bay Tân Sơn Nhất Theo thông báo") == ["facility:tân sơn nhất"]
    # Things named after people are things: the name starts with the person.
    assert keys("đường Lê Văn Thiêm ngập, trường THPT Nguyễn Văn Cừ nghỉ học") == ["road:lê văn thiêm", "facility:nguyễn văn cừ"]


# ---------------------------------------------------------------- linking

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=VN)


def doc(doc_id: str, days: float, names: tuple[str, ...], role: str = "report", topics=("labor",),
        provinces=("Bắc Ninh",), story: str | None = None) -> ThreadDoc:
    return ThreadDoc(doc_id, story or doc_id, T0 + dt.timedelta(days=days), tuple(topics), tuple(provinces), role, names)


def test_documents_naming_the_same_thing_in_the_same_place_and_topic_join_one_thread():
    linker = ThreadLinker()
    links = linker.link_all([
        doc("a", 0, ("org:hoa sen", "facility:quế võ")),
        doc("b", 2, ("org:hoa sen",), role="response", topics=("labor", "complaints")),
        doc("c", 3, ("org:thuận thành",)),                        # another company, same place and week
        doc("d", 4, ("org:hoa sen",), provinces=("Lâm Đồng",)),  # a namesake in another province
        doc("e", 18, ("org:hoa sen", "facility:quế võ"), role="resolution", provinces=()),  # names no province
        doc("f", 140, ("org:hoa sen",)),                          # months later: a new issue
    ])
    thread = {link.doc_id: link.thread_id for link in links}
    assert thread["a"] == thread["b"] == thread["e"] == "th-a"
    assert len({thread["a"], thread["c"], thread["d"], thread["f"]}) == 4


def test_a_document_naming_no_province_does_not_pick_between_namesakes_in_two_provinces():
    linker = ThreadLinker()
    links = linker.link_all([doc("a", 0, ("org:hoa sen",)), doc("b", 1, ("org:hoa sen",), provinces=("Lâm Đồng",)),
                             doc("c", 5, ("org:hoa sen",), role="resolution", provinces=())])
    assert [l.thread_id for l in links] == ["th-a", "th-b", None]


def test_a_report_naming_another_company_of_the_same_industrial_zone_is_another_issue():
    """Seen in every thread set written blind: "Công ty Bao bì Tân Hưng Phát nợ BHXH 14 tháng"
    a week after "Hơn 1.200 công nhân Công ty Quang Vinh Tech ngừng việc", both in KCN Vân Trung,
    told in the same words. An answer naming the union or a buyer beside the company still joins,
    and so does a report naming the thread's company by its short name."""
    linker = ThreadLinker()
    links = linker.link_all([
        doc("a", 0, ("org:quang vinh tech", "facility:vân trung")),
        doc("b", 7, ("org:tân hưng phát", "facility:vân trung")),                    # another company
        doc("c", 8, ("org:liên đoàn lao động", "org:quang vinh tech"), role="response"),
        doc("d", 9, ("org:vinh tech", "facility:vân trung")),                       # the same, shorter
    ])
    thread = {link.doc_id: link.thread_id for link in links}
    assert thread["a"] == thread["c"] == thread["d"] == "th-a" and thread["b"] == "th-b"
    assert linker.threads["th-a"].companies >= {"quang vinh tech", "vinh tech"}


def test_a_story_belongs_to_one_thread_and_none_role_documents_never_open_one():
    linker = ThreadLinker()
    links = linker.link_all([
        doc("a", 0, ("org:hoa sen",), story="s1"),
        doc("b", 1, (), story="s1"),                       # a republication with nothing named
        doc("c", 2, ("org:hoa sen",), role="none"),        # joins, being about the same thing
        doc("d", 3, ("org:minh quang",), role="none"),     # opens nothing
        doc("e", 4, (), provinces=()),                     # a national story: no place, nothing named
    ])
    thread = {link.doc_id: link.thread_id for link in links}
    assert thread["a"] == thread["b"] == thread["c"]
    assert thread["d"] is None and thread["e"] is None


def test_background_news_joins_on_the_issue_s_own_place_and_topic_and_lends_the_thread_nothing():
    """Seen on the 34k-article corpus: threads of 400 to 1,000 documents, a city's news chained
    one shared name at a time ("sân bay Tân Sơn Nhất", then a company of the airport, then...).
    A document of role `none` may join its issue, but its names and words never become the
    thread's, and it joins only on the thread's own place and topic."""
    linker = ThreadLinker()
    links = linker.link_all([
        doc("a", 0, ("org:hoa sen",)),
        doc("b", 1, ("org:hoa sen", "facility:quế võ"), role="none"),          # background: joins
        doc("c", 2, ("facility:quế võ",), role="response"),                    # only b named it: a thread of its own
        doc("d", 3, ("org:hoa sen",), role="none", topics=()),                  # topic unknown: no
    ])
    thread = {link.doc_id: link.thread_id for link in links}
    assert thread["a"] == thread["b"] == "th-a"
    assert thread["c"] == "th-c" and thread["d"] is None
    assert set(linker.threads["th-a"].names) == {"hoa sen"}


def test_background_news_never_joins_on_words_when_it_says_no_topic_or_no_place():
    # "Khai trương tuyến xe buýt mới qua đường Lê Thánh Tông": the street of a parking complaint.
    words = {"xe container": 8.0, "đỗ kín": 9.0, "lê thánh": 8.0, "thánh tông": 8.0}
    report = ThreadDoc("a", "a", T0, ("safety",), ("Hải Phòng",), "report", (), words)
    bus = ThreadDoc("b", "b", T0 + dt.timedelta(days=2), (), ("Hải Phòng",), "none", (), words)
    answer = ThreadDoc("c", "c", T0 + dt.timedelta(days=3), (), ("Hải Phòng",), "response", (), words)
    thread = {l.doc_id: l.thread_id for l in ThreadLinker().link_all([report, bus, answer])}
    assert thread == {"a": "th-a", "b": None, "c": "th-a"}


def test_a_thread_keeps_the_words_its_issue_was_first_told_in():
    from nlp.threads import THREAD_WORDS

    linker = ThreadLinker()
    many = [ThreadDoc(f"r{i}", f"r{i}", T0 + dt.timedelta(days=i), ("labor",), ("Bắc Ninh",), "response",
                      ("org:hoa sen",), {f"cặp {i} {k}": 5.0 for k in range(KEEP)}) for i in range(8)]
    linker.link_all(many)
    (thread,) = linker.threads.values()
    assert thread.documents == 8 and len(thread.words) == THREAD_WORDS
    assert set(many[0].words) <= set(thread.words)


def test_a_name_many_issues_of_the_moment_carry_tells_none_of_them_apart():
    """"Sài Gòn" ends a dozen companies' names, "phòng GD-ĐT" is every school story's: shared by
    more than three threads within the window, a name counts that much less."""
    linker = ThreadLinker()
    reports = [doc(f"r{i}", i, (f"org:công ty {i}", "org:chung"), topics=("labor",)) for i in range(6)]
    follow = doc("f", 7, ("org:chung",), role="response")
    links = linker.link_all([*reports, follow])
    assert links[-1].how == "opened"   # an answer to none of them that can be told: its own thread


def test_a_name_of_one_syllable_is_half_a_name():
    from nlp.threads import weighted_names

    assert weighted_names(["org:hoa sen", "water:đà", "road:1a"]) == {"hoa sen": 1.0, "đà": 0.4, "road:1a": 0.8}


def test_a_thread_whose_report_named_no_province_takes_the_first_one_a_member_names():
    linker = ThreadLinker()
    linker.link_all([doc("a", 0, ("facility:đống đa",), topics=("health",), provinces=()),
                     doc("b", 5, ("facility:đống đa",), role="response", topics=("health",), provinces=("Hà Nội",))])
    (thread,) = linker.threads.values()
    assert (thread.province, thread.topic, thread.documents) == ("Hà Nội", "health", 2)


def test_a_raised_issue_with_no_topic_opens_a_thread_that_takes_the_topic_of_its_first_member_with_one():
    # "Bùn than tràn vào nhà, dân Cẩm Phả bức xúc": a report no topic was recognised in.
    linker = ThreadLinker()
    links = linker.link_all([
        doc("a", 0, ("commune:mông dương", "facility:khe chàm"), topics=(), provinces=("Quảng Ninh",)),
        doc("b", 2, ("org:vinacomin",), role="response", topics=(), provinces=("Quảng Ninh",)),   # an answer: opens none
        doc("c", 3, ("org:hòa phát",), role="none", topics=(), provinces=("Quảng Ninh",), story="p1"),
        doc("d", 4, ("commune:mông dương", "facility:khe chàm"), role="response", topics=("environment",),
            provinces=("Quảng Ninh",)),
        doc("e", 5, (), topics=(), provinces=()),                                  # neither: opens none
    ])
    thread = {link.doc_id: link.thread_id for link in links}
    assert thread["a"] == thread["d"] == "th-a" and thread["b"] is None and thread["e"] is None
    assert linker.threads["th-a"].topic == "environment"
    # A petition raises an issue whatever its words: it opens one even when its role reads none.
    petition = ThreadDoc("p", "p1", T0, (), ("Quảng Ninh",), "none", ("org:hòa phát",), {}, "petition")
    assert ThreadLinker().link(petition).thread_id == "th-p"


def test_a_thread_whose_topic_is_unknown_is_joined_only_on_the_stronger_evidence():
    linker = ThreadLinker()
    linker.link(doc("a", 0, ("commune:linh xuân",), topics=(), provinces=("Hồ Chí Minh",)))
    # Another issue of the same ward: one commune in common is not enough while the topic is unknown.
    other = linker.link(doc("b", 3, ("commune:linh xuân",), topics=("traffic",), provinces=("Hồ Chí Minh",)))
    assert other.thread_id == "th-b"


def test_an_answer_that_could_not_open_a_thread_joins_its_issue_on_one_commune():
    """Seen in threads written blind: "Di dời khẩn cấp 12 hộ dân khỏi vùng có vết nứt" names only
    the commune of last week's landslide report and says no topic. Without a topic it may not
    open a thread, so, left out, the answer would be lost to its issue; one commune of the same
    province is enough. An answer with its own place and topic still needs a strong name: it is
    as often another issue of the commune, and it opens a thread of its own."""
    linker = ThreadLinker()
    links = linker.link_all([
        doc("a", 0, ("commune:sìn hồ",), topics=("safety",), provinces=("Lai Châu",)),
        doc("b", 1, ("commune:sìn hồ",), role="response", topics=(), provinces=("Lai Châu",)),
        doc("c", 2, ("commune:sìn hồ",), role="resolution", topics=("safety",), provinces=()),    # no place
        doc("d", 3, ("commune:sìn hồ",), role="response", topics=("safety",), provinces=("Lai Châu",)),
        doc("e", 4, ("commune:sìn hồ",), role="response", topics=(), provinces=("Lào Cai",)),   # a namesake
        doc("f", 5, ("commune:sìn hồ",), role="none", topics=(), provinces=("Lai Châu",)),
    ])
    thread = {link.doc_id: link.thread_id for link in links}
    assert thread["a"] == thread["b"] == thread["c"] == "th-a"
    assert thread["d"] == "th-d" and thread["e"] is None and thread["f"] is None


def test_a_report_naming_a_strong_thing_opens_a_thread_even_when_its_place_and_topic_are_unknown():
    # A forum post: "Đường Tô Ngọc Vân cứ mưa là thành sông, các bác tránh giúp" (no province, no
    # topic recognised); the press answer three days later says both, and the thread takes them.
    linker = ThreadLinker()
    links = linker.link_all([
        doc("post", 0, ("road:tô ngọc vân", "commune:tam bình"), topics=(), provinces=()),
        doc("news", 3, ("road:tô ngọc vân", "commune:tam bình"), role="response", topics=("infrastructure",),
            provinces=("Hồ Chí Minh",)),
        doc("chat", 4, ("commune:tam bình",), topics=(), provinces=()),   # nothing strong named: opens none
    ])
    assert [link.thread_id for link in links] == ["th-post", "th-post", None]
    assert (linker.threads["th-post"].province, linker.threads["th-post"].topic) == ("Hồ Chí Minh", "infrastructure")


def test_background_news_never_joins_a_thread_whose_topic_is_unknown():
    # "Khai trương tuyến xe buýt mới qua đường Lê Thánh Tông": same street, no issue; it would give
    # the parked-containers report its topic.
    linker = ThreadLinker()
    linker.link(doc("a", 0, ("road:lê thánh tông",), topics=(), provinces=("Hải Phòng",)))
    bus = linker.link(doc("b", 4, ("road:lê thánh tông", "facility:chùa vẽ"), role="none", topics=("traffic",),
                          provinces=("Hải Phòng",)))
    answer = linker.link(doc("c", 3, ("road:lê thánh tông",), role="response", topics=(), provinces=("Hải Phòng",)))
    assert bus.thread_id is None and answer.thread_id == "th-a" and linker.threads["th-a"].topic is None


def test_an_answer_saying_neither_place_nor_topic_joins_on_many_rare_words_of_one_province_s_thread():
    # "Cơ sở chế biến gỗ gây ồn đã dời khỏi khu dân cư", in a national paper, weeks later.
    words = {"gây ồn": 8.6, "gỗ gây": 7.3, "máy bào": 6.7, "máy cưa": 6.7, "biến gỗ": 6.0, "khỏi khu": 5.3, "bị đình": 4.6}
    report = ThreadDoc("a", "a", T0, (), ("Hồ Chí Minh",), "report", ("commune:linh xuân",), words)
    answer = ThreadDoc("b", "b", T0 + dt.timedelta(days=40), (), (), "resolution", (), words)
    assert {l.doc_id: l.thread_id for l in ThreadLinker().link_all([report, answer])}["b"] == "th-a"
    # A report saying neither is a new issue as often as not; and fewer words in common are not enough.
    again = ThreadDoc("c", "c", T0 + dt.timedelta(days=40), (), (), "report", (), words)
    fewer = ThreadDoc("d", "d", T0 + dt.timedelta(days=40), (), (), "resolution", (),
                      {p: w for p, w in list(words.items())[:4]})
    assert [l.thread_id for l in ThreadLinker().link_all([report, again])][1] is None
    assert [l.thread_id for l in ThreadLinker().link_all([report, fewer])][1] is None


def test_linking_is_incremental_and_what_is_placed_never_moves():
    docs = [doc("a", 0, ("org:hoa sen",)), doc("b", 1, ("org:sao mai",)), doc("c", 3, ("org:hoa sen",), role="response"),
            doc("d", 5, ("org:sao mai",), role="resolution"), doc("e", 9, ("org:hoa sen", "org:sao mai"))]
    at_once = {l.doc_id: l.thread_id for l in ThreadLinker().link_all(docs)}
    first = ThreadLinker()
    in_two = {l.doc_id: l.thread_id for l in first.link_all(docs[:2])}
    # The second cycle starts from the threads as stored, as the stage does.
    stored = {t.thread_id: Thread(**{**t.__dict__, "names": dict(t.names), "words": dict(t.words)})
              for t in first.threads.values()}
    second = ThreadLinker(stored, dict(first.story_threads))
    in_two.update({l.doc_id: l.thread_id for l in second.link_all(docs[2:])})
    assert in_two == at_once
    assert at_once["a"] == at_once["c"] == "th-a" and at_once["b"] == at_once["d"] == "th-b"


@pytest.fixture(scope="module")
def issue_words(gazetteer) -> IssueWords:
    from nlp.train import load_seed

    return IssueWords.from_texts((f"{i.get('title') or ''}\n{i.get('sapo') or ''}" for i in load_seed() + load_role_seed((TEMPLATED_SEED,))),
                                 province_names(gazetteer))


def test_a_follow_up_naming_nothing_its_report_named_joins_on_the_issue_s_own_rarer_words():
    words = {"bùn than": 8.0, "tràn vào": 6.0, "cẩm phả": 8.0, "nạo vét": 7.0}
    report = ThreadDoc("a", "a", T0, ("environment",), ("Quảng Ninh",), "report", ("commune:mông dương",), words)
    answer = ThreadDoc("b", "b", T0 + dt.timedelta(days=3), ("environment",), ("Quảng Ninh",), "response", (),
                       {"bùn than": 8.0, "tràn vào": 6.0, "nạo vét": 7.0, "doanh nghiệp": 3.0})
    elsewhere = ThreadDoc("c", "c", T0 + dt.timedelta(days=3), ("environment",), ("Thái Nguyên",), "response", (),
                          answer.words)
    other_topic = ThreadDoc("d", "d", T0 + dt.timedelta(days=4), ("labor",), ("Quảng Ninh",), "report", (), answer.words)
    one_word = ThreadDoc("e", "e", T0 + dt.timedelta(days=4), ("environment",), ("Quảng Ninh",), "report", (),
                         {"cẩm phả": 8.0, "bụi than": 8.0, "xe tải": 4.0})
    thread = {l.doc_id: l.thread_id for l in ThreadLinker().link_all([report, answer, elsewhere, other_topic, one_word])}
    assert thread["b"] == "th-a"
    assert len({thread["a"], thread["c"], thread["d"], thread["e"]}) == 4   # another province, topic; one word only


def test_a_follow_up_that_says_no_province_joins_on_words_only_when_one_province_s_threads_could_have_it():
    # "Cá nuôi lồng chết hàng loạt do thiếu oxy" in a national paper: its topic known, its province not.
    words = {"cá nuôi": 8.0, "nuôi lồng": 8.0, "lồng chết": 8.0, "trại lợn": 7.0}
    report = ThreadDoc("a", "a", T0, ("environment",), ("Hà Tĩnh",), "report", (), words)
    answer = ThreadDoc("b", "b", T0 + dt.timedelta(days=6), ("environment",), (), "response", (), words)
    assert {l.doc_id: l.thread_id for l in ThreadLinker().link_all([report, answer])}["b"] == "th-a"
    # The same answer when a report of another province is told in the same words: which one it follows cannot be told.
    namesake = ThreadDoc("c", "c", T0 + dt.timedelta(days=1), ("environment",), ("Nghệ An",), "report", (), words)
    assert {l.doc_id: l.thread_id for l in ThreadLinker().link_all([report, namesake, answer])}["b"] is None
    # Neither its province nor its topic known: not on these few words.
    blind = ThreadDoc("d", "d", T0 + dt.timedelta(days=6), (), (), "response", (), words)
    assert {l.doc_id: l.thread_id for l in ThreadLinker().link_all([report, blind])}["d"] is None


def test_an_answer_put_under_another_topic_joins_its_province_s_issue_on_many_more_of_its_words():
    # "Khởi tố hai cán bộ thôn thu tiền của hộ nghèo khi hỗ trợ làm nhà" (corruption) answers "Hộ
    # nghèo tố cán bộ thôn thu tiền khi nhận hỗ trợ làm nhà" (livelihood) ten days later.
    words = {"hộ nghèo": 7.0, "bộ thôn": 7.0, "thu tiền": 6.0, "hỗ trợ làm": 7.0}
    report = ThreadDoc("a", "a", T0, ("livelihood",), ("Thanh Hóa",), "report", (), words)
    later = T0 + dt.timedelta(days=10)
    arrest = ThreadDoc("b", "b", later, ("corruption",), ("Thanh Hóa",), "response", (), {**words, "khởi tố": 4.0})
    fewer = ThreadDoc("c", "c", later, ("corruption",), ("Thanh Hóa",), "response", (),
                      {"hộ nghèo": 7.0, "bộ thôn": 7.0, "thu tiền": 6.0, "khởi tố": 4.0})
    another_report = ThreadDoc("d", "d", later, ("corruption",), ("Thanh Hóa",), "report", (), arrest.words)
    assert {l.doc_id: l.thread_id for l in ThreadLinker().link_all([report, arrest])}["b"] == "th-a"
    # Words enough for an answer of the report's own topic are not enough across topics, and a
    # report under another topic is another issue told in the same words.
    same_topic = ThreadDoc("e", "e", later, ("livelihood",), ("Thanh Hóa",), "response", (), fewer.words)
    assert {l.doc_id: l.thread_id for l in ThreadLinker().link_all([report, same_topic])}["e"] == "th-a"
    for other in (fewer, another_report):
        assert {l.doc_id: l.thread_id for l in ThreadLinker().link_all([report, other])}[other.doc_id] == f"th-{other.doc_id}"


def test_a_second_report_in_the_same_words_needs_more_than_an_answer():
    words = {"sổ đỏ": 7.0, "người mua": 7.0, "chờ sổ": 7.0}
    report = ThreadDoc("a", "a", T0, ("land",), ("Bình Phước",), "report", (), words)
    answer = ThreadDoc("b", "b", T0 + dt.timedelta(days=40), ("land",), ("Bình Phước",), "response", (), words)
    another = ThreadDoc("c", "c", T0 + dt.timedelta(days=40), ("land",), ("Bình Phước",), "report", (), words)
    thread = {l.doc_id: l.thread_id for l in ThreadLinker().link_all([report, answer])}
    assert thread["b"] == "th-a"
    thread = {l.doc_id: l.thread_id for l in ThreadLinker().link_all([report, another])}
    assert thread["c"] == "th-c"


def test_a_pair_the_seed_sets_never_saw_is_no_rarer_than_its_two_syllables(issue_words):
    # "dầm ở", "từ tối": chance neighbours of a common word; "bùn than": two rare words.
    assert issue_words.weight("từ tối") < issue_words.weight("bùn than") - 2
    assert issue_words.weight("ở năm") < 4.0


def test_distinctive_words_never_span_a_province_name_punctuation_or_the_word_before_a_name(issue_words):
    pairs = issue_words.of("Bùn than tràn vào nhà dân ở xã Mông Dương, Quảng Ninh phản ánh")
    assert "bùn than" in pairs
    assert not {"xã mông", "dương quảng", "ninh phản", "quảng ninh"} & set(pairs)


@pytest.mark.slow
def test_thread_linking_on_held_out_threads(enricher, roles, issue_words):
    """Pairwise precision and recall over 24 held-out threads (60 documents), through the
    stage's own path, beside the two baselines. Goal 0.9 each; measured (see README) and
    pinned a little below here so it cannot fall."""
    labeled = rows("threads_eval.jsonl")
    report = link_report(labeled, thread_docs(labeled, enricher, roles, issue_words))
    ours = report["linker"]
    assert ours.precision >= 0.95 and ours.recall >= 0.90, ours   # measured 1.00 / 0.92 (stop 24)
    for baseline in ("story clusters only", "same province and topic within the window"):
        assert ours.f1 > report[baseline].f1 + 0.2, (baseline, report[baseline])


@pytest.mark.slow
@pytest.mark.parametrize("name, least, roles_least", [
    # stop 22: fresh 0.91 / 0.71 (then opened), blind 0.89 / 0.79 (measured once). Stop 23, with
    # the hand-written role articles (three rounds): fresh 0.92 / 0.79, blind 0.89 / 0.81, blind3
    # 0.88 / 0.87 (0.88 / 0.81 before the articles), blind4 0.92 / 0.88 (three times). Stop 24,
    # after answers that cannot open a thread joined on a commune, reports naming another company
    # of the zone stopped joining, "xã Thụy Anh" kept its name and a fourth round of role
    # articles: fresh 0.97 / 0.83, blind 1.00 / 0.84, blind3 0.92 / 0.92, blind4 1.00 / 0.97;
    # blind5 (written blind at stop 24) 0.90 / 0.88 on stop 23's linker, 0.90 / 0.91 after the
    # first change, 0.95 / 0.92 at the end; blind6 0.89 / 0.94, 0.89 / 0.96, 0.96 / 0.92 on the
    # same three; blind7 0.92 / 0.90 (70 of 78 pairs), measured once, on the final code.
    ("threads_fresh.jsonl", (0.94, 0.80), {"report": (0.89, 0.85), "response": (0.73, 0.82), "resolution": (0.78, 0.59)}),
    ("threads_blind.jsonl", (0.97, 0.81), {"report": (0.92, 0.92), "response": (0.74, 0.80), "resolution": (0.84, 0.65)}),
    ("threads_blind3.jsonl", (0.89, 0.89), {"report": (0.97, 0.92), "response": (0.93, 0.89), "resolution": (0.83, 0.83)}),
    ("threads_blind4.jsonl", (0.97, 0.94), {"report": (0.97, 0.92), "response": (0.93, 0.93), "resolution": (0.97, 0.97)}),
    ("threads_blind5.jsonl", (0.92, 0.89), {"report": (0.94, 0.97), "response": (0.97, 0.89), "resolution": (0.92, 0.88)}),
    ("threads_blind6.jsonl", (0.93, 0.89), {"report": (0.94, 0.94), "response": (0.97, 0.80), "resolution": (0.92, 0.92)}),
    ("threads_blind7.jsonl", (0.89, 0.87), {"report": (0.94, 0.94), "response": (0.93, 0.93), "resolution": (0.97, 0.97)}),
])
def test_linking_and_roles_on_the_sets_written_blind_do_not_fall(enricher, roles, issue_words, gazetteer, name,
                                                                 least, roles_least):
    """Threads written blind (follow-ups as the press writes them): the linker beats "same
    province and topic", and neither it nor the roles of the documents fall below what was
    measured. fresh and blind stay short of 0.9 recall, blind7 just under: see README, "Follow-up, measured"."""
    from nlp.provinces import choose_provinces

    labeled = rows(name)
    report = link_report(labeled, thread_docs(labeled, enricher, roles, issue_words))
    ours = report["linker"]
    assert ours.precision >= least[0] and ours.recall >= least[1], ours
    assert ours.f1 > report["same province and topic within the window"].f1 + 0.05
    places = [bool(choose_provinces(gazetteer.find(r["title"], r["sapo"], ""))) for r in labeled]
    by_role = role_report(labeled, roles, places)["classifier"]
    for role, (precision, recall) in roles_least.items():
        assert by_role[role].precision >= precision and by_role[role].recall >= recall, (role, by_role[role])


@pytest.mark.slow
def test_thread_linking_on_the_dev_threads_it_was_tuned_on(enricher, roles, issue_words):
    labeled = rows("threads_dev.jsonl")
    ours = link_report(labeled, thread_docs(labeled, enricher, roles, issue_words))["linker"]
    # 69 threads, 126 documents: measured 0.89 / 0.88 since the role model learnt from the
    # hand-written role articles (0.95 / 0.85 before: ten roles read right now, three wrong; the
    # better roles cost three pairs of precision: a report of a delay read as the remedy joins a
    # neighbouring land dispute on words, two schools of one commune share a name, and a bus line
    # read as a report joins a complaint's street). Earlier: 0.94 / 0.88 before background news had
    # to say its issue's place and topic to join on words; the first 59 threads went from 0.92 /
    # 0.72 to 0.94 / 0.91 as reports with no topic opened threads, plain-news reports were taught
    # to the role model, reservoirs were named, "Hà Đông" placed in Hà Nội, and answers saying
    # neither place nor topic could join on many rare words.
    # Stop 24: 0.94 / 0.91 (answers that cannot open a thread join on a commune; reports naming
    # another company of the zone stay apart).
    assert ours.precision >= 0.91 and ours.recall >= 0.88, ours
